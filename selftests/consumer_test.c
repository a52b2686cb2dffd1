// SPDX-License-Identifier: GPL-2.0
/*
 * Consumers other than tracefs' enable file: perf record, trace-cmd
 * record and a BPF program attached to the tracepoint.  Each must flip the
 * enable bit while attached, receive the records with their field values,
 * and show in the status file.
 */
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

/* Run argv, wait, return its stdout (malloc'd) or NULL if it failed. */
static char *run_capture(char *const argv[])
{
	char *out = calloc(1, 1 << 16);
	size_t len = 0;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (!out || pipe(pipefd))
		return NULL;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, (1 << 16) - 1 - len)) > 0)
		len += (size_t)n;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	return out;
}

static int count_lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (; text && (text = strstr(text, needle)); text++)
		n++;
	return n;
}

struct pair {
	uint32_t a;
	uint32_t b;
} __attribute__((packed));

FIXTURE(cons)
{
	int fd;
	uint32_t word;
	uint32_t index;
};

FIXTURE_SETUP(cons)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->word = 0;
}

FIXTURE_TEARDOWN(cons)
{
	close(self->fd);
}

/*
 * perf runs the writer as its workload: perf enables its events before
 * exec'ing it, so every record the writer emits must arrive.  The writer
 * exits 3 if its bit was not already set when it registered.
 */
TEST_F_TIMEOUT(cons, perf_record_sets_bit_and_records_fields, 120)
{
	char *rec[] = { "/usr/bin/perf", "record", "-q", "-e", SYS ":t_emit",
			"-o", "/tmp/t_perf.data", "--", "/opt/uevt/selftests/uevt_emit", "3", NULL };
	char *script[] = { "/usr/bin/perf", "script", "-i", "/tmp/t_perf.data", NULL };
	char *out;

	/* Our own registration keeps the event alive and watches the bit. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_emit u32 a; u32 b", &self->word, 0, 4, 0, &self->index));
	out = run_capture(rec);
	ASSERT_NE(NULL, out) {
		TH_LOG("perf record (or the writer under it) failed");
	}
	free(out);
	EXPECT_EQ(0U, self->word & 1);

	out = run_capture(script);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(3, count_lines_with(out, SYS ":t_emit:")) {
		TH_LOG("perf script:\n%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "a=2 b=200"));
	free(out);
}

TEST_F(cons, perf_attach_shows_in_status)
{
	struct status_line *line;
	int perf_fd;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_pstat u32 a", &self->word, 3, 4, 0, NULL));
	perf_fd = perf_tracepoint_open(SYS, "t_pstat");
	ASSERT_LE(0, perf_fd);
	EXPECT_EQ(8U, self->word & 8);
	line = status_line(SYS, "t_pstat");
	EXPECT_EQ(1, status_value(line, "perf")) {
		TH_LOG("status: %s", status_text(line));
	}
	EXPECT_EQ(0, status_value(line, "ftrace"));
	EXPECT_EQ(0, status_value(line, "bpf"));
	status_line_free(line);
	close(perf_fd);
	EXPECT_EQ(0U, self->word & 8);
}

/* trace-cmd runs the writer itself, after enabling the event. */
TEST_F_TIMEOUT(cons, trace_cmd_record_sets_bit_and_records_fields, 120)
{
	char *rec[] = { "/usr/bin/trace-cmd", "record", "-q", "-e", SYS ":t_emit",
			"-o", "/tmp/t_tcmd.dat", "/opt/uevt/selftests/uevt_emit", "2", NULL };
	char *report[] = { "/usr/bin/trace-cmd", "report", "-i", "/tmp/t_tcmd.dat", NULL };
	char *out;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_emit u32 a; u32 b", &self->word, 1, 4, 0, &self->index));
	out = run_capture(rec);
	ASSERT_NE(NULL, out) {
		TH_LOG("trace-cmd record (or the writer under it) failed");
	}
	free(out);
	/* trace-cmd disabled the event again when its workload ended. */
	EXPECT_EQ(0U, self->word & 2);

	out = run_capture(report);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(2, count_lines_with(out, "t_emit:")) {
		TH_LOG("trace-cmd report:\n%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "a=2 b=200"));
	free(out);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Sums the payload's first u32 into an array map: proves BPF sees the data. */
static int load_sum_prog(int map_fd)
{
	struct bpf_insn insns[] = {
		/* r6 = *(u32 *)(ctx + header): field "a" */
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 6, .src_reg = 1,
		  .off = (short)record_header_size() },
		/* *(u32 *)(fp - 4) = 0: the map key */
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = 10, .off = -4, .imm = 0 },
		/* r2 = fp - 4 */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2, .src_reg = 10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -4 },
		/* r1 = map */
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = map_fd },
		{ 0 },
		/* r0 = bpf_map_lookup_elem(r1, r2) */
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		/* if r0 == 0 goto exit */
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 0, .off = 1, .imm = 0 },
		/* lock *(u64 *)(r0 + 0) += r6 */
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = 0, .src_reg = 6,
		  .imm = BPF_ADD },
		/* return 0: nothing more for perf */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[4096];
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uint64_t)(uintptr_t)"GPL";
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		fprintf(stderr, "# BPF_PROG_LOAD: %s\n# %s\n", strerror(errno), log);
	return fd;
}

TEST_F(cons, bpf_program_sets_bit_and_sees_payload)
{
	struct perf_event_attr pattr;
	union bpf_attr attr;
	uint64_t sum = 0;
	uint32_t key = 0;
	struct pair p;
	int map_fd, prog_fd, perf_fd;
	struct status_line *line;
	char *id;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_bpf u32 a; u32 b", &self->word, 2, 4, 0, &self->index));
	id = tfs_read(NULL, "events/" SYS "/t_bpf/id");
	ASSERT_NE(NULL, id);

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 1;
	map_fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	ASSERT_LE(0, map_fd);
	prog_fd = load_sum_prog(map_fd);
	ASSERT_LE(0, prog_fd);

	memset(&pattr, 0, sizeof(pattr));
	pattr.type = PERF_TYPE_TRACEPOINT;
	pattr.size = sizeof(pattr);
	pattr.config = strtoull(id, NULL, 10);
	pattr.sample_period = 1;
	pattr.wakeup_events = 1;
	free(id);
	perf_fd = (int)syscall(__NR_perf_event_open, &pattr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	ASSERT_LE(0, perf_fd);
	ASSERT_EQ(0, ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, prog_fd));
	ASSERT_EQ(0, ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0));
	EXPECT_EQ(4U, self->word & 4);
	line = status_line(SYS, "t_bpf");
	EXPECT_EQ(1, status_value(line, "bpf")) {
		TH_LOG("status: %s", status_text(line));
	}
	status_line_free(line);

	p.a = 3;
	p.b = 0;
	uevt_write(self->fd, self->index, &p, sizeof(p));
	p.a = 4;
	uevt_write(self->fd, self->index, &p, sizeof(p));

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)map_fd;
	attr.key = (uint64_t)(uintptr_t)&key;
	attr.value = (uint64_t)(uintptr_t)&sum;
	ASSERT_EQ(0, sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr));
	EXPECT_EQ(7U, sum);

	close(perf_fd);
	EXPECT_EQ(0, wait_bits(&self->word, 4, 0, 5000));
	close(prog_fd);
	close(map_fd);
}

TEST_HARNESS_MAIN
