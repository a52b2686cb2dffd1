// SPDX-License-Identifier: GPL-2.0
/*
 * Writing enable words: the one write primitive, the per-word records of
 * what an address space is owed, the state-change fan-out, the fault work
 * that never waits, and the task work that faults in the process's own
 * context.  The design is described in uevt_core.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "uevt_compat.h"
#include "uevt_core.h"

/* Retries of one owed write, 10 ms doubling to about 2.5 s in all. */
#define UEVT_FAULT_RETRIES	8
#define UEVT_FAULT_DELAY_MS	10

/*
 * Pin the page holding @uaddr for writing, as @mode allows.  NOWAIT
 * completes only faults that need no I/O and call into no file system: a
 * file page that is not present, or a page of a shared file mapping (its
 * write fault runs ->page_mkwrite, which may wait for anything), is left
 * to the process (-EWOULDBLOCK); anything that would wait (swap-in in
 * flight, a userfaultfd range) fails and is retried.  Under mmap_lock.
 */
static int uevt_pin_word(struct mm_struct *mm, unsigned long uaddr, enum uevt_write_mode mode,
			 struct page **page)
{
	struct vm_area_struct *vma;
	struct page *probe;
	int ret;

	mmap_assert_locked(mm);
	if (mode == UEVT_WRITE_FAULT)
		return uevt_pin_user_page(mm, uaddr, FOLL_WRITE, page);
	vma = vma_lookup(mm, uaddr);
	if (!vma)
		return -EFAULT;
	/* Some kernels (6.1) fault hugetlb pages in even with FOLL_NOFAULT. */
	if (UEVT_HAS_HUGETLB_FAULTS_ANYWAY && is_vm_hugetlb_page(vma))
		return -EWOULDBLOCK;
	ret = uevt_pin_user_page(mm, uaddr, FOLL_WRITE | FOLL_NOFAULT, page);
	if (ret == 1 || mode == UEVT_WRITE_NOFAULT)
		return ret;
	if (vma->vm_file) {
		if (vma->vm_flags & VM_SHARED)
			return -EWOULDBLOCK;
		/* Present: copy-on-write from the page cache, no I/O. */
		if (uevt_get_user_page(mm, uaddr, FOLL_NOFAULT, &probe) != 1)
			return -EWOULDBLOCK;
		put_page(probe);
	}
	return uevt_pin_user_page(mm, uaddr, FOLL_WRITE | FOLL_NOWAIT, page);
}

/* ---- the translation cache (the design is in uevt_core.h) ---- */

/*
 * How enable-bit writes found their page: through the cache (hit) or by
 * translating the address again (miss: a write that gives up before it
 * translates, on a retired word or a contended mmap_lock, is neither),
 * and how often a translated page was remembered (fill).  Per CPU, as
 * writes run from many contexts at once; only /proc/uevt adds them up.
 */
enum uevt_cache_stat {
	UEVT_CACHE_HIT,
	UEVT_CACHE_MISS,
	UEVT_CACHE_FILL,
	UEVT_CACHE_STATS
};

static DEFINE_PER_CPU(unsigned long [UEVT_CACHE_STATS], uevt_cache_stats);

/* The entry of @umm's cache for the page at @addr, or NULL; under cache_lock. */
static struct uevt_page_cache *uevt_cache_find(struct uevt_mm *umm, unsigned long addr)
{
	unsigned int i;

	lockdep_assert_held(&umm->cache_lock);
	for (i = 0; i < UEVT_MM_CACHE; i++)
		if (umm->cache[i].page && umm->cache[i].addr == addr)
			return &umm->cache[i];
	return NULL;
}

/*
 * Set or clear @bit of the long at @uaddr through the page cached for it:
 * false when none is (or @key is retired), and the caller translates.
 * Holding cache_lock keeps any invalidation of the page from starting, so
 * it is still mapped at @uaddr, in @umm's mm, for as long as we write.
 */
