// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test: many processes doing random things to their enable words at
 * once, while another toggles the events through tracefs and perf.
 *
 * Each worker owns an arena of pages whose words are enable words (the
 * bits it registered belong to the kernel) and canaries (every other bit
 * of every word holds a pattern only the worker writes).  It registers and
 * unregisters, forks (the child carries on with a copy of the worker's
 * bookkeeping, which is exactly what it inherits), execs itself (and
 * starts afresh), exits, registers from threads, unmaps pages, maps new
 * ones at the same address, moves pages away with mremap, replaces them
 * with MAP_FIXED, zaps them with MADV_DONTNEED, makes them read-only for a
 * moment, deletes events, closes and reopens its file, writes records.
 * After every operation the canaries of the page it touched are checked.
 *
 * Then everybody stops, and: every live registration's bit shows its
 * event's final state, in every process; every canary is intact, those of
 * pages mapped where a retired word used to be and of pages moved away
 * included; the status file lists exactly the registrations the workers
 * hold, retired ones as retired.
 *
 * UEVT_STRESS_SECONDS (default 60) bounds the run.  The seed is printed;
 * UEVT_STRESS_SEED=N runs the same operation sequences again (the
 * interleaving of the processes is the scheduler's).
 */
#include <linux/perf_event.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS		UEVT_SYSTEM
#define EVENTS		6
#define PAGES		12	/* arena pages per worker */
#define WORDS		64	/* words per page in use; even ones may be enable words */
#define MAX_REGS	48	/* registrations per worker */
#define MAX_WORKERS	14
#define MIN_WORKERS	4
#define CANARY		0x5a5aa5a5U

enum { RUN, QUIESCE, DONE };

struct report {
	uint64_t addr;
	int bit;
	int retired;
};

struct worker_slot {
	volatile pid_t pid;
	volatile int reported;
	volatile int failed;
	int nregs;
	struct report regs[MAX_REGS];
	char why[240];
};

/* Shared by every process of the run (a memfd, so exec keeps it). */
struct shared {
	volatile int phase;
	volatile int toggler_done;
	volatile int state[EVENTS];
	volatile long ops, forks, execs, flips, unmaps, zaps;
	/* Flips the toggler began: more than flips while one is under way. */
	volatile long flips_begun;
	struct worker_slot slots[MAX_WORKERS];
};

struct page {
	int mapped;
	int gen;	/* bumped each time a new page is mapped here */
	int frozen;	/* moved here by mremap: must never change again */
	uint32_t copy[WORDS];
};

struct reg {
	int used;
	int page, word, bit, ev, gen;	/* retired once gen != the page's */
	int index;			/* write index on the current fd, or -1 */
};

/* A worker's bookkeeping: private memory, so fork() copies it exactly. */
struct worker {
	struct shared *sh;
	int memfd, slot, fd;
	uint64_t rng;
	char *arena;
	struct page pages[PAGES];
	struct reg regs[MAX_REGS];
};

static int rnd(struct worker *w, int n)
{
	return (int)(test_rand_next(&w->rng) % (uint64_t)n);
}

static volatile uint32_t *word_at(struct worker *w, int page, int word)
{
	return (volatile uint32_t *)(w->arena + (size_t)page * 4096) + word;
}

static void fail(struct worker *w, const char *fmt, ...)
{
	struct worker_slot *s = &w->sh->slots[w->slot];
	va_list ap;

	if (s->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->failed = 1;
}

static int live(struct worker *w, struct reg *r)
{
	return r->used && r->gen == w->pages[r->page].gen && w->pages[r->page].mapped;
}

/* Bits of word (@page, @word) that live registrations own. */
static uint32_t owned_bits(struct worker *w, int page, int word)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < MAX_REGS; i++) {
		struct reg *r = &w->regs[i];

		if (live(w, r) && r->page == page && r->word == word)
			mask |= 1U << r->bit;
	}
	return mask;
}

