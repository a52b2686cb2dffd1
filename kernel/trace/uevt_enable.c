// SPDX-License-Identifier: GPL-2.0
/*
 * Enable bits: the kernel keeps one bit in a process's memory equal to an
 * event's state.
 *
 * An enable word is (mm, virtual address, bit, size), never a page: every
 * write translates the address again, so it lands in whatever page backs
 * the address now (a COW copy, a page swapped back in).  Writes from a
 * state change never fault: they run under the event's enablers_lock,
 * maybe on behalf of another process, and one process's unmapped or
 * userfaultfd page must not stall anybody else.  When such a write cannot
 * complete, the word is marked pending and its mm's fault worker faults
 * the page in and writes the state current at that moment, re-checking
 * after the write so the bit converges however often the state flips.
 *
 * Forked children share: the registrations of a process form a set of
 * slots (event, address, bit, size), and every address space forked from
 * it uses the very same set, so a fork costs one list insertion and no
 * memory per registration.  Each event lists its slots; a state change
 * writes each slot into every address space using the slot's set.  A set
 * is copied only when one of its users registers or unregisters (copy on
 * write), and it changes in place while it has a single user.  What is
 * particular to one address space (a write owed, a retired word, the last
 * error) is kept in small per-mm records, and only while it differs from
 * "written, no error".
 *
 * Per-mm state lives in an mmu_notifier obtained with mmu_notifier_get(),
 * so there is exactly one per (mm, this module) and ->release tells us
 * when the address space dies (exit, exec): it leaves its set at once and
 * nothing is written into that mm again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/rhashtable.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "uevt_internal.h"

/* Fault retries of one pending write, 10 ms doubling to about 1.3 s. */
#define UEVT_FAULT_RETRIES	8
#define UEVT_FAULT_DELAY_MS	10
/* Concurrent fault workers, all processes together. */
#define UEVT_FAULT_WORKERS	8

/* struct uevt_rec.flags */
enum {
	UEVT_REC_PENDING,	/* a faulting write is owed */
	UEVT_REC_RETIRED,	/* its page was unmapped: never write again */
	UEVT_REC_HEAL,		/* zapped: pending with a fresh retry budget */
};

/* struct uevt_mm.flags */
enum {
	UEVT_MM_RESYNC,		/* every word owes a check (a record was not allocated) */
	UEVT_MM_RETIRE_ALL,	/* a retirement was not recorded: write nothing more */
};

/**
 * struct uevt_set - the registrations shared by the address spaces forked
 *	from one another
 * @lock: protects @mms and @users.  A state change holds it while writing
 *	this set's words without faulting.
 * @mms: the address spaces using this set (uevt_mm.set_node).
 * @users: entries in @mms.
 * @slots: the registrations.  Changed only by the set's single user,
 *	under that user's uevt_mm.lock and uevt_mm.spin, so the holder of
 *	either lock of any user may walk it.
 * @nr: entries in @slots.
 * @index: @slots by (address, bit), at most one slot each; changed with
 *	@slots.
 * @pages: page number -> slots whose word lies in that page, so the
 *	notifiers skip ranges without a word in O(log n); changed with
 *	@slots, read locklessly (RCU).
 */
struct uevt_set {
	/* Protects mms and users; held across non-faulting writes. */
	struct mutex lock;
	struct list_head mms;
	unsigned int users;
	struct list_head slots;
	unsigned int nr;
	struct rhashtable index;
	struct xarray pages;
};

/**
 * struct uevt_slot - one registration: an enable word and its event
 * @ev_node: in @ev->enablers, under @ev->enablers_lock.
 * @set_node: in @set->slots.
 * @index_node: in @set->index.
 * @key: (@addr, @bit) as one number, the key of @set->index.
 * @set: the set holding it, for its lifetime.
 * @ev: the event; the slot holds a reference.
 * @addr: user address of the enable word.
 * @bit: bit within the word.
 * @size: 4 or 8 bytes.
 */
struct uevt_slot {
	struct list_head ev_node;
	struct list_head set_node;
	struct rhash_head index_node;
	unsigned long key;
	struct uevt_set *set;
	struct uevt_event *ev;
	unsigned long addr;
	u8 bit;
	u8 size;
};

/**
 * struct uevt_rec - what one address space owes one of its words
 * @hnode: in the mm's @recs, keyed by (address, bit); under uevt_mm.spin.
 * @batch: the fault worker's list of records to write; under uevt_mm.lock.
 * @slot: the slot of this word in the mm's set; changed with the set,
 *	under uevt_mm.lock and uevt_mm.spin.
 * @flags: UEVT_REC_* bits.
 * @last_err: result of the last write (0 or a negative errno).
 * @retries: faulting writes tried since the last success; under
 *	uevt_mm.lock (the fault worker).
 *
 * Records exist only while a write is owed, the word is retired, or the
 * last write failed: they are allocated in any context, so they may be
 * missing, and then the mm falls back to UEVT_MM_RESYNC or
 * UEVT_MM_RETIRE_ALL.  Deleted only under uevt_mm.lock.
 */
struct uevt_rec {
	struct hlist_node hnode;
	struct list_head batch;
	struct uevt_slot *slot;
	unsigned long flags;
	int last_err;
	unsigned int retries;
};

/**
 * struct uevt_mm - uevt's state of one address space
 * @mn: the notifier; @mn.mm is the address space (kept valid by it).
 * @lock: serialises changes of @set and of its slots, record deletion,
 *	and the fault worker, which writes (faulting pages in) under it.
 * @spin: protects @set, @nr, @recs and @nr_recs for the notifiers, which
 *	must not sleep.
 * @set: the registrations this address space uses, or NULL; the mm holds
 *	a notifier reference while it has one.
 * @set_node: in @set->mms, under @set->lock.
 * @nr: @set->nr, readable locklessly (the fork hook).
 * @recs: the records of this mm's words, hashed by (address, bit).
 * @nr_recs: entries in @recs; writers skip the lookup while it is 0.
 * @flags: UEVT_MM_* bits.
 * @dead: the address space is gone; under @lock.
 * @fault_work: writes pending words, faulting pages in.
 * @free_work: frees this structure in process context.
 * @node: in uevt_mms; under uevt_mms_lock.
 * @hnode: in uevt_mm_hash, found by the fork hook under RCU.
 * @rcu: frees the structure after RCU readers of uevt_mm_hash.
 * @tgid: the process, for the status file.
 * @comm: its command name.
 */