static bool uevt_cache_write(struct uevt_mm *umm, unsigned long uaddr, unsigned int bit, bool set,
			     unsigned long key)
{
	struct uevt_page_cache *c;
	void *kaddr;

	raw_spin_lock(&umm->cache_lock);
	c = umm->cache_off ? NULL : uevt_cache_find(umm, uaddr & PAGE_MASK);
	/* Retired words are written no more, whatever their page. */
	if (c && !uevt_mm_retired(umm, key)) {
		kaddr = kmap_local_page(c->page);
		if (set)
			set_bit(bit, kaddr + offset_in_page(uaddr));
		else
			clear_bit(bit, kaddr + offset_in_page(uaddr));
		kunmap_local(kaddr);
		/* Swap-backed: no lock needed, none taken. */
		folio_mark_dirty(page_folio(c->page));
	} else {
		c = NULL;
	}
	raw_spin_unlock(&umm->cache_lock);
	return c;
}

/* Where the cache stands before a translation, for uevt_cache_fill(). */
static unsigned long uevt_cache_begin(struct uevt_mm *umm)
{
	unsigned long seq;

	raw_spin_lock(&umm->cache_lock);
	seq = umm->cache_seq;
	raw_spin_unlock(&umm->cache_lock);
	return seq;
}

/*
 * Remember @page, pinned and mapped writable at @uaddr when the cache
 * stood at @seq: only if no invalidation started or ended since, which
 * could have changed the mapping after we looked.
 */
static void uevt_cache_fill(struct uevt_mm *umm, unsigned long uaddr, struct page *page,
			    unsigned long seq)
{
	struct folio *folio = page_folio(page);
	struct uevt_page_cache *c;

	/* File pages need the folio lock to be marked dirty: not cached. */
	if (!folio_test_swapbacked(folio) || folio_test_hugetlb(folio))
		return;
	raw_spin_lock(&umm->cache_lock);
	if (!umm->cache_off && !umm->cache_inval && umm->cache_seq == seq) {
		c = uevt_cache_find(umm, uaddr & PAGE_MASK);
		if (!c) {
			c = &umm->cache[umm->cache_next];
			umm->cache_next = (umm->cache_next + 1) % UEVT_MM_CACHE;
		}
		c->addr = uaddr & PAGE_MASK;
		c->page = page;
		this_cpu_inc(uevt_cache_stats[UEVT_CACHE_FILL]);
	}
	raw_spin_unlock(&umm->cache_lock);
}

/**
 * uevt_cache_show() - the "cache" line of /proc/uevt
 * @m: the seq_file.
 *
 * Enable-bit writes that went through a cached page (hits) or translated
 * their address again (misses), and pages remembered after a translation
 * (fills).  A write retried later (its page not present, mmap_lock
 * contended) counts once per translation it makes.
 *
 * Context: process context.
 */
void uevt_cache_show(struct seq_file *m)
{
	unsigned long sum[UEVT_CACHE_STATS] = { 0 };
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i < UEVT_CACHE_STATS; i++)
			/* Racy by design: the other CPUs go on counting. */
			sum[i] += data_race(per_cpu(uevt_cache_stats[i], cpu));
	seq_printf(m, "cache hits %lu misses %lu fills %lu\n", sum[UEVT_CACHE_HIT],
		   sum[UEVT_CACHE_MISS], sum[UEVT_CACHE_FILL]);
}

/**
 * uevt_cache_invalidate_start() - forget the cached pages of a range
 * @umm: the address space.
 * @start: the range's first address.
 * @end: one past its last.
 *
 * Called by the invalidate_range_start notifier, before the page tables
 * of the range change; uevt_cache_invalidate_end() follows.
 *
 * Context: any, sleeping or not: takes only a raw spinlock.
 */
void uevt_cache_invalidate_start(struct uevt_mm *umm, unsigned long start, unsigned long end)
{
	unsigned int i;

	raw_spin_lock(&umm->cache_lock);
	umm->cache_seq++;
	umm->cache_inval++;
	for (i = 0; i < UEVT_MM_CACHE; i++)
		if (umm->cache[i].addr < end && umm->cache[i].addr + PAGE_SIZE > start)
			umm->cache[i].page = NULL;
	raw_spin_unlock(&umm->cache_lock);
}

/**
 * uevt_cache_invalidate_end() - an invalidation is over
 * @umm: the address space.
 *
 * Context: any, sleeping or not: takes only a raw spinlock.
 */
void uevt_cache_invalidate_end(struct uevt_mm *umm)
{
	raw_spin_lock(&umm->cache_lock);
	umm->cache_seq++;
	if (!WARN_ON_ONCE(!umm->cache_inval))
		umm->cache_inval--;
	raw_spin_unlock(&umm->cache_lock);
}

