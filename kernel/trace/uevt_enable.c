// SPDX-License-Identifier: GPL-2.0
/*
 * Enable bits: the kernel keeps one bit in a process's memory equal to an
 * event's state.
 *
 * An enabler is (mm, virtual address, bit, size), never a page: every write
 * translates the address again, so it lands in whatever page backs the
 * address now (a COW copy, a page swapped back in).  Writes from a state
 * change never fault: they run under the event's enablers_lock, maybe on
 * behalf of another process, and one process's unmapped or userfaultfd
 * page must not stall anybody else.  When such a write cannot complete,
 * the enabler is marked pending and its mm's fault worker faults the page
 * in and writes the state current at that moment, re-checking after the
 * write so the bit converges however often the state flips meanwhile.
 *
 * Per-mm state lives in an mmu_notifier obtained with mmu_notifier_get(),
 * so there is exactly one per (mm, this module) and ->release tells us
 * when the address space dies (exit, exec): its enablers go at once and
 * nothing is written into that mm again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
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

enum {
	UEVT_EN_PENDING,	/* a faulting write is owed */
	UEVT_EN_RETIRED,	/* its page was unmapped: never write again */
	UEVT_EN_HEAL,		/* zapped: pending with a fresh retry budget */
};

/**
 * struct uevt_mm - uevt's state of one address space
 * @mn: the notifier; @mn.mm is the address space (kept valid by it).
 * @lock: protects @enablers, @nr and @dead; the fault worker holds it
 *	while writing, so user memory may be faulted under it.
 * @enablers: this mm's enablers.
 * @nr: entries in @enablers.
 * @pages: page number -> enablers whose word lies in that page, so the
 *	notifiers skip ranges without a word in O(log n) instead of walking
 *	@enablers; changed under @lock, read locklessly (RCU) from any context.
 * @dead: the address space is gone; nothing may be added.
 * @list_lock: also held to change @enablers, so the munmap notifier (which
 *	runs under mmap_lock and must not take @lock) can walk it.
 * @fault_work: writes pending enablers, faulting pages in.
 * @free_work: frees this structure in process context.
 * @node: in uevt_mms; under uevt_mms_lock.
 * @hnode: in uevt_mm_hash, found by the fork hook under RCU.
 * @rcu: frees the structure after RCU readers of uevt_mm_hash.
 * @tgid: process that created it, for the status file.
 * @comm: its command name.
 */
struct uevt_mm {
	struct mmu_notifier mn;
	/* Protects enablers, nr, dead; the fault worker writes under it. */
	struct mutex lock;
	struct list_head enablers;
	unsigned int nr;
	struct xarray pages;
	bool dead;
	/* Held with @lock to change @enablers; alone by the munmap notifier. */
	spinlock_t list_lock;
	struct delayed_work fault_work;
	struct work_struct free_work;
	struct list_head node;
	struct hlist_node hnode;
	struct rcu_head rcu;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
};

/**
 * struct uevt_enabler - one enable bit
 * @ev_node: in @ev->enablers, under @ev->enablers_lock.
 * @mm_node: in @umm->enablers, under @umm->lock.
 * @ev: the event; the enabler holds a reference.
 * @umm: the address space; the enabler holds a notifier reference.
 * @addr: user address of the enable word.
 * @bit: bit within the word.
 * @size: 4 or 8 bytes.
 * @flags: UEVT_EN_* bits.
 * @last_err: result of the last write (0 or a negative errno).
 * @retries: faulting writes tried since the last success.
 */
struct uevt_enabler {
	struct list_head ev_node;
	struct list_head mm_node;
	struct uevt_event *ev;
	struct uevt_mm *umm;
	unsigned long addr;
	u8 bit;
	u8 size;
	unsigned long flags;
	int last_err;
	unsigned int retries;
};

static struct workqueue_struct *uevt_fault_wq;

