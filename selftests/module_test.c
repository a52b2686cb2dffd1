// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: rmmod fails cleanly while a file is open or a
 * persistent event exists, succeeds once everything is closed and deleted,
 * leaves nothing in tracefs, and the module loads again.  Each test ends
 * with the module loaded, as the runner expects.
 */
#include <sys/mount.h>
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

static int load_with(const char *params)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* As run-in-vm.sh loads it: every test names its events uevt:NAME. */
static int load(void)
{
	return load_with("system=" UEVT_SYSTEM);
}

/* Unload, waiting up to 5 s for events on their way out. */
static int unload_when_idle(void)
{
	int tries, ret = 0;

	for (tries = 0; tries < 500; tries++) {
		ret = unload();
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		usleep(10000);
	}
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
 * The ways into the tracing core's event_mutex other than the format file
 * (uevt_ctl.c): loaded with ctl=perf or ctl=toggle, event creations and
 * removals take that way, as the status file counts them, and work all
 * the same; nobody else may attach perf to the control events or enable
 * them, clearing set_event under them does not break creation, and what
 * they hold between operations lets go by itself.  Each test loads the
 * module with its way, and the teardown loads it as the runner does.
 */
FIXTURE(ctl) {
	int fd;
	uint32_t word;
};

FIXTURE_VARIANT(ctl) {
	const char *way;
};

FIXTURE_VARIANT_ADD(ctl, perf) {
	.way = "perf",
};

FIXTURE_VARIANT_ADD(ctl, toggle) {
	.way = "toggle",
};

/*
 * Load the module as the runner does, whatever state it is in: the
 * harness skips a teardown after a failed setup, and every test after
 * this one expects the default.  Returns whether it is so loaded.
 */
static bool reload_default(void)
{
	int ret = unload_when_idle();

	if (ret && ret != -ENOENT)
		fprintf(stderr, "# unload: %s\n", strerror(-ret));
	if (!loaded() && load())
		return false;
	return status_counter("control", "format") >= 1;
}

FIXTURE_SETUP(ctl)
{
	char params[64];
	int ret;

	self->fd = -1;
	self->word = 0;
	ASSERT_EQ(0, unload_when_idle());
	snprintf(params, sizeof(params), "system=%s ctl=%s", UEVT_SYSTEM, variant->way);
	ret = load_with(params);
	if (!ret)
		self->fd = uevt_dev_open();
	if (ret || self->fd < 0)
		reload_default();
	ASSERT_EQ(0, ret);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(ctl)
{
	int bit;

	/* Bits still registered would keep the module from unloading. */
	for (bit = 0; bit < 8 && self->fd >= 0; bit++)
		uevt_unreg(self->fd, &self->word, bit);
	if (self->fd >= 0)
		close(self->fd);
	EXPECT_TRUE(reload_default()) {
		TH_LOG("the module is not back to its default way in");
	}
}

static const char *const ctl_ways[] = { "format", "open", "close", "toggle" };

static void ctl_counters(long n[4])
{
	int i;

	for (i = 0; i < 4; i++)
		n[i] = status_counter("control", ctl_ways[i]);
}

TEST_F(ctl, creations_and_removals_take_the_way_asked_for)
{
	bool perf = !strcmp(variant->way, "perf");
	long before[4], created[4], removed[4];
	char desc[64];
	int i;

	ctl_counters(before);
	for (i = 0; i < 8; i++) {
		snprintf(desc, sizeof(desc), "t_ctl_%s%d u32 a", variant->way, i);
		EXPECT_EQ(0, uevt_reg(self->fd, desc, &self->word, i, 4, 0, NULL));
		*strchr(desc, ' ') = '\0';
		EXPECT_TRUE(uevt_event_exists(UEVT_SYSTEM, desc));
	}
	ctl_counters(created);
	EXPECT_EQ(0, created[0]);
	/* One operation per new event, by the way asked for. */
	EXPECT_EQ(8, created[1] + created[2] + created[3] - before[1] - before[2] - before[3]);
	if (perf) {
		EXPECT_EQ(before[3], created[3]);
	} else {
		EXPECT_EQ(before[1] + before[2], created[1] + created[2]);
	}

	/* Unregistered, and their file closed: the reaper removes them. */
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, uevt_unreg(self->fd, &self->word, i));
	close(self->fd);
	self->fd = -1;
	snprintf(desc, sizeof(desc), "t_ctl_%s7", variant->way);
	for (i = 0; i < 100 && uevt_event_exists(UEVT_SYSTEM, desc); i++)
		usleep(50000);
	EXPECT_FALSE(uevt_event_exists(UEVT_SYSTEM, desc));
	ctl_counters(removed);
	EXPECT_EQ(0, removed[0]);
	EXPECT_LT(created[1] + created[2] + created[3], removed[1] + removed[2] + removed[3]);
}

/* Milliseconds since @t0 (CLOCK_MONOTONIC). */
static long since_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * The hold (toggling only) is checked within half of its second after a
 * creation: a VM stalled longer has let it go already, and says nothing.
 */
TEST_F(ctl, control_events_stay_private_and_let_go)
{
	struct perf_event_attr pattr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(pattr),
	};
	bool toggle = !strcmp(variant->way, "toggle");
	int i, pfd, enabled;
	struct timespec t0;
	char *id;

	EXPECT_FALSE(tracefs_event_file_exists(NULL, "uevt_ctl", "hold", "enable"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_ctl_hold_a u32 a", &self->word, 0, 4, 0, NULL));
	/* Toggling holds uevt_ctl:hold on for a second; counters show nowhere. */
	enabled = ctl_event_enabled();
	if (!toggle || since_ms(&t0) < 500) {
		EXPECT_EQ(toggle, enabled);
	}
	/* Each write truncates set_event first: that disables the hold too. */
	EXPECT_EQ(-EINVAL, tfs_write(NULL, "set_event", "uevt_ctl:hold"));
	EXPECT_EQ(-EINVAL, tfs_write(NULL, "set_event", "uevt_ctl:registry"));
	EXPECT_EQ(0, ctl_event_enabled());

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_ctl_hold_b u32 a", &self->word, 1, 4, 0, NULL));
	enabled = ctl_event_enabled();
	EXPECT_TRUE(uevt_event_exists(UEVT_SYSTEM, "t_ctl_hold_b"));
	if (!toggle || since_ms(&t0) < 500) {
		EXPECT_EQ(toggle, enabled);
	}
	/* While our counters are held, perf must not join them; nor after. */
	id = tfs_read(NULL, "events/uevt_ctl/registry/id");
	ASSERT_NE(NULL, id);
	pattr.config = strtoull(id, NULL, 10);
	free(id);
	pfd = (int)syscall(__NR_perf_event_open, &pattr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	EXPECT_GT(0, pfd);
	if (pfd >= 0)
		close(pfd);
	for (i = 0; i < 50 && ctl_event_enabled() == 1; i++)
		usleep(100000);
	EXPECT_EQ(0, ctl_event_enabled()) {
		TH_LOG("uevt_ctl:hold is still enabled 5 s after the last creation");
	}
	usleep(1500000);
	pfd = (int)syscall(__NR_perf_event_open, &pattr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	EXPECT_GT(0, pfd);
	if (pfd >= 0)
		close(pfd);
}

/* 1: tracefs files may be opened for writing, 0: EROFS, -1: other. */
static int tracefs_writable(void)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/trace_marker", tracefs_tracing_dir());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 1 : errno == EROFS ? 0 : -1;
}

/*
 * uevt.ko mounts tracefs for itself at load (uevt_ctl.c).  tracefs has one
 * superblock, and on 6.1 a second mount reconfigures it with the new
 * mount's flags (a read-only mount makes the superblock read-only):
 * loading the module must leave that state as it found it.  On 6.12 a
 * mount does not change the superblock, and the check holds trivially.
 */
FIXTURE(rofs) {
	char dir[32];
	bool mounted;
};

FIXTURE_SETUP(rofs)
{
	strcpy(self->dir, "/tmp/uevt-ro-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	self->mounted = false;
}

FIXTURE_TEARDOWN(rofs)
{
	/* Writable again (on 6.1, the superblock too), for the tests after. */
	if (self->mounted) {
		EXPECT_EQ(0, mount("none", self->dir, "tracefs", MS_REMOUNT, NULL));
		EXPECT_EQ(0, umount(self->dir));
		EXPECT_EQ(1, tracefs_writable());
	}
	rmdir(self->dir);
	if (!loaded())
		load();
}

TEST_F(rofs, loading_keeps_a_read_only_tracefs_read_only)
{
	int before, after;

	ASSERT_EQ(1, tracefs_writable());
	ASSERT_EQ(0, mount("none", self->dir, "tracefs", MS_RDONLY, NULL));
	self->mounted = true;
	before = tracefs_writable();
	ASSERT_LE(0, before);
	TH_LOG("after a read-only mount, the superblock is %s",
	       before ? "writable (6.12)" : "read-only (6.1)");
	ASSERT_EQ(0, unload_when_idle());
	ASSERT_EQ(0, load());
	after = tracefs_writable();
	EXPECT_EQ(before, after);
	/* It mounted tracefs, and took the format file's way. */
	EXPECT_LE(1, status_counter("control", "format"));
}

/* A way in the module does not know is refused, and leaves it unloaded. */
TEST(an_unknown_way_in_is_refused)
{
	ASSERT_EQ(0, unload_when_idle());
	EXPECT_EQ(-EINVAL, load_with("system=" UEVT_SYSTEM " ctl=bogus"));
	EXPECT_FALSE(loaded());
	if (!loaded())
		ASSERT_EQ(0, load());
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
