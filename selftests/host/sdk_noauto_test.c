// SPDX-License-Identifier: GPL-2.0
/*
 * <uevt.h> with UEVT_NO_AUTO_REGISTER: no constructor, so the library does
 * not know this program's events until UEVT_REGISTER_EVENTS(), and forgets
 * them after UEVT_UNREGISTER_EVENTS().  Records go to a pipe, where a
 * registration shows as the kernel's refusal, ENOTTY: it was attempted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define UEVT_NO_AUTO_REGISTER
#include <uevt.h>

#include "kselftest_harness.h"

UEVT_EVENT(noauto_ev, UEVT_U32(x));

static int pipe_backend(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	uevt_fini();
	if (uevt_init_fd(p[1], UEVT_BACKEND_UEVT))
		return -1;
	return p[0];
}

TEST(events_register_only_when_asked)
{
	ASSERT_LE(0, pipe_backend());
	/* uevt_init_fd() registered every section it knows: none. */
	EXPECT_EQ(0, uevt__ev_noauto_ev.error);
	EXPECT_EQ(0, UEVT_REGISTER_EVENTS());
	EXPECT_EQ(ENOTTY, uevt__ev_noauto_ev.error);
	EXPECT_EQ(0, UEVT_REGISTER_EVENTS());	/* idempotent */

	UEVT_UNREGISTER_EVENTS();
	uevt__ev_noauto_ev.error = 0;
	ASSERT_LE(0, pipe_backend());
	EXPECT_EQ(0, uevt__ev_noauto_ev.error);	/* forgotten */
	EXPECT_EQ(-1, uevt__ev_noauto_ev.write_index);
}

TEST_HARNESS_MAIN
