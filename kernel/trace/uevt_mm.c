// SPDX-License-Identifier: GPL-2.0
/*
 * Per-process state: one struct uevt_mm per address space that holds
 * registrations, kept in an mmu_notifier obtained with mmu_notifier_get()
 * so there is exactly one per (mm, module).  Its notifiers retire words
 * whose page is unmapped, owe a write to words whose page was zapped, and
 * let the address space go when it dies.  The design is described in
 * uevt_core.h.
 *
 * Lifetime.  The notifier is registered while the mm has a set (or is
 * about to get one) and is then owned by the uevt_mm alone ("attached");
 * an mm whose last registration goes detaches at once, so an idle process
 * keeps nothing of the module.  Attaching and detaching both happen under
 * the mm's mmap_lock held for writing, which makes mmu_notifier_get_locked()
 * and mmu_notifier_put() for one mm strictly ordered.  The structure itself
 * lives on, reference-counted, until the notifier's free callback and every
 * temporary user are gone, and holds the module and a grab on the mm.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>

#include "uevt_core.h"

/* Spare join tickets kept for the fork hook (see uevt_fork.c). */
#define UEVT_SPARE_JOINS	2

/*
 * Every uevt_mm, for the status file and unregistration; hashed by mm for
 * the fork hook, which looks them up under RCU.  Both change only under
 * uevt_mms_lock.
 */
static DEFINE_MUTEX(uevt_mms_lock);
static LIST_HEAD(uevt_mms);
static DEFINE_HASHTABLE(uevt_mm_hash, 8);

/* Retirements that could not be recorded: their mm stopped being written. */
static atomic_long_t uevt_retire_lost = ATOMIC_LONG_INIT(0);
/*
 * Attaches a worker made for a caller a signal interrupted; callers killed
 * while they waited for one; states a worker made for a caller already
 * gone, put by the request.
 */
static atomic_long_t uevt_attach_by_worker = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_attach_abandoned = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_attach_orphaned = ATOMIC_LONG_INIT(0);

static const struct mmu_notifier_ops uevt_mmu_ops;
static void uevt_mm_unpublish(struct uevt_mm *umm);

/* Fault work, frees and join tickets; none of its work items waits long. */
struct workqueue_struct *uevt_wq;
/*
 * Attaching to an mm for a caller a signal stopped (uevt_mm_attach()):
 * these wait for the mm's mmap_lock, which its process may hold for long,
 * so they have a queue of their own.
 */
static struct workqueue_struct *uevt_attach_wq;

/* The set of @umm; the caller holds umm->lock, umm->spin or pub_lock. */
static struct uevt_set *uevt_mm_set(struct uevt_mm *umm)
{
	return rcu_dereference_check(umm->set, lockdep_is_held(&umm->lock) ||
				     lockdep_is_held(&umm->spin) ||
				     lockdep_is_held(&umm->pub_lock));
}

/* Replaced (and the old one freed) under spin: only spin or pub_lock keep it. */
static struct uevt_retired *uevt_mm_retired_table(struct uevt_mm *umm)
{
	return rcu_dereference_check(umm->retired, lockdep_is_held(&umm->spin) ||
				     lockdep_is_held(&umm->pub_lock));
}

/**
 * uevt_mm_retired() - is a word of an address space retired?
 * @umm: the address space.
 * @key: the word.
 *
 * Checked before every write.  A write that translates checks under the
 * mm's mmap_lock: an unmap retires its words before it lets go of
 * mmap_lock, and a new mapping at the same address needs mmap_lock for
 * writing, so nothing is ever written into it.  A write through the
 * translation cache checks under the cache's lock: an unmap drops the
 * cached page before it retires the words, and retirements no unmap
 * makes (fork's MADV_DONTFORK and MADV_WIPEONFORK, RETIRE_ALL) leave the
 * page mapped, so this check is what stops those.
 *
 * Context: any.
 * Return: true when @key must never be written in @umm.
 */
bool uevt_mm_retired(struct uevt_mm *umm, unsigned long key)
{
	bool ret;

	if (test_bit(UEVT_MM_RETIRE_ALL, &umm->flags))
		return true;
	rcu_read_lock();
	ret = uevt_retired_has(rcu_dereference(umm->retired), key);
	rcu_read_unlock();
	return ret;
}

/**
 * uevt_mm_live_words() - registrations that count against the limit
 * @umm: the address space, under its lock.
 *
 * Retired words do not count.
 *
 * Return: the number of words @umm keeps written.
 */
unsigned int uevt_mm_live_words(struct uevt_mm *umm)
{
	struct uevt_set *set = uevt_mm_set(umm);
	unsigned int i, retired = 0;
	struct uevt_retired *r;

	lockdep_assert_held(&umm->lock);
	if (!set)
		return 0;
	rcu_read_lock();
	r = rcu_dereference(umm->retired);
	for (i = 0; r && i < r->nr; i++)
		retired += !!xa_load(&set->slots, r->keys[i]);
	rcu_read_unlock();
	return set->nr - min(retired, set->nr);
}

/**
 * uevt_word_mapped() - is a word mapped writable?
 * @mm: the address space, its mmap_lock held.
 * @addr: the word's address.
 * @size: its size.
 *
 * Return: true when [@addr, @addr + @size) lies in one writable mapping.
 */
bool uevt_word_mapped(struct mm_struct *mm, unsigned long addr, unsigned int size)
{
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, addr);
	return vma && (vma->vm_flags & VM_WRITE) && addr + size <= vma->vm_end;
}

/* ---- lifetime ---- */

static void uevt_mm_free_work(struct work_struct *work)
{
	struct uevt_mm *umm = container_of(work, struct uevt_mm, free_work);
	struct llist_node *spare;
	struct uevt_join *join, *next;

	cancel_delayed_work_sync(&umm->fault_work);
	mutex_lock(&uevt_mms_lock);
	if (!list_empty(&umm->node)) {
		list_del(&umm->node);
		hash_del_rcu(&umm->hnode);
	}
	mutex_unlock(&uevt_mms_lock);
	uevt_words_free(umm);
	spare = llist_del_all(&umm->spare);
	llist_for_each_entry_safe(join, next, spare, node)
		uevt_join_free(join);
	uevt_retired_put(rcu_dereference_protected(umm->retired, true));
	put_pid(umm->tgid);
	mmdrop(umm->mm);
	kfree_rcu(umm, rcu);
	/* Last: the workqueue is destroyed only after we return. */
	module_put(THIS_MODULE);
}

