// SPDX-License-Identifier: GPL-2.0
/*
 * Enable bits across fork(): the child is traced without registering, its
 * copy-on-write copy of the word keeps receiving updates whichever side
 * writes the page, unregistering in one process leaves the other alone,
 * grandchildren inherit too, and many children all converge.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM

/*
 * A child that answers commands from the parent over a pipe:
 *   '1'/'0': wait until our bit is set/clear, answer 'y' or 'n'
 *   'w':     write our copy of the page (user bit 7 of the word), answer 'y'
 *   'u':     unregister our copy, answer 'y' if it worked
 *   'q':     exit
 */
struct child {
	pid_t pid;
	int cmd;
	int ans;
};

static void child_loop(int fd, volatile uint32_t *w, int cmd, int ans)
{
	char c, r;

	while (read(cmd, &c, 1) == 1 && c != 'q') {
		switch (c) {
		case '1':
		case '0':
			r = wait_bits(w, 1, c == '1', 5000) ? 'n' : 'y';
			break;
		case 'w':
			*w |= 0x80;
			r = 'y';
			break;
		case 'u':
			r = uevt_unreg(fd, (void *)w, 0) == 0 && (*w & 1) == 0 &&
			    uevt_unreg(fd, (void *)w, 0) == -ENOENT ? 'y' : 'n';
			break;
		default:
			r = '?';
		}
		if (write(ans, &r, 1) != 1)
			break;
	}
}

static int start_child(struct child *c, int fd, volatile uint32_t *w)
{
	int to[2], from[2];

	if (pipe(to) || pipe(from))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		close(to[1]);
		close(from[0]);
		child_loop(fd, w, to[0], from[1]);
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	c->cmd = to[1];
	c->ans = from[0];
	return 0;
}

static char ask(struct child *c, char cmd)
{
	char r = 'x';

	if (write(c->cmd, &cmd, 1) != 1 || read(c->ans, &r, 1) != 1)
		return 'x';
	return r;
}

static void stop_child(struct child *c)
{
	int status;

	ask(c, 'q');
	close(c->cmd);
	close(c->ans);
	waitpid(c->pid, &status, 0);
}

FIXTURE(fk)
{
	int fd;
	struct tracefs_instance *inst;
	volatile uint32_t *word;
};

FIXTURE_SETUP(fk)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("fork");
	ASSERT_NE(NULL, self->inst);
	self->word = private_word();
	ASSERT_NE(NULL, self->word);
}

FIXTURE_TEARDOWN(fk)
{
	test_instance_destroy(self->inst);
	close(self->fd);
}

#define ENABLE(ev)  ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, ev))
#define DISABLE(ev) ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, ev))

/*
 * After fork() the parent's page is write-protected for COW too: a state
 * change cannot write it without a fault, so the fault worker sets the
 * parent's bit a moment later.  Hence wait_bits() on the parent's side.
 */
TEST_F(fk, child_follows_state_through_cow_on_either_side)
{
	struct child c;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_cow u32 a", (void *)self->word, 0, 4, 0, NULL));
	ASSERT_EQ(0, start_child(&c, self->fd, self->word));

	ENABLE("t_fork_cow");
	EXPECT_EQ('y', ask(&c, '1'));
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	DISABLE("t_fork_cow");
	EXPECT_EQ('y', ask(&c, '0'));

	/* The child writes its copy of the page: COW breaks on its side. */
	EXPECT_EQ('y', ask(&c, 'w'));
	ENABLE("t_fork_cow");
	EXPECT_EQ('y', ask(&c, '1'));
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	EXPECT_EQ(0U, *self->word & 0x80);	/* the child's write stayed its own */

	/* The parent writes its page too. */
	*self->word |= 0x40;
	DISABLE("t_fork_cow");
	EXPECT_EQ('y', ask(&c, '0'));
	EXPECT_EQ(0x40U, *self->word);
	stop_child(&c);
}