/* Every bit no live registration owns holds the canary. */
static void check_page(struct worker *w, int p, const char *after)
{
	struct page *pg = &w->pages[p];
	int i;

	if (!pg->mapped)
		return;
	for (i = 0; i < WORDS; i++) {
		uint32_t v = *word_at(w, p, i), mask = ~owned_bits(w, p, i);

		if (pg->frozen && v != pg->copy[i]) {
			fail(w, "page %d word %d, moved away, changed to %#x from %#x (after %s)", p,
			     i, v, pg->copy[i], after);
			return;
		}
		if (!pg->frozen && (v & mask) != (CANARY & mask)) {
			fail(w, "page %d word %d reads %#x: canary %#x broken under mask %#x (after %s)",
			     p, i, v, CANARY, mask, after);
			return;
		}
	}
}

/* Put the canary back into the bits nobody owns (after a zap). */
static void restore_canary(struct worker *w, int p)
{
	int i;

	for (i = 0; i < WORDS; i++) {
		volatile uint32_t *v = word_at(w, p, i);
		uint32_t mask = ~owned_bits(w, p, i);

		__atomic_fetch_or(v, CANARY & mask, __ATOMIC_SEQ_CST);
		__atomic_fetch_and(v, ~(~CANARY & mask), __ATOMIC_SEQ_CST);
	}
}

static int map_page(struct worker *w, int p, int flags)
{
	void *want = w->arena + (size_t)p * 4096;
	int i;

	if (mmap(want, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0) !=
	    want)
		return -1;
	w->pages[p].mapped = 1;
	w->pages[p].frozen = 0;
	w->pages[p].gen++;
	for (i = 0; i < WORDS; i++)
		*word_at(w, p, i) = CANARY;
	return 0;
}

static void desc_of(int ev, char *buf, size_t len)
{
	snprintf(buf, len, "t_stress_%d u32 a", ev);
}

static struct reg *free_reg(struct worker *w)
{
	int i;

	for (i = 0; i < MAX_REGS; i++)
		if (!w->regs[i].used)
			return &w->regs[i];
	return NULL;
}

static void op_register(struct worker *w)
{
	int p = rnd(w, PAGES), word = rnd(w, WORDS / 2) * 2, bit = rnd(w, 32), ev = rnd(w, EVENTS);
	struct reg *r = free_reg(w);
	uint32_t index = 0;
	char desc[64];
	int ret, i;

	if (!r || !w->pages[p].mapped || w->pages[p].frozen)
		return;
	/* A retired registration at the same word and bit is replaced. */
	for (i = 0; i < MAX_REGS; i++) {
		struct reg *o = &w->regs[i];

		if (o->used && o->page == p && o->word == word && o->bit == bit) {
			if (live(w, o))
				return;
			o->used = 0;
		}
	}
	desc_of(ev, desc, sizeof(desc));
	ret = uevt_reg(w->fd, desc, (void *)word_at(w, p, word), bit, 4, 0, &index);
	if (ret) {
		fail(w, "register page %d word %d bit %d: %d", p, word, bit, ret);
		return;
	}
	*r = (struct reg){ 1, p, word, bit, ev, w->pages[p].gen, (int)index };
	check_page(w, p, "register");
}

static void unregister_reg(struct worker *w, struct reg *r, const char *why)
{
	int was_live = live(w, r), ret;

	ret = uevt_unreg(w->fd, (void *)word_at(w, r->page, r->word), r->bit);
	if (ret) {
		fail(w, "unregister (%s) page %d word %d bit %d (%s): %d", why, r->page, r->word,
		     r->bit, was_live ? "live" : "retired", ret);
		return;
	}
	r->used = 0;
	if (was_live) {
		/* The kernel cleared it; it is the canary's again. */
		if (*word_at(w, r->page, r->word) & (1U << r->bit))
			fail(w, "unregistered bit %d of page %d word %d still set", r->bit, r->page,
			     r->word);
		restore_canary(w, r->page);
		check_page(w, r->page, why);
	}
}