static void uevt_mm_release_ref(struct kref *ref)
{
	struct uevt_mm *umm = container_of(ref, struct uevt_mm, ref);

	/* Maybe atomic (the fork hook, an SRCU callback): free from a worker. */
	INIT_WORK(&umm->free_work, uevt_mm_free_work);
	queue_work(uevt_wq, &umm->free_work);
}

/**
 * uevt_mm_put() - drop a reference to an address space's state
 * @umm: the state.
 *
 * Context: any.
 */
void uevt_mm_put(struct uevt_mm *umm)
{
	kref_put(&umm->ref, uevt_mm_release_ref);
}

static struct mmu_notifier *uevt_mm_alloc_notifier(struct mm_struct *mm)
{
	/*
	 * A worker attaching for a process charges that process's cgroup but
	 * is not that process: an OOM kill there would wait for us.  Fail.
	 */
	gfp_t gfp = GFP_KERNEL_ACCOUNT | ((current->flags & PF_KTHREAD) ? __GFP_RETRY_MAYFAIL : 0);
	struct uevt_mm *umm = kzalloc(sizeof(*umm), gfp);

	if (!umm)
		return ERR_PTR(-ENOMEM);
	kref_init(&umm->ref);
	mutex_init(&umm->write_lock);
	mutex_init(&umm->lock);
	spin_lock_init(&umm->spin);
	raw_spin_lock_init(&umm->pub_lock);
	raw_spin_lock_init(&umm->cache_lock);
	INIT_LIST_HEAD(&umm->set_node);
	hash_init(umm->words);
	init_llist_head(&umm->spare);
	INIT_LIST_HEAD(&umm->late);
	INIT_DELAYED_WORK(&umm->fault_work, uevt_mm_fault_work);
	INIT_LIST_HEAD(&umm->node);
	/* Ours until freed, whether or not the notifier gets registered. */
	umm->mm = mm;
	mmgrab(mm);
	/* Reached through an open file, a fork hook or an attach worker. */
	__module_get(THIS_MODULE);
	return &umm->mn;
}

/*
 * Name the process @tgid (a pid we hold), called @comm, the owner of
 * @umm, the state of its mm, unless it has one.  Its task work (the
 * fixer) is queued on the owner's threads, and the status file shows the
 * owner.
 */
static void uevt_mm_set_owner(struct uevt_mm *umm, struct pid *tgid, const char *comm)
{
	get_pid(tgid);
	if (cmpxchg(&umm->tgid, NULL, tgid))
		put_pid(tgid);
	else
		strscpy(umm->comm, comm, sizeof(umm->comm));
}

static void uevt_mm_free_notifier(struct mmu_notifier *mn)
{
	uevt_mm_put(container_of(mn, struct uevt_mm, mn));
}

/* Make a new uevt_mm findable: status, unregistration, the fork hook. */
static void uevt_mm_list(struct uevt_mm *umm)
{
	mutex_lock(&uevt_mms_lock);
	if (list_empty(&umm->node)) {
		list_add_tail(&umm->node, &uevt_mms);
		hash_add_rcu(uevt_mm_hash, &umm->hnode, (unsigned long)umm->mm);
	}
	mutex_unlock(&uevt_mms_lock);
}

/*
 * uevt_mm_attach() for the process @tgid, called @comm, whose mm @mm is,
 * in the caller's context: -EINTR on any pending signal.
 */
static struct uevt_mm *uevt_mm_attach_here(struct mm_struct *mm, struct pid *tgid,
					   const char *comm)
{
	struct mmu_notifier *mn;
	struct uevt_mm *umm;

	for (;;) {
		if (mmap_write_lock_killable(mm))
			return ERR_PTR(-EINTR);
		mn = mmu_notifier_get_locked(&uevt_mmu_ops, mm);
		if (IS_ERR(mn)) {
			mmap_write_unlock(mm);
			return ERR_CAST(mn);
		}
		umm = container_of(mn, struct uevt_mm, mn);
		if (!test_bit(UEVT_MM_DEAD, &umm->flags))
			break;
		/* Being detached: let its detach finish, then make a new one. */
		mmu_notifier_put(mn);
		mmap_write_unlock(mm);
		schedule_timeout_killable(1);
	}
	/* The structure owns one notifier reference: keep the first only. */
	if (umm->attached)
		mmu_notifier_put(mn);
	umm->attached = true;
	kref_get(&umm->ref);
	/* Named before anybody can find it: its fixer needs the owner. */
	uevt_mm_set_owner(umm, tgid, comm);
	mmap_write_unlock(mm);
	uevt_mm_list(umm);
	return umm;
}

/**
 * struct uevt_attach_work - an attach a worker does for a caller
 * @work: on uevt_attach_wq.
 * @done: the worker is done; @umm is its result.
 * @ref: the caller's and the worker's; the last one frees.
 * @mm: the caller's mm, with mmget(): mm_take_all_locks() needs users.
 * @tgid: the caller's process, with a reference.
 * @comm: its command name.
 * @memcg: the caller's memory cgroup, with a reference: the worker's
 *	allocations are charged to it.
 * @umm: the state, with a reference, until the caller takes it.
 */
struct uevt_attach_work {
	struct work_struct work;
	struct completion done;
	refcount_t ref;
	struct mm_struct *mm;
	struct pid *tgid;
	char comm[TASK_COMM_LEN];
	struct mem_cgroup *memcg;
	struct uevt_mm *umm;
};