TEST_F(fk, unregister_in_child_leaves_parent_alone)
{
	struct child c;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_unreg u32 a", (void *)self->word, 0, 4, 0, NULL));
	ASSERT_EQ(0, start_child(&c, self->fd, self->word));
	ENABLE("t_fork_unreg");
	EXPECT_EQ('y', ask(&c, '1'));
	EXPECT_EQ('y', ask(&c, 'u'));
	DISABLE("t_fork_unreg");
	ENABLE("t_fork_unreg");
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	/* The child's bit stays clear: it unregistered. */
	EXPECT_EQ('n', ask(&c, '1'));
	DISABLE("t_fork_unreg");
	stop_child(&c);
}

/*
 * The parent's writes go through the page its last write went through,
 * as long as nothing changed there.  fork() and then the parent's own
 * write change it: the old page stays the child's alone.  Were that page
 * still used, enabling would set the bit the child unregistered.
 */
TEST_F(fk, parent_writing_its_page_after_fork_never_writes_the_childs)
{
	struct child c;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_cached u32 a", (void *)self->word, 0, 4, 0, NULL));
	ENABLE("t_fork_cached");
	ASSERT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	DISABLE("t_fork_cached");
	ASSERT_EQ(0, wait_bits(self->word, 1, 0, 5000));
	ASSERT_EQ(0, start_child(&c, self->fd, self->word));
	ASSERT_EQ('y', ask(&c, '0'));	/* joined */
	/* Copy on write on the parent's side: the old page is the child's. */
	*self->word |= 0x40;
	/* The child unregisters in that page, which it owns alone now. */
	ASSERT_EQ('y', ask(&c, 'u'));
	ENABLE("t_fork_cached");
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	EXPECT_EQ(0x41U, *self->word);
	EXPECT_EQ('n', ask(&c, '1'));
	DISABLE("t_fork_cached");
	EXPECT_EQ(0, wait_bits(self->word, 1, 0, 5000));
	stop_child(&c);
}

TEST_F(fk, unregister_in_parent_leaves_child_alone)
{
	struct child c;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_punreg u32 a", (void *)self->word, 0, 4, 0, NULL));
	ASSERT_EQ(0, start_child(&c, self->fd, self->word));
	ASSERT_EQ('y', ask(&c, '0'));	/* the copy to the child is done */
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)self->word, 0));
	ENABLE("t_fork_punreg");
	EXPECT_EQ('y', ask(&c, '1'));
	EXPECT_EQ(0U, *self->word & 1);
	DISABLE("t_fork_punreg");
	stop_child(&c);
}

TEST_F(fk, grandchild_inherits)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_gc u32 a", (void *)self->word, 0, 4, 0, NULL));
	ENABLE("t_fork_gc");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t gc;

		/* Wait for our own copy to be tracked, then fork again. */
		usleep(300000);
		gc = fork();
		if (gc == 0) {
			/* Bit is set from the copy; it must follow the disable. */
			if (wait_bits(self->word, 1, 1, 5000))
				_exit(2);
			_exit(wait_bits(self->word, 1, 0, 10000) ? 3 : 0);
		}
		waitpid(gc, &status, 0);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
	}
	usleep(900000);
	DISABLE("t_fork_gc");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(fk, two_hundred_children_converge, 240)
{
	enum { N = 200 };
	pid_t pids[N];
	int i, status, bad = 0, sync_pipe[2];
	char c;

	/* The counters are the module's since load: compare before and after. */
	long lost = status_counter("forks", "lost");
	long failed = status_counter("forks", "failed");

	ASSERT_LE(0, lost);
	ASSERT_LE(0, failed);
	ASSERT_EQ(0, pipe(sync_pipe));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_many u32 a", (void *)self->word, 0, 4, 0, NULL));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(sync_pipe[1]);
			/* Wait for the parent's go, then for the state it set. */
			if (read(sync_pipe[0], &c, 1) != 0)
				_exit(5);
			if (wait_bits(self->word, 1, 1, 60000))
				_exit(2);
			/* Our own write: COW per child. */
			*self->word |= 0x100;
			_exit(0);
		}
	}
	close(sync_pipe[0]);
	usleep(500000);
	ENABLE("t_fork_many");
	close(sync_pipe[1]);	/* go */
	for (i = 0; i < N; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	DISABLE("t_fork_many");
	EXPECT_EQ(0, bad);
	/* Every child joined: none went without a ticket or failed to join. */
	EXPECT_EQ(lost, status_counter("forks", "lost"));
	EXPECT_EQ(failed, status_counter("forks", "failed"));
}

