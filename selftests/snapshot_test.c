// SPDX-License-Identifier: GPL-2.0
/*
 * Fork inheritance is a snapshot taken at fork(): the child inherits
 * exactly the registrations its parent held at that instant, retired words
 * included, and is in place before it runs its first instruction.  So
 * nothing the parent does afterwards (register, unregister) reaches the
 * child, and whatever the child does first (replace the page, find a page
 * missing that was never copied to it) is seen like anybody's munmap.
 */
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fuse_stub.h"
#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

#define MAX_ENABLERS "/sys/module/uevt/parameters/max_enablers_per_mm"

FIXTURE(snap)
{
	int fd;
	struct tracefs_instance *inst;
	char mark[64];
	char max_enablers[32];	/* to put back, when a test changed it */
	struct fuse_stub fs;	/* started by a test: let go and stopped */
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
	if (self->fs.dev > 0) {
		/* Whatever a failed test held, answered before it stops. */
		self->fs.stuck[0] = 0;
		fuse_stub_stop(&self->fs);
	}
	if (self->max_enablers[0])
		write_file(MAX_ENABLERS, self->max_enablers);
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

/*
 * fork() copies the address space before its hook takes the snapshot.  A
 * thread that maps a new page over an address and registers a word there
 * in between must not reach the child, which holds the old page.
 *
 * The fork is held in between on purpose: clone3() stores the child's
 * pidfd after copying the address space, and the store goes to a page of
 * a userfaultfd range that the test serves only once the other thread had
 * its chance to register.
 */
#define RACE_TAG_OLD	0x01d0a9e5U
#define RACE_TAG_NEW	0x7e40a9e5U
#define RACE_ROUNDS	12

struct race_fork {
	volatile uint32_t *page;	/* the page the child reports on */
	void *pidfd_at;			/* in the userfaultfd range */
	int report;			/* the child's answer goes here */
	pid_t pid;
};

/*
 * The child: which page it holds at the address, and was the word's bit
 * ever set in the next 300 ms?  'o'/'O': the old page, bit never/once set;
 * 'n'/'N' the same for the new page.
 */
static void race_child(struct race_fork *f, uint32_t mask)
{
	int old = f->page[512] == RACE_TAG_OLD;
	char r = old ? 'o' : 'n';
	int ms;

	for (ms = 0; ms < 300; ms += 2) {
		if (f->page[0] & mask) {
			r = old ? 'O' : 'N';
			break;
		}
		usleep(2000);
	}
	(void)!write(f->report, &r, 1);
	_exit(0);
}

struct race_args {
	struct race_fork *fork;
	uint32_t mask;
};

/*
 * fork() by clone3(), its pidfd stored at @pidfd_at after the address
 * space was copied: a userfaultfd there holds the fork before its hook.
 * 0 in the child, as fork().
 */
static pid_t fork_storing_pidfd_at(void *pidfd_at)
{
	struct clone_args ca = {
		.flags = CLONE_PIDFD,
		.pidfd = (uintptr_t)pidfd_at,
		.exit_signal = SIGCHLD,
	};

	return (pid_t)syscall(__NR_clone3, &ca, sizeof(ca));
}

static void *race_forker(void *arg)
{
	struct race_args *a = arg;
	pid_t pid = fork_storing_pidfd_at(a->fork->pidfd_at);

	if (pid == 0)
		race_child(a->fork, a->mask);
	a->fork->pid = pid;
	return NULL;
}

/*
 * Who registers the word while the fork is held.  A thread of ours sees
 * the fork listed in the process it shares; a vfork() child or a process
 * sharing our address space without being a thread of ours (clone() with
 * CLONE_VM alone) has a list of its own, where our fork is not.
 */
enum race_by {
	RACE_BY_THREAD,
	RACE_BY_VFORK_CHILD,
	RACE_BY_CLONE_VM,
};

#define RACE_STACK	(64 * 1024)

struct race_reg {
	int fd, bit, ret;
	enum race_by by;
	volatile uint32_t *word;
	int done;			/* with acquire/release */
};

static int race_register(void *arg)
{
	struct race_reg *r = arg;

	r->ret = uevt_reg(r->fd, "t_snap_race u32 a", (void *)r->word, r->bit, 4, 0, NULL);
	return 0;
}

/* A thread that registers, or waits for the process it started to. */
static void *race_registrar(void *arg)
{
	struct race_reg *r = arg;
	int flags = CLONE_VM | SIGCHLD, status;
	char *stack;
	pid_t pid;

	if (r->by == RACE_BY_THREAD) {
		race_register(r);
		__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	r->ret = -ENOMEM;
	stack = malloc(RACE_STACK);
	if (stack) {
		/*
		 * The child runs on our address space and our TLS (its errno
		 * is ours): we only wait for it.  A vfork() child's clone()
		 * returns once it exited.
		 */
		if (r->by == RACE_BY_VFORK_CHILD)
			flags |= CLONE_VFORK;
		pid = clone(race_register, stack + RACE_STACK, flags, r);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			r->ret = -ECHILD;
		free(stack);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A userfaultfd whose range is one page nobody ever touched; -1 on error. */
static int missing_page_uffd(void *page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC);

	/* Kernel accesses fault into it too: no UFFD_USER_MODE_ONLY. */
	if (uffd < 0)
		return -1;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		close(uffd);
		return -1;
	}
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		close(uffd);
		return -1;
	}
	return uffd;
}

/*
 * Rounds of the race, each word registered by @by while a fork is held
 * after its copy; every child must hold the old page, never written.  The
 * last round's word stays registered, on bit 0: returned, with *@bit 0.
 * A failed round stops early and returns its word, *@bit its bit.  NULL
 * when the kernel has no userfaultfd for kernel accesses (skipped).
 */
static volatile uint32_t *race_rounds(struct __test_metadata *_metadata,
				      FIXTURE_DATA(snap) *self, enum race_by by, int rounds,
				      int *bit)
{
	uint64_t seed = test_seed(), rng;
	int round;

	TH_LOG("seed %llu (UEVT_TEST_SEED replays it)", (unsigned long long)seed);
	rng = seed;
	for (round = 0; round < rounds; round++) {
		volatile uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		void *hold = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct race_reg reg = { .fd = self->fd, .by = by };
		struct race_fork f = { .page = page, .pidfd_at = hold };
		struct race_args args = { .fork = &f };
		struct uffdio_zeropage zero = { .range = { (uintptr_t)hold, 4096 } };
		struct uffd_msg msg;
		struct pollfd pfd;
		pthread_t forker, registrar;
		int report[2], uffd, status, ms;
		char answer = 'x';

		ASSERT_NE(MAP_FAILED, page);
		ASSERT_NE(MAP_FAILED, hold);
		/* The last round's word stays for the caller's check: bit 0. */
		reg.bit = round == rounds - 1 ? 0 : (int)(test_rand_next(&rng) % 32);
		reg.word = page;
		args.mask = 1U << reg.bit;
		page[512] = RACE_TAG_OLD;
		uffd = missing_page_uffd(hold);
		if (uffd < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL))
			SKIP(return NULL, "no userfaultfd for kernel accesses: %s",
			     strerror(errno));
		ASSERT_LE(0, uffd);
		ASSERT_EQ(0, pipe(report));
		f.report = report[1];

		/* The fork copies the old page, then waits on its pidfd store. */
		ASSERT_EQ(0, pthread_create(&forker, NULL, race_forker, &args));
		pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 10000));
		ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
		ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

		/* A new page at the same address, and a word registered in it. */
		ASSERT_EQ((void *)page, mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
		page[512] = RACE_TAG_NEW;
		ASSERT_EQ(0, pthread_create(&registrar, NULL, race_registrar, &reg));
		/*
		 * Nothing waits for the fork: the registration ends while it
		 * is held.  Else the race was not made (or, with a vfork()
		 * child, no later look would settle the word).
		 */
		for (ms = 0; ms < 10000 && !__atomic_load_n(&reg.done, __ATOMIC_ACQUIRE); ms += 5)
			usleep(5000);
		ASSERT_TRUE(__atomic_load_n(&reg.done, __ATOMIC_ACQUIRE)) {
			TH_LOG("round %d: the registration waited for the held fork", round);
		}

		/* Let the fork finish: its hook, then the child. */
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
		ASSERT_EQ(0, pthread_join(forker, NULL));
		ASSERT_EQ(0, pthread_join(registrar, NULL));
		ASSERT_LT(0, f.pid);
		EXPECT_EQ(0, reg.ret);
		ASSERT_EQ(1, read(report[0], &answer, 1));
		ASSERT_EQ(f.pid, waitpid(f.pid, &status, 0));
		/* Ours is registered: the enabled event's bit reaches it. */
		EXPECT_EQ(0, wait_bits(page, args.mask, args.mask, 5000));
		EXPECT_EQ('o', answer) {
			TH_LOG("round %d, bit %d: the child answered '%c' (O: its old page was written)",
			       round, reg.bit, answer);
		}
		close(*(int *)hold);
		close(uffd);
		close(report[0]);
		close(report[1]);
		munmap(hold, 4096);
		if (answer != 'o' || round == rounds - 1) {
			*bit = reg.bit;
			return page;
		}
		EXPECT_EQ(0, uevt_unreg(self->fd, (void *)page, reg.bit));
		munmap((void *)page, 4096);
	}
	return NULL;
}

