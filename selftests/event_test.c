// SPDX-License-Identifier: GPL-2.0
/*
 * The event side of uevt.ko: registration and its errors, tracefs files,
 * records through ftrace (top level and instances), filters, triggers,
 * payload validation, delete, persist, multi-format, limits.
 */
#include <pthread.h>
#include <stddef.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

FIXTURE(ev)
{
	int fd;
	struct tracefs_instance *inst;
	uint32_t word;
};

FIXTURE_SETUP(ev)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("ev");
	ASSERT_NE(NULL, self->inst);
	self->word = 0;
}

FIXTURE_TEARDOWN(ev)
{
	test_instance_destroy(self->inst);
	close(self->fd);
}

TEST_F(ev, register_creates_tracefs_event)
{
	static const char *files[] = { "enable", "format", "filter", "trigger", "id" };
	uint32_t index = 99;
	size_t i;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_basic u32 a; u64 b", &self->word, 0, 4, 0, &index));
	EXPECT_EQ(0U, index);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		bool found = tracefs_event_file_exists(NULL, SYS, "t_basic", files[i]);

		EXPECT_TRUE(found) {
			TH_LOG("missing events/" SYS "/t_basic/%s", files[i]);
		}
	}
	/* Instances get the event too. */
	EXPECT_TRUE(tracefs_event_file_exists(self->inst, SYS, "t_basic", "enable"));
	EXPECT_EQ(0U, self->word);
}

TEST_F(ev, format_has_correct_offsets_and_print_fmt)
{
	unsigned int h = record_header_size();
	char *fmt, want[96];

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fmt u8 a; s64 b; char[6] c; __data_loc char[] d",
			      &self->word, 0, 4, 0, NULL));
	fmt = tfs_read(NULL, "events/" SYS "/t_fmt/format");
	ASSERT_NE(NULL, fmt);
	/* Packed after the header, whatever its size. */
	ASSERT_LE(8U, h);
	EXPECT_NE(NULL, strstr(fmt, "name: t_fmt\n"));
	snprintf(want, sizeof(want), "field:u8 a;\toffset:%u;\tsize:1;\tsigned:0;", h);
	EXPECT_NE(NULL, strstr(fmt, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), "field:s64 b;\toffset:%u;\tsize:8;\tsigned:1;", h + 1);
	EXPECT_NE(NULL, strstr(fmt, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), "field:char c[6];\toffset:%u;\tsize:6;\tsigned:1;", h + 9);
	EXPECT_NE(NULL, strstr(fmt, want)) TH_LOG("no '%s'", want);
	snprintf(want, sizeof(want), "field:__data_loc char[] d;\toffset:%u;\tsize:4;\tsigned:1;",
		 h + 15);
	EXPECT_NE(NULL, strstr(fmt, want)) TH_LOG("no '%s'", want);
	EXPECT_NE(NULL, strstr(fmt, "print fmt: \"a=%hhu b=%lld c=%s d=%s\", REC->a, REC->b, REC->c, __get_str(d)"));
	if (_metadata->exit_code)
		TH_LOG("format:\n%s", fmt);
	free(fmt);
}

TEST_F(ev, same_description_same_event_and_index)
{
	uint32_t i1 = ~0U, i2 = ~0U, i3 = ~0U, w2 = 0;
	int fd2 = uevt_dev_open();

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_same u32 a", &self->word, 0, 4, 0, &i1));
	/* Same file, another enable bit: same index. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_same  u32   a;", &self->word, 1, 4, 0, &i2));
	EXPECT_EQ(i1, i2);
	/* Another file has its own index space. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_other u8 x", &self->word, 2, 4, 0, &i3));
	EXPECT_EQ(i1 + 1, i3);
	ASSERT_EQ(0, uevt_reg(fd2, "t_same u32 a", &w2, 0, 4, 0, &i3));
	EXPECT_EQ(0U, i3);
	/* Same name, other fields. */
	EXPECT_EQ(-EADDRINUSE, uevt_reg(fd2, "t_same u64 a", &w2, 1, 4, 0, NULL));
	close(fd2);
}

