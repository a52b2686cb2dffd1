// SPDX-License-Identifier: GPL-2.0
/*
 * failslab_test: the module under allocation failures it cannot avoid.
 * failslab and fail_page_alloc fail allocations made from uevt's code
 * (a stack filter on the module's text) in this test's processes only
 * (task-filter, /proc/self/make-it-fail): atomic ones in the notifiers and
 * the fork hook, and sleeping ones in registration, joins and refills.
 * Whatever fails must fail as documented: an errno, or a counter in the
 * status file, and never a crash, a leak or a stray write.
 *
 * Needs the debug kernel's fault injection; elsewhere every test skips
 * and says so.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM
static const char *const fail_types[] = { "failslab", "fail_page_alloc" };

/* Write a fault-injection knob of both kinds; 0 or -errno. */
static int knob(const char *name, const char *value)
{
	char path[128];
	int i, ret = 0;

	for (i = 0; i < 2 && !ret; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", fail_types[i], name);
		ret = write_file(path, value);
	}
	return ret;
}

/* The address range of uevt's code, from /proc/kallsyms. */
static int module_text(unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], type;
	unsigned long addr;

	*start = ~0UL;
	*end = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[uevt]") || sscanf(line, "%lx %c", &addr, &type) != 2 ||
		    (type != 't' && type != 'T'))
			continue;
		if (addr < *start)
			*start = addr;
		if (addr > *end)
			*end = addr;
	}
	if (f)
		fclose(f);
	/* The last function's own length: no function of ours is near a page. */
	*end += 4096;
	return *start < *end && *start ? 0 : -1;
}

/*
 * Fail @percent of uevt's allocations in this task and its children from
 * now on: only those that cannot sleep (@atomic_only), or all of them.
 */
static int inject(int percent, int atomic_only)
{
	unsigned long start, end;
	char buf[32];

	if (module_text(&start, &end))
		return -ENOENT;
	snprintf(buf, sizeof(buf), "%lu", start);
	if (knob("require-start", buf))
		return -errno;
	snprintf(buf, sizeof(buf), "%lu", end);
	knob("require-end", buf);
	knob("stacktrace-depth", "32");
	knob("task-filter", "Y");
	knob("interval", "1");
	knob("times", "-1");
	knob("verbose", "0");
	knob("ignore-gfp-wait", atomic_only ? "Y" : "N");
	snprintf(buf, sizeof(buf), "%d", percent);
	knob("probability", buf);
	return write_file("/proc/self/make-it-fail", "1");
}

static void stop_injecting(void)
{
	write_file("/proc/self/make-it-fail", "0");
	knob("probability", "0");
}

FIXTURE(fs)
{
	int fd;
	struct tracefs_instance *inst;
	char mark[64];
};

FIXTURE_SETUP(fs)
{
	if (access("/sys/kernel/debug/failslab/probability", W_OK))
		SKIP(return, "this kernel has no failslab (CONFIG_FAILSLAB)");
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("fs");
	ASSERT_NE(NULL, self->inst);
	kmsg_mark(self->mark, sizeof(self->mark));
}

FIXTURE_TEARDOWN(fs)
{
	char *splat;

	if (!self->inst)
		return;
	stop_injecting();
	splat = kmsg_splat_since(self->mark);
	EXPECT_EQ(NULL, splat) {
		TH_LOG("kernel splat: %s", splat);
	}
	free(splat);
	test_instance_destroy(self->inst);
	close(self->fd);
}

/*
 * Registrations while a third of uevt's allocations fail: each succeeds or
 * is ENOMEM; afterwards exactly the successful ones are written, and all
 * of them unregister.
 */
