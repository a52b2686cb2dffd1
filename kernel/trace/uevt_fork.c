// SPDX-License-Identifier: GPL-2.0
/*
 * Fork: a child inherits its parent's enable bits without registering.
 *
 * After fork() the child's private pages are copy-on-write copies of the
 * parent's, enable words included, so the bits are right at the moment of
 * fork; from then on the kernel must keep them right in the child's mm too.
 * The sched_process_fork tracepoint runs in the parent, in atomic context,
 * before the child first runs: it only notes (parent mm, child mm) when the
 * parent has enable bits and queues the copy; the worker copies the
 * parent's enablers to the child's mm and writes the current state.
 *
 * The hook's cost does not depend on how many bits the parent holds.  A
 * failed atomic allocation is counted in the status file and logged: that
 * child is not tracked, visibly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>

#include "uevt_internal.h"

struct uevt_fork {
	struct work_struct work;
	struct mm_struct *parent;	/* mmgrab()ed */
	struct mm_struct *child;	/* mmgrab()ed */
	pid_t child_tgid;
};

static struct tracepoint *uevt_fork_tp;
static atomic_long_t uevt_fork_lost = ATOMIC_LONG_INIT(0);
static atomic_long_t uevt_forks_copied = ATOMIC_LONG_INIT(0);

static void uevt_fork_work(struct work_struct *work)
{
	struct uevt_fork *f = container_of(work, struct uevt_fork, work);

	if (!uevt_mm_copy(f->parent, f->child, f->child_tgid))
		atomic_long_inc(&uevt_forks_copied);
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
	if (!pmm || !cmm || pmm == cmm || !uevt_mm_has_enablers(pmm))
		return;
	f = kmalloc(sizeof(*f), GFP_ATOMIC | __GFP_NOWARN);
	if (!f) {
		atomic_long_inc(&uevt_fork_lost);
		pr_warn_ratelimited("out of memory at fork: pid %d does not inherit enable bits\n",
				    task_tgid_nr(child));
		return;
	}
	INIT_WORK(&f->work, uevt_fork_work);
	mmgrab(pmm);
	mmgrab(cmm);
	f->parent = pmm;
	f->child = cmm;
	f->child_tgid = task_tgid_nr(child);
	uevt_queue_work(&f->work);
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