/* Count @en's word in @umm->pages; under @umm->lock.  0 or -ENOMEM. */
static int uevt_mm_page_get(struct uevt_mm *umm, struct uevt_enabler *en)
{
	unsigned long pg = en->addr >> PAGE_SHIFT;
	void *old = xa_load(&umm->pages, pg);
	unsigned long n = old ? xa_to_value(old) : 0;

	lockdep_assert_held(&umm->lock);
	return xa_err(xa_store(&umm->pages, pg, xa_mk_value(n + 1), GFP_KERNEL_ACCOUNT));
}

/* The reverse; never fails (shrinking a value in place allocates nothing). */
static void uevt_mm_page_put(struct uevt_mm *umm, struct uevt_enabler *en)
{
	unsigned long pg = en->addr >> PAGE_SHIFT;
	unsigned long n = xa_to_value(xa_load(&umm->pages, pg));

	lockdep_assert_held(&umm->lock);
	if (n > 1)
		xa_store(&umm->pages, pg, xa_mk_value(n - 1), GFP_NOWAIT);
	else
		xa_erase(&umm->pages, pg);
}

/* Does [range->start, range->end) hold an enable word?  Any context. */
static bool uevt_mm_range_has_words(struct uevt_mm *umm, const struct mmu_notifier_range *range)
{
	unsigned long pg = range->start >> PAGE_SHIFT;

	return range->end > range->start &&
	       xa_find(&umm->pages, &pg, (range->end - 1) >> PAGE_SHIFT, XA_PRESENT);
}

/* All uevt_mm: the status file, UNREG and fork look them up here. */
static DEFINE_MUTEX(uevt_mms_lock);
static LIST_HEAD(uevt_mms);

/*
 * The same, hashed by mm for the fork hook, which runs in atomic context:
 * readers under RCU, writers under uevt_mm_hash_lock (inside uevt_mms_lock).
 */
static DEFINE_HASHTABLE(uevt_mm_hash, 8);
static DEFINE_SPINLOCK(uevt_mm_hash_lock);

/*
 * Set or clear the bit in the mm, translating the address now.  Without
 * @may_fault nothing sleeps on the mm (trylock, no fault): -EAGAIN or
 * -EFAULT then mean "try again from the fault worker".
 */
