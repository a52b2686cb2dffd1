// SPDX-License-Identifier: GPL-2.0
/*
 * Fork inheritance is a snapshot taken at fork(): the child inherits
 * exactly the registrations its parent held at that instant, retired words
 * included, and is in place before it runs its first instruction.  So
 * nothing the parent does afterwards (register, unregister) reaches the
 * child, and whatever the child does first (replace the page, find a page
 * missing that was never copied to it) is seen like anybody's munmap.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

FIXTURE(snap)
{
	int fd;
	struct tracefs_instance *inst;
	char mark[64];
};

FIXTURE_SETUP(snap)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("snap");
	ASSERT_NE(NULL, self->inst);
	kmsg_mark(self->mark, sizeof(self->mark));
}

FIXTURE_TEARDOWN(snap)
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

/* A page, all zero: has anything written into it? */
static int page_untouched(const volatile uint32_t *page)
{
	int i;

	for (i = 0; i < 1024; i++)
		if (page[i])
			return 0;
	return 1;
}

/*
 * The child's side of every test here: it answers the parent's commands
 * on a pipe pair.  '1'/'0': wait until the inherited bit reads so;
 * 'u': is @probe (a page it must never see written) still all zero?
 * Anything else: exit.
 */
static int follow(int cmd, int ans, volatile uint32_t *inherited, volatile uint32_t *probe)
{
	char c, r;

	while (read(cmd, &c, 1) == 1) {
		switch (c) {
		case '1':
		case '0':
			r = wait_bits(inherited, 1, c == '1', 5000) ? 'n' : 'y';
			break;
		case 'u':
			r = !probe || page_untouched(probe) ? 'y' : 'n';
			break;
		default:
			return 0;
		}
		if (write(ans, &r, 1) != 1)
			return 1;
	}
	return 0;
}

struct kid {
	pid_t pid;
	int cmd, ans;
};

static char ask(struct kid *k, char c)
{
	char r = 'x';

	if (write(k->cmd, &c, 1) != 1 || read(k->ans, &r, 1) != 1)
		return 'x';
	return r;
}

static int finish(struct kid *k)
{
	int status;

	/* Say so: later children hold copies of our pipe, so no EOF comes. */
	(void)!write(k->cmd, "q", 1);
	close(k->cmd);
	close(k->ans);
	if (waitpid(k->pid, &status, 0) != k->pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Fork a child that first runs @first (if any) and then follows commands;
 * returns with the parent side of the pipes in @k.
 */
static int spawn(struct kid *k, volatile uint32_t *inherited, volatile uint32_t *probe,
		 void (*first)(volatile uint32_t *probe))
{
	int to[2], from[2];

	if (pipe(to) || pipe(from))
		return -1;
	k->pid = fork();
	if (k->pid < 0)
		return -1;
	if (k->pid == 0) {
		if (first)
			first(probe);
		close(to[1]);
		close(from[0]);
		_exit(follow(to[0], from[1], inherited, probe));
	}
	close(to[0]);
	close(from[1]);
	k->cmd = to[1];
	k->ans = from[0];
	return 0;
}

/*
 * A registration the parent makes right after fork(), at an address the
 * child has too (same layout), never reaches the child; the child still
 * follows what it did inherit.
 */
TEST_F_TIMEOUT(snap, registration_after_fork_never_reaches_the_child, 240)
{
	volatile uint32_t *a = private_word(), *b = private_word();
	int round, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_reg u32 a", (void *)a, 0, 4, 0, NULL));
	for (round = 0; round < 40; round++) {
		struct kid k;

		ASSERT_EQ(0, spawn(&k, a, b, NULL));
		ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_reg u32 a", (void *)b, 3, 4, 0, NULL));
		ENABLE("t_snap_reg");
		bad += ask(&k, '1') != 'y';
		bad += ask(&k, 'u') != 'y';
		DISABLE("t_snap_reg");
		bad += ask(&k, '0') != 'y';
		ENABLE("t_snap_reg");
		bad += ask(&k, 'u') != 'y';
		DISABLE("t_snap_reg");
		bad += finish(&k) != 0;
		ASSERT_EQ(0, uevt_unreg(self->fd, (void *)b, 3));
		if (bad) {
			TH_LOG("round %d", round);
			break;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
}

/*
 * An unregistration the parent makes right after fork() does not stop
 * the child, which inherited the registration: with another registration
 * left in the parent, and with none left at all.
 */
TEST_F_TIMEOUT(snap, unregistration_after_fork_does_not_stop_the_child, 240)
{
	volatile uint32_t *a = private_word(), *other = private_word();
	int round, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, other);
	for (round = 0; round < 40; round++) {
		int keep_one = round & 1;
		struct kid k;

		if (keep_one)
			ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_other u32 a", (void *)other, 0, 4, 0,
					      NULL));
		ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_unreg u32 a", (void *)a, 0, 4, 0, NULL));
		ASSERT_EQ(0, spawn(&k, a, NULL, NULL));
		ASSERT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
		if (keep_one)
			ASSERT_EQ(0, uevt_unreg(self->fd, (void *)other, 0));
		/* Keep the event alive: our registrations are gone now. */
		ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_unreg u32 a", (void *)other, 9, 4, 0, NULL));
		ENABLE("t_snap_unreg");
		bad += ask(&k, '1') != 'y';
		DISABLE("t_snap_unreg");
		bad += ask(&k, '0') != 'y';
		bad += finish(&k) != 0;
		ASSERT_EQ(0, uevt_unreg(self->fd, (void *)other, 9));
		if (bad) {
			TH_LOG("round %d (%s)", round, keep_one ? "another bit left" : "none left");
			break;
		}
	}
	EXPECT_EQ(0, bad);
}

static void replace_page(volatile uint32_t *page)
{
	if (mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)page)
		_exit(7);
}

