// SPDX-License-Identifier: GPL-2.0
/*
 * Enable bits and the states a page can be in: zapped by MADV_DONTNEED
 * (healed), read-only (reported, healed once writable again), shared
 * memfd, transparent huge page, mlocked, KSM-merged (unshared, the twin
 * untouched), migrated to the other NUMA node, swapped out (swapped in by
 * the kernel); a stuck userfaultfd range delays only its own process; exec
 * never writes into the new image.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM
/* <numaif.h> needs libnuma; move_pages(2) is only this flag from it. */
#define MPOL_MF_MOVE_FLAG (1 << 1)

static void *map(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(mm)
{
	int fd;
	struct tracefs_instance *inst;
};

FIXTURE_SETUP(mm)
{
	self->fd = uevt_dev_open();
	ASSERT_LE(0, self->fd);
	self->inst = test_instance("mm");
	ASSERT_NE(NULL, self->inst);
}

FIXTURE_TEARDOWN(mm)
{
	test_instance_destroy(self->inst);
	close(self->fd);
}

TEST_F(mm, madv_dontneed_is_healed)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_heal u32 a", (void *)w, 2, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_heal"));
	EXPECT_EQ(4U, *w);
	ASSERT_EQ(0, madvise((void *)w, 4096, MADV_DONTNEED));
	/* The zap really happened, then the kernel restores the bit. */
	EXPECT_EQ(0, wait_bits(w, 4, 4, 5000));
	tracefs_event_disable(self->inst, SYS, "t_mm_heal");
	EXPECT_EQ(0U, *w);
}

/*
 * Two words in one page, one unregistered: the page still holds a word, so
 * a zap of that page must still heal the other one, and an unmap retire it.
 */
TEST_F(mm, page_keeps_healing_while_any_word_in_it_is_registered)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_two u32 a", (void *)&w[0], 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_two u32 a", (void *)&w[512], 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_unreg(self->fd, (void *)&w[0], 0));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_two"));
	EXPECT_EQ(0U, w[0]);
	EXPECT_EQ(1U, w[512]);
	ASSERT_EQ(0, madvise((void *)w, 4096, MADV_DONTNEED));
	EXPECT_EQ(0, wait_bits(&w[512], 1, 1, 5000));
	EXPECT_EQ(0U, w[0]);
	tracefs_event_disable(self->inst, SYS, "t_mm_two");
	EXPECT_EQ(0U, w[512]);
	EXPECT_EQ(0, uevt_unreg(self->fd, (void *)&w[512], 0));
}

TEST_F(mm, read_only_word_is_reported_then_healed)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	struct status_line *line;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_ro u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, mprotect((void *)w, 4096, PROT_READ));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_ro"));
	EXPECT_EQ(0U, *w);
	usleep(100000);
	line = enabler_line(w, 0);
	EXPECT_STREQ(SYS ":t_mm_ro", status_str(line, "event"));
	EXPECT_EQ(4, status_value(line, "size"));
	EXPECT_EQ(-EFAULT, status_value(line, "last_err")) {
		TH_LOG("status: %s", status_text(line));
	}
	status_line_free(line);
	/* Writable again: a retry completes the write. */
	ASSERT_EQ(0, mprotect((void *)w, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	tracefs_event_disable(self->inst, SYS, "t_mm_ro");
}

/*
 * A word whose write keeps failing uses up its retries (read-only page).
 * Zapped while still read-only, it must get a fresh budget: made writable
 * a moment later, a retry then sets the bit.  With no fresh budget the
 * one attempt after the zap fails and nothing ever retries.
 */
TEST_F_TIMEOUT(mm, zapped_word_gets_a_fresh_retry_budget, 60)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	struct status_line *line = NULL;
	int i;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_budget u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, mprotect((void *)w, 4096, PROT_READ));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_budget"));
	/* 10 ms doubling, 8 retries: out of budget after about 2.5 s. */
	for (i = 0; i < 100; i++) {
		status_line_free(line);
		line = enabler_line(w, 0);
		if (status_value(line, "retries") == 8 && status_value(line, "pending") == 0)
			break;
		usleep(100000);
	}
	ASSERT_EQ(8, status_value(line, "retries")) {
		TH_LOG("%s", status_text(line));
	}
	status_line_free(line);
	ASSERT_EQ(0, madvise((void *)w, 4096, MADV_DONTNEED));
	usleep(50000);
	ASSERT_EQ(0, mprotect((void *)w, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	tracefs_event_disable(self->inst, SYS, "t_mm_budget");
}

TEST_F(mm, shared_memfd_word)
{
	int mfd = memfd_create("uevt", MFD_CLOEXEC);
	volatile uint32_t *w, *alias;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, 4096));
	w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	alias = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, w);
	ASSERT_NE(MAP_FAILED, alias);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_memfd u32 a", (void *)w, 9, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_memfd"));
	EXPECT_EQ(1U << 9, *w);
	EXPECT_EQ(1U << 9, *alias);
	tracefs_event_disable(self->inst, SYS, "t_mm_memfd");
	EXPECT_EQ(0U, *alias);
	close(mfd);
}