static void uevt_attach_work_put(struct uevt_attach_work *aw)
{
	if (!refcount_dec_and_test(&aw->ref))
		return;
	/*
	 * The caller was killed meanwhile: the state stays attached to its mm
	 * until the mm goes (->release), or a registration there uses it.
	 */
	if (!IS_ERR_OR_NULL(aw->umm)) {
		atomic_long_inc(&uevt_attach_orphaned);
		uevt_mm_put(aw->umm);
	}
	mmput_async(aw->mm);
	put_pid(aw->tgid);
	mem_cgroup_put(aw->memcg);
	kfree(aw);
}

static void uevt_attach_work(struct work_struct *work)
{
	struct uevt_attach_work *aw = container_of(work, struct uevt_attach_work, work);
	struct mem_cgroup *old = set_active_memcg(aw->memcg);

	/* Nobody waits any more (killed): no need to take the mm's locks. */
	if (refcount_read(&aw->ref) == 1)
		aw->umm = ERR_PTR(-EINTR);
	else
		aw->umm = uevt_mm_attach_here(aw->mm, aw->tgid, aw->comm);
	if (!IS_ERR(aw->umm))
		atomic_long_inc(&uevt_attach_by_worker);
	set_active_memcg(old);
	complete(&aw->done);
	uevt_attach_work_put(aw);
	/* Last: module exit destroys uevt_attach_wq, which waits for us. */
	module_put(THIS_MODULE);
}

/**
 * uevt_mm_attach() - the state of an address space, registering it if new
 * @mm: the caller's own address space (a registration, a child joining).
 *
 * Registering the mmu notifier takes every lock of the mm and gives up
 * whenever a signal is pending.  Restarting the system call does not help
 * a process whose signals come faster than that takes (an interval timer,
 * a runtime's preemption signal, a tracer's SIGSTOP to a new child): it
 * would restart for ever.  So when a signal other than a fatal one stops
 * it, a worker, which has no signals, registers it for the caller,
 * charging the caller's memory cgroup, and the caller waits for it as it
 * would for the mm's lock: until done, or killed.
 *
 * Context: process context, may sleep; no uevt lock held.
 * Return: the state with a reference the caller puts, or ERR_PTR(-EINTR)
 * (a fatal signal) or -ENOMEM.
 */
struct uevt_mm *uevt_mm_attach(struct mm_struct *mm)
{
	struct uevt_attach_work *aw;
	char comm[TASK_COMM_LEN];
	struct uevt_mm *umm;

	get_task_comm(comm, current);
	umm = uevt_mm_attach_here(mm, task_tgid(current), comm);
	if (!IS_ERR(umm) || PTR_ERR(umm) != -EINTR || fatal_signal_pending(current))
		return umm;
	aw = kzalloc(sizeof(*aw), GFP_KERNEL);
	if (!aw)
		return ERR_PTR(-ENOMEM);
	INIT_WORK(&aw->work, uevt_attach_work);
	init_completion(&aw->done);
	refcount_set(&aw->ref, 2);
	/* Our own mm, whose users we are one of. */
	mmget(mm);
	aw->mm = mm;
	aw->tgid = get_task_pid(current, PIDTYPE_TGID);
	get_task_comm(aw->comm, current);
	aw->memcg = get_mem_cgroup_from_mm(mm);
	/* We hold the module (an open file, a fork's task work): so may it. */
	__module_get(THIS_MODULE);
	queue_work(uevt_attach_wq, &aw->work);
	if (wait_for_completion_killable(&aw->done)) {
		atomic_long_inc(&uevt_attach_abandoned);
		umm = ERR_PTR(-EINTR);
	} else {
		umm = aw->umm;
		aw->umm = NULL;
	}
	uevt_attach_work_put(aw);
	return umm;
}

/**
 * uevt_mm_get_current() - the calling process's state, for a registration
 * @addr: the enable word's address.
 * @size: its size.
 *
 * Context: process context, may sleep; no uevt lock held.
 * Return: the state with a reference, or ERR_PTR(-EFAULT) when the word is
 * not mapped writable, -EINVAL for a kernel thread, -EINTR, -ENOMEM.
 */
struct uevt_mm *uevt_mm_get_current(unsigned long addr, unsigned int size)
{
	struct mm_struct *mm = current->mm;
	struct uevt_mm *umm;
	bool mapped;

	if (!mm)
		return ERR_PTR(-EINVAL);
	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);
	mapped = uevt_word_mapped(mm, addr, size);
	mmap_read_unlock(mm);
	if (!mapped)
		return ERR_PTR(-EFAULT);
	/* Not dead means attached: no need for the mmap_lock then. */
	umm = uevt_mm_find_current();
	return umm ?: uevt_mm_attach(mm);
}

/**
 * uevt_mm_find_rcu() - the state of an address space, from the hash
 * @mm: the address space.
 *
 * Context: under rcu_read_lock(); the result may be dying: take a
 * reference with kref_get_unless_zero() before using it outside.
 * Return: the state or NULL.
 */
struct uevt_mm *uevt_mm_find_rcu(struct mm_struct *mm)
{
	struct uevt_mm *umm;

	hash_for_each_possible_rcu(uevt_mm_hash, umm, hnode, (unsigned long)mm)
		if (umm->mm == mm && !test_bit(UEVT_MM_DEAD, &umm->flags))
			return umm;
	return NULL;
}

/**
 * uevt_mm_find_current() - the calling process's state, if it has one
 *
 * Looks only: unregistering must not create state where there is none.
 * Context: process context.
 * Return: the state with a reference, or NULL.
 */
struct uevt_mm *uevt_mm_find_current(void)
{
	struct uevt_mm *umm;

	if (!current->mm)
		return NULL;
	rcu_read_lock();
	umm = uevt_mm_find_rcu(current->mm);
	if (umm && !kref_get_unless_zero(&umm->ref))
		umm = NULL;
	rcu_read_unlock();
	return umm;
}

/* Take the spare join tickets out of @umm; the caller frees them. */
static struct llist_node *uevt_mm_take_spare(struct uevt_mm *umm)
{
	struct llist_node *spare;