/*
 * The word of the last round, on bit 0 unless a round failed: does a
 * child forked from now on, with the event enabled, follow its disable?
 * A second child follows @keeper, registered by this thread before any
 * round, which every child gets: a child that joined nothing at all would
 * not say 'n' for the right reason.  Unregisters the last word.
 */
static void race_later_child(struct __test_metadata *_metadata, FIXTURE_DATA(snap) *self,
			     volatile uint32_t *keeper, volatile uint32_t *last, int last_bit,
			     char follows)
{
	struct kid k, kk;

	ASSERT_NE(NULL, last);
	if (!last_bit) {
		ASSERT_EQ(0, spawn(&k, last, NULL, NULL));
		ASSERT_EQ(0, spawn(&kk, keeper, NULL, NULL));
		/* The bits the children start with are the copy's. */
		EXPECT_EQ('y', ask(&k, '1'));
		EXPECT_EQ('y', ask(&kk, '1'));
		DISABLE("t_snap_race");
		EXPECT_EQ('y', ask(&kk, '0')) {
			TH_LOG("a child forked once no fork was copying did not get the first word");
		}
		EXPECT_EQ(follows, ask(&k, '0')) {
			TH_LOG("a child forked once no fork was copying %s the last word",
			       follows == 'y' ? "did not get" : "got");
		}
		EXPECT_EQ(0, finish(&k));
		EXPECT_EQ(0, finish(&kk));
	}
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)last, last_bit));
	munmap((void *)last, 4096);
}