TEST_F(ev, struct_size_versioning)
{
	struct {
		struct uevt_reg reg;
		uint8_t extra[8];
	} __attribute__((packed)) big;
	const char *desc = "t_size u32 a";

	memset(&big, 0, sizeof(big));
	big.reg.enable_size = 4;
	big.reg.enable_addr = (uint64_t)(uintptr_t)&self->word;
	big.reg.name_args = (uint64_t)(uintptr_t)desc;

	big.reg.size = UEVT_REG_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(self->fd, UEVT_IOC_REG, &big));
	EXPECT_EQ(EINVAL, errno);

	/* Larger than we know, zero tail: fine. */
	big.reg.size = sizeof(big);
	EXPECT_EQ(0, ioctl(self->fd, UEVT_IOC_REG, &big));

	/* Larger with a non-zero tail: E2BIG. */
	big.extra[7] = 1;
	big.reg.enable_bit = 1;
	EXPECT_EQ(-1, ioctl(self->fd, UEVT_IOC_REG, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(ev, bad_registrations_are_rejected)
{
	uint64_t word64 = 0;
	char *ro, *unmapped;

	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, 4096));

	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", &self->word, 0, 4, 1 << 2, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", &self->word, 0, 2, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", &self->word, 0, 16, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", &self->word, 32, 4, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", &word64, 64, 8, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", (char *)&word64 + 4, 0, 8, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32 a", (char *)&word64 + 2, 0, 4, 0, NULL));
	EXPECT_EQ(-EFAULT, uevt_reg(self->fd, "t_bad u32 a", ro, 0, 4, 0, NULL));
	EXPECT_EQ(-EFAULT, uevt_reg(self->fd, "t_bad u32 a", unmapped, 0, 4, 0, NULL));
	EXPECT_EQ(-EFAULT, uevt_reg(self->fd, (const char *)unmapped, &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad u32", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t-bad u32 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EINVAL, uevt_reg(self->fd, "t_bad float a", &self->word, 0, 4, 0, NULL));
	/* The rejected registrations left no event behind. */
	EXPECT_FALSE(uevt_event_exists(SYS, "t_bad"));

	ASSERT_EQ(0, uevt_reg(self->fd, "t_bad u32 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EADDRINUSE, uevt_reg(self->fd, "t_bad u32 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EADDRINUSE, uevt_reg(self->fd, "t_bad2 u8 b", &self->word, 0, 4, 0, NULL));
	munmap(ro, 4096);
}

TEST_F(ev, unknown_ioctl_and_bad_index)
{
	uint32_t v = 1;

	EXPECT_EQ(-1, ioctl(self->fd, _IOW('*', 9, char *), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-ENOENT, uevt_write(self->fd, 7, &v, sizeof(v)));
	EXPECT_EQ(-EINVAL, (int)write(self->fd, &v, 2) ? -errno : 0);
}

struct basic_payload {
	uint32_t a;
	uint64_t b;
} __attribute__((packed));

TEST_F(ev, enable_from_shell_sets_bit_and_records_arrive)
{
	struct basic_payload p = { 7, 1234567890123ULL };
	struct records r;
	uint32_t index = ~0U;

	self->word = 0xa5a50000;	/* user bits around ours must survive */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_shell u32 a; u64 b", &self->word, 3, 4, 0, &index));
	EXPECT_EQ(0xa5a50000U, self->word);

	/* Disabled: EBADF, as the built-in says, and the record goes nowhere. */
	EXPECT_EQ(-EBADF, uevt_write(self->fd, index, &p, sizeof(p)));
	/* Shorter than the fixed fields: EINVAL, even disabled. */
	EXPECT_EQ(-EINVAL, uevt_write(self->fd, index, &p, 4));
	/* A negative index: EINVAL, not "no such index". */
	EXPECT_EQ(-EINVAL, uevt_write(self->fd, 0x80000000U, &p, sizeof(p)));

	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_shell"));
	EXPECT_EQ(0xa5a50008U, self->word);
	EXPECT_EQ((ssize_t)(4 + sizeof(p)), uevt_write(self->fd, index, &p, sizeof(p)));
	p.a = 8;
	EXPECT_EQ((ssize_t)(4 + sizeof(p)), uevt_write(self->fd, index, &p, sizeof(p)));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_shell"));
	EXPECT_EQ(0xa5a50000U, self->word);

	ASSERT_EQ(0, collect(self->inst, SYS, "t_shell", &r));
	ASSERT_EQ(2, r.count);
	EXPECT_STREQ("a=7 b=1234567890123", r.text[0]);
	EXPECT_STREQ("a=8 b=1234567890123", r.text[1]);
	EXPECT_EQ(getpid(), r.pids[0]);
}

TEST_F(ev, kernel_text_output)
{
	struct basic_payload p = { 42, 9 };
	uint32_t index = ~0U;
	char *trace;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_text u32 a; u64 b", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_text"));
	uevt_write(self->fd, index, &p, sizeof(p));
	tracefs_event_disable(self->inst, SYS, "t_text");
	trace = tfs_read(self->inst, "trace");
	ASSERT_NE(NULL, trace);
	EXPECT_NE(NULL, strstr(trace, "t_text: a=42 b=9\n")) {
		TH_LOG("trace:\n%s", trace);
	}
	free(trace);
}

/* Every field kind, fixed and dynamic, decoded by libtraceevent. */
struct all_payload {
	int8_t s8;
	uint8_t u8;
	int16_t s16;
	uint16_t u16;
	int32_t s32;
	uint32_t u32;
	int64_t s64;
	uint64_t u64;
	char name[8];
	uint32_t path_loc;
	uint32_t tag_loc;
	char path[12];
	char tag[4];
} __attribute__((packed));

TEST_F(ev, every_type_round_trips)
{
	struct all_payload p = {
		.s8 = -8, .u8 = 200, .s16 = -1600, .u16 = 60000,
		.s32 = -320000, .u32 = 4000000000U, .s64 = -64000000000LL,
		.u64 = 18000000000000000000ULL, .name = "comm",
		.path = "/etc/passwd", .tag = "abc",
	};
	struct records r;
	uint32_t index = ~0U;

	p.path_loc = (uint32_t)sizeof(p.path) << 16 |
		     (uint32_t)(record_header_size() + offsetof(struct all_payload, path));
	/* __rel_loc counts from the end of its own field. */
	p.tag_loc = (uint32_t)sizeof(p.tag) << 16 |
		    (uint32_t)(offsetof(struct all_payload, tag) -
			       (offsetof(struct all_payload, tag_loc) + 4));
	ASSERT_EQ(0, uevt_reg(self->fd,
			      "t_all s8 s8; u8 u8; s16 s16; u16 u16; s32 s32; u32 u32; s64 s64; u64 u64; "
			      "char[8] name; __data_loc char[] path; __rel_loc char[] tag",
			      &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_all"));
	EXPECT_EQ((ssize_t)(4 + sizeof(p)), uevt_write(self->fd, index, &p, sizeof(p)));
	tracefs_event_disable(self->inst, SYS, "t_all");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_all", &r));
	ASSERT_EQ(1, r.count);
	EXPECT_STREQ("s8=-8 u8=200 s16=-1600 u16=60000 s32=-320000 u32=4000000000 "
		     "s64=-64000000000 u64=18000000000000000000 name=comm path=/etc/passwd tag=abc",
		     r.text[0]);
}

struct str_payload {
	uint32_t loc;
	char s[8];
} __attribute__((packed));

TEST_F(ev, bad_payloads_never_reach_the_buffer)
{
	/* The string right after the location word. */
	uint32_t s_at = record_header_size() + 4;
	struct str_payload p = { 0, "hello" };
	char big[UEVT_PAYLOAD_MAX + 1];
	struct records r;
	uint32_t index = ~0U;

	memset(big, 0, sizeof(big));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_badp __data_loc char[] s", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_badp"));

	/* Shorter than the fixed part. */
	EXPECT_EQ(-EINVAL, uevt_write(self->fd, index, &p, 3));
	/* Location past the end. */
	p.loc = 9u << 16 | s_at;
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, &p, sizeof(p)));
	/* Location inside the fixed part. */
	p.loc = 4u << 16 | (s_at - 4);
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, &p, sizeof(p)));
	/* Not NUL-terminated. */
	p.loc = 5u << 16 | s_at;
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, &p, sizeof(p)));
	/* Too large. */
	EXPECT_EQ(-E2BIG, uevt_write(self->fd, index, big, sizeof(big)));
	/* Bad memory. */
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, (void *)8, 8));
	/* And a good one. */
	p.loc = 6u << 16 | s_at;
	EXPECT_EQ((ssize_t)(4 + sizeof(p)), uevt_write(self->fd, index, &p, sizeof(p)));
	tracefs_event_disable(self->inst, SYS, "t_badp");

	ASSERT_EQ(0, collect(self->inst, SYS, "t_badp", &r));
	EXPECT_EQ(1, r.count);
	EXPECT_STREQ("s=hello", r.text[0]);
	{
		struct status_line *line = status_line(SYS, "t_badp");

		EXPECT_EQ(6, status_value(line, "rejected")) {
			TH_LOG("status: %s", status_text(line));
		}
		status_line_free(line);
	}
}