	raw_spin_lock(&umm->pub_lock);
	spare = llist_del_all(&umm->spare);
	umm->nr_spare = 0;
	raw_spin_unlock(&umm->pub_lock);
	return spare;
}

static void uevt_mm_free_spare(struct llist_node *spare)
{
	struct uevt_join *join, *next;

	llist_for_each_entry_safe(join, next, spare, node)
		uevt_join_free(join);
}

/**
 * uevt_mm_refill_spare() - top up the join tickets the fork hook uses
 * @umm: the state of the calling process (a forking thread, a new set).
 *
 * Context: process context, may sleep.
 */
void uevt_mm_refill_spare(struct uevt_mm *umm)
{
	struct uevt_join *join;
	bool done;

	do {
		if (READ_ONCE(umm->nr_spare) >= UEVT_SPARE_JOINS ||
		    test_bit(UEVT_MM_DEAD, &umm->flags))
			return;
		join = uevt_join_alloc(GFP_KERNEL_ACCOUNT);
		if (!join)
			return;
		raw_spin_lock(&umm->pub_lock);
		done = test_bit(UEVT_MM_DEAD, &umm->flags) || umm->nr_spare >= UEVT_SPARE_JOINS;
		if (!done) {
			llist_add(&join->node, &umm->spare);
			umm->nr_spare++;
		}
		raw_spin_unlock(&umm->pub_lock);
		if (done)
			uevt_join_free(join);
	} while (!done);
}

/**
 * uevt_mm_retire_if_empty() - mark an address space without registrations dead
 * @umm: the state, under its lock.
 *
 * Dead from now on: lookups skip it, and a registration racing with this
 * makes a new one.  The caller then calls uevt_mm_detach() without the
 * lock: detaching takes the mm's mmap_lock, which may wait for a fault.
 *
 * Return: true when @umm is to be detached.
 */
bool uevt_mm_retire_if_empty(struct uevt_mm *umm)
{
	struct uevt_set *set = uevt_mm_set(umm);

	lockdep_assert_held(&umm->lock);
	if ((set && READ_ONCE(set->nr)) || test_and_set_bit(UEVT_MM_DEAD, &umm->flags))
		return false;
	uevt_mm_unpublish(umm);
	return true;
}

/**
 * uevt_mm_unlock_or_detach() - unlock, and let go of an address space
 *	whose last registration went
 * @umm: the state, under its lock, which this drops; its mm is the
 *	caller's own.
 *
 * Return: true when @umm was made dead and detached.
 */
bool uevt_mm_unlock_or_detach(struct uevt_mm *umm)
{
	bool detach = uevt_mm_retire_if_empty(umm);

	mutex_unlock(&umm->lock);
	if (detach)
		uevt_mm_detach(umm);
	return detach;
}

/**
 * uevt_mm_detach() - drop the notifier of a dead state
 * @umm: the state, made dead by uevt_mm_retire_if_empty(); its mm is the
 *	caller's own.
 */
void uevt_mm_detach(struct uevt_mm *umm)
{
	uevt_mm_free_spare(uevt_mm_take_spare(umm));
	mmap_write_lock(umm->mm);
	if (umm->attached) {
		umm->attached = false;
		/* Invalidations stop reaching us: nothing cached stays valid. */
		uevt_cache_off(umm);
		mmu_notifier_put(&umm->mn);
	}
	mmap_write_unlock(umm->mm);
}

/* @recent_newest: the latest quiet time @recent holds or let go.  Under pub_lock. */
static void uevt_mm_recent_update(struct uevt_mm *umm)
{
	u64 newest = umm->recent_floor_pending ? UEVT_QUIET_PENDING : umm->recent_floor;
	unsigned int i;

	lockdep_assert_held(&umm->pub_lock);
	for (i = 0; i < UEVT_MM_RECENT; i++)
		newest = max(newest, umm->recent[i].quiet_ns);
	WRITE_ONCE(umm->recent_newest, newest);
}

/*
 * No fork was copying at @quiet_ns: registrations made live before, still
 * pending, get that time (it is after their checks).  Under pub_lock.
 */
static void uevt_mm_resolve_pending(struct uevt_mm *umm, u64 quiet_ns)
{
	unsigned int i;

	lockdep_assert_held(&umm->pub_lock);
	for (i = 0; i < UEVT_MM_RECENT; i++)
		if (umm->recent[i].quiet_ns == UEVT_QUIET_PENDING)
			umm->recent[i].quiet_ns = quiet_ns;
	if (umm->recent_floor_pending) {
		umm->recent_floor = max(umm->recent_floor, quiet_ns);
		umm->recent_floor_pending = false;
	}
}

/*
 * The registrations the child of @join must not get: those that saw no
 * fork copying the address space only when the child's copy may have
 * begun already, or not yet (see Fork in uevt_core.h).  Under pub_lock.
 */
static void uevt_mm_exclude_recent(struct uevt_mm *umm, struct uevt_join *join)
{
	unsigned int i;

	lockdep_assert_held(&umm->pub_lock);
	join->nr_exclude = 0;
	join->exclude_all = join->from_vfork;
	/* Most forks: nothing registered since this child's copy began. */
	if (umm->recent_newest < join->child_start)
		return;
	/* Some of those are no longer remembered: the child inherits none. */
	if (umm->recent_floor_pending || umm->recent_floor >= join->child_start) {
		join->exclude_all = true;
		return;
	}
	/* Unused entries read 0, before every start_time. */
	for (i = 0; i < UEVT_MM_RECENT; i++)
		if (umm->recent[i].quiet_ns >= join->child_start)
			join->exclude[join->nr_exclude++] = umm->recent[i].key;
}

/**
 * uevt_mm_note_live() - remember a registration made live, for forks
 * @umm: the state, under its lock, changing.
 * @key: the word.
 * @quiet_ns: when the registration saw no fork copying @umm's mm, after
 *	it had checked the word's mapping, or UEVT_QUIET_PENDING.
 *
 * Called before the word is made live: a fork hook that sees it live
 * also sees this.
 */