static void op_unregister(struct worker *w)
{
	struct reg *r = &w->regs[rnd(w, MAX_REGS)];

	if (r->used)
		unregister_reg(w, r, "unregister");
}

static void *thread_op(void *arg)
{
	struct worker *w = arg;

	if (rnd(w, 2))
		op_register(w);
	else
		op_unregister(w);
	return NULL;
}

/* A registration or unregistration made by a thread that exits at once. */
static void op_thread(struct worker *w)
{
	pthread_t t;

	if (!pthread_create(&t, NULL, thread_op, w))
		pthread_join(t, NULL);
}

static void op_munmap(struct worker *w)
{
	int p = rnd(w, PAGES);

	if (!w->pages[p].mapped)
		return;
	munmap(w->arena + (size_t)p * 4096, 4096);
	w->pages[p].mapped = 0;
	w->pages[p].gen++;	/* its registrations are retired now */
	__atomic_fetch_add(&w->sh->unmaps, 1, __ATOMIC_RELAXED);
}

/* A new page where one was unmapped: retired words there stay canary. */
static void op_map(struct worker *w)
{
	int p = rnd(w, PAGES);

	/* EEXIST: the C library took the hole; leave it be. */
	if (!w->pages[p].mapped && map_page(w, p, MAP_FIXED_NOREPLACE) && errno != EEXIST)
		fail(w, "mmap page %d: %d", p, errno);
}

/* Is the page-sized hole at @p still unmapped (nobody else took it)? */
static int hole(struct worker *w, int p)
{
	return msync(w->arena + (size_t)p * 4096, 4096, MS_ASYNC) && errno == ENOMEM;
}

/* MAP_FIXED over a mapped page: an unmap and a map at once. */
static void op_fixed(struct worker *w)
{
	int p = rnd(w, PAGES);

	if (w->pages[p].mapped && map_page(w, p, MAP_FIXED))
		fail(w, "MAP_FIXED page %d: %d", p, errno);
}

/* Move a page onto an unmapped one: it must never be written again. */
static void op_mremap(struct worker *w)
{
	int from = rnd(w, PAGES), to = rnd(w, PAGES), i;
	void *src = w->arena + (size_t)from * 4096, *dst = w->arena + (size_t)to * 4096;

	if (from == to || !w->pages[from].mapped || w->pages[to].mapped || !hole(w, to))
		return;
	if (mremap(src, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, dst) != dst) {
		fail(w, "mremap %d -> %d: %d", from, to, errno);
		return;
	}
	w->pages[from].mapped = 0;
	w->pages[from].gen++;
	w->pages[to].mapped = 1;
	w->pages[to].gen++;
	w->pages[to].frozen = 1;
	for (i = 0; i < WORDS; i++)
		w->pages[to].copy[i] = *word_at(w, to, i);
}

static void op_dontneed(struct worker *w)
{
	int p = rnd(w, PAGES);

	if (!w->pages[p].mapped || w->pages[p].frozen)
		return;
	madvise(w->arena + (size_t)p * 4096, 4096, MADV_DONTNEED);
	restore_canary(w, p);
	check_page(w, p, "MADV_DONTNEED");
	__atomic_fetch_add(&w->sh->zaps, 1, __ATOMIC_RELAXED);
}

/* Read-only for a moment: writes fail meanwhile and are retried after. */
static void op_mprotect(struct worker *w)
{
	int p = rnd(w, PAGES);
	void *a = w->arena + (size_t)p * 4096;

	if (!w->pages[p].mapped || w->pages[p].frozen)
		return;
	mprotect(a, 4096, PROT_READ);
	usleep(1000 + rnd(w, 5000));
	mprotect(a, 4096, PROT_READ | PROT_WRITE);
	check_page(w, p, "mprotect");
}

static void op_delete(struct worker *w)
{
	char name[32];
	int ret;

	snprintf(name, sizeof(name), "t_stress_%d", rnd(w, EVENTS));
	ret = uevt_del(w->fd, name);
	if (ret && ret != -EBUSY && ret != -ENOENT)
		fail(w, "delete %s: %d", name, ret);
}

