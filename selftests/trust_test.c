// SPDX-License-Identifier: GPL-2.0
/*
 * One test per defect a maintainer's review of uevt.ko found, each written
 * to fail on the module that had the defect: sets freed under a running
 * resize of their index, a fork join reading a parent that is gone, an
 * unprivileged delete of root's persistent event, events freed under an
 * event probe or a trigger, unbounded ioctl structure sizes, retired words
 * that can neither be unregistered nor stop counting, inheritance that
 * overshoots the per-process limit, and a registration left behind by a
 * failed write of its index.  Memory-safety defects show as a KASAN (or
 * SLUB, lockdep, KFENCE) report in the kernel log, which each such test
 * reads back itself (kmsg_splat_since()).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM
#define PARAM(name) "/sys/module/uevt/parameters/" name

FIXTURE(trust)
{
	int fd;
	struct tracefs_instance *inst;
	char mark[64];
};

FIXTURE_SETUP(trust)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("trust");
	ASSERT_NE(NULL, self->inst);
	kmsg_mark(self->mark, sizeof(self->mark));
}

FIXTURE_TEARDOWN(trust)
{
	char *splat = kmsg_splat_since(self->mark);

	EXPECT_EQ(NULL, splat) {
		TH_LOG("kernel splat during the test: %s", splat);
	}
	free(splat);
	test_instance_destroy(self->inst);
	close(self->fd);
}

#define ENABLE(ev)  ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, ev))
#define DISABLE(ev) ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, ev))

/* Register @n bits of @desc in fresh memory; 0 or -errno. */
static int register_many(int fd, const char *desc, int n)
{
	uint32_t *words = mmap(NULL, (size_t)n * 4 + 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, ret = 0;

	if (words == MAP_FAILED)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = uevt_reg(fd, desc, &words[i / 32], i % 32, 4, 0, NULL);
	return ret;
}

/*
 * Finding 1: the slot index of a set is resized by a deferred worker once
 * it grows (about 49 entries) or shrinks; freeing the slots before that
 * worker is stopped is a use-after-free.  Processes that register 50 to
 * 200 bits and exit at once, and forked children that unregister one bit
 * (which copies their set) and exit at once, free sets while it may run.
 */
TEST_F_TIMEOUT(trust, sets_freed_while_their_index_resizes, 180)
{
	int round, status, bad = 0;
	pid_t pid;

	for (round = 0; round < 60; round++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd = uevt_dev_open();

			_exit(fd < 0 || register_many(fd, "t_tr_resize u32 a", 50 + round * 150 / 60));
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	EXPECT_EQ(0, bad);

	/* A parent with 100 bits; each child drops one of them and exits. */
	{
		uint32_t *words = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int i;

		ASSERT_NE(MAP_FAILED, words);
		for (i = 0; i < 100; i++)
			ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_resize u32 a", &words[i / 32], i % 32,
					      4, 0, NULL));
		for (round = 0; round < 40; round++) {
			pid = fork();
			ASSERT_LE(0, pid);
			if (pid == 0)
				_exit(uevt_unreg(self->fd, &words[round / 32], round % 32) != 0);
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			bad += !WIFEXITED(status) || WEXITSTATUS(status);
		}
		EXPECT_EQ(0, bad);
		for (i = 0; i < 100; i++)
			EXPECT_EQ(0, uevt_unreg(self->fd, &words[i / 32], i % 32));
	}
}

/*
 * Finding 2: a parent that unregisters its last bit right after fork()
 * (the SDK's destructors do exactly that when it exits) must not take the
 * child's inheritance with it: the child keeps following the event.
 */