/**
 * uevt_cache_off() - stop caching: invalidations stop reaching us
 * @umm: the address space, dead or being detached from its notifier.
 *
 * Context: any.
 */
void uevt_cache_off(struct uevt_mm *umm)
{
	unsigned int i;

	raw_spin_lock(&umm->cache_lock);
	umm->cache_off = true;
	for (i = 0; i < UEVT_MM_CACHE; i++)
		umm->cache[i].page = NULL;
	raw_spin_unlock(&umm->cache_lock);
}

/* ---- translating ---- */

/*
 * Set or clear @bit of the long at @uaddr in the pinned @page, mark it
 * dirty and let go of it.  Marking a file folio dirty needs its lock, which
 * its owner may hold across I/O: only the process's own context (FAULT)
 * waits for it; NOFAULT and NOWAIT try it, and leave the word owed when
 * somebody else holds it.  The lock is taken before the write, so a
 * writeback that cleans the folio meanwhile cannot lose the bit.
 */
static int uevt_page_write_bit(struct uevt_mm *umm, struct page *page, unsigned long uaddr,
			       unsigned int bit, bool set, enum uevt_write_mode mode,
			       unsigned long seq)
{
	struct folio *folio = page_folio(page);
	bool trylock = mode != UEVT_WRITE_FAULT;
	void *kaddr;

	if (trylock && !folio_trylock(folio)) {
		unpin_user_page(page);
		return -EAGAIN;
	}
	kaddr = kmap_local_page(page);
	if (set)
		set_bit(bit, kaddr + offset_in_page(uaddr));
	else
		clear_bit(bit, kaddr + offset_in_page(uaddr));
	kunmap_local(kaddr);
	/* Still pinned and mapped: the next write may go straight here. */
	uevt_cache_fill(umm, uaddr, page, seq);
	if (trylock) {
		folio_mark_dirty(folio);
		folio_unlock(folio);
		unpin_user_page(page);
	} else {
		unpin_user_pages_dirty_lock(&page, 1, true);
	}
	return 0;
}

/**
 * uevt_word_write() - set or clear one enable bit in an address space
 * @umm: the address space.
 * @slot: the word (a copy will do).
 * @set: the value.
 * @mode: how it may be written.
 *
 * The bit is written through the page the last write to it went
 * through, if nothing changed since; otherwise the address is translated
 * now, and the bit written, under mmap_lock.  Either way only after
 * checking that the word was not retired: nothing lands in a page the
 * process unmapped meanwhile.  Never waits for userfaultfd.
 *
 * Context: process context.  NOFAULT and NOWAIT never wait for a lock
 * held by another process (-EAGAIN) nor for I/O; FAULT runs in the
 * process's own context and may.
 * Return: 0, -EAGAIN or -EWOULDBLOCK (try later or elsewhere),
 * -ENXIO (retired), -ESRCH (the address space is gone), -EINTR, or the
 * fault's error (-EFAULT...).
 */
int uevt_word_write(struct uevt_mm *umm, const struct uevt_slot *slot, bool set,
		    enum uevt_write_mode mode)
{
	struct mm_struct *mm = umm->mm;
	/* Operate on the aligned long holding the word: bit ops are long-wide. */
	unsigned long uaddr = ALIGN_DOWN(uevt_slot_addr(slot), sizeof(long));
	unsigned int bit = uevt_slot_bit(slot) + (uevt_slot_addr(slot) - uaddr) * BITS_PER_BYTE;
	unsigned long seq;
	struct page *page;
	int ret;