/* Registrations outlive the file; write indexes do not. */
static void op_reopen(struct worker *w)
{
	int fd = uevt_dev_open(), i;

	if (fd < 0) {
		fail(w, "reopen: %d", errno);
		return;
	}
	close(w->fd);
	w->fd = fd;
	for (i = 0; i < MAX_REGS; i++)
		w->regs[i].index = -1;
}

/*
 * A set bit nobody listens to, with no flip under way: its clearing write
 * may still be owed (a copy-on-write page after a fork, a page not
 * present), which the process's fault work completes.  True once the bit
 * clears, or a flip begins, within 5 s: the bit healed.
 */
static int bit_heals(struct worker *w, struct reg *r, long flips)
{
	int ms;

	for (ms = 0; ms < 5000; ms++) {
		if (!(*word_at(w, r->page, r->word) & (1U << r->bit)) ||
		    __atomic_load_n(&w->sh->flips_begun, __ATOMIC_SEQ_CST) != flips)
			return 1;
		usleep(1000);
	}
	return 0;
}

static void op_emit(struct worker *w)
{
	struct reg *r = &w->regs[rnd(w, MAX_REGS)];
	long flips = __atomic_load_n(&w->sh->flips, __ATOMIC_SEQ_CST);
	uint32_t a = 42;
	ssize_t ret;

	if (!live(w, r) || r->index < 0 || !(*word_at(w, r->page, r->word) & (1U << r->bit)))
		return;
	ret = uevt_write(w->fd, (uint32_t)r->index, &a, sizeof(a));
	/*
	 * A disable removes the probes, then clears the bits: a write between
	 * is EBADF with the bit still set.  Only while a flip was under way
	 * (begun before it ended, or since): with the state steady all along,
	 * a set bit means somebody listens, or that its clearing write is
	 * still owed, and then the bit must heal.
	 */
	if (ret == -EBADF && __atomic_load_n(&w->sh->flips_begun, __ATOMIC_SEQ_CST) != flips)
		return;
	if (ret == -EBADF && bit_heals(w, r, flips))
		return;
	/* The event may have been deleted and made again: a new index then. */
	if (ret != 8 && ret != -ENOENT)
		fail(w, "write to event %d: %zd", r->ev, ret);
}

static int claim_slot(struct shared *sh)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++) {
		pid_t zero = 0;

		if (__atomic_compare_exchange_n(&sh->slots[i].pid, &zero, getpid(), false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			sh->slots[i].reported = 0;
			sh->slots[i].failed = 0;
			return i;
		}
	}
	return -1;
}

static int workers_alive(struct shared *sh)
{
	int i, n = 0;

	for (i = 0; i < MAX_WORKERS; i++)
		n += sh->slots[i].pid != 0;
	return n;
}

static void worker_run(struct worker *w);

static void op_fork(struct worker *w)
{
	uint64_t child_seed = test_rand_next(&w->rng);
	pid_t pid;

	if (workers_alive(w->sh) >= MAX_WORKERS - 1)
		return;
	pid = fork();
	if (pid == 0) {
		w->slot = claim_slot(w->sh);
		if (w->slot < 0)
			_exit(0);
		w->rng = child_seed;
		/* Everything inherited: the same pages and registrations. */
		worker_run(w);
	}
	if (pid > 0)
		__atomic_fetch_add(&w->sh->forks, 1, __ATOMIC_RELAXED);
}

static void op_exec(struct worker *w)
{
	char memfd[16], slot[16], seed[32];

	snprintf(memfd, sizeof(memfd), "%d", w->memfd);
	snprintf(slot, sizeof(slot), "%d", w->slot);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)test_rand_next(&w->rng));
	__atomic_fetch_add(&w->sh->execs, 1, __ATOMIC_RELAXED);
	execl("/proc/self/exe", "stress_test", "--stress-worker", memfd, slot, seed, (char *)NULL);
	fail(w, "exec: %d", errno);
}