struct uevt_mm {
	struct mmu_notifier mn;
	/* Serialises set changes and the fault worker; may fault under it. */
	struct mutex lock;
	/* Innermost: the notifiers' view of set and records. */
	spinlock_t spin;
	struct uevt_set *set;
	struct list_head set_node;
	unsigned int nr;
	DECLARE_HASHTABLE(recs, 4);
	unsigned int nr_recs;
	unsigned long flags;
	bool dead;
	struct delayed_work fault_work;
	struct work_struct free_work;
	struct list_head node;
	struct hlist_node hnode;
	struct rcu_head rcu;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

/**
 * struct uevt_enabler - a registration checked and not yet committed
 * @umm: the caller's address space, with a notifier reference.
 * @addr: user address of the enable word.
 * @bit: bit within the word.
 * @size: 4 or 8 bytes.
 */
struct uevt_enabler {
	struct uevt_mm *umm;
	unsigned long addr;
	u8 bit;
	u8 size;
};

static struct workqueue_struct *uevt_fault_wq;
/* Retirements that could not be recorded (their mm stopped being written). */
static atomic_long_t uevt_retire_lost = ATOMIC_LONG_INIT(0);

/* All uevt_mm: the status file, UNREG and fork look them up here. */
static DEFINE_MUTEX(uevt_mms_lock);
static LIST_HEAD(uevt_mms);

/*
 * The same, hashed by mm for the fork hook, which runs in atomic context:
 * readers under RCU, writers under uevt_mm_hash_lock (inside uevt_mms_lock).
 */
static DEFINE_HASHTABLE(uevt_mm_hash, 8);
static DEFINE_SPINLOCK(uevt_mm_hash_lock);

/* ---- records ---- */

static unsigned long uevt_word_key(unsigned long addr, u8 bit)
{
	return addr << 6 | bit;
}

static const struct rhashtable_params uevt_slot_params = {
	.key_len = sizeof(unsigned long),
	.key_offset = offsetof(struct uevt_slot, key),
	.head_offset = offsetof(struct uevt_slot, index_node),
	.automatic_shrinking = true,
};

/*
 * The slot of (addr, bit) in @set, retired or not.  Slots leave a set only
 * while it has one user, under that user's lock, which every caller of a
 * set's user holds: a found slot stays.
 */
static struct uevt_slot *uevt_set_lookup(struct uevt_set *set, unsigned long addr, u8 bit)
{
	unsigned long key = uevt_word_key(addr, bit);

	return rhashtable_lookup_fast(&set->index, &key, uevt_slot_params);
}

static struct uevt_rec *uevt_rec_find(struct uevt_mm *umm, unsigned long addr, u8 bit)
{
	unsigned long key = uevt_word_key(addr, bit);
	struct uevt_rec *rec;

	lockdep_assert_held(&umm->spin);
	hash_for_each_possible(umm->recs, rec, hnode, key)
		if (uevt_word_key(rec->slot->addr, rec->slot->bit) == key)
			return rec;
	return NULL;
}

/*
 * The record of @slot's word in @umm, made if need be; under umm->spin,
 * so the allocation cannot wait.  NULL when out of memory.
 */
static struct uevt_rec *uevt_rec_get(struct uevt_mm *umm, struct uevt_slot *slot)
{
	struct uevt_rec *rec = uevt_rec_find(umm, slot->addr, slot->bit);

	if (rec)
		return rec;
	rec = kzalloc(sizeof(*rec), GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!rec)
		return NULL;
	rec->slot = slot;
	hash_add(umm->recs, &rec->hnode, uevt_word_key(slot->addr, slot->bit));
	umm->nr_recs++;
	return rec;
}

/* Unhash a record; under umm->lock and umm->spin.  The caller frees it. */
static void uevt_rec_del(struct uevt_mm *umm, struct uevt_rec *rec)
{
	lockdep_assert_held(&umm->lock);
	lockdep_assert_held(&umm->spin);
	hash_del(&rec->hnode);
	umm->nr_recs--;
}

/* Is @slot's word retired in @umm?  Callers hold @umm's mmap_lock. */
static bool uevt_word_retired(struct uevt_mm *umm, struct uevt_slot *slot)
{
	struct uevt_rec *rec;
	bool ret;

	if (test_bit(UEVT_MM_RETIRE_ALL, &umm->flags))
		return true;
	if (!READ_ONCE(umm->nr_recs))
		return false;
	spin_lock(&umm->spin);
	rec = uevt_rec_find(umm, slot->addr, slot->bit);
	ret = rec && test_bit(UEVT_REC_RETIRED, &rec->flags);
	spin_unlock(&umm->spin);
	return ret;
}

/* Note the result of a write of @slot's word in @umm. */
static void uevt_rec_note(struct uevt_mm *umm, struct uevt_slot *slot, int err)
{
	struct uevt_rec *rec;

	if (!err && !READ_ONCE(umm->nr_recs))
		return;
	spin_lock(&umm->spin);
	rec = err ? uevt_rec_get(umm, slot) : uevt_rec_find(umm, slot->addr, slot->bit);
	if (rec)
		WRITE_ONCE(rec->last_err, err);
	spin_unlock(&umm->spin);
}

/* Owe a faulting write with a fresh retry budget; under the mm's spin. */
static void uevt_rec_owe(struct uevt_rec *rec)
{
	set_bit(UEVT_REC_HEAL, &rec->flags);
	/* The worker that sees PENDING must see HEAL too. */
	smp_mb__before_atomic();
	set_bit(UEVT_REC_PENDING, &rec->flags);
}

/*
 * Owe a faulting write of @slot's word in @umm, with a fresh retry budget.
 * Any context but hard interrupts; without memory for a record, every
 * word of the mm is checked instead.
 */
static void uevt_word_defer(struct uevt_mm *umm, struct uevt_slot *slot)
{
	struct uevt_rec *rec;

	spin_lock(&umm->spin);
	rec = uevt_rec_get(umm, slot);
	if (rec)
		uevt_rec_owe(rec);
	else
		set_bit(UEVT_MM_RESYNC, &umm->flags);
	spin_unlock(&umm->spin);
	mod_delayed_work(uevt_fault_wq, &umm->fault_work, 0);
}

/* ---- sets ---- */

static struct uevt_set *uevt_set_alloc(void)
{
	struct uevt_set *set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);

	if (!set)
		return NULL;
	if (rhashtable_init(&set->index, &uevt_slot_params)) {
		kfree(set);
		return NULL;
	}
	mutex_init(&set->lock);
	INIT_LIST_HEAD(&set->mms);
	INIT_LIST_HEAD(&set->slots);
	xa_init(&set->pages);
	return set;
}

/* Count @slot's word in @set->pages.  0 or -ENOMEM. */
static int uevt_set_page_get(struct uevt_set *set, struct uevt_slot *slot)
{
	unsigned long pg = slot->addr >> PAGE_SHIFT;
	void *old = xa_load(&set->pages, pg);
	unsigned long n = old ? xa_to_value(old) : 0;

	return xa_err(xa_store(&set->pages, pg, xa_mk_value(n + 1), GFP_KERNEL_ACCOUNT));
}

/* The reverse; never fails (shrinking a value in place allocates nothing). */
static void uevt_set_page_put(struct uevt_set *set, struct uevt_slot *slot)
{
	unsigned long pg = slot->addr >> PAGE_SHIFT;
	unsigned long n = xa_to_value(xa_load(&set->pages, pg));

	if (n > 1)
		xa_store(&set->pages, pg, xa_mk_value(n - 1), GFP_NOWAIT);
	else
		xa_erase(&set->pages, pg);
}

/* Does [range->start, range->end) hold a word of @set?  Any context. */
static bool uevt_set_range_has_words(struct uevt_set *set,
				     const struct mmu_notifier_range *range)
{
	unsigned long pg = range->start >> PAGE_SHIFT;

	return range->end > range->start &&
	       xa_find(&set->pages, &pg, (range->end - 1) >> PAGE_SHIFT, XA_PRESENT);
}