TEST_F_TIMEOUT(trust, parent_unregistering_right_after_fork_leaves_the_child_traced, 240)
{
	volatile uint32_t *word = private_word();
	int round, status, bad = 0;

	ASSERT_NE(NULL, word);
	for (round = 0; round < 100; round++) {
		int go[2];
		pid_t pid;

		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_join u32 a", (void *)word, 0, 4, 0, NULL));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1 || wait_bits(word, 1, 1, 5000))
				_exit(3);
			if (read(go[0], &c, 1) != 1)
				_exit(4);
			_exit(wait_bits(word, 1, 0, 5000) ? 5 : 0);
		}
		close(go[0]);
		/* At once: the parent's set may be freed before the child joins it. */
		ASSERT_EQ(0, uevt_unreg(self->fd, (void *)word, 0));
		ENABLE("t_tr_join");
		ASSERT_EQ(1, write(go[1], "e", 1));
		usleep(5000);
		DISABLE("t_tr_join");
		ASSERT_EQ(1, write(go[1], "d", 1));
		close(go[1]);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (bad < 5)
				TH_LOG("round %d: child status %d", round,
				       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
}

struct del_arg {
	int fd;
	const char *name;
};

static int delete_as(void *p)
{
	struct del_arg *a = p;
	int ret = uevt_del(a->fd, a->name);

	return ret == -EPERM ? 0 : ret == 0 ? 1 : 2;
}

/*
 * Finding 3: deleting a persistent event needs CAP_PERFMON, as creating
 * one does; anyone else could delete root's event and re-create the name
 * with other fields.  A non-persistent unused event needs nothing special
 * (it goes by itself anyway).
 */
TEST_F(trust, only_cap_perfmon_deletes_a_persistent_event)
{
	uint32_t word = 0;
	struct del_arg a = { self->fd, "t_tr_persist" };

	ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_persist u32 a", &word, 0, 4, UEVT_REG_PERSIST, NULL));
	ASSERT_EQ(0, uevt_unreg(self->fd, &word, 0));
	/* Unused now: no file, no bit. */
	close(self->fd);
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	a.fd = self->fd;
	EXPECT_EQ(0, call_as_nobody(delete_as, &a));
	EXPECT_TRUE(uevt_event_exists(SYS, "t_tr_persist"));
	EXPECT_EQ(0, uevt_del(self->fd, "t_tr_persist"));
	EXPECT_FALSE(uevt_event_exists(SYS, "t_tr_persist"));
}

/* Write a dynamic_events command; 0, or -errno when the kernel refuses it. */
static int dynamic_event(const char *cmd)
{
	int fd = open("/sys/kernel/tracing/dynamic_events", O_WRONLY | O_APPEND | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, cmd, strlen(cmd)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Finding 4: anything that holds an event through the tracing core's
 * reference (an event probe, an enable_event trigger on another event)
 * must keep it alive.  The owner closing its file must not free it under
 * them; once they let go, the unused event goes.
 */
TEST_F(trust, event_probe_keeps_the_event_alive)
{
	volatile uint32_t *word = private_word();
	int ret;

	ASSERT_NE(NULL, word);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_ep u32 a", (void *)word, 0, 4, 0, NULL));
	ret = dynamic_event("e:uevt_trust/t_tr_ep_probe " SYS ".t_tr_ep a=$a");
	if (ret == -ENOENT || ret == -EINVAL) {
		/* A kernel without CONFIG_EPROBE_EVENTS: the trigger test covers it. */
		SKIP(return, "no event probes on this kernel (%d)", ret);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, uevt_unreg(self->fd, (void *)word, 0));
	close(self->fd);
	self->fd = uevt_dev_open();
	usleep(300000);
	EXPECT_TRUE(uevt_event_exists(SYS, "t_tr_ep"));
	/* The probe still works against it. */
	EXPECT_EQ(0, tracefs_event_enable(self->inst, "uevt_trust", "t_tr_ep_probe"));
	EXPECT_EQ(0, tracefs_event_disable(self->inst, "uevt_trust", "t_tr_ep_probe"));
	EXPECT_EQ(0, dynamic_event("-:uevt_trust/t_tr_ep_probe"));
	/* The core tells nobody when it lets go: the reaper looks each second. */
	for (int i = 0; i < 50 && uevt_event_exists(SYS, "t_tr_ep"); i++)
		usleep(100000);
	EXPECT_FALSE(uevt_event_exists(SYS, "t_tr_ep"));
}

TEST_F(trust, enable_event_trigger_keeps_the_event_alive)
{
	volatile uint32_t *word = private_word();
	char *trigger;

	ASSERT_NE(NULL, word);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_trig u32 a", (void *)word, 0, 4, 0, NULL));
	/* Another of our events carries the trigger that enables this one. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_trig_src u32 a", (void *)word, 1, 4, 0, NULL));
	ASSERT_EQ(0, tfs_write(NULL, "events/" SYS "/t_tr_trig_src/trigger",
			       "enable_event:" SYS ":t_tr_trig"));
	ASSERT_EQ(0, uevt_unreg(self->fd, (void *)word, 0));
	ASSERT_EQ(0, uevt_unreg(self->fd, (void *)word, 1));
	/* The source stays: it is open in a second file. */
	{
		int fd2 = uevt_dev_open();
		volatile uint32_t *w2 = private_word();

		ASSERT_LE(0, fd2);
		ASSERT_EQ(0, uevt_reg(fd2, "t_tr_trig_src u32 a", (void *)w2, 0, 4, 0, NULL));
		close(self->fd);
		self->fd = fd2;
	}
	usleep(300000);
	EXPECT_TRUE(uevt_event_exists(SYS, "t_tr_trig"));
	trigger = tfs_read(NULL, "events/" SYS "/t_tr_trig_src/trigger");
	ASSERT_NE(NULL, trigger);
	EXPECT_NE(NULL, strstr(trigger, "enable_event:" SYS ":t_tr_trig"));
	free(trigger);
	EXPECT_EQ(0, tfs_write(NULL, "events/" SYS "/t_tr_trig_src/trigger",
			       "!enable_event:" SYS ":t_tr_trig"));
	usleep(300000);
	EXPECT_FALSE(uevt_event_exists(SYS, "t_tr_trig"));
}

/* Finding 6: an ioctl structure larger than a page is refused outright. */
TEST_F(trust, oversized_structures_are_e2big)
{
	size_t len = 3 * 4096;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uevt_reg *reg = (struct uevt_reg *)buf;
	struct uevt_unreg *unreg = (struct uevt_unreg *)buf;
	uint32_t word = 0;

	ASSERT_NE(MAP_FAILED, buf);
	reg->size = 4096 + 1;	/* all zero beyond the known part: only the size is wrong */
	reg->enable_size = 4;
	reg->enable_addr = (uintptr_t)&word;
	reg->name_args = (uintptr_t)"t_tr_big u32 a";
	EXPECT_EQ(-1, ioctl(self->fd, UEVT_IOC_REG, reg));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_FALSE(uevt_event_exists(SYS, "t_tr_big"));
	memset(buf, 0, len);
	unreg->size = 2 * 4096;
	unreg->disable_addr = (uintptr_t)&word;
	EXPECT_EQ(-1, ioctl(self->fd, UEVT_IOC_UNREG, unreg));
	EXPECT_EQ(E2BIG, errno);
	munmap(buf, len);
}

/*
 * Finding 6: a word whose page was unmapped is retired.  It can still be
 * unregistered (it is the caller's registration), and it does not count
 * against max_enablers_per_mm: a process that unmaps and re-registers in
 * a loop never runs out.
 */
TEST_F(trust, retired_words_can_be_unregistered_and_do_not_count)
{
	int i, round;

	ASSERT_EQ(0, write_file(PARAM("max_enablers_per_mm"), "4"));
	for (round = 0; round < 3; round++) {
		volatile uint32_t *w = private_word();

		ASSERT_NE(NULL, w);
		for (i = 0; i < 4; i++)
			ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_retire u32 a", (void *)w, i, 4, 0,
					      NULL)) {
				TH_LOG("round %d, bit %d", round, i);
			}
		ASSERT_EQ(0, munmap((void *)w, 4096));
		/* Retired now; the first is given back by hand, the rest are not. */
		EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w, 0));
		EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, (void *)w, 0));
	}
	write_file(PARAM("max_enablers_per_mm"), "65536");
}