TEST_F(fk, exited_children_leave_no_enablers)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_exit u32 a", (void *)self->word, 0, 4, 0, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		usleep(300000);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	usleep(200000);
	EXPECT_EQ(0, status_enablers_of(pid));
	EXPECT_LT(0, status_enablers_of(getpid()));
}

/*
 * The state flips 200 times while short-lived children fork and exit and
 * long-lived ones are forked at different moments.  After the last flip
 * every live child's bit must converge on the final state, and again after
 * one more change.
 */
TEST_F_TIMEOUT(fk, toggling_while_forking_converges, 240)
{
	enum { FLIPS = 200, EVERY = 20 };
	pid_t keep[FLIPS / EVERY];
	int go1[2], go2[2], i, n = 0, bad = 0, status;
	char c;

	ASSERT_EQ(0, pipe(go1));
	ASSERT_EQ(0, pipe(go2));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_flip u32 a", (void *)self->word, 0, 4, 0, NULL));
	for (i = 0; i < FLIPS; i++) {
		pid_t churn;

		if (i % 2) {
			DISABLE("t_fork_flip");
		} else {
			ENABLE("t_fork_flip");
		}
		churn = fork();
		ASSERT_LE(0, churn);
		if (churn == 0)
			_exit(0);
		if (i % EVERY == 0) {
			keep[n] = fork();
			ASSERT_LE(0, keep[n]);
			if (keep[n] == 0) {
				close(go1[1]);
				close(go2[1]);
				if (read(go1[0], &c, 1) != 0)
					_exit(5);
				if (wait_bits(self->word, 1, 1, 10000))
					_exit(2);
				if (read(go2[0], &c, 1) != 0)
					_exit(6);
				_exit(wait_bits(self->word, 1, 0, 10000) ? 3 : 0);
			}
			n++;
		}
		waitpid(churn, &status, 0);
	}
	/* FLIPS is even: the last flip disabled it; end enabled. */
	ENABLE("t_fork_flip");
	EXPECT_EQ(0, wait_bits(self->word, 1, 1, 5000));
	close(go1[1]);
	usleep(200000);
	DISABLE("t_fork_flip");
	EXPECT_EQ(0, wait_bits(self->word, 1, 0, 5000));
	close(go2[1]);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(keep[i], waitpid(keep[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			TH_LOG("child %d (forked after flip %d) exited %d", i, i * EVERY,
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
}

/*
 * A child joins its parent's registrations by reading its words, and
 * writes none when no state changed since the fork: the page holding them
 * stays shared copy-on-write, mapped by both processes.
 */
TEST_F(fk, joining_child_leaves_an_unchanged_page_shared)
{
	volatile uint32_t *w = self->word;
	int i, status;
	pid_t pid;

	*w = 0x100;	/* a user bit, and the page present before fork() */
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_share u32 a", (void *)w, i, 4, 0, NULL));
	ASSERT_TRUE(pagemap_entry(w) & PM_EXCLUSIVE);	/* ours alone before fork() */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct status_line *line = NULL;

		/* Listed once the child has joined and checked its words. */
		for (i = 0; i < 500 && !(line = enabler_line(w, 7)); i++)
			usleep(10000);
		if (!line)
			_exit(2);
		status_line_free(line);
		_exit(pagemap_entry(w) & PM_EXCLUSIVE ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("%s", WEXITSTATUS(status) == 2 ? "child never listed" :
		       "the child's copy of the page was written");
	}
	EXPECT_EQ(0x100U, *w);
}

/* "slab" of a memory cgroup's memory.stat, in bytes; -1 if unreadable. */
static long cgroup_slab(const char *cg)
{
	char path[256], line[256];
	long bytes = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "slab %ld", &bytes) == 1)
			break;
	if (f)
		fclose(f);
	return bytes;
}

/*
 * Slab growth of memory cgroup @cg while @n children of ours are alive.
 * They are forked with the event off and @event is enabled after: a child's
 * words can then only read @want[] through the registrations it inherited,
 * so once every child says so, every child is tracked.
 */
static long children_slab(struct tracefs_instance *inst, const char *event, const char *cg,
			  int n, volatile uint32_t *words, const uint32_t *want, int nwords)
{
	int ready[2], hold[2], i, status, bad = 0;
	long before = cgroup_slab(cg), during;
	pid_t pids[16];
	char c;

	if (n > 16 || pipe(ready) || pipe(hold))
		return -1;
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int w;

			close(hold[1]);
			for (w = 0; w < nwords; w++)
				if (wait_bits(&words[w], ~0U, want[w], 60000))
					_exit(2);
			if (write(ready[1], "r", 1) != 1 || read(hold[0], &c, 1) != 0)
				_exit(3);
			_exit(0);
		}
	}
	close(ready[1]);
	if (tracefs_event_enable(inst, SYS, event))
		bad++;
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			bad++;
	during = cgroup_slab(cg);
	tracefs_event_disable(inst, SYS, event);
	close(hold[1]);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad++;
	close(ready[0]);
	close(hold[0]);
	return bad ? -1 : during - before;
}