static void map_missing_page(volatile uint32_t *page)
{
	if (mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)page)
		_exit(8);
}

/*
 * The child's first act replaces the page that holds an inherited word
 * (MAP_FIXED): the new page is never written, however the event toggles.
 */
TEST_F_TIMEOUT(snap, child_replacing_an_inherited_page_first_is_never_written, 240)
{
	volatile uint32_t *a = private_word(), *page = private_word();
	int round, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, page);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_fixed u32 a", (void *)a, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_fixed u32 a", (void *)&page[100], 0, 4, 0, NULL));
	for (round = 0; round < 20; round++) {
		struct kid k;

		ASSERT_EQ(0, spawn(&k, a, page, replace_page));
		ENABLE("t_snap_fixed");
		bad += ask(&k, '1') != 'y';
		DISABLE("t_snap_fixed");
		bad += ask(&k, '0') != 'y';
		ENABLE("t_snap_fixed");
		bad += ask(&k, '1') != 'y';
		bad += ask(&k, 'u') != 'y';
		DISABLE("t_snap_fixed");
		bad += finish(&k) != 0;
		if (bad) {
			TH_LOG("round %d", round);
			break;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)&page[100], 0));
}

/*
 * Pages the child never gets (MADV_DONTFORK) or gets fresh and zeroed
 * (MADV_WIPEONFORK) hold no inherited word: memory the child maps at
 * that address later, or the zeroed page, is never written.
 */
TEST_F_TIMEOUT(snap, pages_not_copied_to_the_child_are_never_written, 240)
{
	volatile uint32_t *a = private_word(), *dontfork = private_word(), *wipe = private_word();
	int round, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, dontfork);
	ASSERT_NE(NULL, wipe);
	ASSERT_EQ(0, madvise((void *)dontfork, 4096, MADV_DONTFORK));
	ASSERT_EQ(0, madvise((void *)wipe, 4096, MADV_WIPEONFORK));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_dontfork u32 a", (void *)a, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_dontfork u32 a", (void *)&dontfork[8], 1, 4, 0,
			      NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_dontfork u32 a", (void *)&wipe[8], 1, 4, 0, NULL));
	for (round = 0; round < 10; round++) {
		struct kid k1, k2;

		ASSERT_EQ(0, spawn(&k1, a, dontfork, map_missing_page));
		ASSERT_EQ(0, spawn(&k2, a, wipe, NULL));
		ENABLE("t_snap_dontfork");
		bad += ask(&k1, '1') != 'y';
		bad += ask(&k2, '1') != 'y';
		DISABLE("t_snap_dontfork");
		ENABLE("t_snap_dontfork");
		bad += ask(&k1, '1') != 'y';
		bad += ask(&k2, '1') != 'y';
		bad += ask(&k1, 'u') != 'y';
		bad += ask(&k2, 'u') != 'y';
		DISABLE("t_snap_dontfork");
		bad += finish(&k1) != 0;
		bad += finish(&k2) != 0;
		if (bad) {
			TH_LOG("round %d", round);
			break;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)&dontfork[8], 1));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)&wipe[8], 1));
}