static int uevt_enabler_write(struct uevt_enabler *en, bool set, bool may_fault)
{
	struct mm_struct *mm = en->umm->mn.mm;
	/* Operate on the aligned long holding the word: bit ops are long-wide. */
	unsigned long uaddr = ALIGN_DOWN(en->addr, sizeof(long));
	unsigned int bit = en->bit + (en->addr - uaddr) * BITS_PER_BYTE;
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
	if (test_bit(UEVT_EN_RETIRED, &en->flags)) {
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
static int uevt_enabler_write_current(struct uevt_enabler *en, bool may_fault)
{
	int tries, ret = 0;
	bool want;

	for (tries = 0; tries < 4; tries++) {
		want = READ_ONCE(en->ev->enabled);
		ret = uevt_enabler_write(en, want, may_fault);
		/* Order the bit write before re-reading the state. */
		smp_mb();
		if (ret || want == READ_ONCE(en->ev->enabled))
			break;
	}
	WRITE_ONCE(en->last_err, ret);
	return ret;
}

static void uevt_enabler_defer(struct uevt_enabler *en)
{
	en->retries = 0;
	set_bit(UEVT_EN_PENDING, &en->flags);
	mod_delayed_work(uevt_fault_wq, &en->umm->fault_work, 0);
}

/* From a state change: never faults. */
static void uevt_enabler_sync(struct uevt_enabler *en)
{
	int ret = uevt_enabler_write_current(en, false);

	if (ret == -EAGAIN || ret == -EFAULT)
		uevt_enabler_defer(en);
}

/**
 * uevt_enablers_update() - make every enable bit of an event show its state
 * @ev: the event whose state changed.
 *
 * Only @ev's own enablers are visited.  Pages that are not present are
 * left to the owning mm's fault worker.
 *
 * Context: process context, may sleep (called under event_mutex).
 */
void uevt_enablers_update(struct uevt_event *ev)
{
	struct uevt_enabler *en;

	mutex_lock(&ev->enablers_lock);
	list_for_each_entry(en, &ev->enablers, ev_node)
		uevt_enabler_sync(en);
	mutex_unlock(&ev->enablers_lock);
}

static void uevt_mm_fault_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(to_delayed_work(work), struct uevt_mm, fault_work);
	unsigned long delay = 0;
	struct uevt_enabler *en;
	int ret;

	mutex_lock(&umm->lock);
	list_for_each_entry(en, &umm->enablers, mm_node) {
		if (!test_and_clear_bit(UEVT_EN_PENDING, &en->flags))
			continue;
		/* retries is ours (under @lock): the notifier only flags it. */
		if (test_and_clear_bit(UEVT_EN_HEAL, &en->flags))
			en->retries = 0;
		ret = uevt_enabler_write_current(en, true);
		if (!ret || ret == -ESRCH || ret == -ENXIO)
			continue;
		if (en->retries < UEVT_FAULT_RETRIES) {
			unsigned long d = msecs_to_jiffies(UEVT_FAULT_DELAY_MS << en->retries);

			en->retries++;
			set_bit(UEVT_EN_PENDING, &en->flags);
			delay = delay ? min(delay, d) : d;
		}
	}
	mutex_unlock(&umm->lock);
	if (delay)
		queue_delayed_work(uevt_fault_wq, &umm->fault_work, delay);
}

/* Unlink from the event, drop the references; @en is off its mm's list. */
static void uevt_enabler_free(struct uevt_enabler *en)
{
	struct uevt_event *ev = en->ev;

	mutex_lock(&ev->enablers_lock);
	list_del(&en->ev_node);
	ev->nr_enablers--;
	mutex_unlock(&ev->enablers_lock);
	uevt_event_put(ev);
	mmu_notifier_put(&en->umm->mn);
	kfree(en);
}

static void uevt_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_enabler *en, *next;
	LIST_HEAD(dead);

	/* Children forked a moment ago still need to read our enablers. */
	uevt_fork_wait_parent(mm);
	mutex_lock(&umm->lock);
	WRITE_ONCE(umm->dead, true);
	spin_lock(&umm->list_lock);
	list_splice_init(&umm->enablers, &dead);
	spin_unlock(&umm->list_lock);
	umm->nr = 0;
	xa_destroy(&umm->pages);
	mutex_unlock(&umm->lock);

	list_for_each_entry_safe(en, next, &dead, mm_node)
		uevt_enabler_free(en);
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
 * list spinlock, atomic bits and a queued work.
 */
static void uevt_mm_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_enabler *en;
	bool heal = false;

	if (range->event != MMU_NOTIFY_CLEAR || !uevt_mm_range_has_words(umm, range))
		return;
	spin_lock(&umm->list_lock);
	list_for_each_entry(en, &umm->enablers, mm_node) {
		if (en->addr < range->start || en->addr >= range->end ||
		    !READ_ONCE(en->ev->enabled) || test_bit(UEVT_EN_RETIRED, &en->flags))
			continue;
		set_bit(UEVT_EN_HEAL, &en->flags);
		/* The worker that sees PENDING must see HEAL too. */
		smp_mb__before_atomic();
		set_bit(UEVT_EN_PENDING, &en->flags);
		heal = true;
	}
	spin_unlock(&umm->list_lock);
	if (heal)
		mod_delayed_work(uevt_fault_wq, &umm->fault_work, 0);
}

/*
 * munmap(), mremap() away, exit: the words in the range are gone for good.
 * Retire their enablers so nothing is written there again, even into a
 * new mapping at the same address.  Runs under mmap_lock, maybe unable to
 * sleep: only the list spinlock and atomic bits.
 */