/*
 * Finding 6: inherited registrations count toward the child's own limit,
 * whenever the child registers (right after fork() included).
 */
TEST_F(trust, inherited_bits_count_toward_the_childs_limit)
{
	volatile uint32_t *w = private_word();
	int status, i;
	pid_t pid;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, write_file(PARAM("max_enablers_per_mm"), "3"));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, uevt_reg(self->fd, "t_tr_lim u32 a", (void *)w, i, 4, 0, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* At once, before anything asynchronous could have run. */
		int ret = uevt_reg(self->fd, "t_tr_lim u32 a", (void *)w, 3, 4, 0, NULL);

		usleep(200000);
		_exit(ret == -ENOSPC ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	write_file(PARAM("max_enablers_per_mm"), "65536");
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, uevt_unreg(self->fd, (void *)w, i));
}

/*
 * Finding 6: the write index goes back into the caller's structure; when
 * that fails (the structure is read-only) the registration fails as a
 * whole: nothing stays registered, nothing is written later.
 */
TEST_F(trust, unwritable_index_leaves_nothing_registered)
{
	volatile uint32_t *w = private_word();
	struct uevt_reg *reg = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(NULL, w);
	ASSERT_NE(MAP_FAILED, reg);
	reg->size = sizeof(*reg);
	reg->enable_size = 4;
	reg->enable_bit = 0;
	reg->enable_addr = (uintptr_t)w;
	reg->name_args = (uintptr_t)"t_tr_index u32 a";
	ASSERT_EQ(0, mprotect(reg, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, UEVT_IOC_REG, reg));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-ENOENT, uevt_unreg(self->fd, (void *)w, 0));
	if (uevt_event_exists(SYS, "t_tr_index")) {
		ENABLE("t_tr_index");
		usleep(100000);
		EXPECT_EQ(0U, *w);
		DISABLE("t_tr_index");
	}
	munmap(reg, 4096);
}

TEST_HARNESS_MAIN
