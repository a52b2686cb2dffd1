// SPDX-License-Identifier: GPL-2.0
/*
 * Running code under the tracing core's event_mutex, from a module.
 *
 * trace_add_event_call() and trace_remove_event_call() must be called with
 * event_mutex held, and event_mutex is not exported.  So the module owns a
 * static trace event, uevt_ctl:registry, registered by the tracing core
 * itself when the module loads, and has the core call one of its
 * callbacks with event_mutex held, where the pending operation runs: held
 * the way lockdep can check.  Three ways lead there, tried in order (the
 * "ctl" parameter says which comes first; /proc/uevt counts the
 * operations each ran).
 *
 * 1. Reading the registry event's "format" file.  Its seq_file start()
 *    takes event_mutex and finds the event from the file itself, with no
 *    walk of the kernel's events, and its next() asks the event class for
 *    the event's fields, through the class's get_fields() callback when
 *    it has one (system call entries and user_events have one).  So the
 *    module opens that file once, at load, with the kernel's credentials,
 *    on a mount of tracefs of its own, and an operation reads one byte of
 *    it from position 0 with seq_read_iter(), the file's own read path:
 *    get_fields() runs the operation, and returns the class's (empty)
 *    field list to every other caller.  Nothing is allocated per
 *    operation and nothing is held between operations.  tracefs has one
 *    superblock, so our mount shows the tree the user sees, wherever it is
 *    mounted, if at all; mounting it again, as any second mount does,
 *    resets options the superblock recorded (mode on 6.1; mode, uid and
 *    gid on 6.12), which is what mountinfo then shows: the files' owners
 *    and modes are kept, and so is whether it is read-only (we ask for
 *    what it is; a remount racing the load may be undone on 6.1).
 *    If the file cannot be opened (tracefs locked down) or does not run
 *    the load's first operation, it is let go.
 *
 * 2. Opening a perf counter on the registry event: perf_trace_init()
 *    takes event_mutex, looks the event up by id in the list of events,
 *    where an event sits behind only those added after it (the module's
 *    own, mostly), and calls reg() with TRACE_REG_PERF_OPEN.  Releasing
 *    the counter calls reg() with TRACE_REG_PERF_CLOSE under event_mutex
 *    again, finding the event directly; so the counter an operation opens
 *    is left open ("armed") and the next operation runs from its release.
 *    A second counter keeps the event's perf registration (and the tracing
 *    core's perf buffers) between operations.  Both go once no operation
 *    has run for UEVT_CTL_HOLD_DELAY.
 *
 * 3. Enabling or disabling the registry event with trace_set_clr_event(),
 *    which calls its reg() under event_mutex after a walk of every event
 *    of the system.  The event carries TRACE_EVENT_FL_IGNORE_ENABLE, so it
 *    has no "enable" file and "enable all" skips it; the flag is lifted
 *    only while an operation runs, and reg() from anybody but the
 *    operation's own task refuses to enable it.  An operation toggles it
 *    once: it is left enabled after one operation and disabled by the
 *    next.  Enabling an event while the "record-cmd" option is on starts
 *    the scheduler's command-line recording if no other event had it on,
 *    and disabling stops it again; each start registers tracepoint probes
 *    and patches kernel text, tens of milliseconds.  So a second control
 *    event, uevt_ctl:hold, is kept enabled while operations come in
 *    bursts, and dropped with the counters, the way deferred static keys
 *    rate-limit their own disabling.  While held, it shows in set_event.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/trace_events.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "uevt_internal.h"

#define UEVT_CTL_SYSTEM	"uevt_ctl"
#define UEVT_CTL_EVENT	"registry"
#define UEVT_CTL_HOLD	"hold"
/* How long the hold outlives the last operation. */
#define UEVT_CTL_HOLD_DELAY	HZ

struct uevt_ctl_op {
	int (*fn)(void *arg);
	void *arg;
	int ret;
	bool done;
};