static int uevt_mm_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct uevt_enabler *en;

	if (range->event != MMU_NOTIFY_UNMAP || !uevt_mm_range_has_words(umm, range))
		return 0;
	spin_lock(&umm->list_lock);
	list_for_each_entry(en, &umm->enablers, mm_node)
		if (en->addr >= range->start && en->addr < range->end)
			set_bit(UEVT_EN_RETIRED, &en->flags);
	spin_unlock(&umm->list_lock);
	return 0;
}

static struct mmu_notifier *uevt_mm_alloc(struct mm_struct *mm)
{
	struct uevt_mm *umm = kzalloc(sizeof(*umm), GFP_KERNEL_ACCOUNT);

	if (!umm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&umm->lock);
	spin_lock_init(&umm->list_lock);
	xa_init(&umm->pages);
	INIT_LIST_HEAD(&umm->enablers);
	INIT_DELAYED_WORK(&umm->fault_work, uevt_mm_fault_work);
	INIT_LIST_HEAD(&umm->node);
	umm->tgid = current->tgid;
	get_task_comm(umm->comm, current);
	/* Listed by uevt_mm_get(): uevt_mms_lock nests outside mmap_lock. */
	return &umm->mn;
}

static void uevt_mm_free_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(work, struct uevt_mm, free_work);

	cancel_delayed_work_sync(&umm->fault_work);
	mutex_lock(&uevt_mms_lock);
	if (!list_empty(&umm->node)) {
		list_del(&umm->node);
		spin_lock(&uevt_mm_hash_lock);
		hash_del_rcu(&umm->hnode);
		spin_unlock(&uevt_mm_hash_lock);
	}
	mutex_unlock(&uevt_mms_lock);
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

static struct uevt_enabler *uevt_mm_find(struct uevt_mm *umm, unsigned long addr, u8 bit)
{
	struct uevt_enabler *en;