TEST_F(mm, transparent_huge_page_word)
{
	size_t len = 4 << 20;
	char *p = map(len, MAP_PRIVATE | MAP_ANONYMOUS);
	volatile uint64_t *w;

	ASSERT_NE(NULL, p);
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		SKIP(return, "no transparent huge pages in this kernel (off in Debian's PREEMPT_RT builds)");
	/* A 2 MiB aligned word inside a huge page, 8 bytes, bit 63. */
	w = (volatile uint64_t *)(((uintptr_t)p + (2 << 20) - 1) & ~((uintptr_t)(2 << 20) - 1));
	madvise((void *)w, 2 << 20, MADV_HUGEPAGE);
	memset((void *)w, 0, 2 << 20);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_thp u32 a", (void *)w, 63, 8, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_thp"));
	EXPECT_EQ(1ULL << 63, *w);
	tracefs_event_disable(self->inst, SYS, "t_mm_thp");
	EXPECT_EQ(0ULL, *w);
}

TEST_F(mm, mlocked_word)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED);

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_lock u32 a", (void *)w, 30, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_lock"));
	EXPECT_EQ(1U << 30, *w);
	tracefs_event_disable(self->inst, SYS, "t_mm_lock");
	EXPECT_EQ(0U, *w);
}

/*
 * A child registers a word inside a userfaultfd missing-mode range and
 * never serves the fault.  Enabling the event must still set our own bit
 * at once, and the child's registration shows its failed write.
 */