/* The ways into event_mutex, as /proc/uevt counts the operations each ran. */
enum uevt_ctl_way {
	UEVT_CTL_FORMAT,	/* reading the registry event's format file */
	UEVT_CTL_OPEN,		/* opening a perf counter on it */
	UEVT_CTL_CLOSE,		/* releasing the armed counter */
	UEVT_CTL_TOGGLE,	/* enabling or disabling it */
	UEVT_CTL_NR_WAYS
};

static atomic_long_t uevt_ctl_ran[UEVT_CTL_NR_WAYS];

/*
 * The first way tried: "format", "perf" or "toggle"; read at load only.
 * The later ones are how the tests reach the fallbacks.
 */
static char *uevt_ctl_first = "format";
module_param_named(ctl, uevt_ctl_first, charp, 0444);
MODULE_PARM_DESC(ctl, "first way into event_mutex: format (default), perf or toggle");
/* Whether the perf way may be tried; set at load, from "ctl". */
static bool uevt_ctl_use_perf;

/*
 * Serialises operations.  Held across trace_set_clr_event(), so it nests
 * outside event_mutex; never take it from a reg() callback.
 */
static DEFINE_MUTEX(uevt_ctl_mutex);
/*
 * The running operation and its task; written under uevt_ctl_mutex.
 * uevt_ctl_holding is set while that task enables the hold event.
 */
static struct uevt_ctl_op *uevt_ctl_pending;
static struct task_struct *uevt_ctl_owner;
static bool uevt_ctl_holding;
/* That task reads the format file for the operation; under uevt_ctl_mutex. */
static bool uevt_ctl_reading;
/*
 * Whether the hold event is enabled: set under uevt_ctl_mutex, cleared by
 * whoever disables it (clearing set_event does), so only a hint.
 */
static bool uevt_ctl_held;
/* We left the registry event enabled; under uevt_ctl_mutex. */
static bool uevt_ctl_registry_on;
/*
 * The perf counter holding the registry event's perf registration, or
 * NULL; under uevt_ctl_mutex.
 */
static struct perf_event *uevt_ctl_perf_hold;
/*
 * The counter the last operation opened on the registry event, whose
 * release runs the next one; or NULL.  Under uevt_ctl_mutex.
 */
static struct perf_event *uevt_ctl_perf_armed;
/*
 * The credentials our counters are opened with, the kernel's own: perf
 * checks the opener's right to a CPU counter (perf_event_paranoid), and
 * the registering process's rights have nothing to do with ours.  Without
 * them, an unprivileged process's every creation would set up and tear
 * down the event's perf registration, with grace periods under
 * event_mutex.  Set by uevt_ctl_init(), put by uevt_ctl_exit(); NULL:
 * toggling only.
 */
static const struct cred *uevt_ctl_cred;
/*
 * Our mount of tracefs and the registry event's "format" file opened on
 * it, or NULL: set by uevt_ctl_init(), put by uevt_ctl_exit(); read under
 * uevt_ctl_mutex.
 */
static struct vfsmount *uevt_ctl_mnt;
static struct file *uevt_ctl_format;
/*
 * The lock class of that file's seq_file lock.  Every seq_file's lock is
 * of one class otherwise, and readers of our own status files take
 * uevt_registry_mutex inside theirs, where operations take this one
 * inside uevt_registry_mutex: a different lock, which lockdep must be
 * told.
 */
static struct lock_class_key uevt_ctl_format_key;

static struct trace_event_call uevt_ctl_call, uevt_ctl_hold_call;

/* Run @op once; under event_mutex, from one of the tracing core's callbacks. */
static void uevt_ctl_op_run(struct uevt_ctl_op *op, enum uevt_ctl_way way)
{
	if (!op->done) {
		op->ret = op->fn(op->arg);
		op->done = true;
		atomic_long_inc(&uevt_ctl_ran[way]);
	}
}

/*
 * get_fields() of both control events.  The tracing core calls it
 * wherever it looks at an event's fields, in any context and mostly
 * without event_mutex (printing a record, even from a crash dump).  Only
 * the format file's next(), in the task reading it for an operation,
 * finds uevt_ctl_reading set with the reader current, in task context,
 * and that is under event_mutex, taken by the same file's start().
 */