/*
 * A record's bytes cut into iovecs every way a writer may cut them: the
 * index split across iovecs, empty iovecs whose base is garbage (never
 * read), odd lengths, odd addresses, one write() of the whole record, and
 * a record too long for the stack.  Every record must arrive byte-exact.
 */
static ssize_t write_cut(int fd, const uint8_t *rec, size_t len, const size_t *cuts, int ncuts,
			 uint8_t *scratch)
{
	struct iovec iov[16];
	size_t at = 0;
	int n = 0, i;

	/* Odd addresses: the record is moved one byte off alignment. */
	memcpy(scratch + 1, rec, len);
	for (i = 0; i < ncuts && at < len; i++) {
		size_t cut = cuts[i] < len - at ? cuts[i] : len - at;

		if (!cuts[i])	/* an empty iovec pointing at nothing readable */
			iov[n++] = (struct iovec){ (void *)(uintptr_t)(i & 1 ? 8 : 0), 0 };
		else
			iov[n++] = (struct iovec){ scratch + 1 + at, cut };
		at += cut;
	}
	if (at < len)
		iov[n++] = (struct iovec){ scratch + 1 + at, len - at };
	return writev(fd, iov, n);
}

TEST_F(ev, record_cut_across_iovecs_arrives_byte_exact)
{
	static const size_t cuts[][8] = {
		{ 4 }, { 1, 3 }, { 2, 0, 2, 1 }, { 3, 1, 0, 0, 5 }, { 4, 7, 1, 1, 1 },
		{ 1, 1, 1, 1, 1, 1, 1, 1 }, { 6, 0, 3, 8, 2 },
	};
	struct { uint32_t index; struct basic_payload p; } __attribute__((packed)) rec;
	struct { uint32_t index; char s[300]; } __attribute__((packed)) big;
	uint8_t scratch[sizeof(big) + 1];
	uint32_t index = ~0U, bindex = ~0U;
	struct records r;
	char want[64];
	unsigned int i;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_cut u32 a; u64 b", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_cut_big char[300] s", &self->word, 1, 4, 0, &bindex));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_cut"));
	rec.index = index;
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		rec.p = (struct basic_payload){ 0x01020300u + i, 0x1122334455667788ULL + i };
		EXPECT_EQ((ssize_t)sizeof(rec),
			  write_cut(self->fd, (uint8_t *)&rec, sizeof(rec), cuts[i], 8, scratch)) {
			TH_LOG("cut %u: %s", i, strerror(errno));
		}
	}
	/* One write() of the whole record: a single user buffer. */
	rec.p = (struct basic_payload){ 77, 78 };
	memcpy(scratch + 1, &rec, sizeof(rec));
	EXPECT_EQ((ssize_t)sizeof(rec), write(self->fd, scratch + 1, sizeof(rec)));
	tracefs_event_disable(self->inst, SYS, "t_cut");
	/* collect() drains the buffer: one event at a time. */
	ASSERT_EQ(0, collect(self->inst, SYS, "t_cut", &r));
	/* The seven cuts, then the write(). */
	ASSERT_EQ(ARRAY_SIZE(cuts) + 1, (size_t)r.count);
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		snprintf(want, sizeof(want), "a=%u b=%llu", 0x01020300u + i,
			 0x1122334455667788ULL + i);
		EXPECT_STREQ(want, r.text[i]);
	}
	EXPECT_STREQ("a=77 b=78", r.text[ARRAY_SIZE(cuts)]);

	/* Longer than a record read in one go. */
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_cut_big"));
	big.index = bindex;
	memset(big.s, 'x', sizeof(big.s));
	big.s[sizeof(big.s) - 1] = '\0';
	EXPECT_EQ((ssize_t)sizeof(big),
		  write_cut(self->fd, (uint8_t *)&big, sizeof(big), cuts[3], 8, scratch));
	tracefs_event_disable(self->inst, SYS, "t_cut_big");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_cut_big", &r));
	ASSERT_EQ(1, r.count);
	EXPECT_EQ(0, strncmp(r.text[0], "s=xxxxxxxx", 10));
	EXPECT_EQ(2 + 299, (int)strlen(r.text[0]));
}