TEST_F_TIMEOUT(mm, stuck_userfaultfd_delays_only_its_own_process, 60)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	int ready[2], done[2], status;
	char c;
	void *child_area = NULL;
	pid_t pid;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_uffd u32 a", (void *)w, 0, 4, 0, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
		char *area = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
		int uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		int fd = uevt_dev_open();

		if (!area || uffd < 0 || fd < 0 || ioctl(uffd, UFFDIO_API, &api))
			_exit(2);
		reg.range.start = (uintptr_t)area;
		reg.range.len = 4096;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg))
			_exit(3);
		/* Registered, never touched: any fault on it waits for nobody. */
		if (uevt_reg(fd, "t_mm_uffd u32 a", area, 0, 4, 0, NULL))
			_exit(4);
		if (write(ready[1], &area, sizeof(area)) != sizeof(area) || read(done[0], &c, 1) != 1)
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(child_area), read(ready[0], &child_area, sizeof(child_area)));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_uffd"));
	/*
	 * Our page is COW-protected since fork(), so our bit is set by our
	 * own fault worker, never behind the child's fault that nobody serves.
	 */
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	usleep(100000);
	/* The child also inherited our enabler; look at its own one. */
	{
		struct status_line *line = enabler_line_of(pid, child_area, 0);

		ASSERT_NE(NULL, line);
		EXPECT_STREQ("mm_test", status_str(line, "comm"));
		/* The child's write failed (and is retried), it was not waited for. */
		EXPECT_NE(0, status_value(line, "last_err")) {
			TH_LOG("%s", status_text(line));
		}
		status_line_free(line);
	}
	tracefs_event_disable(self->inst, SYS, "t_mm_uffd");
	EXPECT_EQ(0, wait_bits(w, 1, 0, 5000));
	ASSERT_EQ(1, write(done[1], "d", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * exec(): the old mm dies with its registrations.  The new image maps a
 * page at the very address that was registered and must never see a write.
 */
TEST_F_TIMEOUT(mm, exec_never_writes_the_new_image, 60)
{
	volatile uint32_t *mine = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	int to[2], from[2], status;
	char buf[16] = "", addr[32];
	void *target;
	pid_t pid;

	ASSERT_NE(NULL, mine);
	/* An address the child registers at, and unmaps before exec. */
	target = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, target);
	ASSERT_EQ(0, munmap(target, 4096));
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)target);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_exec u32 a", (void *)mine, 0, 4, 0, NULL));
	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *p = mmap(target, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		int fd = uevt_dev_open();

		if (p != target || fd < 0 || uevt_reg(fd, "t_mm_exec u32 a", p, 0, 4, 0, NULL))
			_exit(9);
		dup2(to[0], 0);
		dup2(from[1], 1);
		execl("/opt/uevt/selftests/uevt_canary", "uevt_canary", addr, (char *)NULL);
		_exit(8);
	}
	close(to[0]);
	close(from[1]);
	ASSERT_LT(0, read(from[0], buf, sizeof(buf) - 1));
	EXPECT_EQ(0, strncmp(buf, "ready", 5));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_exec"));
	/* Our page is COW-protected since fork(): set by our fault worker. */
	EXPECT_EQ(0, wait_bits(mine, 1, 1, 5000));
	usleep(300000);
	tracefs_event_disable(self->inst, SYS, "t_mm_exec");
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_exec"));
	usleep(300000);
	ASSERT_EQ(2, write(to[1], "c\n", 2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	tracefs_event_disable(self->inst, SYS, "t_mm_exec");
}

/*
 * munmap() retires the word: a new mapping at the very same address is
 * never written, however often the state changes; the address can be
 * registered again.
 */
TEST_F(mm, munmap_retires_the_word_for_good)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS), *again;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_unmap u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_unmap"));
	EXPECT_EQ(1U, *w);
	ASSERT_EQ(0, munmap((void *)w, 4096));
	again = mmap((void *)w, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(w, again);
	*again = 0;
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_unmap"));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_unmap"));
	usleep(300000);	/* give a (wrong) deferred write every chance */
	EXPECT_EQ(0U, *again);

	{
		struct status_line *line = enabler_line(w, 0);

		EXPECT_STREQ(SYS ":t_mm_unmap", status_str(line, "event"));
		EXPECT_EQ(-ENXIO, status_value(line, "last_err")) {
			TH_LOG("%s", status_text(line));
		}
		status_line_free(line);
	}

	/* Registering the new mapping's word works and is written. */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_unmap u32 a", (void *)again, 0, 4, 0, NULL));
	EXPECT_EQ(1U, *again);
	tracefs_event_disable(self->inst, SYS, "t_mm_unmap");
	EXPECT_EQ(0U, *again);
}

struct race {
	volatile uint32_t *page;
	int fd;
	volatile int go, done;
	int registered;
};

static void *register_in_race(void *arg)
{
	struct race *r = arg;

	while (!r->go)
		;
	r->registered += !uevt_reg(r->fd, "t_mm_race u32 a", (void *)&r->page[7], 3, 4, 0, NULL);
	r->done = 1;
	return NULL;
}