TEST_F(fs, registrations_fail_with_enomem_and_leave_nothing_behind)
{
	uint32_t *words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok[256] = { 0 }, i, good = 0, bad = 0;

	ASSERT_NE(MAP_FAILED, words);
	/* The event exists before: its creation is the tracing core's business. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fs_reg u32 a", &words[100], 0, 4, 0, NULL));
	ASSERT_EQ(0, inject(33, 0));
	for (i = 0; i < 256; i++) {
		int ret = uevt_reg(self->fd, "t_fs_reg u32 a", &words[i / 32], i % 32, 4, 0, NULL);

		ok[i] = !ret;
		good += !ret;
		if (ret && ret != -ENOMEM) {
			TH_LOG("bit %d: %d", i, ret);
			bad++;
		}
	}
	stop_injecting();
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, good);
	EXPECT_GT(256, good);
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_fs_reg"));
	usleep(100000);
	for (i = 0; i < 256; i++)
		EXPECT_EQ(ok[i], !!(words[i / 32] & (1U << (i % 32)))) {
			TH_LOG("bit %d registered %d", i, ok[i]);
		}
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_fs_reg"));
	for (i = 0; i < 256; i++)
		EXPECT_EQ(ok[i] ? 0 : -ENOENT, uevt_unreg(self->fd, &words[i / 32], i % 32));
	EXPECT_EQ(0, uevt_unreg(self->fd, &words[100], 0));
}

/*
 * munmap() whose retirement cannot be recorded (the notifier's atomic
 * allocation fails): the whole process is retired, counted in the status
 * file, and nothing is written into a new mapping at that address.
 */
TEST_F(fs, lost_retirement_writes_nothing_more_and_is_counted)
{
	volatile uint32_t *w = private_word(), *again;
	long lost = status_counter("retirements", "lost");

	ASSERT_NE(NULL, w);
	ASSERT_LE(0, lost);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fs_unmap u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, inject(100, 1));
	ASSERT_EQ(0, munmap((void *)w, 4096));
	stop_injecting();
	again = mmap((void *)w, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(w, again);
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_fs_unmap"));
	usleep(300000);
	EXPECT_EQ(0U, *again);
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_fs_unmap"));
	EXPECT_EQ(lost + 1, status_counter("retirements", "lost"));
}

/*
 * A state change that cannot record what it owes (a forked process's
 * words are write-protected, and the records' atomic allocations fail):
 * the process is checked whole instead, and its bits converge.
 */
TEST_F(fs, unrecorded_owed_writes_still_converge)
{
	volatile uint32_t *w = private_word();
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fs_owe u32 a", (void *)w, 0, 4, 0, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(wait_bits(w, 1, 1, 10000) ? 3 : 0);
	}
	close(go[0]);
	usleep(100000);	/* the child joined; both pages are copy-on-write now */
	ASSERT_EQ(0, inject(100, 1));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_fs_owe"));
	stop_injecting();
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 10000));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_fs_owe"));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w, 0));
}

/*
 * Forks while every allocation of uevt's fails: the reserve of join
 * tickets cannot be refilled and the children cannot join.  Each child
 * that does not inherit is counted (lost or failed), and the parent goes
 * on working.
 */
TEST_F(fs, forks_that_cannot_inherit_are_counted)
{
	volatile uint32_t *w = private_word();
	long joined, lost, failed, uncounted, missed;
	int i, status;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fs_fork u32 a", (void *)w, 0, 4, 0, NULL));
	joined = status_counter("forks", "joined");
	lost = status_counter("forks", "lost");
	failed = status_counter("forks", "failed");
	ASSERT_EQ(0, inject(100, 0));
	for (i = 0; i < 6; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(0);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	}
	stop_injecting();
	missed = status_counter("forks", "lost") - lost +
		 status_counter("forks", "failed") - failed;
	uncounted = 6 - (status_counter("forks", "joined") - joined) - missed;
	EXPECT_EQ(0, uncounted);
	/* With nothing to refill the reserve with, some could not inherit. */
	EXPECT_LT(0, missed);
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_fs_fork"));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_fs_fork"));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w, 0));
}

TEST_HARNESS_MAIN
