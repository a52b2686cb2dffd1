// SPDX-License-Identifier: GPL-2.0
/*
 * Fork: a child inherits its parent's registrations exactly as they were
 * at fork(), and is in place before it runs its first user instruction.
 *
 * The sched_process_fork tracepoint runs in the parent (the forking
 * thread) after the child's address space was copied and before the child
 * is first woken, with preemption disabled: it may not sleep, and on
 * PREEMPT_RT it may not allocate memory or take a spinlock_t either.  So
 * the hook only takes references, under the parent's raw pub_lock: on the
 * parent's set and retired table (the snapshot), and on a join ticket from
 * the parent's small reserve.  It queues the ticket as task work on the
 * child, which runs in the child's own context, where sleeping is fine,
 * before it returns to user mode; and as task work on the forking thread,
 * which refills the reserve before that thread returns from fork().  A
 * thread therefore never finds the reserve empty because of its own
 * forks; threads of one process forking at the very same moment could,
 * and then (outside PREEMPT_RT) a ticket is allocated without waiting, or
 * the child is counted in the status file as not inheriting.
 *
 * The child joins: it gets state of its own (the notifier, charged to its
 * memory cgroup since it allocates it itself), starts using the snapshot
 * set, retires the words its parent had retired and those in pages it did
 * not get (MADV_DONTFORK) or got zeroed (MADV_WIPEONFORK), then reads each
 * word and writes only those whose event changed state since fork(): its
 * copy-on-write pages stay shared.  Whatever the parent does after fork()
 * (register, unregister, exit, exec) changes the parent's own set, never
 * the snapshot: a set that is shared is copied before it changes.
 *
 * Multi-threaded parents: the snapshot is taken in the hook, shortly after
 * the address space was copied.  An unregistration by another thread
 * racing with fork() lands on either side of it, as any system call racing
 * with fork() does; one that lands after may leave the child's copy of the
 * bit set, and one caught half done leaves a slot that is no longer live,
 * which the child drops.  A registration lands before the fork only if the
 * child's copy began after the registration had checked its word's
 * mapping; otherwise the child retires the word (uevt_core.h, Fork): what
 * the child holds at that address may be what was mapped there before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>

#include "uevt_compat.h"
#include "uevt_core.h"

static struct tracepoint *uevt_fork_tp;
static atomic_long_t uevt_forks_joined = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_forks_lost = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_joins_failed = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_forks_dead = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_forks_raced = ATOMIC_LONG_INIT(0);

/**
 * uevt_join_alloc() - a join ticket for the reserve
 * @gfp: allocation flags.
 *
 * Return: the ticket or NULL.
 */
struct uevt_join *uevt_join_alloc(gfp_t gfp)
{
	struct uevt_join *join = kzalloc(sizeof(*join), gfp);

	if (join) {
		INIT_LIST_HEAD(&join->late_node);
		init_completion(&join->served);
	}
	return join;
}

/**
 * uevt_join_free() - free an unused join ticket
 * @join: the ticket, holding nothing.
 */
void uevt_join_free(struct uevt_join *join)
{
	kfree(join);
}

/* Drop what a ticket still holds and free it; process context. */
static void uevt_join_release(struct uevt_join *join)
{
	uevt_set_put(join->set);
	uevt_retired_put(join->retired);
	if (join->parent)
		uevt_mm_put(join->parent);
	kfree(join);
}

static void uevt_join_release_work(struct work_struct *work)
{
	uevt_join_release(container_of(work, struct uevt_join, drop_work));
}

/* Release a ticket from atomic context: in a worker, where sets may go. */
static void uevt_join_release_atomic(struct uevt_join *join)
{
	INIT_WORK(&join->drop_work, uevt_join_release_work);
	queue_work(uevt_wq, &join->drop_work);
}

/* One of the ticket's two task works is done with it. */
static void uevt_join_put(struct uevt_join *join, bool atomic)
{
	if (!refcount_dec_and_test(&join->ref))
		return;
	/* Both task works ran (or were never queued): drop_work is free. */
	if (atomic)
		uevt_join_release_atomic(join);
	else
		uevt_join_release(join);
}