/*
 * A word retired in the parent (its page unmapped, a new page mapped at
 * the same address) is inherited retired: the child never writes it.
 */
TEST_F_TIMEOUT(snap, retired_words_stay_retired_in_the_child, 120)
{
	volatile uint32_t *a = private_word(), *gone = private_word(), *again;
	int round, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, gone);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_retired u32 a", (void *)a, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_retired u32 a", (void *)&gone[3], 2, 4, 0, NULL));
	ASSERT_EQ(0, munmap((void *)gone, 4096));
	again = mmap((void *)gone, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(gone, again);
	for (round = 0; round < 10; round++) {
		struct kid k;

		ASSERT_EQ(0, spawn(&k, a, again, NULL));
		ENABLE("t_snap_retired");
		bad += ask(&k, '1') != 'y';
		DISABLE("t_snap_retired");
		ENABLE("t_snap_retired");
		bad += ask(&k, '1') != 'y';
		bad += ask(&k, 'u') != 'y';
		DISABLE("t_snap_retired");
		bad += finish(&k) != 0;
	}
	EXPECT_EQ(0, bad);
	EXPECT_TRUE(page_untouched(again));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
}

/*
 * Pre-forked workers share their parent's registrations; each keeps
 * registering and unregistering words of another event (which gives it a
 * set of its own, again and again) while one inherited event toggles.
 * Every worker's inherited bit ends up showing the event's state.
 */
TEST_F_TIMEOUT(snap, workers_changing_their_sets_while_an_event_toggles_converge, 300)
{
	enum { WORKERS = 8, FLIPS = 61 };	/* odd: the last flip enables */
	volatile uint32_t *a = private_word();
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct kid k[WORKERS];
	int i, flip, bad = 0;

	ASSERT_NE(NULL, a);
	ASSERT_NE(MAP_FAILED, stop);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_churn u32 a", (void *)a, 0, 4, 0, NULL));
	for (i = 0; i < WORKERS; i++) {
		int to[2], from[2];

		ASSERT_EQ(0, pipe(to));
		ASSERT_EQ(0, pipe(from));
		k[i].pid = fork();
		ASSERT_LE(0, k[i].pid);
		if (k[i].pid == 0) {
			volatile uint32_t *mine = private_word();
			int n = 0;

			close(to[1]);
			close(from[0]);
			while (mine && !*stop) {
				if (uevt_reg(self->fd, "t_snap_side u32 a", (void *)mine, n % 32, 4, 0,
					     NULL) ||
				    uevt_unreg(self->fd, (void *)mine, n % 32))
					_exit(9);
				n++;
			}
			_exit(follow(to[0], from[1], a, NULL));
		}
		close(to[0]);
		close(from[1]);
		k[i].cmd = to[1];
		k[i].ans = from[0];
	}
	for (flip = 0; flip < FLIPS; flip++) {
		if (flip & 1) {
			DISABLE("t_snap_churn");
		} else {
			ENABLE("t_snap_churn");
		}
		usleep(3000);
	}
	*stop = 1;
	/* No toggle after the churn: a lost update would stay lost. */
	for (i = 0; i < WORKERS; i++)
		bad += ask(&k[i], '1') != 'y';
	DISABLE("t_snap_churn");
	for (i = 0; i < WORKERS; i++) {
		bad += ask(&k[i], '0') != 'y';
		bad += finish(&k[i]) != 0;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)a, 0));
}

TEST_HARNESS_MAIN