/* Wait until every live registration's bit shows its event's state. */
static void worker_settle(struct worker *w)
{
	int i, tries;

	for (tries = 0; tries < 2000; tries++) {
		int wrong = -1;

		for (i = 0; i < MAX_REGS && wrong < 0; i++) {
			struct reg *r = &w->regs[i];
			uint32_t v;

			if (!live(w, r))
				continue;
			v = *word_at(w, r->page, r->word);
			if (!!(v & (1U << r->bit)) != !!w->sh->state[r->ev])
				wrong = i;
		}
		if (wrong < 0)
			return;
		if (tries == 1999) {
			struct reg *r = &w->regs[wrong];

			fail(w, "bit %d of page %d word %d (event %d) shows %d, event is %d", r->bit,
			     r->page, r->word, r->ev, !w->sh->state[r->ev], w->sh->state[r->ev]);
		}
		usleep(10000);
	}
}

static void worker_finish(struct worker *w)
{
	struct worker_slot *s = &w->sh->slots[w->slot];
	int i, n = 0;

	while (!w->sh->toggler_done)
		usleep(10000);
	worker_settle(w);
	for (i = 0; i < PAGES; i++)
		check_page(w, i, "the run");
	for (i = 0; i < MAX_REGS; i++) {
		struct reg *r = &w->regs[i];

		if (!r->used)
			continue;
		s->regs[n].addr = (uintptr_t)word_at(w, r->page, r->word);
		s->regs[n].bit = r->bit;
		s->regs[n].retired = !live(w, r);
		n++;
	}
	s->nregs = n;
	__atomic_store_n(&s->reported, 1, __ATOMIC_SEQ_CST);
	while (w->sh->phase != DONE)
		usleep(10000);
	_exit(0);
}

static void worker_run(struct worker *w)
{
	static void (*const ops[])(struct worker *) = {
		op_register, op_register, op_register, op_register, op_register, op_register,
		op_unregister, op_unregister, op_unregister, op_unregister,
		op_thread, op_thread, op_munmap, op_map, op_map, op_fixed, op_mremap,
		op_dontneed, op_dontneed, op_mprotect, op_delete, op_reopen,
		op_emit, op_emit, op_emit, op_fork, op_exec,
	};
	int i;

	while (w->sh->phase == RUN) {
		int n = rnd(w, (int)(sizeof(ops) / sizeof(ops[0])));

		/* Exits keep the population moving; never below the minimum. */
		if (rnd(w, 200) == 0 && workers_alive(w->sh) > MIN_WORKERS) {
			w->sh->slots[w->slot].pid = 0;
			_exit(0);
		}
		ops[n](w);
		__atomic_fetch_add(&w->sh->ops, 1, __ATOMIC_RELAXED);
		if (w->sh->slots[w->slot].failed)
			break;
	}
	for (i = 0; i < PAGES; i++)
		check_page(w, i, "stopping");
	worker_finish(w);
}

/* A fresh worker: its own arena, no registrations. */
static void worker_start(struct shared *sh, int memfd, int slot, uint64_t seed)
{
	struct worker *w = calloc(1, sizeof(*w));
	int i;

	if (!w)
		_exit(2);
	w->sh = sh;
	w->memfd = memfd;
	w->slot = slot;
	w->rng = seed;
	w->fd = uevt_dev_open();
	w->arena = mmap(NULL, (size_t)PAGES * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->fd < 0 || w->arena == MAP_FAILED) {
		fail(w, "worker setup: %d", errno);
		worker_finish(w);
	}
	for (i = 0; i < PAGES; i++)
		if (map_page(w, i, MAP_FIXED))
			fail(w, "arena: %d", errno);
	worker_run(w);
}

static struct shared *map_shared(int memfd)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);

	return sh == MAP_FAILED ? NULL : sh;
}