	BUILD_BUG_ON(!IS_ENABLED(CONFIG_64BIT) || IS_ENABLED(CONFIG_CPU_BIG_ENDIAN));
	if (test_bit(UEVT_MM_DEAD, &umm->flags))
		return -ESRCH;
	if (uevt_cache_write(umm, uaddr, bit, set, uevt_slot_key(slot))) {
		this_cpu_inc(uevt_cache_stats[UEVT_CACHE_HIT]);
		return 0;
	}
	if (!mmget_not_zero(mm))
		return -ESRCH;
	if (mode == UEVT_WRITE_FAULT) {
		ret = mmap_read_lock_killable(mm);
		if (ret)
			goto out;
	} else if (!mmap_read_trylock(mm)) {
		ret = -EAGAIN;
		goto out;
	}
	seq = uevt_cache_begin(umm);
	if (uevt_mm_retired(umm, uevt_slot_key(slot))) {
		ret = -ENXIO;
	} else {
		this_cpu_inc(uevt_cache_stats[UEVT_CACHE_MISS]);
		ret = uevt_pin_word(mm, uaddr, mode, &page);
	}
	if (ret == 1)
		ret = uevt_page_write_bit(umm, page, uaddr, bit, set, mode, seq);
	else if (ret >= 0)
		ret = -EFAULT;
	mmap_read_unlock(mm);
out:
	/* Never the final mmput here: ->release takes our locks. */
	mmput_async(mm);
	return ret;
}

/* ---- per-word records ---- */

static struct uevt_word *uevt_word_find(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_word *w;

	lockdep_assert_held(&umm->spin);
	hash_for_each_possible(umm->words, w, node, key)
		if (w->key == key)
			return w;
	return NULL;
}

/* The record of @key, made if need be; under the spinlock: NULL without memory. */
static struct uevt_word *uevt_word_get(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_word *w = uevt_word_find(umm, key);

	if (w)
		return w;
	w = kzalloc(sizeof(*w), GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!w)
		return NULL;
	w->key = key;
	hash_add(umm->words, &w->node, key);
	umm->nr_words++;
	return w;
}

static void uevt_word_note(struct uevt_mm *umm, unsigned long key, int err)
{
	struct uevt_word *w;

	if (!err && !READ_ONCE(umm->nr_words))
		return;
	spin_lock(&umm->spin);
	w = err ? uevt_word_get(umm, key) : uevt_word_find(umm, key);
	if (w)
		WRITE_ONCE(w->last_err, err);
	spin_unlock(&umm->spin);
}

/**
 * uevt_word_owe() - owe a word a write, with a fresh retry budget
 * @umm: the address space.
 * @key: the word.
 *
 * Without memory for a record, every word of the address space is
 * checked instead.  The fault work is queued either way.
 *
 * Context: any but hard interrupts (the notifiers call it).
 */
void uevt_word_owe(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_word *w;

	spin_lock(&umm->spin);
	w = uevt_word_get(umm, key);
	if (w) {
		set_bit(UEVT_WORD_FRESH, &w->flags);
		/* Whoever sees OWED sees FRESH too. */
		smp_mb__before_atomic();
		set_bit(UEVT_WORD_OWED, &w->flags);
	} else {
		set_bit(UEVT_MM_RESYNC, &umm->flags);
	}
	spin_unlock(&umm->spin);
	mod_delayed_work(uevt_wq, &umm->fault_work, 0);
}

/**
 * uevt_word_forget() - drop what an address space owes a word
 * @umm: the address space, under its write_lock.
 * @key: the word, unregistered.
 */
void uevt_word_forget(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_word *w;

	lockdep_assert_held(&umm->write_lock);
	spin_lock(&umm->spin);
	w = uevt_word_find(umm, key);
	if (w) {
		hash_del(&w->node);
		umm->nr_words--;
	}
	spin_unlock(&umm->spin);
	kfree(w);
}

/**
 * uevt_word_state() - what the status file says of a word
 * @umm: the address space.
 * @key: the word.
 * @err: the last write's result.
 * @owed: a write is owed.
 * @retries: failed attempts since the last fresh start.
 */
void uevt_word_state(struct uevt_mm *umm, unsigned long key, int *err, bool *owed,
		     unsigned int *retries)
{
	struct uevt_word *w;

	*err = 0;
	*owed = false;
	*retries = 0;
	spin_lock(&umm->spin);
	w = uevt_word_find(umm, key);
	if (w) {
		*err = READ_ONCE(w->last_err);
		*owed = test_bit(UEVT_WORD_OWED, &w->flags);
		*retries = READ_ONCE(w->retries);
	}
	spin_unlock(&umm->spin);
}

/**
 * uevt_words_free() - free every record of an address space being freed
 * @umm: the address space; nobody else uses it any more.
 */
void uevt_words_free(struct uevt_mm *umm)
{
	struct hlist_node *tmp;
	struct uevt_word *w;
	int i;

	hash_for_each_safe(umm->words, i, tmp, w, node)
		kfree(w);
}