/*
 * Records around the one-trip limit (253 to 260 bytes, index included;
 * from 257 on they are read in two steps: the index, then the payload),
 * written as one buffer: write() and a one-iovec writev(), which the
 * kernel may hand over as a single user buffer read at an offset.  Every
 * one arrives whole; the longest come first, so that the records whose
 * text is kept are the two-step ones.
 */
TEST_F(ev, records_around_the_one_trip_limit_arrive_whole)
{
	uint32_t s_at = record_header_size() + 4;
	struct { uint32_t index, loc; char s[256]; } __attribute__((packed)) rec;
	uint32_t index = ~0U;
	struct records r;
	unsigned int len, sent = 0, i;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_edge __data_loc char[] s", &self->word, 0, 4, 0,
			      &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_edge"));
	rec.index = index;
	memset(rec.s, 'y', sizeof(rec.s));
	/* The string's length with its NUL: 252 .. 245, records of 260 .. 253 bytes. */
	for (len = 252; len >= 245; len--) {
		size_t total = 8 + len;
		struct iovec one = { &rec, total };

		rec.loc = (uint32_t)len << 16 | s_at;
		rec.s[len - 1] = '\0';
		EXPECT_EQ((ssize_t)total, write(self->fd, &rec, total)) {
			TH_LOG("write() of %zu bytes: %s", total, strerror(errno));
		}
		EXPECT_EQ((ssize_t)total, writev(self->fd, &one, 1)) {
			TH_LOG("writev() of %zu bytes: %s", total, strerror(errno));
		}
		rec.s[len - 1] = 'y';
		sent += 2;
	}
	tracefs_event_disable(self->inst, SYS, "t_edge");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_edge", &r));
	EXPECT_EQ((int)sent, r.count);
	/* The eight kept: records of 260, 260, 259, 259, ... 257 bytes. */
	for (i = 0; i < 8 && (int)i < r.count; i++) {
		char want[260] = "s=";

		memset(want + 2, 'y', 252 - i / 2 - 1);
		EXPECT_STREQ(want, r.text[i]);
	}
}

/*
 * A payload that runs off its mapping: EFAULT while enabled, nothing
 * recorded; EBADF while disabled, as the built-in says, though the
 * payload cannot be read.  A segment in kernel space: EFAULT.
 */
TEST_F(ev, payload_running_off_its_mapping)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct basic_payload *p;
	uint32_t index = ~0U;
	struct records r;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + page, page, PROT_NONE));
	p = (struct basic_payload *)(two + page - 6);	/* 6 readable bytes of 12 */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_off u32 a; u64 b", &self->word, 0, 4, 0, &index));
	EXPECT_EQ(-EBADF, uevt_write(self->fd, index, p, sizeof(*p)));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_off"));
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, p, sizeof(*p)));
	EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, (void *)-4096L, sizeof(*p)));
	memset(two + page - 16, 0, 10);
	EXPECT_EQ((ssize_t)(4 + sizeof(*p)),
		  uevt_write(self->fd, index, two + page - 16, sizeof(*p)));
	tracefs_event_disable(self->inst, SYS, "t_off");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_off", &r));
	EXPECT_EQ(1, r.count);
	EXPECT_STREQ("a=0 b=0", r.text[0]);
	munmap(two, 2 * page);
}

/*
 * A payload in a page that is in the page cache but not in our page
 * tables: the read faults it in and the record arrives once, whole; a bad
 * payload there is still rejected.
 */
TEST_F(ev, payload_behind_a_minor_fault_is_recorded_once)
{
	uint32_t s_at = record_header_size() + 4;
	struct str_payload good = { 6u << 16 | s_at, "hello" }, bad = good;
	struct str_payload *p;
	struct records r;
	uint32_t index = ~0U;
	int mfd = memfd_create("uevt_payload", MFD_CLOEXEC), i;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 4096));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_minor __data_loc char[] s", &self->word, 0, 4, 0,
			      &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_minor"));
	bad.loc = 5u << 16 | s_at;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ((ssize_t)sizeof(good), pwrite(mfd, &good, sizeof(good), 0));
		ASSERT_EQ(0, madvise(p, 4096, MADV_DONTNEED));
		EXPECT_EQ((ssize_t)(4 + sizeof(good)), uevt_write(self->fd, index, p, sizeof(*p)));
		ASSERT_EQ((ssize_t)sizeof(bad), pwrite(mfd, &bad, sizeof(bad), 0));
		ASSERT_EQ(0, madvise(p, 4096, MADV_DONTNEED));
		EXPECT_EQ(-EFAULT, uevt_write(self->fd, index, p, sizeof(*p)));
	}
	tracefs_event_disable(self->inst, SYS, "t_minor");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_minor", &r));
	EXPECT_EQ(3, r.count);
	for (i = 0; i < 3 && i < r.count; i++)
		EXPECT_STREQ("s=hello", r.text[i]);
	munmap(p, 4096);
	close(mfd);
}

