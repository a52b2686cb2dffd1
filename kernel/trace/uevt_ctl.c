// SPDX-License-Identifier: GPL-2.0
/*
 * Running code under the tracing core's event_mutex, from a module.
 *
 * trace_add_event_call() and trace_remove_event_call() must be called with
 * event_mutex held, and event_mutex is not exported.  What the tracing core
 * does export is trace_set_clr_event(), which takes event_mutex and calls
 * the reg() callback of the event it enables or disables.  So the module
 * owns one static trace event, uevt_ctl:registry, registered by the tracing
 * core itself when the module loads, whose reg() callback runs the pending
 * operation: enabling or disabling it is how we get event_mutex, held the
 * way lockdep can check.
 *
 * The control event carries TRACE_EVENT_FL_IGNORE_ENABLE, so it has no
 * "enable" file and "enable all" skips it; the flag is lifted only while
 * an operation runs, and reg() from anybody but the operation's own task
 * refuses to enable it.
 *
 * Enabling an event while the "record-cmd" option is on (the default)
 * starts the scheduler's command-line recording if no other event had it
 * on, and disabling stops it again.  Each start registers tracepoint
 * probes, which waits for an RCU grace period when the last stop was
 * recent, and patches kernel text; that made every new event cost tens of
 * milliseconds.  So a second control event, uevt_ctl:hold, is kept enabled
 * while operations come in bursts: with it on, toggling the registry event
 * moves the recording's reference count between 1 and 2 and touches no
 * probe.  The hold is dropped once no operation has run for
 * UEVT_CTL_HOLD_DELAY, the way deferred static keys rate-limit their own
 * disabling.  While held, "uevt_ctl:hold" shows in set_event.
 *
 * Every enable or disable walks all the events of the system, so an
 * operation toggles the registry event once, not twice: it is left
 * enabled after one operation and disabled by the next, and put back to
 * disabled with the hold.
 *
 * That walk made each operation cost in proportion to the events of the
 * kernel (thousands on a distribution kernel).  So, with perf events, the
 * first way in is another: opening a perf counter on the registry event.
 * The tracing core's perf_trace_init() takes event_mutex, looks the event
 * up by id in its list of events, where an event sits behind only those
 * added after it (the module's own, mostly), stops there, and calls reg()
 * with TRACE_REG_PERF_OPEN for each counter opened on it.  A second
 * counter, held like the hold event, keeps the event's perf registration
 * (and the tracing core's perf buffers) between operations, so opening
 * one allocates nothing there.  Toggling the registry event stays as the
 * fallback.
 *
 * A counter is a way in twice: opening it calls reg() with
 * TRACE_REG_PERF_OPEN under event_mutex, and releasing it, in
 * perf_trace_destroy(), with TRACE_REG_PERF_CLOSE under event_mutex
 * again.  So the counter an operation opens is left open ("armed"), and
 * the next operation runs from its release: half the counters, and half
 * the walks, per operation.  A release finds the counter's event directly;
 * only an open looks it up.  The armed counter goes with the hold.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/trace_events.h>
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

static struct trace_event_call uevt_ctl_call, uevt_ctl_hold_call;

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
		break;
	case TRACE_REG_PERF_CLOSE:
		/* The release of a counter of ours: the armed one runs @op. */
		if (!ours)
			return 0;
		break;
	case TRACE_REG_PERF_UNREGISTER:
	case TRACE_REG_PERF_ADD:
	case TRACE_REG_PERF_DEL:
		return 0;
#endif
	default:
		return -EOPNOTSUPP;
	}
	if (!op->done) {
		op->ret = op->fn(op->arg);
		op->done = true;
	}
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
 * uevt_ctl_init() - check that the control event works
 *
 * Return: 0, or -ENODEV when the tracing core did not register the
 * control event (tracing disabled, or the module is rejected by it).
 */
int uevt_ctl_init(void)
{
	int ret;

	/* No credentials: toggling the registry event still works. */
	uevt_ctl_cred = prepare_kernel_cred(&init_task);
	ret = uevt_ctl_run(uevt_ctl_probe, NULL);
	if (ret) {
		pr_err("tracing core did not register %s:%s (%d)\n",
		       UEVT_CTL_SYSTEM, UEVT_CTL_EVENT, ret);
		uevt_ctl_exit();
		return -ENODEV;
	}
	return 0;
}

/**
 * uevt_ctl_exit() - drop the hold before the module's code goes away
 *
 * The tracing core removes both control events after the module's exit.
 * Must run after the last uevt_ctl_run().
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
}