/*
 * The race run @rounds times with words registered @by, then a child
 * forked once no fork is copying: does it get the last word (@follows
 * 'y') or not ('n')?  A word registered first, by this thread, makes the
 * event.
 */
static void race_test(struct __test_metadata *_metadata, FIXTURE_DATA(snap) *self,
		      enum race_by by, int rounds, char follows)
{
	volatile uint32_t *keeper = private_word(), *last;
	int last_bit = 0;

	ASSERT_NE(NULL, keeper);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_race u32 a", (void *)keeper, 0, 4, 0, NULL));
	ENABLE("t_snap_race");
	last = race_rounds(_metadata, self, by, rounds, &last_bit);
	if (_metadata->exit_code == KSFT_SKIP)
		return;
	race_later_child(_metadata, self, keeper, last, last_bit, follows);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)keeper, 0));
}

/*
 * The last word was registered while a fork was copying; that fork's
 * thread, done, saw none: children forked from now on get it.
 */
TEST_F_TIMEOUT(snap, a_word_registered_while_fork_copies_never_reaches_the_child, 240)
{
	race_test(_metadata, self, RACE_BY_THREAD, RACE_ROUNDS, 'y');
}

/*
 * A vfork() child does not see its parent's other threads forking: its
 * registrations wait for a look by one of them.  The forking thread's
 * look, once its fork is done, lets later children have the word.
 */
TEST_F_TIMEOUT(snap, a_word_a_vfork_child_registered_while_fork_copies_never_reaches_the_child,
	       120)
{
	race_test(_metadata, self, RACE_BY_VFORK_CHILD, RACE_ROUNDS / 3, 'y');
}

/*
 * Processes sharing an address space without being threads of one process
 * fork on lists of their own, which nobody here sees: their registrations
 * never reach a child, not even one forked later.
 */
TEST_F_TIMEOUT(snap, a_word_registered_by_a_clone_vm_process_never_reaches_a_child, 120)
{
	race_test(_metadata, self, RACE_BY_CLONE_VM, RACE_ROUNDS / 3, 'n');
}

/*
 * An unregistration ends its change of the set before it clears the bit,
 * and takes the slot (no longer live) out after: a fork in between shares
 * it.  The child must not keep it: it counts against max_enablers_per_mm
 * and pins the event for the child's life.
 *
 * Made to happen: a fork held after its copy (its pidfd store waits for a
 * userfaultfd, as above), then an unregistration whose clearing write
 * waits for a FUSE read the test holds (the page was zapped and evicted),
 * then the fork let go.  With room
 * for two words (one kept), the child unregisters the inherited word and
 * registers one of its own: refused if a dead slot took the room.
 */