TEST_F(ev, filter_drops_non_matching_records)
{
	struct basic_payload p = { 0, 0 };
	struct records r;
	uint32_t index = ~0U;
	int i;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_filter u32 a; u64 b", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tfs_write(self->inst, "events/" SYS "/t_filter/filter", "a == 5 || b > 100"));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_filter"));
	for (i = 0; i < 8; i++) {
		p.a = (uint32_t)i;
		p.b = i == 7 ? 1000 : 1;
		uevt_write(self->fd, index, &p, sizeof(p));
	}
	tracefs_event_disable(self->inst, SYS, "t_filter");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_filter", &r));
	ASSERT_EQ(2, r.count);
	EXPECT_STREQ("a=5 b=1", r.text[0]);
	EXPECT_STREQ("a=7 b=1000", r.text[1]);
}

TEST_F(ev, string_filter)
{
	struct str_payload p = { 6u << 16 | (record_header_size() + 4), "hello" };
	struct records r;
	uint32_t index = ~0U;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_sfilter __data_loc char[] s", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tfs_write(self->inst, "events/" SYS "/t_sfilter/filter", "s ~ \"wor*\""));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_sfilter"));
	uevt_write(self->fd, index, &p, sizeof(p));
	memcpy(p.s, "world", 6);
	uevt_write(self->fd, index, &p, sizeof(p));
	tracefs_event_disable(self->inst, SYS, "t_sfilter");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_sfilter", &r));
	ASSERT_EQ(1, r.count);
	EXPECT_STREQ("s=world", r.text[0]);
}

TEST_F(ev, trigger_fires_on_matching_record)
{
	struct basic_payload p = { 1, 0 };
	uint32_t index = ~0U;
	char *on;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_trig u32 a; u64 b", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tfs_write(self->inst, "events/" SYS "/t_trig/trigger", "traceoff if a == 3"));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_trig"));
	uevt_write(self->fd, index, &p, sizeof(p));
	on = tfs_read(self->inst, "tracing_on");
	ASSERT_NE(NULL, on);
	EXPECT_EQ('1', on[0]);
	free(on);
	p.a = 3;
	uevt_write(self->fd, index, &p, sizeof(p));
	on = tfs_read(self->inst, "tracing_on");
	ASSERT_NE(NULL, on);
	EXPECT_EQ('0', on[0]);
	free(on);
	tracefs_event_disable(self->inst, SYS, "t_trig");
	tfs_write(self->inst, "events/" SYS "/t_trig/trigger", "!traceoff");
}

TEST_F(ev, two_instances_keep_the_bit_until_both_disable)
{
	struct tracefs_instance *other = test_instance("ev2");

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_inst u32 a", &self->word, 31, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_inst"));
	ASSERT_EQ(0, tracefs_event_enable(other, SYS, "t_inst"));
	EXPECT_EQ(0x80000000U, self->word);
	{
		struct status_line *line = status_line(SYS, "t_inst");

		EXPECT_EQ(2, status_value(line, "ftrace"));
		EXPECT_EQ(1, status_value(line, "enabled"));
		status_line_free(line);
	}
	tracefs_event_disable(self->inst, SYS, "t_inst");
	EXPECT_EQ(0x80000000U, self->word);
	tracefs_event_disable(other, SYS, "t_inst");
	EXPECT_EQ(0U, self->word);
	test_instance_destroy(other);
}

TEST_F(ev, forked_child_writes_through_inherited_fd)
{
	struct basic_payload p = { 11, 22 };
	struct records r;
	uint32_t index = ~0U;
	int status;
	pid_t pid;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork u32 a; u64 b", &self->word, 0, 4, 0, &index));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_fork"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(uevt_write(self->fd, index, &p, sizeof(p)) == (ssize_t)(4 + sizeof(p)) ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	tracefs_event_disable(self->inst, SYS, "t_fork");
	ASSERT_EQ(0, collect(self->inst, SYS, "t_fork", &r));
	ASSERT_EQ(1, r.count);
	EXPECT_EQ(pid, r.pids[0]);
	EXPECT_STREQ("a=11 b=22", r.text[0]);
}

TEST_F(ev, unregister_clears_bit_and_unknown_is_enoent)
{
	ASSERT_EQ(0, uevt_reg(self->fd, "t_unreg u32 a", &self->word, 5, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_unreg"));
	EXPECT_EQ(1U << 5, self->word);
	EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, 5));
	EXPECT_EQ(0U, self->word);
	EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, &self->word, 5));
	EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, &self->word, 6));
	tracefs_event_disable(self->inst, SYS, "t_unreg");
}

/*
 * Unregistration names the exact address and bit that were registered:
 * an address inside the word, or the same address with the bit number
 * in bits of the address that the index does not keep, is somebody else.
 */
TEST_F(ev, unregister_needs_the_exact_address)
{
	static uint64_t words[2] __attribute__((aligned(8)));
	char *base = (char *)words;
	int i;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_unreg_exact u32 a", &words[0], 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_unreg_exact u32 a", &words[1], 1, 8, 0, NULL));
	for (i = 1; i < 4; i++)
		EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, base + i, 0));
	for (i = 1; i < 8; i++)
		EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, base + 8 + i, 1));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_unreg_exact"));
	EXPECT_EQ(1U, (uint32_t)words[0]);	/* both still registered */
	EXPECT_EQ(2U, words[1]);
	tracefs_event_disable(self->inst, SYS, "t_unreg_exact");
	EXPECT_EQ(0, uevt_unreg(self->fd, &words[0], 0));
	EXPECT_EQ(0, uevt_unreg(self->fd, &words[1], 1));
}