void uevt_mm_note_live(struct uevt_mm *umm, unsigned long key, u64 quiet_ns)
{
	struct uevt_recent *r;

	/* Every registration's check and note: one at a time, in order. */
	lockdep_assert_held(&umm->write_lock);
	lockdep_assert_held(&umm->lock);
	raw_spin_lock(&umm->pub_lock);
	if (quiet_ns != UEVT_QUIET_PENDING)
		uevt_mm_resolve_pending(umm, quiet_ns);
	r = &umm->recent[umm->recent_next];
	if (r->quiet_ns == UEVT_QUIET_PENDING)
		umm->recent_floor_pending = true;
	else
		umm->recent_floor = max(umm->recent_floor, r->quiet_ns);
	r->key = key;
	r->quiet_ns = quiet_ns;
	umm->recent_next = (umm->recent_next + 1) % UEVT_MM_RECENT;
	uevt_mm_recent_update(umm);
	raw_spin_unlock(&umm->pub_lock);
}

/**
 * uevt_mm_quiet_pending() - are registrations waiting for a quiet time?
 * @umm: the state.
 *
 * Return: true when a fork hook would keep some registration from every
 * child now (a hint: read without the lock).
 */
bool uevt_mm_quiet_pending(struct uevt_mm *umm)
{
	return READ_ONCE(umm->recent_newest) == UEVT_QUIET_PENDING;
}

/**
 * uevt_mm_quiet_seen() - no fork was copying the address space just now
 * @umm: the state.
 * @quiet_ns: when a thread of the process saw that (under its siglock),
 *	holding @umm's write_lock: later than the mapping check of every
 *	registration made live.
 */
void uevt_mm_quiet_seen(struct uevt_mm *umm, u64 quiet_ns)
{
	lockdep_assert_held(&umm->write_lock);
	raw_spin_lock(&umm->pub_lock);
	uevt_mm_resolve_pending(umm, quiet_ns);
	uevt_mm_recent_update(umm);
	raw_spin_unlock(&umm->pub_lock);
}

/*
 * The fork hook's snapshot: references on @umm's set and retired table
 * for @join.  Under pub_lock: published ones hold a reference, never zero.
 */
static void uevt_mm_snapshot_locked(struct uevt_mm *umm, struct uevt_join *join)
{
	struct uevt_set *set = rcu_dereference_protected(umm->set,
							 lockdep_is_held(&umm->pub_lock));
	struct uevt_retired *retired = uevt_mm_retired_table(umm);

	lockdep_assert_held(&umm->pub_lock);
	if (set && !test_bit(UEVT_MM_DEAD, &umm->flags)) {
		refcount_inc(&set->ref);
		join->set = set;
		if (retired)
			refcount_inc(&retired->ref);
		join->retired = retired;
		join->retire_all = test_bit(UEVT_MM_RETIRE_ALL, &umm->flags);
		uevt_mm_exclude_recent(umm, join);
	}
}

/**
 * uevt_mm_fork_snapshot() - the snapshot a fork takes, now or when it may
 * @umm: the forking process's state.
 * @join: the child's ticket.
 *
 * While @umm's set is being changed in place the snapshot waits: @join is
 * queued, and served (complete(&join->served)) when the change ends, so
 * the child sees the change as made before its fork.
 *
 * Context: any, including the fork hook (raw lock only).
 * Return: false when @umm has no registrations to snapshot.
 */
bool uevt_mm_fork_snapshot(struct uevt_mm *umm, struct uevt_join *join)
{
	bool ret;

	raw_spin_lock(&umm->pub_lock);
	ret = rcu_access_pointer(umm->set) && !test_bit(UEVT_MM_DEAD, &umm->flags);
	if (ret && umm->busy) {
		list_add_tail(&join->late_node, &umm->late);
	} else if (ret) {
		uevt_mm_snapshot_locked(umm, join);
		complete(&join->served);
	}
	raw_spin_unlock(&umm->pub_lock);
	return ret;
}

/**
 * uevt_mm_end_change() - let forks share an address space's set again
 * @umm: the state, under its lock, after uevt_mm_own_set() and the change.
 *
 * Forks that happened meanwhile get their snapshot now.
 */
void uevt_mm_end_change(struct uevt_mm *umm)
{
	struct uevt_join *join, *next;

	lockdep_assert_held(&umm->lock);
	raw_spin_lock(&umm->pub_lock);
	umm->busy = false;
	list_for_each_entry_safe(join, next, &umm->late, late_node) {
		list_del_init(&join->late_node);
		uevt_mm_snapshot_locked(umm, join);
		complete(&join->served);
	}
	raw_spin_unlock(&umm->pub_lock);
}

/*
 * Switch the pointers the notifiers and the fork hook read; under spin.
 * @busy: @set is ours alone and about to change in place.
 */
static struct uevt_retired *uevt_mm_publish_locked(struct uevt_mm *umm, struct uevt_set *set,
						   struct uevt_retired *retired, bool busy)
{
	struct uevt_retired *old_retired;

	lockdep_assert_held(&umm->spin);
	raw_spin_lock(&umm->pub_lock);
	old_retired = uevt_mm_retired_table(umm);
	rcu_assign_pointer(umm->set, set);
	rcu_assign_pointer(umm->retired, retired);
	umm->busy = busy;
	raw_spin_unlock(&umm->pub_lock);
	return old_retired;
}

/* Move @umm from @old's users to @set's, at once; drop @old. */
static void uevt_mm_publish_finish(struct uevt_mm *umm, struct uevt_set *old, struct uevt_set *set)
{
	lockdep_assert_held(&umm->lock);
	if (old) {
		mutex_lock(&old->lock);
		mutex_lock_nested(&set->lock, SINGLE_DEPTH_NESTING);
		list_move_tail(&umm->set_node, &set->mms);
		WRITE_ONCE(old->users, old->users - 1);
		WRITE_ONCE(set->users, set->users + 1);
		mutex_unlock(&set->lock);
		mutex_unlock(&old->lock);
	} else {
		mutex_lock(&set->lock);
		list_add_tail(&umm->set_node, &set->mms);
		WRITE_ONCE(set->users, set->users + 1);
		mutex_unlock(&set->lock);
	}
	uevt_set_put(old);
}

