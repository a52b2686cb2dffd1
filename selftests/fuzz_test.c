// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: hostile input to /dev/uevt from several threads and processes
 * at once, as root and as an unprivileged user: random ioctl numbers and
 * structure sizes, flags, bits, sizes and addresses (unmapped, read-only,
 * kernel, misaligned, straddling pages), descriptions (valid, broken,
 * unterminated at the end of a page), write indexes and payloads whose
 * dynamic fields point everywhere.  Every call must succeed or fail with
 * an errno documented for it; the kernel must not splat.  kmemleak and the
 * module's clean unload are checked by run-in-vm.sh after all tests.
 *
 * UEVT_FUZZ_SECONDS (default 20) bounds the run; the seed is printed and
 * UEVT_FUZZ_SEED replays each thread's sequence of calls.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define THREADS		3
#define PROCESSES	3	/* besides us; the odd ones run as nobody */

/* Errnos each call may return, as documented in uevt(7); 0 ends a list. */
static const int reg_errs[] = { EINVAL, E2BIG, EFAULT, EADDRINUSE, ENOSPC, EMFILE, EPERM,
				ENOMEM, EINTR, 0 };
static const int unreg_errs[] = { EINVAL, E2BIG, EFAULT, ENOENT, ENOMEM, EINTR, 0 };
static const int del_errs[] = { ENOENT, EBUSY, EPERM, EFAULT, EINVAL, 0 };
static const int write_errs[] = { EINVAL, EFAULT, ENOENT, E2BIG, EBADF, ENOMEM, 0 };
static const int ioctl_errs[] = { ENOTTY, 0 };

struct arena {
	char *rw;		/* 2 pages, read-write */
	char *ro;		/* 1 page, read-only */
	char *gone;		/* 1 page, unmapped */
	char *edge;		/* the last bytes before an unmapped page */
};

struct fuzzer {
	int fd;
	uint64_t rng;
	struct arena *a;
	volatile int *stop;
	long calls, bad;
	char last[200];		/* the first bad call */
};

static uint64_t rnd(struct fuzzer *f, uint64_t n)
{
	return test_rand_next(&f->rng) % n;
}

/* An address worth trying: good, misaligned, read-only, gone, kernel... */
static uint64_t pick_addr(struct fuzzer *f)
{
	switch (rnd(f, 9)) {
	case 0:
		return (uintptr_t)f->a->rw + rnd(f, 2 * 4096 / 8) * 8;
	case 1:
		return (uintptr_t)f->a->rw + rnd(f, 2 * 4096);
	case 2:
		return (uintptr_t)f->a->ro + rnd(f, 4096);
	case 3:
		return (uintptr_t)f->a->gone + rnd(f, 4096);
	case 4:
		return 0xffffffff81000000ULL + rnd(f, 1 << 20);
	case 5:
		return (uintptr_t)f->a->edge - 4 + rnd(f, 8);	/* straddles */
	case 6:
		return rnd(f, 4096);
	case 7:
		return ~0ULL - rnd(f, 64);
	default:
		return test_rand_next(&f->rng);
	}
}

static const char *const descs[] = {
	"t_fz_a u32 a", "t_fz_a u32 a; u64 b", "t_fz_b char[8] s", "t_fz_c __rel_loc char[] s",
	"t_fz_d __data_loc u8[] d; u32 n", "t_fz_e struct x y 16", "t_fz_f", "t_fz_g:flag u32 a",
	"t_fz_h u32", "t_fz_h float f", "9bad u32 a", "t_fz_i u32 a;;", "t_fz_j u8 a[9999]",
	"", " ", "t_fz_k unsigned long long x; signed char y; bool z",
};

/* A description: one of the above, random bytes, or cut at the page end. */
static uint64_t pick_desc(struct fuzzer *f)
{
	char *buf = f->a->rw + 4096;
	size_t i, n;

	switch (rnd(f, 6)) {
	case 0: case 1: case 2:
		return (uintptr_t)descs[rnd(f, sizeof(descs) / sizeof(descs[0]))];
	case 3:
		n = rnd(f, 200);
		for (i = 0; i < n; i++)
			buf[i] = (char)(' ' + rnd(f, 95));
		buf[n] = '\0';
		return (uintptr_t)buf;
	case 4:
		/* No NUL before the unmapped page. */
		memset(f->a->edge - 16, 'a', 16);
		return (uintptr_t)(f->a->edge - 16);
	default:
		return pick_addr(f);
	}
}

static void judge(struct fuzzer *f, long ret, int err, const int *allowed, const char *what)
{
	f->calls++;
	if (ret >= 0)
		return;
	for (; *allowed; allowed++)
		if (*allowed == err)
			return;
	if (!f->bad++)
		snprintf(f->last, sizeof(f->last), "%s: ret %ld errno %d", what, ret, err);
}