static void uevt_slot_link(struct uevt_slot *slot)
{
	struct uevt_event *ev = slot->ev;

	uevt_event_get(ev);
	mutex_lock(&ev->enablers_lock);
	list_add_tail(&slot->ev_node, &ev->enablers);
	mutex_unlock(&ev->enablers_lock);
}

/* Unlink a slot from its event: no state change writes it after this. */
static void uevt_slot_unlink(struct uevt_slot *slot)
{
	struct uevt_event *ev = slot->ev;

	mutex_lock(&ev->enablers_lock);
	list_del(&slot->ev_node);
	mutex_unlock(&ev->enablers_lock);
	uevt_event_put(ev);
}

/*
 * Free a set nobody uses any more, and its slots, unlinking them from
 * their events if @linked.  Process context, no uevt lock held.
 */
static void uevt_set_free(struct uevt_set *set, bool linked)
{
	struct uevt_slot *slot, *next;

	list_for_each_entry_safe(slot, next, &set->slots, set_node) {
		if (linked)
			uevt_slot_unlink(slot);
		kfree(slot);
	}
	rhashtable_destroy(&set->index);
	xa_destroy(&set->pages);
	kfree(set);
}

/*
 * Put @slot into @set's indexes; may sleep.  The caller then lists it, as
 * the notifiers need: under the spinlock of the set's user, if any.
 * 0 or -ENOMEM.
 */
static int uevt_set_index(struct uevt_set *set, struct uevt_slot *slot)
{
	if (uevt_set_page_get(set, slot))
		return -ENOMEM;
	if (rhashtable_insert_fast(&set->index, &slot->index_node, uevt_slot_params)) {
		uevt_set_page_put(set, slot);
		return -ENOMEM;
	}
	slot->set = set;
	return 0;
}

/*
 * @umm stops using @set (exit, exec, or it took a copy), after @umm->set
 * stopped pointing to it, so none of @umm's notifiers still walks it.
 */
static void uevt_set_leave(struct uevt_set *set, struct uevt_mm *umm)
{
	bool last;

	mutex_lock(&set->lock);
	list_del(&umm->set_node);
	last = !--set->users;
	mutex_unlock(&set->lock);
	if (last)
		uevt_set_free(set, true);
}

/* ---- writing words ---- */

/*
 * Set or clear the bit of @slot's word in @umm, translating the address
 * now.  Without @may_fault nothing sleeps on the mm (trylock, no fault):
 * -EAGAIN or -EFAULT then mean "try again from the fault worker".
 */
static int uevt_word_write(struct uevt_mm *umm, struct uevt_slot *slot, bool set,
			   bool may_fault)
{
	struct mm_struct *mm = umm->mn.mm;
	/* Operate on the aligned long holding the word: bit ops are long-wide. */
	unsigned long uaddr = ALIGN_DOWN(slot->addr, sizeof(long));
	unsigned int bit = slot->bit + (slot->addr - uaddr) * BITS_PER_BYTE;
	unsigned int gup_flags = FOLL_WRITE;
	struct page *page;
	void *kaddr;
	int ret;

	BUILD_BUG_ON(!IS_ENABLED(CONFIG_64BIT) || IS_ENABLED(CONFIG_CPU_BIG_ENDIAN));
	if (!mmget_not_zero(mm))
		return -ESRCH;
	if (may_fault) {
		ret = mmap_read_lock_killable(mm);
		if (ret)
			goto out;
	} else if (!mmap_read_trylock(mm)) {
		ret = -EAGAIN;
		goto out;
	} else {
		gup_flags |= FOLL_NOFAULT;
	}
	/*
	 * Checked under mmap_lock: an unmap that retired the word ran its
	 * notifier before it dropped mmap_lock, and a new mapping at the same
	 * address needs mmap_lock for writing, so we never write into one.
	 */
	if (uevt_word_retired(umm, slot)) {
		mmap_read_unlock(mm);
		ret = -ENXIO;
		goto out;
	}
	/* No "locked": a userfaultfd range fails at once instead of waiting. */
	ret = pin_user_pages_remote(mm, uaddr, 1, gup_flags, &page, NULL);
	mmap_read_unlock(mm);
	if (ret != 1) {
		ret = ret < 0 ? ret : -EFAULT;
		goto out;
	}
	kaddr = kmap_local_page(page);
	if (set)
		set_bit(bit, kaddr + offset_in_page(uaddr));
	else
		clear_bit(bit, kaddr + offset_in_page(uaddr));
	kunmap_local(kaddr);
	unpin_user_pages_dirty_lock(&page, 1, true);
	ret = 0;
out:
	/* Never the final mmput here: that would run ->release under our locks. */
	mmput_async(mm);
	return ret;
}

/* Write the event's current state; retry while it changes under us. */
static int uevt_word_write_current(struct uevt_mm *umm, struct uevt_slot *slot,
				   bool may_fault)
{
	int tries, ret = 0;
	bool want;

	for (tries = 0; tries < 4; tries++) {
		want = READ_ONCE(slot->ev->enabled);
		ret = uevt_word_write(umm, slot, want, may_fault);
		/* Order the bit write before re-reading the state. */
		smp_mb();
		if (ret || want == READ_ONCE(slot->ev->enabled))
			break;
	}
	uevt_rec_note(umm, slot, ret);
	return ret;
}

/* From a state change: never faults. */
static void uevt_word_sync(struct uevt_mm *umm, struct uevt_slot *slot)
{
	int ret = uevt_word_write_current(umm, slot, false);

	if (ret == -EAGAIN || ret == -EFAULT)
		uevt_word_defer(umm, slot);
}

/**
 * uevt_enablers_update() - make every enable bit of an event show its state
 * @ev: the event whose state changed.
 *
 * Only @ev's own slots are visited, each in every address space sharing
 * it.  Pages that are not present are left to the owning mm's fault
 * worker.
 *
 * Context: process context, may sleep (called under event_mutex).
 */
void uevt_enablers_update(struct uevt_event *ev)
{
	struct uevt_slot *slot;
	struct uevt_mm *umm;

	mutex_lock(&ev->enablers_lock);
	list_for_each_entry(slot, &ev->enablers, ev_node) {
		mutex_lock(&slot->set->lock);
		list_for_each_entry(umm, &slot->set->mms, set_node)
			uevt_word_sync(umm, slot);
		mutex_unlock(&slot->set->lock);
	}
	mutex_unlock(&ev->enablers_lock);
}

/**
 * uevt_event_enablers() - count the enable bits of an event
 * @ev: the event.
 *
 * Return: the number of (address space, word) pairs @ev writes.
 */
unsigned int uevt_event_enablers(struct uevt_event *ev)
{
	struct uevt_slot *slot;
	unsigned int n = 0;

	mutex_lock(&ev->enablers_lock);
	list_for_each_entry(slot, &ev->enablers, ev_node)
		n += READ_ONCE(slot->set->users);
	mutex_unlock(&ev->enablers_lock);
	return n;
}