/*
 * A slot keeps its address, bit and size packed with its key: the highest
 * page of a 4-level address space, bit 63 of an 8-byte word and bit 31 of
 * a 4-byte one come back exactly, in the status file and in the words.
 */
TEST_F(ev, highest_address_and_bit_come_back_exactly)
{
	void *want = (void *)((1UL << 47) - 2 * 4096);
	volatile uint64_t *w8;
	volatile uint32_t *w4;
	struct status_line *line;
	void *page;

	page = mmap(want, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page == MAP_FAILED)
		SKIP(return, "cannot map %p: %s", want, strerror(errno));
	w8 = (volatile uint64_t *)((char *)page + 4096 - 8);
	w4 = (volatile uint32_t *)((char *)page + 4096 - 12);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_high u32 a", (void *)w8, 63, 8, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_high u32 a", (void *)w4, 31, 4, 0, NULL));
	line = enabler_line(w8, 63);
	ASSERT_NE(NULL, line);
	EXPECT_EQ(8, status_value(line, "size")) TH_LOG("%s", status_text(line));
	status_line_free(line);
	line = enabler_line(w4, 31);
	ASSERT_NE(NULL, line);
	EXPECT_EQ(4, status_value(line, "size")) TH_LOG("%s", status_text(line));
	status_line_free(line);
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_high"));
	EXPECT_EQ(1ULL << 63, *w8);
	EXPECT_EQ(1U << 31, *w4);
	tracefs_event_disable(self->inst, SYS, "t_high");
	EXPECT_EQ(0ULL, *w8);
	EXPECT_EQ(0U, *w4);
	EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, (void *)w8, 62));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w8, 63));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w4, 31));
	munmap(page, 4096);
}

TEST_F(ev, delete_is_ebusy_while_used_and_unused_events_vanish)
{
	int fd2;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_del u32 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EBUSY, uevt_del(self->fd, "t_del"));
	EXPECT_EQ(-ENOENT, uevt_del(self->fd, "t_nosuch"));

	/* Last file closed and enabler gone: the event disappears by itself. */
	fd2 = uevt_dev_open();
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, 0));
	close(self->fd);
	self->fd = fd2;
	usleep(200000);	/* removal is asynchronous */
	EXPECT_FALSE(uevt_event_exists(SYS, "t_del"));
	EXPECT_EQ(-ENOENT, uevt_del(self->fd, "t_del"));
}

TEST_F(ev, enabled_event_outlives_its_last_reference_until_disabled)
{
	ASSERT_EQ(0, uevt_reg(self->fd, "t_held u32 a", &self->word, 0, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_held"));
	EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, 0));
	close(self->fd);
	self->fd = uevt_dev_open();
	usleep(200000);
	/* ftrace still has it: it must not be freed under ftrace. */
	EXPECT_TRUE(uevt_event_exists(SYS, "t_held"));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_held"));
	usleep(200000);
	EXPECT_FALSE(uevt_event_exists(SYS, "t_held"));
}

TEST_F(ev, persist_outlives_close_until_deleted)
{
	ASSERT_EQ(0, uevt_reg(self->fd, "t_persist u32 a", &self->word, 0, 4, UEVT_REG_PERSIST, NULL));
	EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, 0));
	close(self->fd);
	self->fd = uevt_dev_open();
	usleep(200000);
	EXPECT_TRUE(uevt_event_exists(SYS, "t_persist"));
	EXPECT_EQ(0, uevt_del(self->fd, "t_persist"));
	EXPECT_FALSE(uevt_event_exists(SYS, "t_persist"));
}

TEST_F(ev, persist_needs_cap_perfmon)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t w = 0;
		int fd;

		/* Keep the open file, drop root. */
		fd = uevt_dev_open();
		if (fd < 0 || setgid(65534) || setuid(65534))
			_exit(2);
		_exit(uevt_reg(fd, "t_pcap u32 a", &w, 0, 4, UEVT_REG_PERSIST, NULL) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(uevt_event_exists(SYS, "t_pcap"));
}

TEST_F(ev, multi_format_gives_one_event_per_format)
{
	uint32_t i1 = ~0U, i2 = ~0U, i3 = ~0U, w2 = 0;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_multi u32 a", &self->word, 0, 4,
			      UEVT_REG_MULTI_FORMAT, &i1));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_multi u64 a; u8 b", &self->word, 1, 4,
			      UEVT_REG_MULTI_FORMAT, &i2));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_multi u32 a", &w2, 0, 4, UEVT_REG_MULTI_FORMAT, &i3));
	EXPECT_NE(i1, i2);
	EXPECT_EQ(i1, i3);
	EXPECT_EQ(2, status_count("event", "name", SYS "_multi:t_multi."));
}

TEST_F(ev, per_file_limit)
{
	char desc[32];
	int i, ret = 0;

	ASSERT_EQ(0, write_file("/sys/module/uevt/parameters/max_events_per_file", "3"));
	for (i = 0; i < 4 && !ret; i++) {
		snprintf(desc, sizeof(desc), "t_lim%d u8 a", i);
		ret = uevt_reg(self->fd, desc, &self->word, i, 4, 0, NULL);
	}
	EXPECT_EQ(4, i);
	EXPECT_EQ(-EMFILE, ret);
	write_file("/sys/module/uevt/parameters/max_events_per_file", "1024");
}

/*
 * A file's table of write indexes grows in place and is replaced by a
 * bigger one now and then, while writers look indexes up without a lock.
 * A writer thread races every registration: index 0 (enabled) must keep
 * recording, the index the last registration returned must be found at
 * once (EBADF: disabled), and the one after it is either not there yet
 * (ENOENT) or just registered (EBADF), never anything else.
 */