/* Task work on the forking thread: a ticket in place of the one used. */
static void uevt_join_refill(struct callback_head *cb)
{
	struct uevt_join *join = container_of(cb, struct uevt_join, refill);
	struct uevt_mm *parent = join->parent;

	/* Only this task work touches ->parent. */
	join->parent = NULL;
	if (!(current->flags & PF_EXITING)) {
		uevt_mm_refill_spare(parent);
		/* Our fork is done copying: try to settle what waits for a look. */
		if (uevt_mm_quiet_pending(parent))
			uevt_settle_quiet(parent);
	}
	uevt_mm_put(parent);
	uevt_join_put(join, false);
	/* Last: module exit waits (synchronize_rcu_tasks) for us to return. */
	module_put(THIS_MODULE);
}

/* Was @key registered after the child's copy may have begun? */
static bool uevt_join_excludes(const struct uevt_join *join, unsigned long key)
{
	unsigned int i;

	if (join->exclude_all)
		return true;
	for (i = 0; i < join->nr_exclude; i++)
		if (join->exclude[i] == key)
			return true;
	return false;
}

/*
 * The child's retired words: its parent's, those whose page the child did
 * not get or got zeroed, and those registered too late for its copy.  The
 * child has not run yet: its mappings are exactly what fork() copied.
 * Consumes join->retired.  @dead: set when the snapshot holds slots an
 * unregistration left half done.
 */
static struct uevt_retired *uevt_join_retired(struct uevt_join *join, struct mm_struct *mm,
					      bool *dead)
{
	struct uevt_retired *inherited = join->retired, *r;
	struct vm_area_struct *vma = NULL;
	unsigned int n = 0, pass, k;
	unsigned long *keys = NULL, addr;
	struct uevt_slot *slot;

	join->retired = NULL;
	for (pass = 0; pass < 2; pass++) {
		if (pass) {
			if (!n)
				return inherited;
			keys = kmalloc_array(n, sizeof(*keys), GFP_KERNEL);
			if (!keys) {
				uevt_retired_put(inherited);
				return ERR_PTR(-ENOMEM);
			}
		}
		XA_STATE(xas, &join->set->slots, 0);

		k = 0;
		mmap_read_lock(mm);
		/*
		 * Our reference keeps the snapshot from changing.  One XArray
		 * walk under RCU, not a lookup from the root per slot: this
		 * is on every fork's path.
		 */
		rcu_read_lock();
		xas_for_each(&xas, slot, ULONG_MAX) {
			if (xas_retry(&xas, slot))
				continue;
			if (!uevt_slot_live(slot)) {
				*dead = true;
				continue;
			}
			if (uevt_retired_has(inherited, uevt_slot_key(slot)))
				continue;
			addr = uevt_slot_addr(slot);
			if (!vma || addr < vma->vm_start || addr >= vma->vm_end)
				vma = vma_lookup(mm, addr);
			if (vma && addr + uevt_slot_size(slot) <= vma->vm_end &&
			    !(vma->vm_flags & VM_WIPEONFORK) &&
			    !uevt_join_excludes(join, uevt_slot_key(slot)))
				continue;
			if (pass && k < n)
				keys[k] = uevt_slot_key(slot);
			k++;
		}
		rcu_read_unlock();
		mmap_read_unlock(mm);
		vma = NULL;
		if (!pass)
			n = k;
	}
	r = uevt_retired_with(inherited, keys, min(k, n), GFP_KERNEL);
	kfree(keys);
	uevt_retired_put(inherited);
	return r ?: ERR_PTR(-ENOMEM);
}

/*
 * Owe a write to every word that does not show its event's state: read in
 * the child's own context without faulting, so shared pages stay shared.
 */
static bool uevt_join_check_words(struct uevt_mm *umm)
{
	struct uevt_slot *slot;
	struct uevt_set *set;
	bool owed = false;

	rcu_read_lock();
	set = rcu_dereference(umm->set);
	if (set) {
		XA_STATE(xas, &set->slots, 0);

		xas_for_each(&xas, slot, ULONG_MAX) {
			unsigned long uaddr, v, key = xas.xa_index;
			unsigned int bit;

			if (xas_retry(&xas, slot))
				continue;
			uaddr = ALIGN_DOWN(uevt_slot_addr(slot), sizeof(long));
			bit = uevt_slot_bit(slot) + (uevt_slot_addr(slot) - uaddr) * BITS_PER_BYTE;
			if (!uevt_slot_live(slot) || uevt_mm_retired(umm, key))
				continue;
			if (copy_from_user_nofault(&v, (const void __user *)uaddr, sizeof(v)) ||
			    test_bit(bit, &v) != READ_ONCE(slot->ev->enabled)) {
				uevt_word_owe(umm, key);
				owed = true;
			}
		}
	}
	rcu_read_unlock();
	return owed;
}

