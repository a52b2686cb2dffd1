// SPDX-License-Identifier: GPL-2.0
/*
 * The SDK with uevt.ko not loaded; run by run-in-vm.sh after rmmod.
 * With the kernel's built-in user_events (the debug kernel has
 * CONFIG_USER_EVENTS=y) the same program must register there and its
 * records decode from events/user_events/.  With no backend at all (the
 * stock kernel) every probe stays off, nothing is evaluated, and the
 * program is told why.  Each case is skipped, and reported as skipped, on
 * the kernel where it cannot happen.
 */
#include "sdk_test.h"

#include "kselftest_harness.h"

#define USER_EVENTS_DATA "/sys/kernel/tracing/user_events_data"

UEVT_EVENT(sdk_fb, UEVT_U32(n), UEVT_STRING(s), UEVT_BOOL(flag));

static int evaluated;

static uint32_t count_evaluation(void)
{
	return (uint32_t)++evaluated;
}

TEST(builtin_user_events_round_trip)
{
	static const char *const fields[] = { "n", "s", "flag", NULL };
	static struct sdk_records records;
	struct tracefs_instance *inst;

	if (access(USER_EVENTS_DATA, F_OK))
		SKIP(return, "kernel without CONFIG_USER_EVENTS");
	ASSERT_NE(0, access("/dev/uevt", F_OK));
	ASSERT_EQ(UEVT_BACKEND_USER_EVENTS, uevt_backend()) {
		TH_LOG("reason: %s", uevt_backend_reason());
	}
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "/dev/uevt: No such file or directory"));
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "built-in user_events"));
	ASSERT_EQ(0, uevt__ev_sdk_fb.error);

	inst = test_instance("sdk_fb");
	ASSERT_NE(NULL, inst);
	ASSERT_EQ(0, tfs_write(inst, "events/user_events/sdk_fb/enable", "1"));
	ASSERT_EQ(0, SDK_WAIT(sdk_fb, 1, 5000));
	UEVT_EMIT(sdk_fb, 42, "via user_events", true);
	ASSERT_EQ(0, tfs_write(inst, "events/user_events/sdk_fb/enable", "0"));
	ASSERT_EQ(0, SDK_WAIT(sdk_fb, 0, 5000));
	UEVT_EMIT(sdk_fb, count_evaluation(), "off", false);
	EXPECT_EQ(0, evaluated);

	ASSERT_EQ(0, sdk_collect(inst, "user_events", "sdk_fb", fields, &records));
	ASSERT_EQ(1, records.count);
	EXPECT_EQ(42ULL, records.rec[0].num[0]);
	EXPECT_STREQ("via user_events", records.rec[0].bytes[1]);
	EXPECT_EQ(1ULL, records.rec[0].num[2]);
	EXPECT_EQ(getpid(), records.rec[0].pid);
	test_instance_destroy(inst);
}

TEST(no_backend_probes_stay_off)
{
	int i;

	if (!access(USER_EVENTS_DATA, F_OK))
		SKIP(return, "this kernel has the built-in user_events");
	EXPECT_EQ(UEVT_BACKEND_NONE, uevt_backend());
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "/dev/uevt: No such file or directory (is uevt.ko loaded?)")) {
		TH_LOG("reason: %s", uevt_backend_reason());
	}
	EXPECT_NE(NULL, strstr(uevt_backend_reason(), "probes stay disabled"));
	EXPECT_EQ(-1, uevt__ev_sdk_fb.write_index);
	for (i = 0; i < 1000; i++)
		UEVT_EMIT(sdk_fb, count_evaluation(), "never", true);
	EXPECT_EQ(0, evaluated);
	EXPECT_FALSE(UEVT_ENABLED(sdk_fb));
}

TEST_HARNESS_MAIN