static void fuzz_reg(struct fuzzer *f)
{
	char *buf = f->a->rw;
	struct uevt_reg *reg = (struct uevt_reg *)(buf + rnd(f, 2) * 64);
	static const uint32_t sizes[] = { 0, 4, 27, 28, 32, 64, 4096, 4097, 1 << 20 };
	long ret;

	memset(reg, 0, 64);
	reg->size = rnd(f, 4) ? (uint32_t)sizeof(*reg) : sizes[rnd(f, 9)];
	reg->enable_bit = (uint8_t)(rnd(f, 3) ? rnd(f, 32) : rnd(f, 256));
	reg->enable_size = (uint8_t)(rnd(f, 3) ? 4ULL << rnd(f, 2) : rnd(f, 17));
	reg->flags = (uint16_t)(rnd(f, 4) ? 0 : rnd(f, 8));
	reg->enable_addr = pick_addr(f);
	reg->name_args = pick_desc(f);
	ret = ioctl(f->fd, UEVT_IOC_REG, rnd(f, 10) ? (void *)reg : (void *)(uintptr_t)pick_addr(f));
	judge(f, ret, errno, reg_errs, "register");
}

static void fuzz_unreg(struct fuzzer *f)
{
	struct uevt_unreg unreg = {
		.size = rnd(f, 4) ? (uint32_t)sizeof(unreg) : (uint32_t)rnd(f, 64),
		.disable_bit = (uint8_t)rnd(f, 70),
		.__reserved = (uint8_t)(rnd(f, 8) ? 0 : 1),
		.disable_addr = pick_addr(f),
	};
	long ret = ioctl(f->fd, UEVT_IOC_UNREG, &unreg);

	judge(f, ret, errno, unreg_errs, "unregister");
}

static void fuzz_del(struct fuzzer *f)
{
	static const char *const names[] = { "t_fz_a", "t_fz_b", "t_fz_c", "nosuch", "", "uevt" };
	long ret = ioctl(f->fd, UEVT_IOC_DEL,
			 rnd(f, 3) ? (void *)names[rnd(f, 6)] : (void *)(uintptr_t)pick_desc(f));

	judge(f, ret, errno, del_errs, "delete");
}

static void fuzz_other_ioctl(struct fuzzer *f)
{
	unsigned int cmd = (unsigned int)test_rand_next(&f->rng);
	long ret;

	/* Any number that is none of ours: ENOTTY, whatever the argument. */
	if (cmd == UEVT_IOC_REG || cmd == UEVT_IOC_UNREG || cmd == UEVT_IOC_DEL)
		return;
	ret = ioctl(f->fd, cmd, pick_addr(f));
	judge(f, ret, errno, ioctl_errs, "unknown ioctl");
}

static void fuzz_write(struct fuzzer *f)
{
	char *payload = f->a->rw + 2048;
	struct iovec iov[3];
	uint32_t index = (uint32_t)(rnd(f, 4) ? rnd(f, 8) : test_rand_next(&f->rng));
	size_t i, n = rnd(f, 5) ? rnd(f, 64) : rnd(f, 8192);
	long ret;

	for (i = 0; i < 64; i++)
		payload[i] = (char)test_rand_next(&f->rng);
	/* Dynamic locations: small numbers point inside, big ones anywhere. */
	((uint32_t *)payload)[0] = (uint32_t)(rnd(f, 64) << 16 | rnd(f, 64));
	iov[0] = (struct iovec){ &index, rnd(f, 8) ? 4 : rnd(f, 8) };
	iov[1] = (struct iovec){ rnd(f, 8) ? payload : (void *)(uintptr_t)pick_addr(f),
				 n > 2048 ? 2048 : n };
	iov[2] = (struct iovec){ rnd(f, 2) ? payload : f->a->edge - 8, rnd(f, 16) };
	ret = writev(f->fd, iov, 1 + (int)rnd(f, 3));
	judge(f, ret, errno, write_errs, "write");
}

static void fuzz_loop(struct fuzzer *f)
{
	static void (*const ops[])(struct fuzzer *) = {
		fuzz_reg, fuzz_reg, fuzz_reg, fuzz_unreg, fuzz_unreg, fuzz_del, fuzz_other_ioctl,
		fuzz_write, fuzz_write, fuzz_write,
	};

	while (!*f->stop)
		ops[rnd(f, sizeof(ops) / sizeof(ops[0]))](f);
}

static void *fuzz_thread(void *arg)
{
	fuzz_loop(arg);
	return NULL;
}

/* Pages: 0-1 read-write, 2 read-only, 3 read-write, 4 unmapped. */
static int setup_arena(struct arena *a)
{
	char *base = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return -1;
	a->rw = base;
	a->ro = base + 2 * 4096;
	a->gone = base + 4 * 4096;
	a->edge = a->gone;	/* the bytes before it are page 3's */
	if (mprotect(a->ro, 4096, PROT_READ) || munmap(a->gone, 4096))
		return -1;
	return 0;
}