/*
 * A registration racing with an munmap of its page, in another thread,
 * many times over: either the registration fails, or the word is retired.
 * Whatever is mapped at that address next is never written, whichever way
 * each race went.
 */
TEST_F_TIMEOUT(mm, registration_racing_with_munmap_never_writes_the_next_mapping, 120)
{
	volatile uint32_t *page = map(4096, MAP_PRIVATE | MAP_ANONYMOUS), *again;
	int round, bad = 0, registered = 0;

	ASSERT_NE(NULL, page);
	for (round = 0; round < 200; round++) {
		struct race r = { .page = page, .fd = self->fd };
		pthread_t t;
		int i;

		ASSERT_EQ(0, pthread_create(&t, NULL, register_in_race, &r));
		r.go = 1;
		for (i = 0; i < round % 50; i++)
			;
		ASSERT_EQ(0, munmap((void *)page, 4096));
		pthread_join(t, NULL);
		again = mmap((void *)page, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		ASSERT_EQ(page, again);
		registered += r.registered;
		/* The event flips: a live or mis-retired word would be written now. */
		if (r.registered) {
			ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_race"));
			usleep(2000);
			ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_race"));
			ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_race"));
			usleep(2000);
			bad += again[7] != 0;
			ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_race"));
			/* Retired: it can be unregistered, and was never written. */
			EXPECT_EQ(0, uevt_unreg(self->fd, (void *)&again[7], 3));
		}
	}
	TH_LOG("%d of 200 registrations won the race", registered);
	EXPECT_EQ(0, bad);
}

/* Read a number from a file; -1 when it cannot be read. */
static long read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Has our enable bit (@addr, @bit) settled: written, no fault owed? */
static int enabler_settled(const volatile void *addr, int bit)
{
	struct status_line *line = enabler_line(addr, bit);
	int ok = line && status_value(line, "last_err") == 0 && status_value(line, "pending") == 0;

	status_line_free(line);
	return ok;
}

/*
 * KSM merges our page with an identical one: the enable word now lives in
 * a write-protected page shared with another page.  Setting the bit must
 * unshare it: our word changes, the twin page does not.
 */
TEST_F_TIMEOUT(mm, ksm_merged_page_is_unshared_not_written, 120)
{
	char *pages = map(2 * 4096, MAP_PRIVATE | MAP_ANONYMOUS);
	volatile uint32_t *w = (volatile uint32_t *)pages, *twin;
	long merging = 0, old_run;
	int i;

	ASSERT_NE(NULL, pages);
	twin = (volatile uint32_t *)(pages + 4096);
	old_run = read_long("/sys/kernel/mm/ksm/run");
	ASSERT_LE(0, old_run);
	/* Two identical pages; 0x5a leaves bit 0 of the word clear. */
	memset(pages, 0x5a, 2 * 4096);
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_ksm u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, madvise(pages, 2 * 4096, MADV_MERGEABLE));
	ASSERT_EQ(0, write_file("/sys/kernel/mm/ksm/sleep_millisecs", "10"));
	ASSERT_EQ(0, write_file("/sys/kernel/mm/ksm/pages_to_scan", "1000"));
	ASSERT_EQ(0, write_file("/sys/kernel/mm/ksm/run", "1"));
	for (i = 0; i < 3000 && merging < 2; i++) {
		usleep(10000);
		merging = read_long("/proc/self/ksm_merging_pages");
	}
	ASSERT_LE(2, merging) {
		TH_LOG("ksmd did not merge the pages (ksm_merging_pages %ld)", merging);
	}
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_ksm"));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	EXPECT_EQ(0x5a5a5a5bU, *w);
	EXPECT_EQ(0x5a5a5a5aU, *twin);
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_ksm"));
	EXPECT_EQ(0, wait_bits(w, 1, 0, 5000));
	EXPECT_EQ(0x5a5a5a5aU, *twin);
	write_file("/sys/kernel/mm/ksm/run", old_run == 1 ? "1" : "0");
}