/*
 * Does @slot's word in @umm show its event's state?  Under @umm's
 * mmap_lock; @page caches the page last looked up (NULL: none), so a run
 * of words in one page costs one lookup.  Reads do not break copy-on-write.
 */
static bool uevt_word_shows_state(struct uevt_mm *umm, struct uevt_slot *slot,
				  struct page **page, unsigned long *cached_pg)
{
	unsigned long uaddr = ALIGN_DOWN(slot->addr, sizeof(long));
	unsigned int bit = slot->bit + (slot->addr - uaddr) * BITS_PER_BYTE;
	bool have;
	void *kaddr;

	if (!*page || *cached_pg != uaddr >> PAGE_SHIFT) {
		if (*page)
			put_page(*page);
		*cached_pg = uaddr >> PAGE_SHIFT;
		if (get_user_pages_remote(umm->mn.mm, uaddr, 1, 0, page, NULL) != 1) {
			*page = NULL;
			return false;
		}
	}
	kaddr = kmap_local_page(*page);
	have = test_bit(bit, kaddr + offset_in_page(uaddr));
	kunmap_local(kaddr);
	return have == READ_ONCE(slot->ev->enabled);
}

/*
 * Every word of @umm's set, checked, and those that do not show their
 * event's state written.  A forked child whose words are right (the usual
 * case) costs one pass under one mmap_lock and no page.  Under umm->lock.
 */
static void uevt_mm_resync(struct uevt_mm *umm)
{
	struct mm_struct *mm = umm->mn.mm;
	unsigned long cached_pg = 0;
	struct page *page = NULL;
	struct uevt_slot *slot;
	bool stale = false;
	int ret;

	lockdep_assert_held(&umm->lock);
	if (!umm->set || !mmget_not_zero(mm))
		return;
	if (mmap_read_lock_killable(mm))
		goto out;
	list_for_each_entry(slot, &umm->set->slots, set_node) {
		if (!uevt_word_retired(umm, slot) &&
		    !uevt_word_shows_state(umm, slot, &page, &cached_pg)) {
			stale = true;
			break;
		}
	}
	mmap_read_unlock(mm);
	if (page)
		put_page(page);
	if (!stale)
		goto out;
	/* Rare: the state changed since the fork.  Write every word. */
	list_for_each_entry(slot, &umm->set->slots, set_node) {
		ret = uevt_word_write_current(umm, slot, true);
		if (ret && ret != -ESRCH && ret != -ENXIO)
			uevt_word_defer(umm, slot);
	}
out:
	mmput_async(mm);
}

static void uevt_mm_fault_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(to_delayed_work(work), struct uevt_mm, fault_work);
	struct uevt_rec *rec, *next;
	unsigned long delay = 0;
	LIST_HEAD(batch);
	LIST_HEAD(done);
	int ret, i;

	mutex_lock(&umm->lock);
	if (umm->dead) {
		mutex_unlock(&umm->lock);
		return;
	}
	if (test_and_clear_bit(UEVT_MM_RESYNC, &umm->flags))
		uevt_mm_resync(umm);

	/* Records are deleted only under umm->lock, which we hold. */
	spin_lock(&umm->spin);
	hash_for_each(umm->recs, i, rec, hnode)
		if (test_bit(UEVT_REC_PENDING, &rec->flags))
			list_add_tail(&rec->batch, &batch);
	spin_unlock(&umm->spin);

	list_for_each_entry(rec, &batch, batch) {
		if (!test_and_clear_bit(UEVT_REC_PENDING, &rec->flags))
			continue;
		/* retries is ours (under @lock): others only flag a heal. */
		if (test_and_clear_bit(UEVT_REC_HEAL, &rec->flags))
			rec->retries = 0;
		ret = uevt_word_write_current(umm, rec->slot, true);
		if (!ret || ret == -ESRCH || ret == -ENXIO) {
			if (!ret)
				rec->retries = 0;
			continue;
		}
		if (rec->retries < UEVT_FAULT_RETRIES) {
			unsigned long d = msecs_to_jiffies(UEVT_FAULT_DELAY_MS << rec->retries);

			rec->retries++;
			set_bit(UEVT_REC_PENDING, &rec->flags);
			delay = delay ? min(delay, d) : d;
		}
	}

	/* A record back to "written, no error" has nothing left to say. */
	spin_lock(&umm->spin);
	list_for_each_entry_safe(rec, next, &batch, batch) {
		if (!READ_ONCE(rec->flags) && !rec->retries && !READ_ONCE(rec->last_err)) {
			uevt_rec_del(umm, rec);
			list_move(&rec->batch, &done);
		}
	}
	spin_unlock(&umm->spin);
	mutex_unlock(&umm->lock);
	list_for_each_entry_safe(rec, next, &done, batch)
		kfree(rec);
	if (delay)
		queue_delayed_work(uevt_fault_wq, &umm->fault_work, delay);
}

/* ---- address spaces ---- */

static void uevt_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_rec *rec;
	struct hlist_node *tmp;
	struct uevt_set *set;
	HLIST_HEAD(dead);
	int i;

	/* Children forked a moment ago still need to read our set. */
	uevt_fork_wait_parent(mm);
	mutex_lock(&umm->lock);
	umm->dead = true;
	spin_lock(&umm->spin);
	set = umm->set;
	umm->set = NULL;
	WRITE_ONCE(umm->nr, 0);
	hash_for_each_safe(umm->recs, i, tmp, rec, hnode) {
		uevt_rec_del(umm, rec);
		hlist_add_head(&rec->hnode, &dead);
	}
	spin_unlock(&umm->spin);
	mutex_unlock(&umm->lock);

	hlist_for_each_entry_safe(rec, tmp, &dead, hnode)
		kfree(rec);
	if (set) {
		uevt_set_leave(set, umm);
		mmu_notifier_put(&umm->mn);
	}
}

/*
 * Pages of this mm were unmapped without unmapping the range: zapped by
 * MADV_DONTNEED (the word now reads as zero), or reclaimed (swapped out,
 * content kept; or an MADV_FREE page dropped, zero again).  The two look
 * alike here, so: a word of a disabled event needs nothing (zero already
 * says "disabled"), and a word of an enabled event in the range is
 * rewritten by the fault worker.  Reclaim of other pages, or of words
 * whose event is off, costs no fault and brings no page back in.
 * munmap() is MMU_NOTIFY_UNMAP and deliberately not healed: nothing may be
 * written into whatever gets mapped there next.  Maybe atomic: only the
 * spinlock, atomic allocations and bits, and a queued work.
 */
static void uevt_mm_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_slot *slot;
	struct uevt_rec *rec;
	bool heal = false;

	if (range->event != MMU_NOTIFY_CLEAR)
		return;
	spin_lock(&umm->spin);
	if (!umm->set || !uevt_set_range_has_words(umm->set, range))
		goto out;
	list_for_each_entry(slot, &umm->set->slots, set_node) {
		if (slot->addr < range->start || slot->addr >= range->end ||
		    !READ_ONCE(slot->ev->enabled))
			continue;
		rec = uevt_rec_get(umm, slot);
		if (!rec)
			set_bit(UEVT_MM_RESYNC, &umm->flags);
		else if (!test_bit(UEVT_REC_RETIRED, &rec->flags))
			uevt_rec_owe(rec);
		heal = true;
	}