/**
 * uevt_mm_publish() - make an address space use another set
 * @umm: the state, under its lock, not dead.
 * @set: the new set; its reference passes to @umm.
 * @retired: the new retired table (NULL: none); its reference passes too.
 *
 * The notifiers see the new set first, then @umm moves from the old set's
 * users to the new one's at once, under both set locks: a state change
 * walks an event's slots in order, the old set's before the copy's, so it
 * writes @umm's word through one or the other.
 *
 * Context: process context, may sleep.
 */
void uevt_mm_publish(struct uevt_mm *umm, struct uevt_set *set, struct uevt_retired *retired)
{
	struct uevt_set *old = uevt_mm_set(umm);
	struct uevt_retired *old_retired;

	lockdep_assert_held(&umm->lock);
	spin_lock(&umm->spin);
	old_retired = uevt_mm_publish_locked(umm, set, retired, false);
	spin_unlock(&umm->spin);
	uevt_mm_publish_finish(umm, old, set);
	uevt_retired_put(old_retired);
}

/* Stop using the set: no state change reaches @umm after this. */
static void uevt_mm_unpublish(struct uevt_mm *umm)
{
	struct uevt_set *set = uevt_mm_set(umm);
	struct uevt_retired *retired;

	lockdep_assert_held(&umm->lock);
	spin_lock(&umm->spin);
	raw_spin_lock(&umm->pub_lock);
	retired = uevt_mm_retired_table(umm);
	RCU_INIT_POINTER(umm->set, NULL);
	RCU_INIT_POINTER(umm->retired, NULL);
	raw_spin_unlock(&umm->pub_lock);
	spin_unlock(&umm->spin);
	if (set) {
		mutex_lock(&set->lock);
		list_del_init(&umm->set_node);
		WRITE_ONCE(set->users, set->users - 1);
		mutex_unlock(&set->lock);
		uevt_set_put(set);
	}
	uevt_retired_put(retired);
}

/**
 * uevt_mm_set_retired() - replace an address space's retired table
 * @umm: the state, under its spin (the notifiers replace it too).
 * @retired: the new table (NULL: none); its reference passes to @umm.
 *
 * Context: any that the caller's lock allows.
 */
void uevt_mm_set_retired(struct uevt_mm *umm, struct uevt_retired *retired)
{
	struct uevt_retired *old;

	lockdep_assert_held(&umm->spin);
	raw_spin_lock(&umm->pub_lock);
	old = uevt_mm_retired_table(umm);
	rcu_assign_pointer(umm->retired, retired);
	raw_spin_unlock(&umm->pub_lock);
	uevt_retired_put(old);
}

/**
 * uevt_mm_unretire() - forget that a word was retired
 * @umm: the state, under its lock; the word's slot is being replaced.
 * @key: the word.
 *
 * The notifiers may retire more words meanwhile: the new table is made
 * from the current one, and made again if it changed.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM (the word stays retired).
 */
int uevt_mm_unretire(struct uevt_mm *umm, unsigned long key)
{
	struct uevt_retired *r, *new;
	bool done;

	lockdep_assert_held(&umm->lock);
	do {
		rcu_read_lock();
		r = rcu_dereference(umm->retired);
		if (r && !refcount_inc_not_zero(&r->ref))
			r = NULL;
		rcu_read_unlock();
		if (!uevt_retired_has(r, key)) {
			uevt_retired_put(r);
			return 0;
		}
		new = uevt_retired_without(r, key);
		if (IS_ERR(new)) {
			uevt_retired_put(r);
			return PTR_ERR(new);
		}
		spin_lock(&umm->spin);
		done = uevt_mm_retired_table(umm) == r;
		if (done)
			uevt_mm_set_retired(umm, new);
		spin_unlock(&umm->spin);
		if (!done)
			uevt_retired_put(new);
		uevt_retired_put(r);
	} while (!done);
	return 0;
}

/**
 * uevt_mm_own_set() - begin a change of an address space's set
 * @umm: the state, under its lock, not dead.
 *
 * A set used by nobody else (and not held by a fork snapshot) changes in
 * place; meanwhile forks wait for the change to end to take their
 * snapshot (uevt_mm_end_change()), so no child ever shares a set being
 * changed.  Otherwise @umm moves to a copy, keeping its retired words; with
 * no set yet, to a new one.  Either way @umm is busy until
 * uevt_mm_end_change(), which the caller must call, success or not.
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM (then not busy).
 */
int uevt_mm_own_set(struct uevt_mm *umm)
{
	struct uevt_set *set = uevt_mm_set(umm), *new;
	struct uevt_retired *retired = NULL, *old_retired;
	bool own;

	lockdep_assert_held(&umm->lock);
	/* Under pub_lock: the fork hook takes its references under it too. */
	raw_spin_lock(&umm->pub_lock);
	own = set && refcount_read(&set->ref) == 1;
	if (own)
		umm->busy = true;
	raw_spin_unlock(&umm->pub_lock);
	if (own)
		return 0;
	new = set ? uevt_set_copy(set) : uevt_set_alloc();
	if (!new)
		return -ENOMEM;
	spin_lock(&umm->spin);
	if (set) {
		/* Notifiers may retire more meanwhile: take the table under spin. */
		retired = uevt_mm_retired_table(umm);
		if (retired)
			refcount_inc(&retired->ref);
	}
	old_retired = uevt_mm_publish_locked(umm, new, retired, true);
	spin_unlock(&umm->spin);
	uevt_mm_publish_finish(umm, set, new);
	uevt_retired_put(old_retired);
	if (!set)
		uevt_mm_refill_spare(umm);
	return 0;
}

/**
 * uevt_mm_drop_dead() - leave behind the slots that are no longer live
 * @umm: the state, under its lock.  Its set holds slots an unregistration
 *	left half done: a fork shared the set in between.
 *
 * A copy of the set leaves them behind; a set only @umm uses loses them in
 * place.  Either way no fork shares the set meanwhile.
 *
 * Return: 0, or -ENOMEM (they stay: never written, freed with the set).
 */