static void *unregister_word(void *arg)
{
	struct race_reg *r = arg;

	r->ret = uevt_unreg(r->fd, (void *)r->word, r->bit);
	r->done = 1;
	return NULL;
}

/* The child: 0 when it could register a word of its own. */
static void dead_child(int fd, volatile uint32_t *inherited, volatile uint32_t *own, int report)
{
	int ret = uevt_unreg(fd, (void *)inherited, 0);
	char r;

	if (ret && ret != -ENOENT) {
		r = 'u';
	} else {
		ret = uevt_reg(fd, "t_snap_dead u32 a", (void *)own, 0, 4, 0, NULL);
		r = ret == -ENOSPC ? 'S' : ret ? 'e' : 'k';
	}
	(void)!write(report, &r, 1);
	_exit(0);
}

struct dead_fork {
	int fd, report;
	void *pidfd_at;
	volatile uint32_t *inherited, *own;
	pid_t pid;
};

static void *dead_forker(void *arg)
{
	struct dead_fork *d = arg;
	pid_t pid = fork_storing_pidfd_at(d->pidfd_at);

	if (pid == 0)
		dead_child(d->fd, d->inherited, d->own, d->report);
	d->pid = pid;
	return NULL;
}

TEST_F_TIMEOUT(snap, a_child_forked_mid_unregistration_keeps_no_dead_slot, 240)
{
	volatile uint32_t *keeper = private_word(), *own = private_word(), *w;
	void *hold = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_zeropage zero = { .range = { (uintptr_t)hold, 4096 } };
	struct dead_fork d = { .fd = self->fd, .pidfd_at = hold, .own = own };
	struct race_reg u = { .fd = self->fd };
	long dropped = status_counter("forks", "dead");
	pthread_t forker, unregistrar;
	struct fuse_stub *fs = &self->fs;
	int report[2], uffd, file, ret, ms, status;
	struct uffd_msg msg;
	struct pollfd pfd;
	char path[96], answer = 'x';
	FILE *f;

	ASSERT_NE(NULL, keeper);
	ASSERT_NE(NULL, own);
	ASSERT_NE(MAP_FAILED, hold);
	ret = fuse_stub_start(fs);
	if (ret == -ENOENT || ret == -ENODEV)
		SKIP(return, "no FUSE in this kernel (%d)", ret);
	ASSERT_EQ(0, ret);
	uffd = missing_page_uffd(hold);
	if (uffd < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL))
		SKIP(return, "no userfaultfd for kernel accesses: %s", strerror(errno));
	ASSERT_LE(0, uffd);

	f = fopen(MAX_ENABLERS, "re");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(self->max_enablers, sizeof(self->max_enablers), f));
	fclose(f);
	ASSERT_EQ(0, write_file(MAX_ENABLERS, "2"));

	/* The word: a private copy of a FUSE file's page, gone again. */
	snprintf(path, sizeof(path), "%s/f", fs->dir);
	file = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, file);
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
	ASSERT_NE(MAP_FAILED, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_dead u32 a", (void *)keeper, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_dead u32 a", (void *)w, 0, 4, 0, NULL));
	/* The event stays disabled: a zapped word of it is owed nothing. */
	ASSERT_EQ(0, madvise((void *)w, 4096, MADV_DONTNEED));
	ASSERT_EQ(0, fuse_stub_drop_cache(fs));

	/* A fork held after its copy: the word is live in what it copied. */
	ASSERT_EQ(0, pipe(report));
	d.report = report[1];
	d.inherited = w;
	ASSERT_EQ(0, pthread_create(&forker, NULL, dead_forker, &d));
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));

	/* The unregistration, held in its clearing write by a FUSE read. */
	fs->stuck[0] = FUSE_STUB_HOLD;
	u.word = w;
	ASSERT_EQ(0, pthread_create(&unregistrar, NULL, unregister_word, &u));
	for (ms = 0; ms < 10000 && !fs->stuck[1] && !u.done; ms += 5)
		usleep(5000);
	EXPECT_EQ(1, fs->stuck[1]);

	/* The fork's hook runs now, inside the unregistration. */
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	ASSERT_EQ(0, pthread_join(forker, NULL));
	ASSERT_LT(0, d.pid);
	usleep(100000);
	fs->stuck[0] = 0;
	ASSERT_EQ(0, pthread_join(unregistrar, NULL));
	EXPECT_EQ(0, u.ret);

	ASSERT_EQ(1, read(report[0], &answer, 1));
	ASSERT_EQ(d.pid, waitpid(d.pid, &status, 0));
	EXPECT_EQ('k', answer) {
		TH_LOG("the child's registration: '%c' (S: ENOSPC, a dead slot took the room)",
		       answer);
	}
	EXPECT_LT(0, status_counter("forks", "dead") - dropped);

	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)keeper, 0));
	close(*(int *)hold);
	close(uffd);
	close(report[0]);
	close(report[1]);
	munmap((void *)w, 4096);
	close(file);
}