/* One process: threads hammering one file, results to @out. */
static void fuzz_process(int fd, uint64_t seed, volatile int *stop, long *out)
{
	struct fuzzer f[THREADS];
	pthread_t t[THREADS];
	struct arena a;
	int i;

	if (setup_arena(&a))
		_exit(2);
	for (i = 0; i < THREADS; i++) {
		f[i] = (struct fuzzer){ .fd = fd, .rng = seed + (uint64_t)i * 7919, .a = &a, .stop = stop };
		if (i && pthread_create(&t[i], NULL, fuzz_thread, &f[i]))
			_exit(3);
	}
	fuzz_loop(&f[0]);
	for (i = 1; i < THREADS; i++)
		pthread_join(t[i], NULL);
	out[0] = out[1] = 0;
	for (i = 0; i < THREADS; i++) {
		out[0] += f[i].calls;
		out[1] += f[i].bad;
		if (f[i].bad && !out[2])
			memcpy(&out[2], f[i].last, sizeof(f[i].last));
	}
}

FIXTURE(fuzz) {};
FIXTURE_SETUP(fuzz) {}
FIXTURE_TEARDOWN(fuzz) {}

/*
 * Root's calls may have made persistent events (the flag is fuzzed too):
 * delete every one, so the module can be unloaded after the suite.  The
 * children's enable bits go with their mms, asynchronously after they
 * were reaped, so an event can stay busy (EBUSY) for a moment: try again
 * for up to 10 s.  Returns how many were deleted, or -1 when some remain.
 */
static int delete_persistent_events(void)
{
	int deleted = 0, tries;

	for (tries = 0; tries < 100; tries++) {
		struct uevt_status *all = status_snapshot();
		const struct uevt_status_line *line = NULL;
		int fd = uevt_dev_open(), left = 0;

		while (all && fd >= 0 &&
		       (line = uevt_status_next(all, line, "event", "persist", "1"))) {
			const char *name = strchr(uevt_status_get(line, "name") ?: "", ':');

			if (!name)
				continue;
			if (uevt_del(fd, name + 1))
				left++;
			else
				deleted++;
		}
		if (fd >= 0)
			close(fd);
		status_put(all);
		if (!left)
			return deleted;
		usleep(100000);
	}
	return -1;
}

TEST_F_TIMEOUT(fuzz, hostile_calls_get_documented_errors, 300)
{
	long seconds = getenv("UEVT_FUZZ_SECONDS") ? atol(getenv("UEVT_FUZZ_SECONDS")) : 20;
	uint64_t seed = getenv("UEVT_FUZZ_SEED") ? strtoull(getenv("UEVT_FUZZ_SEED"), NULL, 10) :
			(uint64_t)time(NULL) ^ (uint64_t)getpid() << 24;
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long (*results)[32] = mmap(NULL, sizeof(long[PROCESSES + 1][32]), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char mark[64], *splat;
	long calls = 0, bad = 0;
	pid_t pids[PROCESSES], root;
	int i, status, deleted;

	printf("# fuzz seed %llu: UEVT_FUZZ_SEED=%llu replays it; %ld s\n",
	       (unsigned long long)seed, (unsigned long long)seed, seconds);
	fflush(stdout);
	ASSERT_NE(MAP_FAILED, stop);
	ASSERT_NE(MAP_FAILED, results);
	kmsg_mark(mark, sizeof(mark));
	for (i = 0; i < PROCESSES; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fd = uevt_dev_open();

			/* Opened as root, then run as nobody: what a 0666 node allows. */
			if (fd < 0 || ((i & 1) && (setgid(65534) || setuid(65534))))
				_exit(4);
			fuzz_process(fd, seed + (uint64_t)(i + 1) * 104729, stop, results[i + 1]);
			_exit(0);
		}
	}
	if (fork() == 0) {
		usleep((useconds_t)seconds * 1000000);
		*stop = 1;
		_exit(0);
	}
	/*
	 * Root's share runs in a child too: the enable bits it registers go
	 * when it exits, so the persistent events can be deleted below.
	 */
	root = fork();
	ASSERT_LE(0, root);
	if (root == 0) {
		int fd = uevt_dev_open();

		if (fd < 0)
			_exit(4);
		fuzz_process(fd, seed, stop, results[0]);
		_exit(0);
	}
	ASSERT_EQ(root, waitpid(root, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < PROCESSES; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	while (wait(NULL) > 0)
		;
	for (i = 0; i <= PROCESSES; i++) {
		calls += results[i][0];
		bad += results[i][1];
		if (results[i][1])
			TH_LOG("process %d: %s", i, (char *)&results[i][2]);
	}
	deleted = delete_persistent_events();
	TH_LOG("%ld calls, %ld with an undocumented result; %d persistent events deleted", calls,
	       bad, deleted);
	EXPECT_LE(0, deleted);	/* -1: some are still busy, the module cannot unload */
	EXPECT_EQ(0, bad);
	EXPECT_LT(1000, calls);
	splat = kmsg_splat_since(mark);
	EXPECT_EQ(NULL, splat) {
		TH_LOG("kernel splat: %s", splat);
	}
	free(splat);
}

TEST_HARNESS_MAIN