/* move_pages(2): NULL @nodes queries, otherwise moves; the page's node or -errno. */
static int page_node(volatile void *addr, int to)
{
	void *pages[1] = { (void *)addr };
	int status = -1;

	if (syscall(__NR_move_pages, 0, 1UL, pages, to < 0 ? NULL : &to, &status,
		    MPOL_MF_MOVE_FLAG))
		return -errno;
	return status;
}

/*
 * The page holding the word migrates to the other NUMA node (as NUMA
 * balancing would move it): the next state change writes the page that
 * backs the address now, on the new node.
 */
TEST_F(mm, word_follows_its_page_across_numa_nodes)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	int from, to;

	ASSERT_NE(NULL, w);
	ASSERT_EQ(0, access("/sys/devices/system/node/node1", F_OK)) {
		TH_LOG("the test VM has two NUMA nodes; this one has one");
	}
	*w = 0x100;	/* a real page, not the shared zero page */
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_numa u32 a", (void *)w, 0, 4, 0, NULL));
	from = page_node(w, -1);
	ASSERT_LE(0, from);
	to = !from;
	ASSERT_EQ(to, page_node(w, to));
	ASSERT_EQ(to, page_node(w, -1));
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_numa"));
	EXPECT_EQ(0, wait_bits(w, 1, 1, 5000));
	ASSERT_EQ(from, page_node(w, from));
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_numa"));
	EXPECT_EQ(0, wait_bits(w, 1, 0, 5000));
	EXPECT_EQ(0x100U, *w);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * How many times NUMA balancing has scanned this process's address space
 * ("mm->numa_scan_seq" of /proc/self/sched), or -1.
 */