static struct list_head *uevt_ctl_get_fields(struct trace_event_call *call)
{
	struct uevt_ctl_op *op = READ_ONCE(uevt_ctl_pending);

	if (op && call == &uevt_ctl_call && in_task() && READ_ONCE(uevt_ctl_reading) &&
	    READ_ONCE(uevt_ctl_owner) == current)
		uevt_ctl_op_run(op, UEVT_CTL_FORMAT);
	return &call->class->fields;
}

/* reg() of the hold event: only uevt_ctl_hold_set() may enable it. */
static int uevt_ctl_hold_reg(enum trace_reg type)
{
	switch (type) {
	case TRACE_REG_REGISTER:
		if (!READ_ONCE(uevt_ctl_holding) || READ_ONCE(uevt_ctl_owner) != current)
			return -EPERM;
		WRITE_ONCE(uevt_ctl_held, true);
		return 0;
	case TRACE_REG_UNREGISTER:
		WRITE_ONCE(uevt_ctl_held, false);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int uevt_ctl_reg(struct trace_event_call *call, enum trace_reg type, void *data)
{
	struct uevt_ctl_op *op = READ_ONCE(uevt_ctl_pending);
	bool ours = op && READ_ONCE(uevt_ctl_owner) == current;
	enum uevt_ctl_way way = UEVT_CTL_TOGGLE;

	if (call == &uevt_ctl_hold_call)
		return uevt_ctl_hold_reg(type);

	switch (type) {
	case TRACE_REG_REGISTER:
		if (!ours)
			return -EPERM;
		break;
	case TRACE_REG_UNREGISTER:
		if (!ours)
			return 0;
		break;
#ifdef CONFIG_PERF_EVENTS
	case TRACE_REG_PERF_REGISTER:
		/* Only our own counters attach: the hold, or an operation's. */
		return READ_ONCE(uevt_ctl_owner) == current ? 0 : -EPERM;
	case TRACE_REG_PERF_OPEN:
		if (READ_ONCE(uevt_ctl_owner) != current)
			return -EPERM;
		if (!op)
			return 0;	/* the hold */
		way = UEVT_CTL_OPEN;
		break;
	case TRACE_REG_PERF_CLOSE:
		/* The release of a counter of ours: the armed one runs @op. */
		if (!ours)
			return 0;
		way = UEVT_CTL_CLOSE;
		break;
	case TRACE_REG_PERF_UNREGISTER:
	case TRACE_REG_PERF_ADD:
	case TRACE_REG_PERF_DEL:
		return 0;
#endif
	default:
		return -EOPNOTSUPP;
	}
	uevt_ctl_op_run(op, way);
	return 0;
}

static enum print_line_t uevt_ctl_print(struct trace_iterator *iter, int flags,
					struct trace_event *event)
{
	return TRACE_TYPE_HANDLED;
}

static struct trace_event_functions uevt_ctl_funcs = {
	.trace = uevt_ctl_print,
};

static struct trace_event_fields uevt_ctl_fields[] = {
	{}
};

static struct trace_event_class uevt_ctl_class = {
	.system		= UEVT_CTL_SYSTEM,
	.reg		= uevt_ctl_reg,
	.get_fields	= uevt_ctl_get_fields,
	.fields_array	= uevt_ctl_fields,
	.fields		= LIST_HEAD_INIT(uevt_ctl_class.fields),
	.raw_init	= trace_event_raw_init,
};

static struct trace_event_call uevt_ctl_call = {
	.class		= &uevt_ctl_class,
	.name		= UEVT_CTL_EVENT,
	.event.funcs	= &uevt_ctl_funcs,
	.print_fmt	= "\"\"",
	.flags		= TRACE_EVENT_FL_IGNORE_ENABLE,
};

static struct trace_event_call uevt_ctl_hold_call = {
	.class		= &uevt_ctl_class,
	.name		= UEVT_CTL_HOLD,
	.event.funcs	= &uevt_ctl_funcs,
	.print_fmt	= "\"\"",
	.flags		= TRACE_EVENT_FL_IGNORE_ENABLE,
};

/* The tracing core registers the events in this section at module load. */
static struct trace_event_call *uevt_ctl_call_ptrs[] __used __section("_ftrace_events") = {
	&uevt_ctl_call, &uevt_ctl_hold_call,
};

/* Let the tracing core enable or disable @call once; under uevt_ctl_mutex. */
static int uevt_ctl_toggle(struct trace_event_call *call, const char *name, int set)
{
	int ret;

	lockdep_assert_held(&uevt_ctl_mutex);
	WRITE_ONCE(call->flags, call->flags & ~TRACE_EVENT_FL_IGNORE_ENABLE);
	ret = trace_set_clr_event(UEVT_CTL_SYSTEM, name, set);
	WRITE_ONCE(call->flags, call->flags | TRACE_EVENT_FL_IGNORE_ENABLE);
	return ret;
}

/*
 * Enable or disable the hold event; under uevt_ctl_mutex.  Failing to
 * enable it only makes operations slower, so errors are not reported.
 */
static void uevt_ctl_hold_set(bool on)
{
	lockdep_assert_held(&uevt_ctl_mutex);
	WRITE_ONCE(uevt_ctl_owner, current);
	WRITE_ONCE(uevt_ctl_holding, on);
	uevt_ctl_toggle(&uevt_ctl_hold_call, UEVT_CTL_HOLD, on);
	WRITE_ONCE(uevt_ctl_holding, false);
	WRITE_ONCE(uevt_ctl_owner, NULL);
}

#ifdef CONFIG_PERF_EVENTS
/*
 * A disabled counter on the registry event, on this CPU; under
 * uevt_ctl_mutex, with uevt_ctl_owner set.  Opening it calls reg() under
 * event_mutex, whether or not it is then installed (an offline CPU).
 */
static struct perf_event *uevt_ctl_perf_open(void)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_TRACEPOINT,
		.size		= sizeof(attr),
		.config		= uevt_ctl_call.event.type,
		.disabled	= 1,
	};

	const struct cred *saved;
	struct perf_event *event;

	lockdep_assert_held(&uevt_ctl_mutex);
	if (!uevt_ctl_cred)
		return ERR_PTR(-EPERM);
	/*
	 * Any CPU will do: if it goes offline meanwhile, reg() has been
	 * called all the same and only installing the counter fails.
	 */
	saved = override_creds(uevt_ctl_cred);
	event = perf_event_create_kernel_counter(&attr, raw_smp_processor_id(), NULL, NULL, NULL);
	revert_creds(saved);
	return event;
}