out:
	spin_unlock(&umm->spin);
	if (heal)
		mod_delayed_work(uevt_fault_wq, &umm->fault_work, 0);
}

/*
 * munmap(), mremap() away: the words in the range are gone for good.
 * Retire them so nothing is written there again, even into a new mapping
 * at the same address.  Runs under mmap_lock, maybe unable to sleep: only
 * the spinlock, atomic allocations and bits.  Without memory to record a
 * retirement, the whole mm is retired: never a stray write.
 */
static int uevt_mm_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_slot *slot;
	struct uevt_rec *rec;

	if (range->event != MMU_NOTIFY_UNMAP)
		return 0;
	spin_lock(&umm->spin);
	if (!umm->set || !uevt_set_range_has_words(umm->set, range))
		goto out;
	list_for_each_entry(slot, &umm->set->slots, set_node) {
		if (slot->addr < range->start || slot->addr >= range->end)
			continue;
		rec = uevt_rec_get(umm, slot);
		if (rec) {
			set_bit(UEVT_REC_RETIRED, &rec->flags);
		} else if (!test_and_set_bit(UEVT_MM_RETIRE_ALL, &umm->flags)) {
			atomic_long_inc(&uevt_retire_lost);
			pr_warn_ratelimited("out of memory at munmap: pid %d's enable bits are no longer written\n",
					    umm->tgid);
		}
	}
out:
	spin_unlock(&umm->spin);
	return 0;
}

static struct mmu_notifier *uevt_mm_alloc(struct mm_struct *mm)
{
	struct uevt_mm *umm = kzalloc(sizeof(*umm), GFP_KERNEL_ACCOUNT);

	if (!umm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&umm->lock);
	spin_lock_init(&umm->spin);
	hash_init(umm->recs);
	INIT_LIST_HEAD(&umm->set_node);
	INIT_DELAYED_WORK(&umm->fault_work, uevt_mm_fault_work);
	INIT_LIST_HEAD(&umm->node);
	umm->tgid = current->tgid;
	get_task_comm(umm->comm, current);
	/* Listed by uevt_mm_publish(): uevt_mms_lock nests outside mmap_lock. */
	return &umm->mn;
}

static void uevt_mm_free_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(work, struct uevt_mm, free_work);
	struct uevt_rec *rec;
	struct hlist_node *tmp;
	int i;

	cancel_delayed_work_sync(&umm->fault_work);
	mutex_lock(&uevt_mms_lock);
	if (!list_empty(&umm->node)) {
		list_del(&umm->node);
		spin_lock(&uevt_mm_hash_lock);
		hash_del_rcu(&umm->hnode);
		spin_unlock(&uevt_mm_hash_lock);
	}
	mutex_unlock(&uevt_mms_lock);
	/* A notifier that never had a set may still hold records. */
	hash_for_each_safe(umm->recs, i, tmp, rec, hnode)
		kfree(rec);
	kfree_rcu(umm, rcu);
}

/* Called from an SRCU callback after the last put: defer to process context. */
static void uevt_mm_free(struct mmu_notifier *mn)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);

	INIT_WORK(&umm->free_work, uevt_mm_free_work);
	queue_work(uevt_fault_wq, &umm->free_work);
}

static const struct mmu_notifier_ops uevt_mmu_ops = {
	.release	= uevt_mm_release,
	.invalidate_range_start = uevt_mm_invalidate_start,
	.invalidate_range_end = uevt_mm_invalidate_end,
	.alloc_notifier	= uevt_mm_alloc,
	.free_notifier	= uevt_mm_free,
};

/* The slot of (addr, bit) in @umm's set that is not retired there. */
static struct uevt_slot *uevt_mm_find(struct uevt_mm *umm, unsigned long addr, u8 bit)
{
	struct uevt_slot *slot;

	lockdep_assert_held(&umm->lock);
	if (!umm->set)
		return NULL;
	slot = uevt_set_lookup(umm->set, addr, bit);
	return slot && !uevt_word_retired(umm, slot) ? slot : NULL;
}

/* Make a new uevt_mm findable: status, UNREG, the fork hook. */
static void uevt_mm_publish(struct uevt_mm *umm)
{
	mutex_lock(&uevt_mms_lock);
	if (list_empty(&umm->node)) {
		list_add_tail(&umm->node, &uevt_mms);
		spin_lock(&uevt_mm_hash_lock);
		hash_add_rcu(uevt_mm_hash, &umm->hnode, (unsigned long)umm->mn.mm);
		spin_unlock(&uevt_mm_hash_lock);
	}
	mutex_unlock(&uevt_mms_lock);
}

/**
 * uevt_mm_has_enablers() - does an address space hold enable bits?
 * @mm: the address space.
 *
 * Context: any, including atomic (the fork hook).
 * Return: true when @mm has at least one registration.
 */
bool uevt_mm_has_enablers(struct mm_struct *mm)
{
	struct uevt_mm *umm;
	bool ret = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(uevt_mm_hash, umm, hnode, (unsigned long)mm) {
		if (umm->mn.mm == mm && READ_ONCE(umm->nr)) {
			ret = true;
			break;
		}
	}
	rcu_read_unlock();
	return ret;
}

/**
 * uevt_queue_delayed_work() - queue work on uevt's bounded workqueue
 * @work: the work.
 * @delay: jiffies to wait first.
 */
void uevt_queue_delayed_work(struct delayed_work *work, unsigned long delay)
{
	queue_delayed_work(uevt_fault_wq, work, delay);
}

/* Is [addr, addr + size) mapped writable in @mm?  Under its mmap_lock. */
static bool uevt_word_mapped(struct mm_struct *mm, unsigned long addr, unsigned int size)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	return vma && (vma->vm_flags & VM_WRITE) && addr + size <= vma->vm_end;
}

/*
 * The calling process's uevt_mm, with a notifier reference; checks that
 * [addr, addr + size) is mapped writable.
 */
static struct uevt_mm *uevt_mm_get(unsigned long addr, unsigned int size)
{
	struct mm_struct *mm = current->mm;
	struct mmu_notifier *mn;
	struct uevt_mm *umm;

	if (!mm)
		return ERR_PTR(-EINVAL);
	if (mmap_write_lock_killable(mm))
		return ERR_PTR(-EINTR);
	if (!uevt_word_mapped(mm, addr, size))
		mn = ERR_PTR(-EFAULT);
	else
		mn = mmu_notifier_get_locked(&uevt_mmu_ops, mm);
	mmap_write_unlock(mm);
	if (IS_ERR(mn))
		return ERR_CAST(mn);
	umm = container_of(mn, struct uevt_mm, mn);
	uevt_mm_publish(umm);
	return umm;
}

/*
 * The live uevt_mm of @mm, if any, from the hash the fork hook uses.  The
 * hash only changes under uevt_mms_lock too, so holding it keeps the
 * result valid.
 */
static struct uevt_mm *uevt_mm_lookup(struct mm_struct *mm)
{
	struct uevt_mm *umm;

