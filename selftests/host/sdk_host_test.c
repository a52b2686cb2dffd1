// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the SDK (<uevt.h> and libuevt), no kernel module needed:
 * the descriptions the macros derive, accepted by the module's own parser;
 * the record layout byte for byte (written to a pipe instead of the
 * kernel) and accepted by the module's payload validator; truncation; a
 * disabled probe making no system call (seccomp strict mode kills the
 * process on the first writev); errno left alone; the no-backend path;
 * the size check of struct uevt_event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <uevt.h>
#include "uevt_desc.h"
#include "../sdk_size.h"

#include "kselftest_harness.h"

UEVT_EVENT(sdk_all, UEVT_U8(a), UEVT_S8(b), UEVT_U16(c), UEVT_S16(d),
	   UEVT_U32(e), UEVT_S32(f), UEVT_U64(g), UEVT_S64(h), UEVT_BOOL(i),
	   UEVT_PTR(j), UEVT_CHARS(k, 6), UEVT_STRING(l), UEVT_BLOB(m));
UEVT_EVENT(sdk_one, UEVT_U32(status));
UEVT_EVENT(sdk_str, UEVT_STRING(path));

#define ALL_DESC "sdk_all u8 a;s8 b;u16 c;s16 d;u32 e;s32 f;u64 g;s64 h;" \
		 "u8 i;u64 j;char[6] k;__rel_loc char[] l;__rel_loc u8[] m"

TEST(descriptions_are_exact)
{
	EXPECT_STREQ(ALL_DESC, uevt__ev_sdk_all.desc);
	EXPECT_STREQ("sdk_one u32 status", uevt__ev_sdk_one.desc);
	EXPECT_STREQ("sdk_str __rel_loc char[] path", uevt__ev_sdk_str.desc);
	EXPECT_STREQ("x u8 a;u64 b", UEVT_DESC(x, UEVT_BOOL(a), UEVT_PTR(b)));
}

/* The module's parser accepts what the macros produce, with our sizes. */
TEST(module_parser_accepts)
{
	struct uevt_desc *d = NULL;

	ASSERT_EQ(0, uevt_desc_parse(uevt__ev_sdk_all.desc, &d));
	EXPECT_EQ(13U, d->nfields);
	EXPECT_EQ(53U, d->fixed_size);
	uevt_desc_free(d);
	ASSERT_EQ(0, uevt_desc_parse(uevt__ev_sdk_str.desc, &d));
	EXPECT_EQ(4U, d->fixed_size);
	uevt_desc_free(d);
}

/* Route records into a pipe and force @ev on, as if registered. */
static int capture(struct uevt_event *ev, int32_t index)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) || fcntl(p[0], F_SETFL, O_NONBLOCK))
		return -1;
	uevt_fini();
	if (uevt_init_fd(p[1], UEVT_BACKEND_UEVT))
		return -1;
	ev->write_index = index;
	ev->enabled = 1U << UEVT_ENABLE_BIT;
	return p[0];
}

/* The module validates a record behind its trace entry header. */
static int module_validates(const char *desc_text, const uint8_t *payload, size_t len)
{
	static uint8_t rec[UEVT_ENTRY_SIZE + 4096];
	struct uevt_desc *d = NULL;
	int ret = uevt_desc_parse(desc_text, &d);

	if (ret)
		return ret;
	memset(rec, 0, UEVT_ENTRY_SIZE);
	memcpy(rec + UEVT_ENTRY_SIZE, payload, len);
	ret = uevt_desc_validate(d, rec, UEVT_ENTRY_SIZE + len);
	uevt_desc_free(d);
	return ret;
}

static void put(uint8_t **p, const void *v, size_t n)
{
	memcpy(*p, v, n);
	*p += n;
}