/* ---- writing the current state ---- */

/**
 * uevt_word_write_current() - write the event's current state into a word
 * @umm: the address space.
 * @slot: the word (a copy will do).
 * @mode: how it may be written.
 *
 * Re-checks the state after writing and writes again while it changes
 * under us, so the bit converges however often the state flips.  The
 * result is noted in the word's record.
 *
 * Context: as uevt_word_write().
 * Return: as uevt_word_write().
 */
int uevt_word_write_current(struct uevt_mm *umm, const struct uevt_slot *slot,
			    enum uevt_write_mode mode)
{
	int tries, ret = 0;
	bool want;

	for (tries = 0; tries < 4; tries++) {
		want = READ_ONCE(slot->ev->enabled);
		ret = uevt_word_write(umm, slot, want, mode);
		/* Order the bit write before re-reading the state. */
		smp_mb();
		if (ret || want == READ_ONCE(slot->ev->enabled))
			break;
	}
	/* Still flipping: owed, the caller tries again later. */
	if (!ret && want != READ_ONCE(slot->ev->enabled))
		ret = -EAGAIN;
	uevt_word_note(umm, uevt_slot_key(slot), ret);
	return ret;
}

/* Can a write that failed this way succeed later without anybody's help? */
static bool uevt_write_failed_for_now(int ret)
{
	return ret == -EAGAIN || ret == -EWOULDBLOCK || ret == -EFAULT ||
	       ret == -EINTR || ret == -ENOMEM;
}

/**
 * uevt_words_update() - make every enable bit of an event show its state
 * @ev: the event whose state changed.
 *
 * Only @ev's own slots are visited, each in every address space using its
 * set.  Words that cannot be written without faulting are owed.
 *
 * Context: process context, may sleep (called under event_mutex).
 */
void uevt_words_update(struct uevt_event *ev)
{
	struct uevt_slot *slot;
	struct uevt_mm *umm;
	int ret;

	mutex_lock(&ev->slots_lock);
	list_for_each_entry(slot, &ev->slots, ev_node) {
		if (!uevt_slot_live(slot))
			continue;
		mutex_lock(&slot->set->lock);
		list_for_each_entry(umm, &slot->set->mms, set_node) {
			ret = uevt_word_write_current(umm, slot, UEVT_WRITE_NOFAULT);
			if (uevt_write_failed_for_now(ret))
				uevt_word_owe(umm, uevt_slot_key(slot));
		}
		mutex_unlock(&slot->set->lock);
	}
	mutex_unlock(&ev->slots_lock);
}

/**
 * uevt_event_bits() - count the enable bits of an event
 * @ev: the event.
 *
 * Return: the number of (address space, word) pairs @ev writes.
 */
unsigned int uevt_event_bits(struct uevt_event *ev)
{
	struct uevt_slot *slot;
	unsigned int n = 0;

	mutex_lock(&ev->slots_lock);
	list_for_each_entry(slot, &ev->slots, ev_node)
		if (uevt_slot_live(slot))
			n += READ_ONCE(slot->set->users);
	mutex_unlock(&ev->slots_lock);
	return n;
}

/* Write @key's current state as @mode allows; -ENOENT when it is no word. */
static int uevt_word_write_key(struct uevt_mm *umm, unsigned long key, enum uevt_write_mode mode)
{
	struct uevt_slot copy, *slot;
	struct uevt_set *set;
	int ret;

	rcu_read_lock();
	set = rcu_dereference(umm->set);
	slot = set ? uevt_set_lookup(set, key) : NULL;
	if (slot && uevt_slot_live(slot) && uevt_event_tryget(slot->ev))
		copy = *slot;
	else
		slot = NULL;
	rcu_read_unlock();
	if (!slot)
		return -ENOENT;
	ret = uevt_word_write_current(umm, &copy, mode);
	uevt_event_put(copy.ev);
	return ret;
}