	lockdep_assert_held(&uevt_mms_lock);
	hash_for_each_possible(uevt_mm_hash, umm, hnode, (unsigned long)mm)
		if (umm->mn.mm == mm && !READ_ONCE(umm->dead))
			return umm;
	return NULL;
}

/* May @umm take a registration at (addr, bit)?  Under umm->lock. */
static int uevt_mm_may_add(struct uevt_mm *umm, unsigned long addr, u8 bit)
{
	lockdep_assert_held(&umm->lock);
	if (umm->dead)
		return -ESRCH;
	if (uevt_mm_find(umm, addr, bit))
		return -EADDRINUSE;
	if (umm->nr >= READ_ONCE(uevt_max_enablers_per_mm))
		return -ENOSPC;
	return 0;
}

/*
 * Point @umm at @set (under umm->lock).  Records follow to @set's slots by
 * (address, bit); those of words @set does not hold keep their old slot
 * until uevt_mm_prune() drops them.
 */
static void uevt_mm_switch(struct uevt_mm *umm, struct uevt_set *set)
{
	struct uevt_slot *slot;
	struct uevt_rec *rec;
	int i;

	lockdep_assert_held(&umm->lock);
	spin_lock(&umm->spin);
	hash_for_each(umm->recs, i, rec, hnode) {
		slot = uevt_set_lookup(set, rec->slot->addr, rec->slot->bit);
		if (slot)
			rec->slot = slot;
	}
	umm->set = set;
	WRITE_ONCE(umm->nr, set->nr);
	spin_unlock(&umm->spin);
}

/*
 * Free the records of words @umm's set no longer holds (under umm->lock),
 * once no state change can write @umm through the old set any more: a
 * retired word stays retired until then.
 */
static void uevt_mm_prune(struct uevt_mm *umm)
{
	struct uevt_rec *rec;
	struct hlist_node *tmp;
	HLIST_HEAD(drop);
	int i;

	lockdep_assert_held(&umm->lock);
	spin_lock(&umm->spin);
	hash_for_each_safe(umm->recs, i, tmp, rec, hnode) {
		if (!umm->set || rec->slot->set != umm->set) {
			uevt_rec_del(umm, rec);
			hlist_add_head(&rec->hnode, &drop);
		}
	}
	spin_unlock(&umm->spin);
	hlist_for_each_entry_safe(rec, tmp, &drop, hnode)
		kfree(rec);
}

/*
 * Leave an empty set (under umm->lock).  The set held the mm's notifier
 * reference, and its events held the module: an mm without registrations
 * must not keep the notifier, or the module could go before the mm.
 * Return: true when the caller must drop that reference, after unlocking.
 */
static bool uevt_mm_leave_if_empty(struct uevt_mm *umm)
{
	struct uevt_set *set = umm->set;

	lockdep_assert_held(&umm->lock);
	if (!set || set->nr)
		return false;
	spin_lock(&umm->spin);
	umm->set = NULL;
	WRITE_ONCE(umm->nr, 0);
	spin_unlock(&umm->spin);
	uevt_mm_prune(umm);
	uevt_set_leave(set, umm);
	return true;
}

/* Copy @slot into @set, which nobody else uses yet.  0 or -ENOMEM. */
static int uevt_set_copy_slot(struct uevt_set *set, const struct uevt_slot *slot)
{
	struct uevt_slot *copy = kmemdup(slot, sizeof(*slot), GFP_KERNEL_ACCOUNT);

	if (!copy)
		return -ENOMEM;
	if (uevt_set_index(set, copy)) {
		kfree(copy);
		return -ENOMEM;
	}
	list_add_tail(&copy->set_node, &set->slots);
	set->nr++;
	return 0;
}

/*
 * Give @umm a set of its own (under umm->lock): a new empty one, or a copy
 * of the shared one without the words retired in @umm.  The copy's slots
 * are linked to their events before @umm moves over, and @umm leaves the
 * old set's users and joins the new one's at once, under both set locks:
 * a state change walks an event's slots in order, the old before the
 * copy, so it writes @umm's word through one or the other.
 */
static int uevt_mm_own_set(struct uevt_mm *umm)
{
	struct uevt_set *old = umm->set, *set;
	struct uevt_slot *slot;
	bool last = false;

	lockdep_assert_held(&umm->lock);
	if (old && READ_ONCE(old->users) == 1)
		return 0;
	set = uevt_set_alloc();
	if (!set)
		return -ENOMEM;
	if (old) {
		list_for_each_entry(slot, &old->slots, set_node) {
			if (uevt_word_retired(umm, slot))
				continue;
			if (uevt_set_copy_slot(set, slot))
				goto nomem;
		}
		list_for_each_entry(slot, &set->slots, set_node)
			uevt_slot_link(slot);
	}
	set->users = 1;
	/* First our notifiers, so none walks @old once it may change. */
	uevt_mm_switch(umm, set);
	if (old) {
		mutex_lock(&old->lock);
		mutex_lock_nested(&set->lock, SINGLE_DEPTH_NESTING);
		list_move_tail(&umm->set_node, &set->mms);
		mutex_unlock(&set->lock);
		last = !--old->users;
		mutex_unlock(&old->lock);
	} else {
		list_add_tail(&umm->set_node, &set->mms);
	}
	uevt_mm_prune(umm);
	if (last)
		uevt_set_free(old, true);
	return 0;

nomem:
	/* Not linked to any event yet. */
	uevt_set_free(set, false);
	return -ENOMEM;
}

/*
 * Take @slot out of @umm's own set (under umm->lock, the set unshared):
 * no state change or notifier reaches it afterwards.  The caller frees it.
 */
static void uevt_mm_drop_slot(struct uevt_mm *umm, struct uevt_slot *slot, bool linked)
{
	struct uevt_set *set = umm->set;
	struct uevt_rec *rec;

	lockdep_assert_held(&umm->lock);
	if (linked)
		uevt_slot_unlink(slot);
	rhashtable_remove_fast(&set->index, &slot->index_node, uevt_slot_params);
	spin_lock(&umm->spin);
	list_del(&slot->set_node);
	uevt_set_page_put(set, slot);
	set->nr--;
	WRITE_ONCE(umm->nr, set->nr);
	rec = uevt_rec_find(umm, slot->addr, slot->bit);
	if (rec && rec->slot == slot)
		uevt_rec_del(umm, rec);
	else
		rec = NULL;
	spin_unlock(&umm->spin);
	kfree(rec);
}

/* Add @slot to @umm's own set (under umm->lock).  0 or -ENOMEM. */
static int uevt_mm_add_slot(struct uevt_mm *umm, struct uevt_slot *slot)
{
	struct uevt_set *set = umm->set;
	struct uevt_slot *old;
	int ret;

	lockdep_assert_held(&umm->lock);
	/* uevt_mm_may_add() passed: a word still here is retired, dead. */
	old = uevt_set_lookup(set, slot->addr, slot->bit);
	if (old) {
		uevt_mm_drop_slot(umm, old, true);
		kfree(old);
	}
	ret = uevt_set_index(set, slot);
	if (ret)
		return ret;
	spin_lock(&umm->spin);
	list_add_tail(&slot->set_node, &set->slots);
	set->nr++;
	WRITE_ONCE(umm->nr, set->nr);
	spin_unlock(&umm->spin);
	return 0;
}