/*
 * A child joined: with what it inherits, or with all of it retired, which
 * the status file counts (no warning: processes sharing their mm do it on
 * every fork).
 */
static void uevt_join_count(const struct uevt_join *join)
{
	atomic_long_inc(&uevt_forks_joined);
	if (join->exclude_all)
		atomic_long_inc(&uevt_forks_raced);
}

/* In the child, before its first user instruction. */
static void uevt_join_child(struct uevt_join *join, struct mm_struct *mm)
{
	struct uevt_retired *retired;
	unsigned long delay = 0;
	struct uevt_mm *umm;
	bool dead = false;

	umm = uevt_mm_attach(mm);
	if (IS_ERR(umm))
		goto failed;
	retired = uevt_join_retired(join, mm, &dead);
	mutex_lock(&umm->lock);
	/* A new child has nothing yet; anything else is not ours to join. */
	if (test_bit(UEVT_MM_DEAD, &umm->flags) || rcu_access_pointer(umm->set)) {
		uevt_mm_unlock_or_detach(umm);
		uevt_retired_put(IS_ERR(retired) ? NULL : retired);
		uevt_mm_put(umm);
		goto failed;
	}
	if (join->retire_all || IS_ERR(retired)) {
		/* Without its retired words the child must never be written. */
		set_bit(UEVT_MM_RETIRE_ALL, &umm->flags);
		if (!IS_ERR(retired))
			uevt_retired_put(retired);
		retired = NULL;
	}
	uevt_mm_publish(umm, join->set, retired);
	join->set = NULL;
	/*
	 * Slots no longer live count as registrations and pin their events:
	 * drop them, and let go if nothing else was inherited.  Without
	 * memory for a set of our own they stay, never written, until a
	 * later copy leaves them behind.
	 */
	if (dead && !uevt_mm_drop_dead(umm))
		atomic_long_inc(&uevt_forks_dead);
	if (uevt_mm_unlock_or_detach(umm)) {
		uevt_mm_put(umm);
		uevt_join_count(join);
		return;
	}
	uevt_mm_refill_spare(umm);

	if (uevt_join_check_words(umm) && !mutex_lock_killable(&umm->write_lock)) {
		delay = uevt_words_settle(umm, UEVT_WRITE_FAULT);
		uevt_mm_writes_unlock(umm);
	}
	if (delay)
		queue_delayed_work(uevt_wq, &umm->fault_work, delay);
	uevt_mm_put(umm);
	uevt_join_count(join);
	return;

failed:
	atomic_long_inc(&uevt_joins_failed);
	/* Killed while it waited to attach: nothing worth a warning. */
	if (!fatal_signal_pending(current))
		pr_warn_ratelimited("pid %d could not join its parent's enable bits\n",
				    task_tgid_nr(current));
}

/* Task work on the child: join, unless it is dying before it ever ran. */
static void uevt_join_run(struct callback_head *cb)
{
	struct uevt_join *join = container_of(cb, struct uevt_join, child_work);

	/*
	 * Forked while its parent changed its set: the snapshot comes when
	 * that change ends (a bounded wait: no fault is taken in it).  Also
	 * when dying, so that the parent never serves a freed ticket.
	 */
	wait_for_completion(&join->served);
	if (join->set && current->mm && current->mm == join->child_mm &&
	    !(current->flags & PF_EXITING))
		uevt_join_child(join, current->mm);
	uevt_join_put(join, false);
	/* Last: module exit waits (synchronize_rcu_tasks) for us to return. */
	module_put(THIS_MODULE);
}

/* A spare ticket, if the parent has a set and a ticket left. */
static struct uevt_join *uevt_fork_ticket(struct uevt_mm *umm)
{
	struct llist_node *node = NULL;