	lockdep_assert_held(&umm->lock);
	/* Retired enablers stay until exit, but the address is free again. */
	list_for_each_entry(en, &umm->enablers, mm_node)
		if (en->addr == addr && en->bit == bit &&
		    !test_bit(UEVT_EN_RETIRED, &en->flags))
			return en;
	return NULL;
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
 * Return: true when @mm has at least one enabler.
 */
bool uevt_mm_has_enablers(struct mm_struct *mm)
{
	struct uevt_mm *umm;
	bool ret = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(uevt_mm_hash, umm, hnode, (unsigned long)mm) {
		if (umm->mn.mm == mm && READ_ONCE(umm->nr) && !READ_ONCE(umm->dead)) {
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

/* The calling process's uevt_mm, with a notifier reference; checks that
 * [addr, addr + size) is mapped writable.
 */
static struct uevt_mm *uevt_mm_get(unsigned long addr, unsigned int size)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct mmu_notifier *mn;
	struct uevt_mm *umm;

	if (!mm)
		return ERR_PTR(-EINVAL);
	if (mmap_write_lock_killable(mm))
		return ERR_PTR(-EINTR);
	vma = vma_lookup(mm, addr);
	if (!vma || !(vma->vm_flags & VM_WRITE) || addr + size > vma->vm_end)
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

/* May @umm take an enabler at (addr, bit)?  Under umm->lock. */
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
 * @ev: the event; the enabler takes its own reference.
 *
 * The current state is written before returning when the page can be
 * faulted in; otherwise the fault worker finishes the job.
 *
 * Context: process context, may sleep.
 * Return: 0, what uevt_enabler_prepare() returns when another thread
 * registered the same bit in between, or -ENOMEM.
 */
int uevt_enabler_commit(struct uevt_enabler *en, struct uevt_event *ev)
{
	struct uevt_mm *umm = en->umm;
	int ret;

	mutex_lock(&umm->lock);
	ret = uevt_mm_may_add(umm, en->addr, en->bit);
	/* Indexed before it is listed: a notifier that finds it may look. */
	if (!ret)
		ret = uevt_mm_page_get(umm, en);
	if (ret) {
		mutex_unlock(&umm->lock);
		uevt_enabler_abort(en);
		return ret;
	}
	en->ev = ev;
	uevt_event_get(ev);
	spin_lock(&umm->list_lock);
	list_add_tail(&en->mm_node, &umm->enablers);
	spin_unlock(&umm->list_lock);
	umm->nr++;
	mutex_unlock(&umm->lock);

	mutex_lock(&ev->enablers_lock);
	list_add_tail(&en->ev_node, &ev->enablers);
	ev->nr_enablers++;
	mutex_unlock(&ev->enablers_lock);
	/*
	 * Our own mm, in our own context: faulting the page in is fine, but
	 * not under enablers_lock, which every state change of @ev needs.  A
	 * state change racing with this write re-writes the bit itself.
	 */
	if (uevt_enabler_write_current(en, true))
		uevt_enabler_defer(en);
	return 0;
}

/**
 * uevt_enabler_remove() - unregister an enable bit of the calling process
 * @unreg: address and bit, as registered.
 *
 * The bit is cleared once nothing else can write it any more.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOENT when the calling process has no such enabler.
 */
int uevt_enabler_remove(const struct uevt_unreg *unreg)
{
	struct uevt_enabler *en = NULL;
	struct uevt_mm *umm;

	/* Look only: mmu_notifier_get() would create state where there is none. */
	mutex_lock(&uevt_mms_lock);
	umm = uevt_mm_lookup(current->mm);
	if (umm) {
		mutex_lock(&umm->lock);
		en = uevt_mm_find(umm, unreg->disable_addr, unreg->disable_bit);
		if (en) {
			spin_lock(&umm->list_lock);
			list_del(&en->mm_node);
			spin_unlock(&umm->list_lock);
			uevt_mm_page_put(umm, en);
			umm->nr--;
		}
		mutex_unlock(&umm->lock);
	}
	mutex_unlock(&uevt_mms_lock);
	if (!en)
		return -ENOENT;

	/* The enabler's own notifier reference keeps umm alive from here. */
	mutex_lock(&en->ev->enablers_lock);
	list_del(&en->ev_node);
	en->ev->nr_enablers--;
	mutex_unlock(&en->ev->enablers_lock);
	/* Nobody else can reach it now: this write is the last. */
	uevt_enabler_write(en, false, true);
	uevt_event_put(en->ev);
	mmu_notifier_put(&umm->mn);
	kfree(en);
	return 0;
}

struct uevt_copy {
	struct uevt_event *ev;
	struct uevt_enabler *en;	/* the child's, allocated outside locks */
	unsigned long addr;
	u8 bit;
	u8 size;
};

/**
 * uevt_mm_copy() - give a forked child its parent's enable bits
 * @parent: the parent's address space (the caller holds mmgrab()).
 * @child: the child's address space (the caller holds mmgrab()).
 * @tgid: the child's pid, for the status file.
 *
 * Snapshots the parent's enablers, recreates them in @child and writes
 * the current state into the child's copy of each word.  The memory is
 * charged to the child's memory cgroup.  A parent that
 * exited before this ran leaves nothing to copy.
 *
 * Context: process context (workqueue), may sleep; no uevt lock held.
 * Return: 0, -ESRCH when the child is gone already, -ENOMEM.
 */
int uevt_mm_copy(struct mm_struct *parent, struct mm_struct *child, pid_t tgid)
{
	char comm[TASK_COMM_LEN] = "";
	struct uevt_mm *pumm, *cumm = NULL;
	struct uevt_copy *snap = NULL;
	struct mem_cgroup *memcg, *old_memcg;
	struct uevt_enabler *en;
	unsigned int n = 0, i;
	int ret = 0;

	if (!mmget_not_zero(child))
		return -ESRCH;
	/*
	 * We run in a kworker: charge what the child will own to the child's
	 * memory cgroup, as a registration in the child itself would be.
	 */
	memcg = get_mem_cgroup_from_mm(child);
	old_memcg = set_active_memcg(memcg);
	mutex_lock(&uevt_mms_lock);
	pumm = uevt_mm_lookup(parent);
	if (pumm) {
		mutex_lock(&pumm->lock);
		snap = kmalloc_array(pumm->nr, sizeof(*snap), GFP_KERNEL_ACCOUNT);
		if (snap) {
			list_for_each_entry(en, &pumm->enablers, mm_node) {
				if (test_bit(UEVT_EN_RETIRED, &en->flags))
					continue;
				snap[n++] = (struct uevt_copy){
					en->ev, NULL, en->addr, en->bit, en->size
				};
				uevt_event_get(en->ev);
			}
		} else if (pumm->nr) {
			ret = -ENOMEM;
		}
		memcpy(comm, pumm->comm, sizeof(comm));
		mutex_unlock(&pumm->lock);
	}
	mutex_unlock(&uevt_mms_lock);

	for (i = 0; i < n; i++)
		snap[i].en = kzalloc(sizeof(*snap[i].en), GFP_KERNEL_ACCOUNT);

	/* One write lock for all the notifier references the enablers take. */
	if (n)
		mmap_write_lock(child);
	for (i = 0; i < n; i++) {
		struct mmu_notifier *mn;

		if (!snap[i].en)
			continue;
		mn = mmu_notifier_get_locked(&uevt_mmu_ops, child);
		if (IS_ERR(mn)) {
			kfree(snap[i].en);
			snap[i].en = NULL;
			continue;
		}
		snap[i].en->umm = container_of(mn, struct uevt_mm, mn);
		cumm = snap[i].en->umm;
	}
	if (n)
		mmap_write_unlock(child);

	if (cumm) {
		cumm->tgid = tgid;
		memcpy(cumm->comm, comm, sizeof(comm));
		uevt_mm_publish(cumm);
	}
	for (i = 0; i < n; i++) {
		en = snap[i].en;
		if (en) {
			en->addr = snap[i].addr;
			en->bit = snap[i].bit;
			en->size = snap[i].size;
			/* -EADDRINUSE: the child registered that bit itself. */
			if (uevt_enabler_commit(en, snap[i].ev) == -ENOMEM)
				ret = -ENOMEM;
		} else {
			ret = -ENOMEM;
		}
		uevt_event_put(snap[i].ev);
	}
	kfree(snap);
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
	/*
	 * Maybe the child's last reference: its ->release must not run on
	 * this workqueue, where it could wait for copies queued behind us.
	 */
	mmput_async(child);
	return ret;
}

/**
 * uevt_enablers_show() - the enablers part of the status file
 * @m: the seq_file.
 */
void uevt_enablers_show(struct seq_file *m)
{
	struct uevt_enabler *en;
	struct uevt_mm *umm;

	mutex_lock(&uevt_mms_lock);
	list_for_each_entry(umm, &uevt_mms, node) {
		mutex_lock(&umm->lock);
		list_for_each_entry(en, &umm->enablers, mm_node)
			seq_printf(m, "enabler tgid %d comm %s addr 0x%lx bit %u size %u event %s:%s last_err %d pending %d retries %u\n",
				   umm->tgid, umm->comm, en->addr, en->bit, en->size,
				   en->ev->class.system, en->ev->tp_name, READ_ONCE(en->last_err),
				   test_bit(UEVT_EN_PENDING, &en->flags), en->retries);
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
 * Every enabler holds a module reference through its event, so none is
 * left; the notifiers' asynchronous frees may still be in flight.
 */
void uevt_enable_exit(void)
{
	mmu_notifier_synchronize();
	destroy_workqueue(uevt_fault_wq);
}