/*
 * Keep @event open between operations.  A counter holds the registry
 * event's module: us.  We let go of our counters (uevt_ctl_exit() does)
 * before the module goes, so they must not keep us from unloading.
 */
static struct perf_event *uevt_ctl_perf_keep(struct perf_event *event)
{
	module_put(THIS_MODULE);
	return event;
}

/*
 * Release a counter kept open; under uevt_ctl_mutex.  Its release drops a
 * module reference, which we take back first.  At exit (@exiting) the
 * module start or unload holds one already, so taking another cannot
 * race with rmmod; elsewhere it must be a try: if rmmod is under way, the
 * counter stays for uevt_ctl_exit().
 */
static void uevt_ctl_perf_put(struct perf_event **event, bool exiting)
{
	lockdep_assert_held(&uevt_ctl_mutex);
	if (!*event)
		return;
	if (exiting)
		__module_get(THIS_MODULE);
	else if (!try_module_get(THIS_MODULE))
		return;
	perf_event_release_kernel(*event);
	*event = NULL;
}

/*
 * Run @op through a counter on the registry event: the release of the
 * armed one, or else the opening of one, which is armed for the next
 * operation.  Under uevt_ctl_mutex.
 */
static void uevt_ctl_perf_run(struct uevt_ctl_op *op)
{
	struct perf_event *event;

	lockdep_assert_held(&uevt_ctl_mutex);
	if (!uevt_ctl_use_perf)
		return;
	WRITE_ONCE(uevt_ctl_owner, current);
	if (!uevt_ctl_perf_hold) {
		event = uevt_ctl_perf_open();
		if (!IS_ERR(event))
			uevt_ctl_perf_hold = uevt_ctl_perf_keep(event);
	}
	WRITE_ONCE(uevt_ctl_pending, op);
	uevt_ctl_perf_put(&uevt_ctl_perf_armed, false);
	/*
	 * Still armed: the module is going (try_module_get() failed), so the
	 * open would fail too; and it must not replace the armed counter,
	 * which only uevt_ctl_exit() may release now.  Toggling does it.
	 */
	if (!op->done && !uevt_ctl_perf_armed) {
		event = uevt_ctl_perf_open();
		/* Ran at open: armed.  Not run (it cannot be): its release runs @op. */
		if (!IS_ERR(event) && op->done)
			uevt_ctl_perf_armed = uevt_ctl_perf_keep(event);
		else if (!IS_ERR(event))
			perf_event_release_kernel(event);
	}
	WRITE_ONCE(uevt_ctl_pending, NULL);
	WRITE_ONCE(uevt_ctl_owner, NULL);
}