/* ---- registration ---- */

/**
 * uevt_enabler_prepare() - check an enable bit of the calling process
 * @reg: the registration, already checked for size, bit and alignment.
 *
 * Everything that can fail about the address is checked here, before the
 * caller creates an event for it, so a rejected registration leaves
 * nothing behind.  Pass the result to uevt_enabler_commit() or
 * uevt_enabler_abort().
 *
 * Context: process context, may sleep.
 * Return: the enabler, or ERR_PTR(-EFAULT) (not mapped writable),
 * -EADDRINUSE (the same address and bit are registered already), -ENOSPC
 * (too many enablers in this process), -ENOMEM, -EINTR.
 */
struct uevt_enabler *uevt_enabler_prepare(const struct uevt_reg *reg)
{
	struct uevt_enabler *en;
	struct uevt_mm *umm;
	int ret;

	if (!access_ok(u64_to_user_ptr(reg->enable_addr), reg->enable_size))
		return ERR_PTR(-EFAULT);
	en = kzalloc(sizeof(*en), GFP_KERNEL_ACCOUNT);
	if (!en)
		return ERR_PTR(-ENOMEM);
	umm = uevt_mm_get(reg->enable_addr, reg->enable_size);
	if (IS_ERR(umm)) {
		kfree(en);
		return ERR_CAST(umm);
	}
	en->umm = umm;
	en->addr = reg->enable_addr;
	en->bit = reg->enable_bit;
	en->size = reg->enable_size;

	mutex_lock(&umm->lock);
	ret = uevt_mm_may_add(umm, en->addr, en->bit);
	mutex_unlock(&umm->lock);
	if (ret) {
		uevt_enabler_abort(en);
		return ERR_PTR(ret);
	}
	return en;
}

/**
 * uevt_enabler_abort() - drop an enabler that was prepared, not committed
 * @en: from uevt_enabler_prepare().
 */
void uevt_enabler_abort(struct uevt_enabler *en)
{
	mmu_notifier_put(&en->umm->mn);
	kfree(en);
}

/**
 * uevt_enabler_commit() - attach a prepared enable bit to its event
 * @en: from uevt_enabler_prepare(); consumed, also on failure.
 * @ev: the event; the registration takes its own reference.
 *
 * The word is indexed before its mapping is checked again, so an unmap
 * racing with the registration either fails it or retires the word.  The
 * current state is written before returning when the page can be faulted
 * in; otherwise the fault worker finishes the job.
 *
 * Context: process context, may sleep.
 * Return: 0, what uevt_enabler_prepare() returns when another thread
 * registered the same bit or unmapped the word in between, or -ENOMEM.
 */
int uevt_enabler_commit(struct uevt_enabler *en, struct uevt_event *ev)
{
	struct uevt_mm *umm = en->umm;
	struct mm_struct *mm = umm->mn.mm;
	struct uevt_slot *slot;
	bool first, mapped, left;
	int ret;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot) {
		uevt_enabler_abort(en);
		return -ENOMEM;
	}
	slot->ev = ev;
	slot->addr = en->addr;
	slot->bit = en->bit;
	slot->key = uevt_word_key(en->addr, en->bit);
	slot->size = en->size;

	mutex_lock(&umm->lock);
	first = !umm->set;
	ret = uevt_mm_may_add(umm, slot->addr, slot->bit);
	if (!ret)
		ret = uevt_mm_own_set(umm);
	if (!ret)
		ret = uevt_mm_add_slot(umm, slot);
	if (ret)
		goto fail;
	/* Indexed now: an unmap from here on retires it. */
	mmap_read_lock(mm);
	mapped = uevt_word_mapped(mm, slot->addr, slot->size);
	mmap_read_unlock(mm);
	if (!mapped) {
		uevt_mm_drop_slot(umm, slot, false);
		ret = -EFAULT;
		goto fail;
	}
	uevt_slot_link(slot);
	/*
	 * Our own mm, in our own context: faulting the page in is fine.  A
	 * state change racing with this write re-writes the bit itself.
	 */
	if (uevt_word_write_current(umm, slot, true))
		uevt_word_defer(umm, slot);
	mutex_unlock(&umm->lock);
	/* The first set keeps the notifier reference; others drop theirs. */
	if (first)
		kfree(en);
	else
		uevt_enabler_abort(en);
	return 0;

fail:
	/* A set that was made (or copied) for nothing goes again. */
	left = uevt_mm_leave_if_empty(umm);
	mutex_unlock(&umm->lock);
	kfree(slot);
	uevt_enabler_abort(en);
	/* The first set's reference was @en's own, dropped just now. */
	if (left && !first)
		mmu_notifier_put(&umm->mn);
	return ret;
}

/**
 * uevt_enabler_remove() - unregister an enable bit of the calling process
 * @unreg: address and bit, as registered.
 *
 * The bit is cleared once nothing else can write it any more.  Copies of
 * this process's registrations in forked children are not affected.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOENT when the calling process has no such registration,
 * or -ENOMEM when its shared registrations could not be copied.
 */
int uevt_enabler_remove(const struct uevt_unreg *unreg)
{
	struct uevt_slot *slot = NULL;
	struct uevt_mm *umm;
	int ret = -ENOENT;
	bool left;

	/* Look only: mmu_notifier_get() would create state where there is none. */
	mutex_lock(&uevt_mms_lock);
	umm = uevt_mm_lookup(current->mm);
	if (umm)
		mutex_lock(&umm->lock);
	mutex_unlock(&uevt_mms_lock);
	/* Ours: it cannot be released while we run. */
	if (!umm)
		return -ENOENT;
	if (uevt_mm_find(umm, unreg->disable_addr, unreg->disable_bit)) {
		ret = uevt_mm_own_set(umm);
		if (!ret)
			slot = uevt_mm_find(umm, unreg->disable_addr, unreg->disable_bit);
	}
	if (slot) {
		/* No state change writes it now; clear it before unindexing. */
		uevt_slot_unlink(slot);
		uevt_word_write(umm, slot, false, true);
		uevt_mm_drop_slot(umm, slot, false);
		kfree(slot);
	}
	left = uevt_mm_leave_if_empty(umm);
	mutex_unlock(&umm->lock);
	if (left)
		mmu_notifier_put(&umm->mn);
	return ret;
}

/* ---- fork ---- */

/*
 * Copy the live slots of @from, as seen by @pumm, into @cumm's own set:
 * the child registered on its own before its copy ran.  Under both locks.
 */