static long numa_scan_seq(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/sched", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "mm->numa_scan_seq") && strchr(line, ':'))
			v = strtol(strchr(line, ':') + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * NUMA balancing turns this process's PTEs into PROT_NONE hinting entries
 * behind its back while the state flips: every flip still reaches the
 * bit, and the scanner is shown to have run (mm->numa_scan_seq grew).
 */
TEST_F_TIMEOUT(mm, bits_follow_every_flip_under_numa_balancing, 120)
{
	static const char *const knobs[] = {
		"/proc/sys/kernel/numa_balancing",
		"/sys/kernel/debug/sched/numa_balancing/scan_delay_ms",
		"/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms",
	};
	static const char *const fast[] = { "1", "0", "10" };
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	long saved[3], before, after;
	int i, k, missed = 0;

	ASSERT_NE(NULL, w);
	if (access(knobs[0], F_OK))
		SKIP(return, "no NUMA balancing in this kernel (off in Debian's PREEMPT_RT builds)");
	ASSERT_EQ(0, access("/sys/devices/system/node/node1", F_OK)) {
		TH_LOG("the test VM has two NUMA nodes; this one has one");
	}
	for (k = 0; k < 3; k++) {
		saved[k] = read_long(knobs[k]);
		ASSERT_LE(0, saved[k]) {
			TH_LOG("cannot read %s", knobs[k]);
		}
		ASSERT_EQ(0, write_file(knobs[k], fast[k]));
	}
	*w = 0x100;
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_numab u32 a", (void *)w, 0, 4, 0, NULL));
	before = numa_scan_seq();
	ASSERT_LE(0, before);
	for (i = 0; i < 40; i++) {
		long long until = now_ms() + 50;

		/* Run on the CPU: the scanner works from this task's ticks. */
		while (now_ms() < until)
			;
		ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_numab"));
		missed += !!wait_bits(w, 1, 1, 5000);
		ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_numab"));
		missed += !!wait_bits(w, 1, 0, 5000);
	}
	after = numa_scan_seq();
	for (k = 0; k < 3; k++) {
		char v[24];

		snprintf(v, sizeof(v), "%ld", saved[k]);
		write_file(knobs[k], v);
	}
	EXPECT_EQ(0, missed);
	EXPECT_EQ(0x100U, *w & ~1U);
	EXPECT_LT(before, after) {
		TH_LOG("numa_scan_seq stayed at %ld: the scanner never ran", before);
	}
}

/*
 * The page holding the word is swapped out.  A state change cannot write
 * it without faulting, so the fault worker swaps it in and writes it: the
 * page is present again before this process touches it.
 */
TEST_F_TIMEOUT(mm, swapped_out_word_is_swapped_in_and_written, 60)
{
	volatile uint32_t *w = map(4096, MAP_PRIVATE | MAP_ANONYMOUS);
	char *swaps = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	ASSERT_NE(NULL, w);
	f = fopen("/proc/swaps", "r");
	ASSERT_NE(NULL, f);
	/* The header, then one line per swap area. */
	ASSERT_LT(0, getline(&swaps, &len, f));
	ASSERT_LT(0, getline(&swaps, &len, f)) {
		TH_LOG("no swap area: the VM runner sets one up on a virtio disk");
	}
	fclose(f);
	free(swaps);
	/*
	 * A small page of its own: the VM runs with THP=always.  Kernels
	 * without THP (Debian's RT builds) refuse the advice with EINVAL, and
	 * their pages are small anyway.
	 */
	if (madvise((void *)w, 4096, MADV_NOHUGEPAGE))
		ASSERT_EQ(EINVAL, errno);
	*w = 0x100;
	ASSERT_EQ(0, uevt_reg(self->fd, "t_mm_swap u32 a", (void *)w, 0, 4, 0, NULL));
	for (i = 0; i < 50 && !(pagemap_entry(w) & PM_SWAPPED); i++) {
		if (madvise((void *)w, 4096, MADV_PAGEOUT))
			TH_LOG("MADV_PAGEOUT: %s", strerror(errno));
		usleep(10000);
	}
	ASSERT_TRUE(pagemap_entry(w) & PM_SWAPPED) {
		TH_LOG("pagemap entry %#llx after %d tries", (unsigned long long)pagemap_entry(w), i);
		system("grep -E 'Swap|Anon' /proc/meminfo; cat /proc/swaps");
	}
	ASSERT_EQ(0, tracefs_event_enable(self->inst, SYS, "t_mm_swap"));
	for (i = 0; i < 500 && !enabler_settled(w, 0); i++)
		usleep(10000);
	EXPECT_TRUE(enabler_settled(w, 0));
	/* Swapped in by the kernel, not by us: we have not touched it yet. */
	EXPECT_TRUE(pagemap_entry(w) & PM_PRESENT);
	EXPECT_EQ(0x101U, *w);
	ASSERT_EQ(0, tracefs_event_disable(self->inst, SYS, "t_mm_swap"));
	EXPECT_EQ(0x100U, *w);
}

static volatile sig_atomic_t storm_signals;

static void storm_handler(int sig)
{
	(void)sig;
	storm_signals++;
}

/*
 * In a child: many mappings that do not merge, so that taking their locks
 * takes time (some with a page, so an anon_vma lock too, but fewer than
 * lockdep can count nested: 4096 of a class), then an interval timer
 * firing every 50 us.  0, or the child's exit code.
 */
static int storm_start(int mappings)
{
	struct itimerval every = { { 0, 50 }, { 0, 50 } };
	struct sigaction sa = { .sa_handler = storm_handler, .sa_flags = SA_RESTART };
	int i;

	for (i = 0; i < mappings; i++) {
		char *m = mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return 10;
		if (!(i % 10))
			*m = 1;
	}
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &every, NULL))
		return 11;
	return 0;
}

static void storm_stop(void)
{
	struct itimerval none = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &none, NULL);
}

/*
 * A process's first registration registers an mmu notifier, which takes
 * every lock of the mm and gives up whenever a signal is pending.  A
 * process with many mappings and a fast interval timer (a profiler, a
 * runtime's preemption signal) must still get its registration through,
 * not see it restarted for ever.
 */
