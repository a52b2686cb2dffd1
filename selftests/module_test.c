// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: rmmod fails cleanly while a file is open or a
 * persistent event exists, succeeds once everything is closed and deleted,
 * leaves nothing in tracefs, and the module loads again.  Each test ends
 * with the module loaded, as the runner expects.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define MODULE_PATH "/lib/modules/uevt.ko"

static int unload(void)
{
	return syscall(__NR_delete_module, "uevt", O_NONBLOCK) ? -errno : 0;
}

static int load(void)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	/* As run-in-vm.sh loads it: every test names its events uevt:NAME. */
	ret = syscall(__NR_finit_module, fd, "system=" UEVT_SYSTEM, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int loaded(void)
{
	struct stat st;

	return !stat("/sys/module/uevt", &st);
}

TEST(unload_fails_while_a_file_is_open)
{
	int fd = uevt_dev_open();

	ASSERT_LE(0, fd);
	EXPECT_NE(0, unload());
	EXPECT_TRUE(loaded());
	close(fd);
}

TEST(unload_fails_while_a_persistent_event_exists)
{
	uint32_t word = 0;
	int fd = uevt_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uevt_reg(fd, "t_mod_persist u32 a", &word, 0, 4, UEVT_REG_PERSIST, NULL));
	ASSERT_EQ(0, uevt_unreg(fd, &word, 0));
	close(fd);
	usleep(100000);
	EXPECT_NE(0, unload());
	EXPECT_TRUE(loaded());
	EXPECT_TRUE(uevt_event_exists(UEVT_SYSTEM, "t_mod_persist"));

	fd = uevt_dev_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, uevt_del(fd, "t_mod_persist"));
	close(fd);
}

TEST(unload_fails_while_a_process_holds_an_enable_bit)
{
	uint32_t word = 0;
	int fd = uevt_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uevt_reg(fd, "t_mod_bit u32 a", &word, 0, 4, 0, NULL));
	/* The enabler outlives the file, as with user_events. */
	close(fd);
	usleep(100000);
	EXPECT_NE(0, unload());
	EXPECT_TRUE(loaded());
	fd = uevt_dev_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, uevt_unreg(fd, &word, 0));
	close(fd);
}

TEST(unload_when_idle_leaves_nothing_and_reload_works)
{
	uint32_t word = 0;
	int fd = uevt_dev_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uevt_reg(fd, "t_mod_gone u32 a", &word, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_unreg(fd, &word, 0));
	close(fd);
	usleep(300000);	/* the unreferenced event is removed asynchronously */

	ASSERT_EQ(0, unload());
	EXPECT_FALSE(loaded());
	EXPECT_FALSE(uevt_event_exists(UEVT_SYSTEM, "t_mod_gone"));
	EXPECT_FALSE(tracefs_event_file_exists(NULL, "uevt_ctl", "registry", "id"));
	EXPECT_NE(0, access(UEVT_DEVICE_PATH, F_OK));

	ASSERT_EQ(0, load());
	EXPECT_TRUE(loaded());
	fd = uevt_dev_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, uevt_reg(fd, "t_mod_gone u32 a", &word, 0, 4, 0, NULL));
	close(fd);
}

/*
 * Unloading while forked processes hand their bits on: a process
 * registers, forks a child that forks again at once, unregisters, closes
 * and exits, while we try to unload the module as fast as we can.  Nothing
 * of the module (work items, timers, task work, notifiers) may still run
 * once the unload succeeded; with KASAN on, a late one is a report, and
 * otherwise a crash.  The module is loaded again for the next round.
 */
FIXTURE(unload) {};
FIXTURE_SETUP(unload) {}
FIXTURE_TEARDOWN(unload) {}

/* 40 rounds: a round can take seconds on an RT kernel under TCG. */
TEST_F_TIMEOUT(unload, racing_with_fork_chains_is_safe, 300)
{
	char mark[64], *splat;
	int round, unloaded = 0;
	time_t t0 = time(NULL);

	kmsg_mark(mark, sizeof(mark));
	for (round = 0; round < 40; round++) {
		int status, tries;
		pid_t pid;

		ASSERT_TRUE(loaded());
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			volatile uint32_t *w = private_word();
			int fd = uevt_dev_open();

			if (!w || fd < 0 || uevt_reg(fd, "t_mod_chain u32 a", (void *)w, 0, 4, 0, NULL))
				_exit(1);
			if (fork() == 0) {
				if (fork() == 0)
					_exit(0);
				_exit(0);
			}
			uevt_unreg(fd, (void *)w, 0);
			close(fd);
			_exit(0);
		}
		for (tries = 0; tries < 2000; tries++) {
			if (!unload()) {
				unloaded++;
				break;
			}
			usleep(1000);
		}
		waitpid(pid, &status, 0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!loaded())
			ASSERT_EQ(0, load());
	}
	/* Orphaned grandchildren are reaped by init; give them a moment. */
	usleep(200000);
	TH_LOG("the module unloaded in %d of 40 rounds, in %ld s", unloaded,
	       (long)(time(NULL) - t0));
	EXPECT_LT(0, unloaded);
	splat = kmsg_splat_since(mark);
	EXPECT_EQ(NULL, splat) {
		TH_LOG("%s", splat);
	}
	free(splat);
}

TEST_HARNESS_MAIN