/*
 * Forked children share their parent's registrations instead of copying
 * them: the kernel memory ten children cost must not depend on how many
 * bits the parent holds.  Ten children of a process holding 4000 bits,
 * against ten of one holding none.  A copy per child is at least 64 bytes
 * a bit (2.5 MB here); the bound allows 16 (640 KB), far above the noise
 * of memory.stat's batched counters.
 */
TEST_F_TIMEOUT(fk, forked_children_share_their_parents_registrations, 240)
{
	enum { BITS = 4000, KIDS = 10, WORDS = (BITS + 31) / 32 };
	char cg[96], pid[16];
	uint32_t want[WORDS], none[WORDS];
	volatile uint32_t *words = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint32_t *anchor = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long with, without;
	int i;

	ASSERT_NE(MAP_FAILED, words);
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/uevt_fork_%d", getpid());
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"));
	ASSERT_EQ(0, mkdir(cg, 0755));
	{
		char procs[128];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
		ASSERT_EQ(0, write_file(procs, pid));
	}
	for (i = 0; i < WORDS; i++) {
		want[i] = i < BITS / 32 ? ~0U : (1U << (BITS % 32)) - 1;
		none[i] = 0;
	}
	/*
	 * Without first: unregistering 4000 bits frees their index after a
	 * grace period, which would land in the other measurement.  One bit
	 * elsewhere, held across both, keeps the event in existence.
	 */
	ASSERT_NE(MAP_FAILED, anchor);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_memcg u32 a", (void *)anchor, 0, 4, 0, NULL));
	without = children_slab(self->inst, "t_fork_memcg", cg, KIDS, words, none, WORDS);
	for (i = 0; i < BITS; i++)
		ASSERT_EQ(0, uevt_reg(self->fd, "t_fork_memcg u32 a", (void *)&words[i / 32],
				      i % 32, 4, 0, NULL));
	with = children_slab(self->inst, "t_fork_memcg", cg, KIDS, words, want, WORDS);
	for (i = 0; i < BITS; i++)
		ASSERT_EQ(0, uevt_unreg(self->fd, (void *)&words[i / 32], i % 32));
	ASSERT_EQ(0, uevt_unreg(self->fd, (void *)anchor, 0));
	ASSERT_LE(0, with);
	ASSERT_LE(0, without);
	EXPECT_GT((long)KIDS * BITS * 16, with - without) {
		TH_LOG("slab per child: %ld with %d bits, %ld without", with / KIDS, BITS,
		       without / KIDS);
	}
	write_file("/sys/fs/cgroup/cgroup.procs", pid);
	rmdir(cg);
}

TEST_HARNESS_MAIN
