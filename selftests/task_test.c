// SPDX-License-Identifier: GPL-2.0
/*
 * Enable bits and the ways tasks share or leave an address space: threads
 * and CLONE_VM children share the mm (one set of bits, no copy, a sharer's
 * exit changes nothing), vfork() borrows it until exec, and fork() races:
 * a parent that exits right after fork(), and a child that forks again
 * before its own copy is done, still leave every descendant traced.  A
 * stopped process delays nobody.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

/* Enablers the status file lists for process @tgid. */
static int enablers_of(pid_t tgid)
{
	return status_enablers_of(tgid);
}

FIXTURE(task)
{
	int fd;
	struct tracefs_instance *inst;
	volatile uint32_t *word;
};

FIXTURE_SETUP(task)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("task");
	ASSERT_NE(NULL, self->inst);
	self->word = private_word();
	ASSERT_NE(NULL, self->word);
}

FIXTURE_TEARDOWN(task)
{
	test_instance_destroy(self->inst);
	close(self->fd);
}

#define ENABLE(ev)  ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, ev))
#define DISABLE(ev) ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, ev))

struct thread_arg {
	int fd;
	volatile uint32_t *word;	/* registered by the thread itself */
	int reg;			/* its result */
};

static void *thread_registers(void *p)
{
	struct thread_arg *a = p;

	a->reg = uevt_reg(a->fd, "t_task_thr u32 a", (void *)a->word, 5, 4, 0, NULL);
	return NULL;
}

/*
 * A thread registers a bit in the shared mm and exits: the bit stays
 * registered (it belongs to the mm, not the thread) and follows the state.
 */
TEST_F(task, thread_registration_outlives_the_thread)
{
	struct thread_arg a = { self->fd, self->word, -1 };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, thread_registers, &a));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, a.reg);
	EXPECT_EQ(1, enablers_of(getpid()));
	ENABLE("t_task_thr");
	EXPECT_EQ(1U << 5, *self->word);
	DISABLE("t_task_thr");
	EXPECT_EQ(0U, *self->word);
	/* The same (address, bit) from another thread is the same mm's. */
	EXPECT_EQ(-EADDRINUSE, uevt_reg(self->fd, "t_task_thr u32 a", (void *)self->word, 5, 4, 0,
					NULL));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)self->word, 5));
}

static int clone_vm_child(void *p)
{
	struct thread_arg *a = p;

	thread_registers(a);
	return 0;
}

/*
 * A CLONE_VM child (not a thread) registers a second bit in the mm it
 * shares with us and exits: no copy is made (the status file lists both
 * bits under us, none under the child), and both keep following the state
 * after the child is gone.
 */
TEST_F(task, clone_vm_child_shares_the_bits)
{
	struct thread_arg a = { self->fd, self->word, -1 };
	size_t stack_len = 64 << 10;
	char *stack = mmap(NULL, stack_len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, stack);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_task_thr u32 a", (void *)self->word, 0, 4, 0, NULL));
	pid = clone(clone_vm_child, stack + stack_len, CLONE_VM | SIGCHLD, &a);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, a.reg);
	EXPECT_EQ(2, enablers_of(getpid()));
	EXPECT_EQ(0, enablers_of(pid));
	ENABLE("t_task_thr");
	EXPECT_EQ(1U | 1U << 5, *self->word);
	DISABLE("t_task_thr");
	EXPECT_EQ(0U, *self->word);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)self->word, 5));
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)self->word, 0));
	munmap(stack, stack_len);
}

/*
 * vfork(): the child borrows our mm until it execs.  Our bits must be
 * untouched by the borrow, the exec'd image (which maps a page at the
 * registered address) never written, and our bit keeps working after.
 */
TEST_F(task, vfork_exec_leaves_our_bits_and_the_new_image_alone)
{
	int to[2], from[2], status;
	char buf[16] = "", addr[32];
	pid_t pid;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_task_vfork u32 a", (void *)self->word, 0, 4, 0, NULL));
	ENABLE("t_task_vfork");
	ASSERT_EQ(1U, *self->word);
	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	/* The canary maps its page at our word's address in its new mm. */
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)self->word);
	pid = vfork();
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execl("/opt/uevt/selftests/uevt_canary", "uevt_canary", addr, (char *)NULL);
		_exit(8);
	}
	ASSERT_LT(0, pid);
	close(to[0]);
	close(from[1]);
	ASSERT_LT(0, read(from[0], buf, sizeof(buf) - 1));
	EXPECT_EQ(0, strncmp(buf, "ready", 5));
	DISABLE("t_task_vfork");
	EXPECT_EQ(0U, *self->word);
	ENABLE("t_task_vfork");
	EXPECT_EQ(1U, *self->word);
	usleep(200000);
	ASSERT_EQ(2, write(to[1], "c\n", 2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));	/* 1: the canary page was written */
	DISABLE("t_task_vfork");
	EXPECT_EQ(0U, *self->word);
	EXPECT_EQ(0, enablers_of(pid));
}