/* Release the armed counter and the hold; under uevt_ctl_mutex. */
static void uevt_ctl_perf_release(bool exiting)
{
	lockdep_assert_held(&uevt_ctl_mutex);
	uevt_ctl_perf_put(&uevt_ctl_perf_armed, exiting);
	uevt_ctl_perf_put(&uevt_ctl_perf_hold, exiting);
}
#else
static void uevt_ctl_perf_run(struct uevt_ctl_op *op)
{
}

static void uevt_ctl_perf_release(bool exiting)
{
}
#endif

/*
 * Run @op by reading the registry event's format file from its start;
 * under uevt_ctl_mutex.  Return: whether @op ran.
 */
static bool uevt_ctl_format_run(struct uevt_ctl_op *op)
{
	struct kiocb kiocb;
	struct iov_iter iter;
	struct kvec kvec;
	char byte;

	lockdep_assert_held(&uevt_ctl_mutex);
	if (!uevt_ctl_format)
		return false;
	kvec.iov_base = &byte;
	kvec.iov_len = sizeof(byte);
	iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, sizeof(byte));
	/* Position 0: the seq_file starts over, with start() and next(). */
	init_sync_kiocb(&kiocb, uevt_ctl_format);
	kiocb.ki_pos = 0;
	WRITE_ONCE(uevt_ctl_owner, current);
	WRITE_ONCE(uevt_ctl_pending, op);
	WRITE_ONCE(uevt_ctl_reading, true);
	seq_read_iter(&kiocb, &iter);
	WRITE_ONCE(uevt_ctl_reading, false);
	WRITE_ONCE(uevt_ctl_pending, NULL);
	WRITE_ONCE(uevt_ctl_owner, NULL);
	return op->done;
}

/* iterate_supers_type() callback: is (the) tracefs superblock read-only? */
static void uevt_ctl_sb_rdonly(struct super_block *sb, void *rdonly)
{
	*(bool *)rdonly |= sb_rdonly(sb);
}

/*
 * Open the registry event's format file on a mount of tracefs of our own,
 * with the kernel's credentials (whoever loads the module may not be
 * allowed to read tracefs); on failure, operations take the other ways
 * in.  tracefs is built in, so get_fs_type() took no module reference to
 * give back.
 */