TEST_F_TIMEOUT(mm, first_registration_completes_under_a_storm_of_signals, 120)
{
	long by_worker = status_counter("attaches", "by_worker");
	int status, i;
	pid_t pid;

	ASSERT_LE(0, by_worker);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile uint32_t *w = private_word();
		int fd = uevt_dev_open(), ret;

		if (!w || fd < 0)
			_exit(11);
		ret = storm_start(20000);
		if (ret)
			_exit(ret);
		ret = uevt_reg(fd, "t_mm_storm u32 a", (void *)w, 0, 4, 0, NULL);
		storm_stop();
		/* The storm must have been on: signals arrived meanwhile. */
		_exit(ret ? 12 : storm_signals ? 0 : 13);
	}
	for (i = 0; i < 600 && waitpid(pid, &status, WNOHANG) == 0; i++)
		usleep(100000);
	if (i == 600) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_LT(i, 600) TH_LOG("the registration did not complete within 60 s");
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The caller's own attempt was interrupted; a worker attached. */
	EXPECT_LT(by_worker, status_counter("attaches", "by_worker"));
}

#define KILLED_ROUNDS_MAX	48
#define KILLED_ORPHANS		3
#define KILLED_SECONDS		60

/* Where a storm child is: shared with the test (stage with acquire/release). */
struct storm_progress {
	int stage;			/* 1: registering; 2: registered; 3: refused */
	int64_t began_ns, ended_ns;
	int64_t kill_after_ns;		/* from began_ns; -1: timing, no kill */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int stage_of(struct storm_progress *p)
{
	return __atomic_load_n(&p->stage, __ATOMIC_ACQUIRE);
}

/*
 * The child's other thread: SIGKILL to its own process, kill_after_ns
 * into the registration, timed by spinning (a sleep would wake too late).
 * It blocks the storm, which then always lands on the registering thread.
 * When timing (kill_after_ns < 0) it spins as long and kills nobody: the
 * CPU it takes delays the registration as much as in the rounds it kills.
 */
static void *storm_killer(void *arg)
{
	struct storm_progress *p = arg;

	/* The child maps its 5000 pages meanwhile: leave it the CPU. */
	while (!stage_of(p))
		usleep(100);
	if (p->kill_after_ns < 0) {
		while (stage_of(p) == 1)
			;
		return NULL;
	}
	while (mono_ns() - p->began_ns < p->kill_after_ns)
		;
	kill(getpid(), SIGKILL);
	return NULL;
}

/* The child: a storm, then its first registration, timed. */
static void storm_register(struct storm_progress *p)
{
	volatile uint32_t *w = private_word();
	int fd = uevt_dev_open(), ret;
	sigset_t alarm;
	pthread_t killer;

	if (!w || fd < 0)
		_exit(11);
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	if (pthread_sigmask(SIG_BLOCK, &alarm, NULL) ||
	    pthread_create(&killer, NULL, storm_killer, p) ||
	    pthread_sigmask(SIG_UNBLOCK, &alarm, NULL))
		_exit(14);
	ret = storm_start(5000);
	if (ret)
		_exit(ret);
	p->began_ns = mono_ns();
	__atomic_store_n(&p->stage, 1, __ATOMIC_RELEASE);
	ret = uevt_reg(fd, "t_mm_killed u32 a", (void *)w, 0, 4, 0, NULL);
	p->ended_ns = mono_ns();
	__atomic_store_n(&p->stage, ret ? 3 : 2, __ATOMIC_RELEASE);
	storm_stop();
	/* Killed here if not before. */
	for (;;)
		pause();
}

/* Fork a storm child; killed at @kill_after_ns, or once registered. */
static int storm_round(struct storm_progress *p, int64_t kill_after_ns)
{
	int status, ms;
	pid_t pid;

	memset(p, 0, sizeof(*p));
	p->kill_after_ns = kill_after_ns;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		storm_register(p);
	if (kill_after_ns < 0) {
		for (ms = 0; ms < 60000 && stage_of(p) < 2; ms++)
			usleep(1000);
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status))
		return -1;
	return 0;
}