/* An exec'd worker starts here, before the harness sees its arguments. */
__attribute__((constructor)) static void exec_worker(int argc, char **argv)
{
	struct shared *sh;

	if (argc != 5 || strcmp(argv[1], "--stress-worker"))
		return;
	sh = map_shared(atoi(argv[2]));
	if (!sh)
		_exit(3);
	worker_start(sh, atoi(argv[2]), atoi(argv[3]), strtoull(argv[4], NULL, 10));
}

/* ---- the toggler: tracefs in its own instance, and perf ---- */

static int perf_open_event(int ev)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr), .sample_period = 1,
	};
	char path[128], *text;
	long id;

	snprintf(path, sizeof(path), "events/" SYS "/t_stress_%d/id", ev);
	text = tfs_read(NULL, path);
	if (!text)
		return -1;
	id = strtol(text, NULL, 10);
	free(text);
	attr.config = (uint64_t)id;
	return (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, 0);
}

static void toggler(struct shared *sh, uint64_t seed)
{
	struct worker w = { .sh = sh, .rng = seed, .slot = MAX_WORKERS - 1 };
	struct tracefs_instance *inst = test_instance("stress");
	int traced[EVENTS] = { 0 }, perf[EVENTS], ev, fd = uevt_dev_open();
	static uint32_t keep[EVENTS];
	char name[32], desc[64];

	for (ev = 0; ev < EVENTS; ev++) {
		perf[ev] = -1;
		/* Our own registrations keep every event alive all along. */
		desc_of(ev, desc, sizeof(desc));
		if (fd < 0 || uevt_reg(fd, desc, &keep[ev], 0, 4, 0, NULL))
			_exit(4);
	}
	while (inst && sh->phase == RUN) {
		ev = rnd(&w, EVENTS);
		snprintf(name, sizeof(name), "t_stress_%d", ev);
		__atomic_fetch_add(&sh->flips_begun, 1, __ATOMIC_SEQ_CST);
		if (rnd(&w, 3)) {
			if (traced[ev])
				tracefs_event_disable(inst, SYS, name);
			else
				tracefs_event_enable(inst, SYS, name);
			traced[ev] = !traced[ev];
		} else if (perf[ev] >= 0) {
			close(perf[ev]);
			perf[ev] = -1;
		} else {
			perf[ev] = perf_open_event(ev);
		}
		sh->state[ev] = traced[ev] || perf[ev] >= 0;
		__atomic_fetch_add(&sh->flips, 1, __ATOMIC_SEQ_CST);
		usleep(rnd(&w, 4000));
	}
	__atomic_store_n(&sh->toggler_done, 1, __ATOMIC_SEQ_CST);
	while (sh->phase != DONE)
		usleep(10000);
	for (ev = 0; ev < EVENTS; ev++)
		if (perf[ev] >= 0)
			close(perf[ev]);
	test_instance_destroy(inst);
	_exit(inst ? 0 : 5);
}

/* ---- the check against the status file ---- */

static int reported(struct shared *sh, pid_t pid, uint64_t addr, int bit, int *retired)
{
	int i, j;

	for (i = 0; i < MAX_WORKERS; i++) {
		struct worker_slot *s = &sh->slots[i];

		if (s->pid != pid)
			continue;
		for (j = 0; j < s->nregs; j++) {
			if (s->regs[j].addr == addr && s->regs[j].bit == bit) {
				*retired = s->regs[j].retired;
				return 1;
			}
		}
	}
	return 0;
}

static int is_worker(struct shared *sh, pid_t pid)
{
	int i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (sh->slots[i].pid == pid)
			return 1;
	return 0;
}