static void uevt_ctl_format_open(void)
{
	struct file_system_type *type = get_fs_type("tracefs");
	const struct cred *saved;
	struct vfsmount *mnt;
	bool rdonly = false;
	struct file *file;
	struct path root;

	if (!type || !uevt_ctl_cred)
		return;
	/*
	 * A second mount of a single-superblock file system reconfigures it
	 * with the new mount's flags on 6.1: ask for what it is already, or
	 * an administrator's read-only tracefs would become writable.
	 */
	iterate_supers_type(type, uevt_ctl_sb_rdonly, &rdonly);
	mnt = vfs_kern_mount(type, SB_KERNMOUNT | (rdonly ? SB_RDONLY : 0), type->name, NULL);
	if (IS_ERR(mnt))
		return;
	root.mnt = mnt;
	root.dentry = mnt->mnt_root;
	saved = override_creds(uevt_ctl_cred);
	file = file_open_root(&root, "events/" UEVT_CTL_SYSTEM "/" UEVT_CTL_EVENT "/format",
			      O_RDONLY, 0);
	revert_creds(saved);
	/* Only the tracing core's seq_file is known to call get_fields(). */
	if (!IS_ERR(file) && file->f_op->read == seq_read) {
		lockdep_set_class(&((struct seq_file *)file->private_data)->lock,
				  &uevt_ctl_format_key);
		uevt_ctl_mnt = mnt;
		uevt_ctl_format = file;
		return;
	}
	if (!IS_ERR(file))
		fput(file);
	mntput(mnt);
}

/*
 * Close the format file and let go of our mount.  A task's last fput() of
 * a file completes on its way back to user space: after the module is
 * gone, which is fine, for nothing of ours runs then (the tracing core
 * handles format files still open on events it removed).  The mount goes
 * with the last of the file's and our references.
 */
static void uevt_ctl_format_close(void)
{
	if (uevt_ctl_format)
		fput(uevt_ctl_format);
	if (uevt_ctl_mnt)
		mntput(uevt_ctl_mnt);
	uevt_ctl_format = NULL;
	uevt_ctl_mnt = NULL;
}

static void uevt_ctl_release(struct work_struct *work)
{
	mutex_lock(&uevt_ctl_mutex);
	uevt_ctl_perf_release(!work);
	/* No operation pending: the core's reg() call does nothing. */
	if (uevt_ctl_registry_on)
		uevt_ctl_toggle(&uevt_ctl_call, UEVT_CTL_EVENT, 0);
	uevt_ctl_registry_on = false;
	if (READ_ONCE(uevt_ctl_held))
		uevt_ctl_hold_set(false);
	mutex_unlock(&uevt_ctl_mutex);
}

static DECLARE_DELAYED_WORK(uevt_ctl_release_work, uevt_ctl_release);

/**
 * uevt_ctl_run() - run a function with the tracing core's event_mutex held
 * @fn: the function; it may sleep, and must not take uevt_ctl_mutex.
 * @arg: its argument.
 *
 * Context: process context, may sleep; must not hold event_mutex.
 * Return: what @fn returned, or a negative errno when the tracing core
 * did not call back (another tracer holds the control event enabled).
 */
int uevt_ctl_run(int (*fn)(void *arg), void *arg)
{
	struct uevt_ctl_op op = { .fn = fn, .arg = arg };
	int first, second = 0;
	bool set;

	mutex_lock(&uevt_ctl_mutex);
	if (uevt_ctl_format_run(&op)) {
		/* Nothing held for the next operation: nothing to let go. */
		mutex_unlock(&uevt_ctl_mutex);
		return op.ret;
	}
	uevt_ctl_perf_run(&op);
	if (op.done)
		goto out;
	if (!READ_ONCE(uevt_ctl_held))
		uevt_ctl_hold_set(true);
	WRITE_ONCE(uevt_ctl_owner, current);
	WRITE_ONCE(uevt_ctl_pending, &op);

	/*
	 * Flip the registry event; if somebody else disabled it meanwhile
	 * (clearing set_event does), disabling calls nobody back, and
	 * enabling it does.
	 */
	set = !uevt_ctl_registry_on;
	first = uevt_ctl_toggle(&uevt_ctl_call, UEVT_CTL_EVENT, set);
	uevt_ctl_registry_on = set;
	if (!op.done) {
		second = uevt_ctl_toggle(&uevt_ctl_call, UEVT_CTL_EVENT, !set);
		uevt_ctl_registry_on = !set;
	}

	WRITE_ONCE(uevt_ctl_pending, NULL);
	WRITE_ONCE(uevt_ctl_owner, NULL);
out:
	mod_delayed_work(system_wq, &uevt_ctl_release_work, UEVT_CTL_HOLD_DELAY);
	mutex_unlock(&uevt_ctl_mutex);

	if (op.done)
		return op.ret;
	pr_warn_ratelimited("control event did not call back (%d, %d)\n", first, second);
	return first ?: second ?: -EBUSY;
}