TEST(record_layout_byte_for_byte)
{
	uint8_t got[256], want[256], *w = want, blob[4] = { 0xde, 0xad, 0xbe, 0xef };
	int fd = capture(&uevt__ev_sdk_all, 5);
	ssize_t n;

	ASSERT_LE(0, fd);
	/* A pipe is not the kernel: registration was refused, as it must be. */
	EXPECT_EQ(ENOTTY, uevt__ev_sdk_all.error);
	UEVT_EMIT(sdk_all, 0xfe, -2, 0xfedc, -3, 0xfedcba98u, -4,
		  0x0123456789abcdefull, -5, true, (void *)0x1000, "abcdef", "hi", blob, 4);
	n = read(fd, got, sizeof(got));

	put(&w, &(int32_t){ 5 }, 4);
	put(&w, &(uint8_t){ 0xfe }, 1);
	put(&w, &(int8_t){ -2 }, 1);
	put(&w, &(uint16_t){ 0xfedc }, 2);
	put(&w, &(int16_t){ -3 }, 2);
	put(&w, &(uint32_t){ 0xfedcba98u }, 4);
	put(&w, &(int32_t){ -4 }, 4);
	put(&w, &(uint64_t){ 0x0123456789abcdefull }, 8);
	put(&w, &(int64_t){ -5 }, 8);
	put(&w, &(uint8_t){ 1 }, 1);
	put(&w, &(uint64_t){ 0x1000 }, 8);
	put(&w, "abcdef", 6);
	put(&w, &(uint32_t){ 3 << 16 | 4 }, 4);	/* "hi\0" 4 bytes after the word */
	put(&w, &(uint32_t){ 4 << 16 | 3 }, 4);	/* blob after the 3 string bytes */
	put(&w, "hi", 3);
	put(&w, blob, 4);
	ASSERT_EQ(w - want, n);
	EXPECT_EQ(0, memcmp(want, got, (size_t)n));
	EXPECT_EQ(0U, uevt_event_dropped(&uevt__ev_sdk_all));

	/* And the module's validator accepts the record after the index. */
	EXPECT_EQ(0, module_validates(uevt__ev_sdk_all.desc, got + 4, (size_t)n - 4));
}

TEST(long_string_truncated_null_is_empty)
{
	static char big[3000];
	uint8_t got[2048];
	uint32_t loc;
	int fd = capture(&uevt__ev_sdk_str, 1);
	ssize_t n;

	ASSERT_LE(0, fd);
	memset(big, 'x', sizeof(big) - 1);
	UEVT_EMIT(sdk_str, big);
	n = read(fd, got, sizeof(got));
	ASSERT_EQ(4 + 4 + UEVT_STRING_MAX + 1, n);
	memcpy(&loc, got + 4, 4);
	EXPECT_EQ((uint32_t)(UEVT_STRING_MAX + 1) << 16, loc);
	EXPECT_EQ('\0', got[n - 1]);
	EXPECT_EQ(0, module_validates(uevt__ev_sdk_str.desc, got + 4, (size_t)n - 4));

	UEVT_EMIT(sdk_str, NULL);
	n = read(fd, got, sizeof(got));
	ASSERT_EQ(4 + 4 + 1, n);
	EXPECT_EQ(0, module_validates(uevt__ev_sdk_str.desc, got + 4, (size_t)n - 4));
}

static int evaluated;

static uint32_t side_effect(void)
{
	return (uint32_t)++evaluated;
}

/*
 * Run @n emits of sdk_one in a child under seccomp strict mode, where any
 * system call but read, write, exit and sigreturn kills the process.
 * Returns the child's wait status.
 */