#define GROW_EVENTS	600

struct grow_writer {
	int fd;
	_Atomic uint32_t latest;	/* the last index a registration returned */
	_Atomic int stop;
	long writes, missing, failed;
	ssize_t last_failure;		/* what the last failed write returned */
	uint32_t last_failed_index;
};

static void grow_failed(struct grow_writer *w, uint32_t index, ssize_t ret)
{
	w->failed++;
	w->last_failure = ret;
	w->last_failed_index = index;
}

static void *grow_write(void *arg)
{
	struct grow_writer *w = arg;
	uint32_t value = 0, latest;
	ssize_t ret;

	while (!w->stop) {
		w->writes++;
		ret = uevt_write(w->fd, 0, &value, sizeof(value));
		if (ret != 4 + (ssize_t)sizeof(value))
			grow_failed(w, 0, ret);
		latest = w->latest;
		if (!latest)
			continue;	/* none yet */
		ret = uevt_write(w->fd, latest, &value, sizeof(value));
		if (ret == -ENOENT)
			w->missing++;
		else if (ret != -EBADF)
			grow_failed(w, latest, ret);
		ret = uevt_write(w->fd, latest + 1, &value, sizeof(value));
		if (ret != -ENOENT && ret != -EBADF)
			grow_failed(w, latest + 1, ret);
	}
	return NULL;
}

/* Records of t_grow<N>: how many each, and how many carry a != 3 * N. */
struct grow_records {
	int seen[GROW_EVENTS];
	int wrong;
};

static int grow_collect_one(struct tep_event *event, struct tep_record *record, int cpu,
			    void *ctx)
{
	struct grow_records *r = ctx;
	unsigned long long a;
	unsigned int n;

	(void)cpu;
	if (sscanf(event->name, "t_grow%u", &n) != 1 || n >= GROW_EVENTS)
		return 0;
	r->seen[n]++;
	if (tep_get_field_val(NULL, event, "a", record, &a, 0) || a != 3ULL * n)
		r->wrong++;
	return 0;
}

TEST_F_TIMEOUT(ev, write_indexes_stay_right_while_the_table_grows, 300)
{
	/* A bit for each event, then a word for the registrations again. */
	static uint32_t words[GROW_EVENTS / 32 + 2];
	const char *systems[] = { SYS, NULL };
	struct grow_writer w = { .fd = self->fd };
	struct tracefs_instance *probes;
	struct grow_records *r;
	uint32_t index = 0, value = 0, i;
	struct tep_handle *tep;
	char desc[32];
	pthread_t thread;
	int ret = 0;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_grow0 u32 a", &words[0], 0, 4, 0, &index));
	ASSERT_EQ(0U, index);
	/* The writer's records only have to arrive: a small buffer is quick to read. */
	ASSERT_EQ(0, tfs_write(self->inst, "buffer_size_kb", "64"));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "^t_grow0$"));
	ASSERT_EQ(0, pthread_create(&thread, NULL, grow_write, &w));
	for (i = 1; i < GROW_EVENTS; i++) {
		snprintf(desc, sizeof(desc), "t_grow%u u32 a", i);
		index = ~0U;
		ret = uevt_reg(self->fd, desc, &words[i / 32], i % 32, 4, 0, &index);
		if (ret || index != i)
			break;
		w.latest = index;
		/* Every so often an event of the table again: its own index. */
		if (i % 97 == 0) {
			snprintf(desc, sizeof(desc), "t_grow%u u32 a", i / 2);
			index = ~0U;
			ret = uevt_reg(self->fd, desc, &words[GROW_EVENTS / 32 + 1], i / 97, 4, 0,
				       &index);
			if (ret || index != i / 2) {
				i /= 2;
				break;
			}
		}
	}
	w.stop = 1;
	pthread_join(thread, NULL);
	EXPECT_EQ(GROW_EVENTS, i) {
		TH_LOG("registration of t_grow%u: %s, index %u", i, strerror(-ret), index);
	}
	EXPECT_EQ(0, w.missing);
	EXPECT_EQ(0, w.failed) {
		TH_LOG("the last failed write, to index %u: %zd", w.last_failed_index,
		       w.last_failure);
	}
	EXPECT_LT(0, w.writes);
	EXPECT_EQ(-ENOENT, uevt_write(self->fd, GROW_EVENTS, &value, sizeof(value)));
	EXPECT_EQ(-ENOENT, uevt_write(self->fd, 1U << 30, &value, sizeof(value)));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "^t_grow0$"));

	/* Each index reaches its own event, whichever table it went into. */
	probes = test_instance("ev_grow");
	ASSERT_NE(NULL, probes);
	r = calloc(1, sizeof(*r));
	tep = tracefs_local_events_system(NULL, systems);
	EXPECT_EQ(0, tracefs_event_enable(probes, SYS, "^t_grow[0-9]*$"));
	for (i = 0; i < GROW_EVENTS; i++) {
		value = 3 * i;
		if (uevt_write(self->fd, i, &value, sizeof(value)) != 4 + (ssize_t)sizeof(value))
			break;
	}
	EXPECT_EQ(GROW_EVENTS, i);
	EXPECT_NE(NULL, r);
	EXPECT_NE(NULL, tep);
	if (r && tep) {
		EXPECT_EQ(0, tracefs_iterate_raw_events(tep, probes, NULL, 0, grow_collect_one, r));
		for (i = 0; i < GROW_EVENTS && r->seen[i] == 1; i++)
			;
		EXPECT_EQ(GROW_EVENTS, i) {
			TH_LOG("t_grow%u: %d records", i, r->seen[i]);
		}
		EXPECT_EQ(0, r->wrong);
	}
	tep_free(tep);
	free(r);
	test_instance_destroy(probes);
	/* The words are static: nothing writes freed memory until we exit. */
}