int uevt_mm_drop_dead(struct uevt_mm *umm)
{
	struct uevt_slot *slot;
	struct uevt_set *set;
	unsigned long pos = 0;
	int ret;

	lockdep_assert_held(&umm->lock);
	ret = uevt_mm_own_set(umm);
	if (ret)
		return ret;
	set = uevt_mm_set(umm);
	uevt_set_for_each(set, slot, pos) {
		if (uevt_slot_live(slot))
			continue;
		/* Unlinked from its event by the unregistration already. */
		WARN_ON_ONCE(!list_empty(&slot->ev_node));
		uevt_set_remove(set, slot);
		uevt_slot_free(slot);
	}
	uevt_mm_end_change(umm);
	return 0;
}

/* ---- notifiers ---- */

static void uevt_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	struct llist_node *spare;
	bool attached;

	mutex_lock(&umm->lock);
	set_bit(UEVT_MM_DEAD, &umm->flags);
	/* The pages go without invalidations from now on. */
	uevt_cache_off(umm);
	/* Nobody changes the set of a dead mm: serve any late fork (nothing). */
	uevt_mm_end_change(umm);
	uevt_mm_unpublish(umm);
	spare = uevt_mm_take_spare(umm);
	/* Nobody attaches to a dying mm: no mmap_lock needed here. */
	attached = umm->attached;
	umm->attached = false;
	mutex_unlock(&umm->lock);
	uevt_mm_free_spare(spare);
	if (attached)
		mmu_notifier_put(&umm->mn);
}

/*
 * munmap(), mremap() away, MAP_FIXED over it: the words in the range are
 * gone for good.  Retire them so nothing is written there again, even into
 * a new mapping at the same address.  Unmaps run under mmap_lock, maybe
 * unable to sleep: only the spinlock and atomic allocations.  Without
 * memory to record a retirement, the whole mm is retired: never a stray
 * write.  Every invalidation, whatever its cause and context (reclaim and
 * migration come through rmap walks, without mmap_lock), first drops the
 * translation cache's pages in its range.
 */
static int uevt_mm_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	unsigned long first, last;
	struct uevt_retired *new;
	struct uevt_set *set;
	unsigned int b;
	int tries = 0;

	/* Whatever the change, the pages cached in the range go first. */
	uevt_cache_invalidate_start(umm, range->start, range->end);
	if (range->event != MMU_NOTIFY_UNMAP || range->end <= range->start)
		return 0;
	if (!mmu_notifier_range_blockable(range)) {
		/*
		 * The OOM reaper: no lock, no allocation may wait.  The mm is
		 * dying; if it holds words here, write it no more.
		 */
		rcu_read_lock();
		set = rcu_dereference(umm->set);
		for (b = 0; set && b < 64; b++) {
			if (uevt_set_bit_range(set, b, range->start, range->end, &first, &last) &&
			    xa_find(&set->slots, &first, last, XA_PRESENT))
				set_bit(UEVT_MM_RETIRE_ALL, &umm->flags);
		}
		rcu_read_unlock();
		return 0;
	}
	spin_lock(&umm->spin);
	do {
		rcu_read_lock();
		set = uevt_mm_set(umm);
		new = set ? uevt_retired_with_range(uevt_mm_retired_table(umm), set, range->start,
						    range->end, GFP_NOWAIT | __GFP_NOWARN) : NULL;
		rcu_read_unlock();
	} while (new == ERR_PTR(-EAGAIN) && ++tries < 3);
	if (!IS_ERR_OR_NULL(new)) {
		uevt_mm_set_retired(umm, new);
	} else if (IS_ERR(new) && !test_and_set_bit(UEVT_MM_RETIRE_ALL, &umm->flags)) {
		atomic_long_inc(&uevt_retire_lost);
		pr_warn_ratelimited("cannot record an unmap: pid %d's enable bits are no longer written\n",
				    pid_nr(umm->tgid));
	}
	spin_unlock(&umm->spin);
	return 0;
}

/*
 * Pages of this mm were unmapped without unmapping the range: zapped by
 * MADV_DONTNEED (the word now reads as zero), or reclaimed (swapped out,
 * content kept; or an MADV_FREE page dropped, zero again).  The two look
 * alike here, so: a word of a disabled event needs nothing (zero already
 * says "disabled"), and a word of an enabled event in the range is owed a
 * write.  Reclaim of other pages, or of words whose event is off, costs
 * nothing and brings no page back in.  Maybe atomic: only the spinlock,
 * atomic allocations, and a queued work.
 */
static void uevt_mm_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *range)
{
	struct uevt_mm *umm = container_of(mn, struct uevt_mm, mn);
	unsigned long keys[16], next, last;
	unsigned int n, i, b;
	struct uevt_slot *slot;
	struct uevt_set *set;
	u64 bits;

	uevt_cache_invalidate_end(umm);
	if (range->event != MMU_NOTIFY_CLEAR || range->end <= range->start)
		return;
	if (!mmu_notifier_range_blockable(range)) {
		/* No lock, no allocation: check every word from the fault work. */
		set_bit(UEVT_MM_RESYNC, &umm->flags);
		mod_delayed_work(uevt_wq, &umm->fault_work, 0);
		return;
	}
	rcu_read_lock();
	set = rcu_dereference(umm->set);
	bits = set ? READ_ONCE(set->bits) : 0;
	rcu_read_unlock();
	/*
	 * A few words at a time: no long RCU section, no allocation under it.
	 * The bits are read after the zap: a registration whose word was
	 * written before the zap had added its bit before that.
	 */
	for (b = 0; b < 64; b++) {
		if (!(bits & BIT_ULL(b)))
			continue;
		next = uevt_key(range->start, b);
		last = uevt_key(range->end - 1, b);
		do {
			n = 0;
			rcu_read_lock();
			set = rcu_dereference(umm->set);
			if (set) {
				unsigned long key;

				xa_for_each_range(&set->slots, key, slot, next, last) {
					if (n == ARRAY_SIZE(keys))
						break;
					next = key + 1;
					if (uevt_slot_live(slot) && READ_ONCE(slot->ev->enabled))
						keys[n++] = key;
				}
			}
			rcu_read_unlock();
			for (i = 0; i < n; i++)
				if (!uevt_mm_retired(umm, keys[i]))
					uevt_word_owe(umm, keys[i]);
		} while (n == ARRAY_SIZE(keys));
	}
}