static int emit_under_seccomp(int n)
{
	pid_t pid = fork();
	int status, i;

	if (pid == 0) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
			syscall(SYS_exit, 2);
		for (i = 0; i < n; i++)
			UEVT_EMIT(sdk_one, side_effect());
		syscall(SYS_exit, evaluated ? 3 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

TEST(disabled_probe_makes_no_syscall_and_evaluates_nothing)
{
	int status;

	ASSERT_EQ(0U, uevt__ev_sdk_one.enabled);
	status = emit_under_seccomp(100000);
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child status %#x: killed by signal %d", status, WTERMSIG(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* The control: the same child with the probe on dies on its writev. */
TEST(enabled_probe_does_make_the_syscall)
{
	int status;

	ASSERT_LE(0, capture(&uevt__ev_sdk_one, 1));
	status = emit_under_seccomp(1);
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

TEST(failed_write_keeps_errno_and_counts_a_drop)
{
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);

	ASSERT_LE(0, full);
	uevt_fini();
	ASSERT_EQ(0, uevt_init_fd(full, UEVT_BACKEND_UEVT));
	EXPECT_EQ(-EBUSY, uevt_init_fd(full, UEVT_BACKEND_UEVT));
	uevt__ev_sdk_one.write_index = 1;
	uevt__ev_sdk_one.enabled = 1;
	errno = EDOM;
	UEVT_EMIT(sdk_one, 7);
	EXPECT_EQ(EDOM, errno);
	EXPECT_EQ(1U, uevt_event_dropped(&uevt__ev_sdk_one));
}

/* A machine without uevt.ko and without user_events: off, with reasons. */
TEST(no_backend_stays_disabled_and_says_why)
{
	int dev = open("/dev/uevt", O_RDWR), ue = open("/sys/kernel/tracing/user_events_data", O_RDWR);

	if (dev >= 0 || ue >= 0)
		SKIP(return, "this host has a uevt backend; the VM tests cover it");
	uevt_fini();
	EXPECT_EQ(UEVT_BACKEND_NONE, uevt_init());
	EXPECT_EQ(UEVT_BACKEND_NONE, uevt_backend());
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "/dev/uevt: "));
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "user_events_data: "));
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "probes stay disabled"));
	EXPECT_EQ(0U, uevt__ev_sdk_all.enabled);
	EXPECT_EQ(-1, uevt__ev_sdk_all.write_index);
	UEVT_EMIT(sdk_one, side_effect());
	EXPECT_EQ(0, evaluated);
}

/*
 * struct uevt_event carries its size.  One below the first layout is
 * refused with EINVAL and not touched at all, past its size word or
 * otherwise; one from a newer header (larger) is used, and the tail this
 * library does not know is left alone.  On a pipe "used" shows as the
 * kernel's refusal, ENOTTY: the registration was attempted.
 */
TEST(event_size_is_checked)
{
	static struct sdk_sized_events e;
	struct uevt_event small0;
	struct uevt_event *section[] = { &e.small, &e.big.ev, &small0 };
	int fd = capture(&uevt__ev_sdk_one, 1);

	ASSERT_LE(0, fd);
	sdk_sized_events_init(&e, "sdk_big u32 x", "sdk_small u32 x");
	memset(&small0, 0, sizeof(small0));	/* what a pre-size event looks like */

	EXPECT_EQ(-EINVAL, __uevt_register_section(&section[0], &section[1]));
	EXPECT_TRUE(sdk_sized_events_untouched(&e));
	EXPECT_EQ(0U, uevt_event_dropped(&e.small));	/* not 0x5a5a5a5a */
	/* Mixed: the usable event is still registered, the call says EINVAL. */
	EXPECT_EQ(-EINVAL, __uevt_register_section(&section[1], &section[3]));
	EXPECT_EQ(ENOTTY, e.big.ev.error);
	EXPECT_EQ(0U, small0.size + small0.enabled + (uint32_t)small0.error);
	/* What the macros define is exactly the current, smallest size. */
	EXPECT_EQ((uint32_t)UEVT_EVENT_SIZE_VER0, uevt__ev_sdk_one.size);
	EXPECT_EQ(sizeof(struct uevt_event), UEVT_EVENT_SIZE_VER0);
	__uevt_unregister_section(&section[1], &section[3]);
	__uevt_unregister_section(&section[0], &section[1]);
	EXPECT_EQ(-1, e.big.ev.write_index);
	EXPECT_TRUE(sdk_sized_events_untouched(&e));
	close(fd);
}

TEST(low_level_api_rejects_bad_arguments)
{
	uint32_t word = 0;
	int32_t idx;

	EXPECT_EQ(-EINVAL, uevt_register(-1, NULL, &word, 0, &idx));
	EXPECT_EQ(-EINVAL, uevt_register(-1, "x u32 a", &word, 32, &idx));
	EXPECT_EQ(-EBADF, uevt_register(-1, "x u32 a", &word, 0, &idx));
	EXPECT_EQ(-EINVAL, uevt_unregister(-1, NULL, 0));
	EXPECT_EQ(-EINVAL, uevt_writev(-1, 0, NULL, 1));
	EXPECT_EQ(-EBADF, uevt_writev(-1, 0, NULL, 0));
	EXPECT_EQ(-EINVAL, uevt_delete(-1, NULL));
}

TEST_HARNESS_MAIN
