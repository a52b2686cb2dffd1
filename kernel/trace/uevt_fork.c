// SPDX-License-Identifier: GPL-2.0
/*
 * Fork: a child inherits its parent's enable bits without registering.
 *
 * After fork() the child's private pages are copy-on-write copies of the
 * parent's, enable words included, so the bits are right at the moment of
 * fork; from then on the kernel must keep them right in the child's mm too.
 * The sched_process_fork tracepoint runs in the parent, in atomic context,
 * before the child first runs: it only notes (parent mm, child mm) when the
 * parent has enable bits and queues the work; the worker makes the child
 * share the parent's set of registrations (uevt_mm_copy()) and writes the
 * words whose state changed since the fork.
 *
 * Neither the hook's cost nor the child's memory depends on how many bits
 * the parent holds.  A failed atomic allocation is counted in the status
 * file and logged: that child is not tracked, visibly.  A parent that
 * exits, or execs, right after fork() waits in its ->release until the
 * child has joined its set; a child that forks again before it joined
 * hands the bits on to the grandchild once it has them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/tracepoint.h>

#include "uevt_internal.h"

/**
 * struct uevt_fork - a parent's enable bits owed to a child
 * @work: runs the copy on uevt's workqueue.
 * @by_parent: in uevt_forks_by_parent; under uevt_forks_lock.
 * @by_child: in uevt_forks_by_child; under uevt_forks_lock.
 * @parent: the parent's address space, mmgrab()ed.
 * @child: the child's address space, mmgrab()ed.
 * @child_tgid: the child, for the status file.
 */
struct uevt_fork {
	struct delayed_work work;
	struct hlist_node by_parent;
	struct hlist_node by_child;
	struct mm_struct *parent;
	struct mm_struct *child;
	pid_t child_tgid;
};

/*
 * Copies queued and not finished, hashed by parent and by child mm.  The
 * parent's address space may not die before its copies are done (its
 * ->release waits on uevt_forks_wq), and a child that forks before its own
 * copy is done passes the bits on once it has them.  Taken in the fork
 * hook (atomic, never from an interrupt) and by the workers; innermost.
 */
static DEFINE_SPINLOCK(uevt_forks_lock);
static DEFINE_HASHTABLE(uevt_forks_by_parent, 6);
static DEFINE_HASHTABLE(uevt_forks_by_child, 6);
static DECLARE_WAIT_QUEUE_HEAD(uevt_forks_wq);
/* Entries in the hashes: every fork in the system looks, almost always at 0. */
static atomic_t uevt_forks_inflight = ATOMIC_INIT(0);

static struct tracepoint *uevt_fork_tp;
static atomic_long_t uevt_fork_lost = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_forks_copied = ATOMIC_LONG_INIT(0);

/* Is a copy pending from @mm (@as_child false) or into @mm (true)? */
static bool uevt_fork_pending(struct mm_struct *mm, bool as_child)
{
	struct uevt_fork *f;
	bool ret = false;

	if (!atomic_read(&uevt_forks_inflight))
		return false;
	spin_lock(&uevt_forks_lock);
	if (as_child) {
		hash_for_each_possible(uevt_forks_by_child, f, by_child, (unsigned long)mm)
			ret |= f->child == mm;
	} else {
		hash_for_each_possible(uevt_forks_by_parent, f, by_parent, (unsigned long)mm)
			ret |= f->parent == mm;
	}
	spin_unlock(&uevt_forks_lock);
	return ret;
}

static void uevt_fork_work(struct work_struct *work)
{
	struct uevt_fork *f = container_of(to_delayed_work(work), struct uevt_fork, work);

	/*
	 * The parent was itself forked a moment ago and has not got its bits
	 * yet: come back once it has.  Re-queued rather than waiting, so a
	 * worker is never held while the copy it waits for is queued.
	 */
	if (uevt_fork_pending(f->parent, true)) {
		uevt_queue_delayed_work(&f->work, 1);
		return;
	}
	if (!uevt_mm_copy(f->parent, f->child, f->child_tgid))
		atomic_long_inc(&uevt_forks_copied);
	spin_lock(&uevt_forks_lock);
	hash_del(&f->by_parent);
	hash_del(&f->by_child);
	atomic_dec(&uevt_forks_inflight);
	spin_unlock(&uevt_forks_lock);
	wake_up_all(&uevt_forks_wq);
	mmdrop(f->parent);
	mmdrop(f->child);
	kfree(f);
}

/* Atomic context, in the parent, before the child runs. */
static void uevt_fork_probe(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct mm_struct *pmm = parent->mm, *cmm = child->mm;
	struct uevt_fork *f;

	/* Threads, vfork and CLONE_VM children share the mm: nothing to copy. */
	if (!pmm || !cmm || pmm == cmm)
		return;
	if (!uevt_mm_has_enablers(pmm) && !uevt_fork_pending(pmm, true))
		return;
	f = kmalloc(sizeof(*f), GFP_ATOMIC | __GFP_NOWARN);
	if (!f) {
		atomic_long_inc(&uevt_fork_lost);
		pr_warn_ratelimited("out of memory at fork: pid %d does not inherit enable bits\n",
				    task_tgid_nr(child));
		return;
	}
	INIT_DELAYED_WORK(&f->work, uevt_fork_work);
	mmgrab(pmm);
	mmgrab(cmm);
	f->parent = pmm;
	f->child = cmm;
	f->child_tgid = task_tgid_nr(child);
	spin_lock(&uevt_forks_lock);
	hash_add(uevt_forks_by_parent, &f->by_parent, (unsigned long)pmm);
	hash_add(uevt_forks_by_child, &f->by_child, (unsigned long)cmm);
	atomic_inc(&uevt_forks_inflight);
	spin_unlock(&uevt_forks_lock);
	uevt_queue_delayed_work(&f->work, 0);
}

/**
 * uevt_fork_wait_parent() - wait until every copy from an address space is done
 * @mm: the address space, being torn down.
 *
 * Called from its ->release: the copies read its enablers, which go next.
 * Every copy is bounded (no userfaultfd wait, killable faults), so this is.
 *
 * Context: process context, may sleep; no uevt lock held.
 */
void uevt_fork_wait_parent(struct mm_struct *mm)
{
	wait_event(uevt_forks_wq, !uevt_fork_pending(mm, false));
}

static void uevt_find_fork_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_fork"))
		uevt_fork_tp = tp;
}

/**
 * uevt_fork_show() - the fork counters of the status file
 * @m: the seq_file.
 */
void uevt_fork_show(struct seq_file *m)
{
	seq_printf(m, "forks copied %ld lost %ld\n", atomic_long_read(&uevt_forks_copied),
		   atomic_long_read(&uevt_fork_lost));
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
 * uevt_fork_exit() - unhook, and wait until no probe runs any more
 *
 * Queued copies are flushed with the workqueue afterwards.
 */
void uevt_fork_exit(void)
{
	tracepoint_probe_unregister(uevt_fork_tp, uevt_fork_probe, NULL);
	tracepoint_synchronize_unregister();
}