/*
 * A caller a signal interrupted waits while a worker attaches its address
 * space for it (uevt_mm_attach()).  Killed meanwhile, it goes, and the
 * worker finishes alone: the state it made is the request's to put.
 * Whatever the moment of the kill, the state, the request and the module
 * references they hold go with the process: the module's count comes back
 * to what it was.
 *
 * The kills land at random points of the registration's span; how many
 * land while the worker attaches depends on the kernel (most on the debug
 * kernel, a few in 16 on 6.12, seldom on 6.1, where the caller's own
 * attempt takes most of the span): the rounds go on until three did, or
 * a bound.  The counts are logged; the module's count is checked however
 * the kills fell.
 */
TEST_F_TIMEOUT(mm, callers_killed_during_a_worker_attach_leave_nothing_behind, 120)
{
	uint64_t seed = test_seed(), rng = seed;
	struct storm_progress *p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long base, by_worker, abandoned, orphaned, refs;
	volatile uint32_t *w = private_word();
	int64_t span_ns = 0, deadline;
	int round, midway = 0, holder;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(NULL, w);
	TH_LOG("seed %llu (UEVT_TEST_SEED replays it)", (unsigned long long)seed);
	/* What earlier tests queued to free is gone first. */
	base = module_refs_stable();
	ASSERT_LT(0, base);
	/*
	 * The event made once, held by a file of ours: the children's
	 * registrations find it, and their time goes to attaching.  Nothing
	 * of ours stays registered, or the children would join, attached
	 * before the storm.
	 */
	holder = uevt_dev_open();
	ASSERT_LE(0, holder);
	ASSERT_EQ(0, uevt_reg(holder, "t_mm_killed u32 a", (void *)w, 0, 4, 0, NULL));
	ASSERT_EQ(0, uevt_unreg(holder, (void *)w, 0));

	/* How long a first registration takes under the storm, not killed. */
	by_worker = status_counter("attaches", "by_worker");
	ASSERT_LE(0, by_worker);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, storm_round(p, -1));
		ASSERT_EQ(2, stage_of(p));
		if (p->ended_ns - p->began_ns > span_ns)
			span_ns = p->ended_ns - p->began_ns;
	}
	TH_LOG("a first registration under the storm took up to %lld us",
	       (long long)span_ns / 1000);
	/* The storm made workers attach: the path under test is taken. */
	ASSERT_LT(by_worker, status_counter("attaches", "by_worker"));

	abandoned = status_counter("attaches", "abandoned");
	orphaned = status_counter("attaches", "orphaned");
	ASSERT_LE(0, orphaned);
	deadline = mono_ns() + (int64_t)KILLED_SECONDS * 1000000000;
	for (round = 0; round < KILLED_ROUNDS_MAX && mono_ns() < deadline &&
	     status_counter("attaches", "orphaned") - orphaned < KILLED_ORPHANS; round++) {
		ASSERT_EQ(0, storm_round(p, (int64_t)(test_rand_next(&rng) % (uint64_t)span_ns)));
		ASSERT_NE(0, stage_of(p));
		EXPECT_NE(3, stage_of(p));
		midway += stage_of(p) == 1;
	}
	abandoned = status_counter("attaches", "abandoned") - abandoned;
	orphaned = status_counter("attaches", "orphaned") - orphaned;
	TH_LOG("%d rounds: %d killed while registering, %ld while waiting for a worker, %ld states left to their request",
	       round, midway, abandoned, orphaned);
	close(holder);
	refs = module_refs_settle(base, 10000);
	EXPECT_EQ(base, refs) {
		TH_LOG("the module holds %ld references %s than before", labs(refs - base),
		       refs > base ? "more" : "fewer (the count before was not settled)");
	}
}

TEST_HARNESS_MAIN