/* Lines of workers not reported, and reported registrations not listed. */
static int status_mismatches(struct __test_metadata *_metadata, struct shared *sh)
{
	struct uevt_status *all = status_snapshot();
	const struct uevt_status_line *line = NULL;
	int i, j, listed = 0, expected = 0, bad = 0;

	if (!all)
		return -1;
	while ((line = uevt_status_next(all, line, "enabler", NULL, NULL))) {
		unsigned long long addr = (unsigned long long)uevt_status_num(line, "addr", 0);
		int pid = (int)uevt_status_num(line, "tgid", 0);
		int bit = (int)uevt_status_num(line, "bit", -1);
		int err = (int)uevt_status_num(line, "last_err", 0), retired;

		if (!is_worker(sh, pid))
			continue;
		listed++;
		if (!reported(sh, pid, addr, bit, &retired)) {
			TH_LOG("status lists what nobody holds: pid %d addr %#llx bit %d",
			       pid, addr, bit);
			bad++;
		} else if (retired != (err == -ENXIO)) {
			TH_LOG("pid %d addr %#llx bit %d last_err %d: the worker says %s",
			       pid, addr, bit, err, retired ? "retired" : "live");
			bad++;
		}
	}
	for (i = 0; i < MAX_WORKERS; i++)
		if (sh->slots[i].pid)
			for (j = 0; j < sh->slots[i].nregs; j++)
				expected++;
	if (listed != expected) {
		TH_LOG("status lists %d registrations of workers, they hold %d", listed, expected);
		bad++;
	}
	status_put(all);
	return bad;
}

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

/* The harness's limit: the run's own length plus the time to settle. */
TEST_F_TIMEOUT(stress, random_operations_from_many_processes, 1200)
{
	long seconds = getenv("UEVT_STRESS_SECONDS") ? atol(getenv("UEVT_STRESS_SECONDS")) : 60;
	uint64_t seed = getenv("UEVT_STRESS_SEED") ? strtoull(getenv("UEVT_STRESS_SEED"), NULL, 10) :
			(uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	int memfd = memfd_create("uevt_stress", 0), i, waited, failed = 0;
	struct shared *sh;
	char mark[64], *splat;
	pid_t pid;

	printf("# stress seed %llu: UEVT_STRESS_SEED=%llu replays it; %ld s\n",
	       (unsigned long long)seed, (unsigned long long)seed, seconds);
	fflush(stdout);
	kmsg_mark(mark, sizeof(mark));
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, sizeof(*sh)));
	sh = map_shared(memfd);
	ASSERT_NE(NULL, sh);
	/* Forked and orphaned workers come back to us. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		toggler(sh, seed ^ 0x746f67676c65ULL);
	for (i = 0; i < MIN_WORKERS; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int slot = claim_slot(sh);

			if (slot < 0)
				_exit(6);
			worker_start(sh, memfd, slot, seed + (uint64_t)i * 0x1000193);
		}
	}
	for (i = 0; i < seconds * 10; i++) {
		usleep(100000);
		waitpid(-1, NULL, WNOHANG);
	}
	sh->phase = QUIESCE;
	for (waited = 0; waited < 1200; waited++) {
		int pending = 0;

		for (i = 0; i < MAX_WORKERS; i++)
			pending += sh->slots[i].pid && !sh->slots[i].reported;
		if (!pending && sh->toggler_done)
			break;
		usleep(100000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	EXPECT_GT(1200, waited) {
		TH_LOG("workers did not settle in 120 s");
	}
	for (i = 0; i < MAX_WORKERS; i++) {
		if (sh->slots[i].pid && sh->slots[i].failed) {
			TH_LOG("worker %d: %s", sh->slots[i].pid, sh->slots[i].why);
			failed++;
		}
	}
	EXPECT_EQ(0, failed);
	EXPECT_EQ(0, status_mismatches(_metadata, sh));
	TH_LOG("%ld operations, %ld forks, %ld execs, %ld unmaps, %ld zaps, %ld flips",
	       sh->ops, sh->forks, sh->execs, sh->unmaps, sh->zaps, sh->flips);
	sh->phase = DONE;
	for (waited = 0; waited < 300; waited++) {
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		usleep(100000);
	}
	splat = kmsg_splat_since(mark);
	EXPECT_EQ(NULL, splat) {
		TH_LOG("kernel splat during the run: %s", splat);
	}
	free(splat);
}

TEST_HARNESS_MAIN