static int uevt_mm_merge(struct uevt_mm *pumm, struct uevt_mm *cumm)
{
	struct uevt_slot *slot, *copy;
	int ret;

	ret = uevt_mm_own_set(cumm);
	if (ret)
		return ret;
	list_for_each_entry(slot, &pumm->set->slots, set_node) {
		if (uevt_word_retired(pumm, slot) || uevt_mm_find(cumm, slot->addr, slot->bit))
			continue;
		copy = kmemdup(slot, sizeof(*slot), GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
		ret = uevt_mm_add_slot(cumm, copy);
		if (ret) {
			kfree(copy);
			return ret;
		}
		uevt_slot_link(copy);
	}
	set_bit(UEVT_MM_RESYNC, &cumm->flags);
	return 0;
}

/*
 * @cumm starts using @pumm's set (under both locks).  What only @pumm
 * knows about its words goes along: retired words stay retired, and a
 * lost retirement keeps the child from being written at all.
 */
static void uevt_mm_share(struct uevt_mm *pumm, struct uevt_mm *cumm)
{
	struct uevt_set *set = pumm->set;
	struct uevt_rec *prec, *crec;
	int i;

	mutex_lock(&set->lock);
	list_add_tail(&cumm->set_node, &set->mms);
	set->users++;
	mutex_unlock(&set->lock);
	spin_lock(&cumm->spin);
	cumm->set = set;
	WRITE_ONCE(cumm->nr, set->nr);
	spin_unlock(&cumm->spin);

	if (test_bit(UEVT_MM_RETIRE_ALL, &pumm->flags))
		set_bit(UEVT_MM_RETIRE_ALL, &cumm->flags);
	spin_lock(&pumm->spin);
	hash_for_each(pumm->recs, i, prec, hnode) {
		if (!test_bit(UEVT_REC_RETIRED, &prec->flags))
			continue;
		spin_lock_nested(&cumm->spin, SINGLE_DEPTH_NESTING);
		crec = uevt_rec_get(cumm, prec->slot);
		if (crec)
			set_bit(UEVT_REC_RETIRED, &crec->flags);
		else
			set_bit(UEVT_MM_RETIRE_ALL, &cumm->flags);
		spin_unlock(&cumm->spin);
	}
	spin_unlock(&pumm->spin);
}

/**
 * uevt_mm_copy() - give a forked child its parent's enable bits
 * @parent: the parent's address space (the caller holds mmgrab()).
 * @child: the child's address space (the caller holds mmgrab()).
 * @tgid: the child's pid, for the status file.
 *
 * The child shares the parent's set of registrations: nothing is copied
 * per registration.  Its words are then checked against their events'
 * states, and only those that changed since the fork are written, so the
 * copy-on-write pages stay shared.  A parent that exited before this ran
 * leaves nothing to share.  The child's memory is charged to its memory
 * cgroup.
 *
 * Context: process context (workqueue), may sleep; no uevt lock held.
 * Return: 0, -ESRCH when the child is gone already, -ENOMEM.
 */
int uevt_mm_copy(struct mm_struct *parent, struct mm_struct *child, pid_t tgid)
{
	struct mem_cgroup *memcg, *old_memcg;
	struct uevt_mm *pumm, *cumm;
	struct mmu_notifier *mn;
	bool joined = false, left = false;
	int ret = 0;

	if (!mmget_not_zero(child))
		return -ESRCH;
	mutex_lock(&uevt_mms_lock);
	pumm = uevt_mm_lookup(parent);
	mutex_unlock(&uevt_mms_lock);
	/* The parent's ->release waits for us, so @pumm stays. */
	if (!pumm || !READ_ONCE(pumm->nr))
		goto out;
	/*
	 * We run in a kworker: charge what the child will own to the child's
	 * memory cgroup, as a registration in the child itself would be.
	 */
	memcg = get_mem_cgroup_from_mm(child);
	old_memcg = set_active_memcg(memcg);
	mmap_write_lock(child);
	mn = mmu_notifier_get_locked(&uevt_mmu_ops, child);
	mmap_write_unlock(child);
	if (IS_ERR(mn)) {
		ret = PTR_ERR(mn);
		goto out_memcg;
	}
	cumm = container_of(mn, struct uevt_mm, mn);

	mutex_lock(&pumm->lock);
	mutex_lock_nested(&cumm->lock, SINGLE_DEPTH_NESTING);
	if (pumm->set && pumm->set->nr && !cumm->dead) {
		cumm->tgid = tgid;
		memcpy(cumm->comm, pumm->comm, sizeof(cumm->comm));
		if (!cumm->set) {
			uevt_mm_share(pumm, cumm);
			joined = true;
		} else {
			ret = uevt_mm_merge(pumm, cumm);
			left = uevt_mm_leave_if_empty(cumm);
		}
		/* From here on state changes reach the child; catch up. */
		clear_bit(UEVT_MM_RESYNC, &cumm->flags);
		uevt_mm_resync(cumm);
	}
	mutex_unlock(&cumm->lock);
	mutex_unlock(&pumm->lock);
	uevt_mm_publish(cumm);
	/* Sharing keeps the reference: the child holds one per set. */
	if (!joined)
		mmu_notifier_put(mn);
	if (left)
		mmu_notifier_put(mn);
out_memcg:
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
out:
	/*
	 * Maybe the child's last reference: its ->release must not run on
	 * this workqueue, where it could wait for copies queued behind us.
	 */
	mmput_async(child);
	return ret;
}

/* ---- status ---- */

/**
 * uevt_enablers_show() - the enablers part of the status file
 * @m: the seq_file.
 */
void uevt_enablers_show(struct seq_file *m)
{
	struct uevt_slot *slot;
	struct uevt_mm *umm;

	seq_printf(m, "retirements lost %ld\n", atomic_long_read(&uevt_retire_lost));
	mutex_lock(&uevt_mms_lock);
	list_for_each_entry(umm, &uevt_mms, node) {
		mutex_lock(&umm->lock);
		if (!umm->set)
			goto next;
		list_for_each_entry(slot, &umm->set->slots, set_node) {
			struct uevt_rec *rec;
			int err = 0, pending = 0;
			unsigned int retries = 0;

			spin_lock(&umm->spin);
			rec = uevt_rec_find(umm, slot->addr, slot->bit);
			if (rec) {
				err = READ_ONCE(rec->last_err);
				pending = test_bit(UEVT_REC_PENDING, &rec->flags);
				retries = rec->retries;
			}
			spin_unlock(&umm->spin);
			seq_printf(m, "enabler tgid %d comm %s addr 0x%lx bit %u size %u event %s:%s last_err %d pending %d retries %u\n",
				   umm->tgid, umm->comm, slot->addr, slot->bit, slot->size,
				   slot->ev->class.system, slot->ev->tp_name, err, pending,
				   retries);
		}
next:
		mutex_unlock(&umm->lock);
	}
	mutex_unlock(&uevt_mms_lock);
}

/**
 * uevt_enable_init() - create the fault workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int uevt_enable_init(void)
{
	uevt_fault_wq = alloc_workqueue("uevt_fault", WQ_UNBOUND, UEVT_FAULT_WORKERS);
	return uevt_fault_wq ? 0 : -ENOMEM;
}

/**
 * uevt_enable_exit() - wait for notifier frees and the workqueue
 *
 * Every registration holds a module reference through its event, so none
 * is left; the notifiers' asynchronous frees may still be in flight.
 */
void uevt_enable_exit(void)
{
	mmu_notifier_synchronize();
	destroy_workqueue(uevt_fault_wq);
}