/* Every live word of @umm's set, written; those that fail are owed. */
static void uevt_words_resync(struct uevt_mm *umm, enum uevt_write_mode mode)
{
	struct uevt_slot *slot;
	struct uevt_set *set;
	unsigned long pos;
	int ret;

	rcu_read_lock();
	set = rcu_dereference(umm->set);
	if (set && !refcount_inc_not_zero(&set->ref))
		set = NULL;
	rcu_read_unlock();
	if (!set)
		return;
	/* Our reference keeps the set from changing in place. */
	pos = 0;
	uevt_set_for_each(set, slot, pos) {
		ret = uevt_word_write_key(umm, uevt_slot_key(slot), mode);
		if (uevt_write_failed_for_now(ret))
			uevt_word_owe(umm, uevt_slot_key(slot));
	}
	uevt_set_put(set);
}

static void uevt_fixer_run(struct callback_head *cb);

/*
 * A write needs I/O that only the process may wait for: queue task work on
 * one of its threads, preferably a running one, which writes the words in
 * the process's own context before it next returns to user mode.
 */
static void uevt_mm_queue_fixer(struct uevt_mm *umm)
{
	struct task_struct *leader, *t, *pick = NULL;

	if (!umm->tgid || test_and_set_bit(UEVT_MM_FIXER_QUEUED, &umm->flags))
		return;
	rcu_read_lock();
	leader = pid_task(umm->tgid, PIDTYPE_TGID);
	if (leader) {
		for_each_thread(leader, t) {
			/* Kernel threads and user workers (vhost) run no task work. */
			if (READ_ONCE(t->mm) != umm->mm ||
			    (t->flags & (PF_EXITING | PF_KTHREAD | UEVT_PF_USER_WORKER)))
				continue;
			pick = t;
			if (task_is_running(t))
				break;
		}
	}
	if (pick)
		get_task_struct(pick);
	rcu_read_unlock();
	if (!pick || !kref_get_unless_zero(&umm->ref)) {
		clear_bit(UEVT_MM_FIXER_QUEUED, &umm->flags);
		if (pick)
			put_task_struct(pick);
		return;
	}
	__module_get(THIS_MODULE);
	init_task_work(&umm->fixer, uevt_fixer_run);
	if (task_work_add(pick, &umm->fixer, TWA_RESUME)) {
		clear_bit(UEVT_MM_FIXER_QUEUED, &umm->flags);
		uevt_mm_put(umm);
		module_put(THIS_MODULE);
	}
	put_task_struct(pick);
}

/**
 * uevt_words_settle() - write every owed word of an address space
 * @umm: the address space, under its write_lock.
 * @mode: NOWAIT (the fault work) or FAULT (the process itself).
 *
 * Records back to "written, no error" are dropped.  The fault work hands
 * a word to the process when writing it needs I/O, and as a last resort
 * once its retries (a doubling delay, UEVT_FAULT_RETRIES times from each
 * fresh start) are used up; it skips words handed over.  A word the
 * process cannot write either goes back to the fault work's retries.
 *
 * Return: jiffies until the next retry, or 0 when none is due.
 */