TEST_F(ev, per_process_enabler_limit)
{
	ASSERT_EQ(0, write_file("/sys/module/uevt/parameters/max_enablers_per_mm", "2"));
	EXPECT_EQ(0, uevt_reg(self->fd, "t_mmlim u8 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(0, uevt_reg(self->fd, "t_mmlim u8 a", &self->word, 1, 4, 0, NULL));
	EXPECT_EQ(-ENOSPC, uevt_reg(self->fd, "t_mmlim u8 a", &self->word, 2, 4, 0, NULL));
	/* Removing one makes room again. */
	EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, 0));
	EXPECT_EQ(0, uevt_reg(self->fd, "t_mmlim u8 a", &self->word, 2, 4, 0, NULL));
	write_file("/sys/module/uevt/parameters/max_enablers_per_mm", "65536");
}

TEST_F(ev, global_event_limit)
{
	long existing = status_counter("events", "count");
	char limit[24];

	ASSERT_LE(0, existing);
	/* Room for exactly one more event. */
	snprintf(limit, sizeof(limit), "%ld", existing + 1);
	ASSERT_EQ(0, write_file("/sys/module/uevt/parameters/max_events", limit));
	EXPECT_EQ(0, uevt_reg(self->fd, "t_glim1 u8 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(-EMFILE, uevt_reg(self->fd, "t_glim2 u8 a", &self->word, 1, 4, 0, NULL));
	EXPECT_FALSE(uevt_event_exists(SYS, "t_glim2"));
	/* An existing event is still found at the limit. */
	EXPECT_EQ(0, uevt_reg(self->fd, "t_glim1 u8 a", &self->word, 2, 4, 0, NULL));
	write_file("/sys/module/uevt/parameters/max_events", "8192");
}


/*
 * Events are created under the tracing core's event_mutex, reached by
 * reading the format file of uevt.ko's control event uevt_ctl:registry
 * (module_test covers the other ways in).  Nobody else may enable the
 * control events or attach perf to them, and that way enables nothing.
 */
TEST_F(ev, control_events_stay_private)
{
	struct perf_event_attr pattr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(pattr),
	};
	char *id;
	int pfd;

	EXPECT_FALSE(tracefs_event_file_exists(NULL, "uevt_ctl", "hold", "enable"));
	EXPECT_FALSE(tracefs_event_file_exists(NULL, "uevt_ctl", "registry", "enable"));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_hold_a u32 a", &self->word, 0, 4, 0, NULL));
	EXPECT_EQ(0, ctl_event_enabled());
	EXPECT_EQ(-EINVAL, tfs_write(NULL, "set_event", "uevt_ctl:hold"));
	EXPECT_EQ(-EINVAL, tfs_write(NULL, "set_event", "uevt_ctl:registry"));
	EXPECT_EQ(0, ctl_event_enabled());

	ASSERT_EQ(0, uevt_reg(self->fd, "t_hold_b u32 a", &self->word, 1, 4, 0, NULL));
	EXPECT_TRUE(uevt_event_exists(SYS, "t_hold_b"));
	EXPECT_EQ(0, ctl_event_enabled());
	id = tfs_read(NULL, "events/uevt_ctl/registry/id");
	ASSERT_NE(NULL, id);
	pattr.config = strtoull(id, NULL, 10);
	free(id);
	pfd = (int)syscall(__NR_perf_event_open, &pattr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	EXPECT_GT(0, pfd);
	if (pfd >= 0)
		close(pfd);
}

/*
 * uevt.ko reaches event_mutex by reading the registry event's format file:
 * every creation and removal takes that way, none opens a perf counter or
 * toggles the control event (which would show in the status file, and
 * cost several times as much).
 */
TEST_F(ev, creations_and_removals_take_the_format_file_way)
{
	static const char *const ways[] = { "format", "open", "close", "toggle" };
	long before[4], created[4];
	char desc[64], name[48];
	int fd = uevt_dev_open(), i;

	ASSERT_LE(0, fd);
	for (i = 0; i < 4; i++)
		before[i] = status_counter("control", ways[i]);
	ASSERT_LE(1, before[0]);
	for (i = 0; i < 20; i++) {
		snprintf(desc, sizeof(desc), "t_fmt%d_%d u32 a", getpid(), i);
		ASSERT_EQ(0, uevt_reg(fd, desc, &self->word, i, 4, 0, NULL));
	}
	for (i = 0; i < 4; i++)
		created[i] = status_counter("control", ways[i]);
	EXPECT_LE(before[0] + 20, created[0]);
	for (i = 1; i < 4; i++)
		EXPECT_EQ(before[i], created[i]);

	/* Unregistered, and their file closed: the reaper removes them. */
	for (i = 0; i < 20; i++)
		EXPECT_EQ(0, uevt_unreg(fd, &self->word, i));
	close(fd);
	snprintf(name, sizeof(name), "t_fmt%d_19", getpid());
	for (i = 0; i < 100 && uevt_event_exists(SYS, name); i++)
		usleep(50000);
	EXPECT_FALSE(uevt_event_exists(SYS, name));
	EXPECT_LT(created[0], status_counter("control", "format"));
	for (i = 1; i < 4; i++)
		EXPECT_EQ(before[i], status_counter("control", ways[i]));
}

TEST_HARNESS_MAIN