/*
 * The parent remembers its last eight registrations for the hook.  A fork
 * held after its copy while eight words are registered still inherits the
 * words registered before (it retires the eight); while nine are, it
 * inherits nothing, and the forks line counts it as raced.
 */
#define REMEMBERED 8

struct many_fork {
	void *pidfd_at;
	volatile uint32_t *keeper;
	int go, report;
	pid_t pid;
};

/* The child: 'w' if the keeper's bit is cleared after "go", 'k' if kept. */
static void *many_forker(void *arg)
{
	struct many_fork *m = arg;
	pid_t pid = fork_storing_pidfd_at(m->pidfd_at);
	char c, r;

	if (pid == 0) {
		r = read(m->go, &c, 1) == 1 && !wait_bits(m->keeper, 1, 0, 1000) ? 'w' : 'k';
		(void)!write(m->report, &r, 1);
		_exit(0);
	}
	m->pid = pid;
	return NULL;
}

TEST_F_TIMEOUT(snap, a_child_forked_before_more_registrations_than_remembered_inherits_nothing,
	       120)
{
	volatile uint32_t *keeper = private_word(), *words[REMEMBERED + 1];
	char want[2] = { 'w', 'k' };
	int n, i;

	ASSERT_NE(NULL, keeper);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_many u32 a", (void *)keeper, 0, 4, 0, NULL));
	for (n = REMEMBERED; n <= REMEMBERED + 1; n++) {
		void *hold = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct uffdio_zeropage zero = { .range = { (uintptr_t)hold, 4096 } };
		struct many_fork m = { .pidfd_at = hold, .keeper = keeper };
		long raced = status_counter("forks", "raced");
		int go[2], report[2], uffd, status;
		struct uffd_msg msg;
		struct pollfd pfd;
		pthread_t forker;
		char answer = 'x';

		ASSERT_NE(MAP_FAILED, hold);
		uffd = missing_page_uffd(hold);
		if (uffd < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL))
			SKIP(return, "no userfaultfd for kernel accesses: %s", strerror(errno));
		ASSERT_LE(0, uffd);
		ASSERT_EQ(0, pipe(go));
		ASSERT_EQ(0, pipe(report));
		m.go = go[0];
		m.report = report[1];
		ENABLE("t_snap_many");

		ASSERT_EQ(0, pthread_create(&forker, NULL, many_forker, &m));
		pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 10000));
		ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
		/* Registered while the fork is held: all of them pending. */
		for (i = 0; i < n; i++) {
			words[i] = private_word();
			ASSERT_NE(NULL, words[i]);
			ASSERT_EQ(0, uevt_reg(self->fd, "t_snap_many u32 a", (void *)words[i], 0, 4,
					      0, NULL));
		}
		ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
		ASSERT_EQ(0, pthread_join(forker, NULL));
		ASSERT_LT(0, m.pid);

		DISABLE("t_snap_many");
		ASSERT_EQ(1, write(go[1], "g", 1));
		ASSERT_EQ(1, read(report[0], &answer, 1));
		ASSERT_EQ(m.pid, waitpid(m.pid, &status, 0));
		EXPECT_EQ(want[n - REMEMBERED], answer) {
			TH_LOG("%d registrations during the fork: the child answered '%c'", n,
			       answer);
		}
		EXPECT_EQ(n > REMEMBERED, status_counter("forks", "raced") - raced);
		for (i = 0; i < n; i++)
			EXPECT_EQ(0, uevt_unreg(self->fd, (void *)words[i], 0));
		close(*(int *)hold);
		close(uffd);
		close(go[0]);
		close(go[1]);
		close(report[0]);
		close(report[1]);
		munmap(hold, 4096);
	}
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)keeper, 0));
}

TEST_HARNESS_MAIN