unsigned long uevt_words_settle(struct uevt_mm *umm, enum uevt_write_mode mode)
{
	bool fault = mode == UEVT_WRITE_FAULT, fixer = false;
	unsigned long delay = 0, d;
	struct uevt_word *w, *next;
	LIST_HEAD(batch);
	LIST_HEAD(done);
	int ret, i;

	lockdep_assert_held(&umm->write_lock);
	if (test_bit(UEVT_MM_DEAD, &umm->flags))
		return 0;
	if (test_and_clear_bit(UEVT_MM_RESYNC, &umm->flags))
		uevt_words_resync(umm, mode);

	/* Records are deleted only under write_lock, which we hold. */
	spin_lock(&umm->spin);
	hash_for_each(umm->words, i, w, node)
		if (test_bit(UEVT_WORD_OWED, &w->flags) &&
		    (fault || !test_bit(UEVT_WORD_PROCESS, &w->flags)))
			list_add_tail(&w->batch, &batch);
	spin_unlock(&umm->spin);

	list_for_each_entry(w, &batch, batch) {
		if (!test_and_clear_bit(UEVT_WORD_OWED, &w->flags))
			continue;
		/* retries is ours (under write_lock): others only flag FRESH. */
		if (test_and_clear_bit(UEVT_WORD_FRESH, &w->flags)) {
			WRITE_ONCE(w->retries, 0);
			clear_bit(UEVT_WORD_PROCESS, &w->flags);
		}
		ret = uevt_word_write_key(umm, w->key, mode);
		if (!ret || ret == -ENOENT || ret == -ENXIO || ret == -ESRCH) {
			WRITE_ONCE(w->retries, 0);
			clear_bit(UEVT_WORD_PROCESS, &w->flags);
			if (ret)
				WRITE_ONCE(w->last_err, 0);
			continue;
		}
		if (!fault && (ret == -EWOULDBLOCK || w->retries >= UEVT_FAULT_RETRIES)) {
			/* Only the process can do it, or it is our last resort. */
			set_bit(UEVT_WORD_PROCESS, &w->flags);
			set_bit(UEVT_WORD_OWED, &w->flags);
			fixer = true;
			continue;
		}
		clear_bit(UEVT_WORD_PROCESS, &w->flags);
		if (w->retries < UEVT_FAULT_RETRIES) {
			d = msecs_to_jiffies(UEVT_FAULT_DELAY_MS << w->retries);
			WRITE_ONCE(w->retries, w->retries + 1);
			set_bit(UEVT_WORD_OWED, &w->flags);
			delay = delay ? min(delay, d) : d;
		}
	}

	/* A record back to "written, no error" has nothing left to say. */
	spin_lock(&umm->spin);
	list_for_each_entry_safe(w, next, &batch, batch) {
		if (!READ_ONCE(w->flags) && !w->retries && !READ_ONCE(w->last_err)) {
			hash_del(&w->node);
			umm->nr_words--;
			list_move(&w->batch, &done);
		}
	}
	spin_unlock(&umm->spin);
	list_for_each_entry_safe(w, next, &done, batch)
		kfree(w);
	if (fixer)
		uevt_mm_queue_fixer(umm);
	return delay;
}

/**
 * uevt_mm_writes_unlock() - let go of an address space's write_lock
 * @umm: the address space.
 *
 * Fault work that found the lock taken left it to us: queue it again.
 */
void uevt_mm_writes_unlock(struct uevt_mm *umm)
{
	mutex_unlock(&umm->write_lock);
	if (test_and_clear_bit(UEVT_MM_WORK_DEFERRED, &umm->flags))
		mod_delayed_work(uevt_wq, &umm->fault_work, 0);
}

/**
 * uevt_mm_fault_work() - the fault work: owed writes that need no waiting
 * @work: uevt_mm.fault_work.
 *
 * Runs on the shared workqueue and never waits: not for a lock another
 * process holds, not for I/O, not for userfaultfd.
 */
void uevt_mm_fault_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(to_delayed_work(work), struct uevt_mm, fault_work);
	unsigned long delay;

	if (test_bit(UEVT_MM_DEAD, &umm->flags))
		return;
	if (!mutex_trylock(&umm->write_lock)) {
		/* The holder is the process itself: it requeues us when done. */
		set_bit(UEVT_MM_WORK_DEFERRED, &umm->flags);
		/* The flag before the retry: pairs with the holder's unlock, then test. */
		smp_mb__after_atomic();
		if (!mutex_trylock(&umm->write_lock))
			return;
		clear_bit(UEVT_MM_WORK_DEFERRED, &umm->flags);
	}
	delay = uevt_words_settle(umm, UEVT_WRITE_NOWAIT);
	uevt_mm_writes_unlock(umm);
	if (delay)
		queue_delayed_work(uevt_wq, &umm->fault_work, delay);
}

/* Task work: the owed writes, in the process's own context. */
static void uevt_fixer_run(struct callback_head *cb)
{
	struct uevt_mm *umm = container_of(cb, struct uevt_mm, fixer);
	unsigned long delay = 0;

	clear_bit(UEVT_MM_FIXER_QUEUED, &umm->flags);
	/* Cleared before we look: a word owed from now on queues us again. */
	smp_mb__after_atomic();
	if (current->mm == umm->mm && !(current->flags & PF_EXITING) &&
	    !mutex_lock_killable(&umm->write_lock)) {
		delay = uevt_words_settle(umm, UEVT_WRITE_FAULT);
		uevt_mm_writes_unlock(umm);
	}
	if (delay)
		queue_delayed_work(uevt_wq, &umm->fault_work, delay);
	uevt_mm_put(umm);
	/* Last: module exit waits (synchronize_rcu_tasks) for us to return. */
	module_put(THIS_MODULE);
}