	raw_spin_lock(&umm->pub_lock);
	if (rcu_access_pointer(umm->set) && !test_bit(UEVT_MM_DEAD, &umm->flags)) {
		node = llist_del_first(&umm->spare);
		if (node)
			WRITE_ONCE(umm->nr_spare, umm->nr_spare - 1);
	}
	raw_spin_unlock(&umm->pub_lock);
	return node ? llist_entry(node, struct uevt_join, node) : NULL;
}

/*
 * Preemption disabled, in the forking thread (@parent is current), before
 * the child runs.  Takes no sleeping lock and, on PREEMPT_RT, allocates
 * nothing.
 */
static void uevt_fork_probe(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct mm_struct *pmm = parent->mm, *cmm = child->mm;
	struct uevt_join *join;
	struct uevt_mm *umm;

	/* Threads, vfork and CLONE_VM children share the mm: nothing to do. */
	if (!pmm || !cmm || pmm == cmm)
		return;
	rcu_read_lock();
	umm = uevt_mm_find_rcu(pmm);
	if (umm && !kref_get_unless_zero(&umm->ref))
		umm = NULL;
	rcu_read_unlock();
	if (!umm)
		return;
	join = uevt_fork_ticket(umm);
	if (!join && !IS_ENABLED(CONFIG_PREEMPT_RT) && rcu_access_pointer(umm->set))
		join = uevt_join_alloc(GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT);
	if (!join) {
		if (rcu_access_pointer(umm->set)) {
			atomic_long_inc(&uevt_forks_lost);
			pr_warn_ratelimited("no join ticket at fork: pid %d does not inherit enable bits\n",
					    task_tgid_nr(child));
		}
		uevt_mm_put(umm);
		return;
	}
	join->child_start = child->start_time;
	join->from_vfork = !!READ_ONCE(parent->vfork_done);
	if (!uevt_mm_fork_snapshot(umm, join)) {
		/* The parent's last registration went meanwhile. */
		uevt_join_release_atomic(join);
		uevt_mm_put(umm);
		return;
	}
	join->child_mm = cmm;
	join->parent = umm;
	refcount_set(&join->ref, 2);
	__module_get(THIS_MODULE);
	__module_get(THIS_MODULE);
	init_task_work(&join->child_work, uevt_join_run);
	if (task_work_add(child, &join->child_work, UEVT_TWA_ATOMIC)) {
		/* Cannot happen: the child has not run, so it is not exiting. */
		raw_spin_lock(&umm->pub_lock);
		list_del_init(&join->late_node);
		raw_spin_unlock(&umm->pub_lock);
		uevt_join_put(join, true);
		module_put(THIS_MODULE);
	}
	init_task_work(&join->refill, uevt_join_refill);
	if (task_work_add(current, &join->refill, UEVT_TWA_ATOMIC)) {
		join->parent = NULL;
		uevt_mm_put(umm);
		uevt_join_put(join, true);
		module_put(THIS_MODULE);
	}
}

static void uevt_find_fork_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		uevt_fork_tp = tp;
}

/**
 * uevt_fork_show() - the fork counters of the full status listing
 * @m: the seq_file.
 */
void uevt_fork_show(struct seq_file *m)
{
	seq_printf(m, "forks joined %ld lost %ld failed %ld dead %ld raced %ld\n",
		   atomic_long_read(&uevt_forks_joined), atomic_long_read(&uevt_forks_lost),
		   atomic_long_read(&uevt_joins_failed), atomic_long_read(&uevt_forks_dead),
		   atomic_long_read(&uevt_forks_raced));
}

/**
 * uevt_fork_init() - hook sched_process_fork
 *
 * Return: 0, -ENOENT without the tracepoint, or the registration error.
 */
int uevt_fork_init(void)
{
	for_each_kernel_tracepoint(uevt_find_fork_tp, NULL);
	if (!uevt_fork_tp) {
		pr_err("no sched_process_fork tracepoint\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(uevt_fork_tp, uevt_fork_probe, NULL);
}

/**
 * uevt_fork_exit() - unhook, and wait until no hook runs any more
 *
 * Task work already queued holds the module; its tail is waited for by
 * uevt_core_exit().
 */
void uevt_fork_exit(void)
{
	tracepoint_probe_unregister(uevt_fork_tp, uevt_fork_probe, NULL);
	tracepoint_synchronize_unregister();
}