static int uevt_ctl_probe(void *arg)
{
	return 0;
}

/**
 * uevt_ctl_init() - open the way into event_mutex and check it works
 *
 * With ctl=format, opens the registry event's format file on a tracefs
 * mount of the module's own, and lets it go again if the check did not
 * run through it.
 *
 * Context: module load, process context, may sleep.
 * Return: 0, -EINVAL for an unknown "ctl", or -ENODEV when the tracing
 * core did not register the control event (tracing disabled, or the
 * module is rejected by it).
 */
int uevt_ctl_init(void)
{
	const char *first = uevt_ctl_first ?: "";
	bool format = !strcmp(first, "format");
	int ret;

	if (!format && strcmp(first, "perf") && strcmp(first, "toggle")) {
		pr_err("ctl=%s: not one of format, perf, toggle\n", first);
		return -EINVAL;
	}
	uevt_ctl_use_perf = strcmp(first, "toggle");
	/* No credentials: toggling the registry event still works. */
	uevt_ctl_cred = prepare_kernel_cred(&init_task);
	if (format)
		uevt_ctl_format_open();
	ret = uevt_ctl_run(uevt_ctl_probe, NULL);
	if (ret) {
		pr_err("tracing core did not register %s:%s (%d)\n",
		       UEVT_CTL_SYSTEM, UEVT_CTL_EVENT, ret);
		uevt_ctl_exit();
		return -ENODEV;
	}
	/* Nothing else runs yet.  A file that did not call back only costs. */
	if (format && !atomic_long_read(&uevt_ctl_ran[UEVT_CTL_FORMAT])) {
		uevt_ctl_format_close();
		pr_info("events are created through %s\n",
			atomic_long_read(&uevt_ctl_ran[UEVT_CTL_TOGGLE]) ?
			"the control event's enabling" : "perf counters");
	}
	return 0;
}

/**
 * uevt_ctl_exit() - let go of the ways in before the module's code goes away
 *
 * Drops the hold and the counters, closes the format file and unmounts
 * our tracefs mount.  The tracing core removes both control events after
 * the module's exit.  Must run after the last uevt_ctl_run().
 *
 * Context: process context, may sleep.
 */
void uevt_ctl_exit(void)
{
	cancel_delayed_work_sync(&uevt_ctl_release_work);
	uevt_ctl_release(NULL);
	if (uevt_ctl_cred)
		put_cred(uevt_ctl_cred);
	uevt_ctl_cred = NULL;
	uevt_ctl_format_close();
}

/**
 * uevt_ctl_show() - the "control" line of /proc/uevt
 * @m: the seq_file.
 *
 * How many operations (event creations and removals) ran through each way
 * into event_mutex: the format file, a counter's opening, a counter's
 * release, enabling or disabling the registry event.
 *
 * Context: process context.
 */
void uevt_ctl_show(struct seq_file *m)
{
	seq_printf(m, "control format %ld open %ld close %ld toggle %ld\n",
		   atomic_long_read(&uevt_ctl_ran[UEVT_CTL_FORMAT]),
		   atomic_long_read(&uevt_ctl_ran[UEVT_CTL_OPEN]),
		   atomic_long_read(&uevt_ctl_ran[UEVT_CTL_CLOSE]),
		   atomic_long_read(&uevt_ctl_ran[UEVT_CTL_TOGGLE]));
}