static const struct mmu_notifier_ops uevt_mmu_ops = {
	.release		= uevt_mm_release,
	.invalidate_range_start	= uevt_mm_invalidate_start,
	.invalidate_range_end	= uevt_mm_invalidate_end,
	.alloc_notifier		= uevt_mm_alloc_notifier,
	.free_notifier		= uevt_mm_free_notifier,
};

/* ---- status ---- */

/*
 * The listing of every enable bit streams one address space per step of
 * /proc/uevt's seq_file iterator, so that no single read holds the locks
 * for, or buffers, the whole of it: uevt_mms_seek() takes uevt_mms_lock
 * for one read() chunk and uevt_mms_unlock() drops it.  An address space
 * that comes or goes between two chunks may be missed or listed twice, as
 * with any /proc listing.
 */

/**
 * uevt_mms_counters_show() - the address spaces' counters of the full listing
 * @m: the seq_file.
 */
void uevt_mms_counters_show(struct seq_file *m)
{
	seq_printf(m, "retirements lost %ld\n", atomic_long_read(&uevt_retire_lost));
	/* Each counter read on its own, not the three as one snapshot. */
	seq_printf(m, "attaches by_worker %ld abandoned %ld orphaned %ld\n",
		   atomic_long_read(&uevt_attach_by_worker),
		   atomic_long_read(&uevt_attach_abandoned),
		   atomic_long_read(&uevt_attach_orphaned));
}

/**
 * uevt_mms_seek() - take uevt_mms_lock and find the @n-th address space
 * @n: its position, from 0.
 *
 * Context: process context; uevt_mms_unlock() must follow, found or not.
 * Return: the address space, or NULL past the last one.
 */
struct uevt_mm *uevt_mms_seek(loff_t n)
{
	struct uevt_mm *umm;

	mutex_lock(&uevt_mms_lock);
	list_for_each_entry(umm, &uevt_mms, node)
		if (n-- == 0)
			return umm;
	return NULL;
}

/**
 * uevt_mms_next() - the address space after @umm
 * @umm: one returned by uevt_mms_seek() or this, under the same lock.
 *
 * Return: the next address space, or NULL after the last one.
 */
struct uevt_mm *uevt_mms_next(struct uevt_mm *umm)
{
	lockdep_assert_held(&uevt_mms_lock);
	if (list_is_last(&umm->node, &uevt_mms))
		return NULL;
	return list_next_entry(umm, node);
}

/**
 * uevt_mms_unlock() - drop what uevt_mms_seek() took
 */
void uevt_mms_unlock(void)
{
	mutex_unlock(&uevt_mms_lock);
}

/**
 * uevt_mm_show() - one address space's enable bits in the full listing
 * @m: the seq_file.
 * @umm: under uevt_mms_lock (uevt_mms_seek()).
 *
 * One line per word; retired words say -ENXIO.
 * Context: process context; never waits for a process's page faults.
 */
void uevt_mm_show(struct seq_file *m, struct uevt_mm *umm)
{
	struct uevt_slot *slot;
	struct uevt_set *set;
	unsigned long pos = 0;

	lockdep_assert_held(&uevt_mms_lock);
	mutex_lock(&umm->lock);
	set = uevt_mm_set(umm);
	if (set) {
		uevt_set_for_each(set, slot, pos) {
			unsigned long key = uevt_slot_key(slot);
			unsigned int retries;
			bool owed;
			int err;

			if (!uevt_slot_live(slot))
				continue;
			uevt_word_state(umm, key, &err, &owed, &retries);
			if (uevt_mm_retired(umm, key))
				err = -ENXIO;
			/*
			 * The comm is the process's to choose: spaces,
			 * backslashes and anything unprintable are escaped,
			 * so a line still splits on spaces and prints
			 * safely on a terminal.
			 */
			seq_printf(m, "enabler tgid %d comm ", pid_nr(umm->tgid));
			seq_escape_str(m, umm->comm, ESCAPE_OCTAL | ESCAPE_NP | ESCAPE_APPEND,
				       " \\");
			seq_printf(m, " addr 0x%lx bit %u size %u",
				   uevt_slot_addr(slot), uevt_slot_bit(slot), uevt_slot_size(slot));
			seq_printf(m, " event %s:%s last_err %d pending %d retries %u\n",
				   slot->ev->class.system, slot->ev->tp_name, err, owed, retries);
		}
	}
	mutex_unlock(&umm->lock);
}

/**
 * uevt_core_init() - create the workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int uevt_core_init(void)
{
	uevt_wq = alloc_workqueue("uevt", WQ_UNBOUND, 0);
	if (!uevt_wq)
		return -ENOMEM;
	uevt_attach_wq = alloc_workqueue("uevt_attach", WQ_UNBOUND, 0);
	if (!uevt_attach_wq) {
		destroy_workqueue(uevt_wq);
		return -ENOMEM;
	}
	return 0;
}

/**
 * uevt_core_exit() - wait until nothing of the core runs any more
 *
 * Every uevt_mm, every queued task work and every attach request holds
 * the module: by now all are gone but the tails of their last calls.
 * Notifier frees still in flight finish first (they queue the frees),
 * then the attach workqueue drains (its items put states), then the other
 * one, then task work that dropped the module's last reference returns.
 */
void uevt_core_exit(void)
{
	mmu_notifier_synchronize();
	/* Its work items put states, which queues work on uevt_wq. */
	destroy_workqueue(uevt_attach_wq);
	destroy_workqueue(uevt_wq);
	synchronize_rcu_tasks();
}