/*
 * A middle process registers, forks, and exits at once, before the kernel
 * can have copied its bits to the child.  The orphaned child must still be
 * traced.  We are its subreaper, so its verdict comes back as its exit
 * status.  Done 20 times to give the race every chance.
 */
TEST_F_TIMEOUT(task, parent_exiting_right_after_fork_still_hands_bits_on, 120)
{
	int round, status, bad = 0;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	for (round = 0; round < 20; round++) {
		pid_t mid, orphan;
		int go[2];
		char c;

		ASSERT_EQ(0, pipe(go));
		mid = fork();
		ASSERT_LE(0, mid);
		if (mid == 0) {
			int fd = uevt_dev_open();

			if (fd < 0 || uevt_reg(fd, "t_task_orphan u32 a", (void *)self->word, 0, 4, 0,
					       NULL))
				_exit(2);
			if (fork() == 0) {
				close(go[1]);
				if (read(go[0], &c, 1) != 1 || wait_bits(self->word, 1, 1, 10000))
					_exit(3);
				if (read(go[0], &c, 1) != 1)
					_exit(4);
				_exit(wait_bits(self->word, 1, 0, 10000) ? 5 : 0);
			}
			_exit(0);	/* at once: the copy may not have run yet */
		}
		close(go[0]);
		ASSERT_EQ(mid, waitpid(mid, &status, 0));
		ASSERT_EQ(0, WEXITSTATUS(status));
		ENABLE("t_task_orphan");
		ASSERT_EQ(1, write(go[1], "e", 1));
		usleep(20000);
		DISABLE("t_task_orphan");
		ASSERT_EQ(1, write(go[1], "d", 1));
		close(go[1]);
		orphan = waitpid(-1, &status, 0);
		ASSERT_LT(0, orphan);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("round %d: orphan status %d", round,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
}

/*
 * A forked child forks again immediately, before the kernel copied the
 * bits to it: the grandchild must inherit them all the same.
 */
TEST_F_TIMEOUT(task, child_forking_at_once_hands_bits_on, 120)
{
	int round, status, bad = 0;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_task_gc u32 a", (void *)self->word, 0, 4, 0, NULL));
	for (round = 0; round < 20; round++) {
		int go[2];
		pid_t child;
		char c;

		ASSERT_EQ(0, pipe(go));
		child = fork();
		ASSERT_LE(0, child);
		if (child == 0) {
			pid_t gc = fork();

			if (gc == 0) {
				close(go[1]);
				if (read(go[0], &c, 1) != 0)
					_exit(2);
				if (wait_bits(self->word, 1, 1, 10000))
					_exit(3);
				_exit(0);
			}
			close(go[0]);
			close(go[1]);
			waitpid(gc, &status, 0);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
		}
		close(go[0]);
		usleep(50000);
		ENABLE("t_task_gc");
		close(go[1]);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("round %d: grandchild status %d", round,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			bad++;
		}
		DISABLE("t_task_gc");
	}
	EXPECT_EQ(0, bad);
}

/* Bit 0 of the word at @addr in process @pid, read from outside; -1 on error. */
static int remote_bit(pid_t pid, volatile uint32_t *addr)
{
	uint32_t v = 0;
	struct iovec local = { &v, sizeof(v) }, remote = { (void *)addr, sizeof(v) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(v))
		return -1;
	return v & 1;
}

/* Wait up to @ms for remote_bit() to read @want. */
static int wait_remote_bit(pid_t pid, volatile uint32_t *addr, int want, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (remote_bit(pid, addr) == want)
			return 0;
		usleep(10000);
	}
	return remote_bit(pid, addr) == want ? 0 : -1;
}

/*
 * A process stopped as a debugger would stop it holds up nobody: a state
 * change writes its bit while it is stopped, and ours too.
 */
TEST_F(task, stopped_process_is_written_and_stalls_nobody)
{
	volatile uint32_t *theirs = private_word();
	int ready[2], status;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, theirs);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_task_stop u32 a", (void *)self->word, 0, 4, 0, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = uevt_dev_open();

		/* Its own registration, on a word we never registered. */
		if (fd < 0 || uevt_reg(fd, "t_task_stop u32 a", (void *)theirs, 0, 4, 0, NULL))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));

	ENABLE("t_task_stop");
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	EXPECT_EQ(0, wait_remote_bit(pid, theirs, 1, 5000));
	DISABLE("t_task_stop");
	EXPECT_EQ(0, wait_bits(self->word, 1, 0, 5000));
	EXPECT_EQ(0, wait_remote_bit(pid, theirs, 0, 5000));

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)self->word, 0));
}

TEST_HARNESS_MAIN
