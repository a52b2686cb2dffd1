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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/trace_events.h>

#include "uevt_internal.h"

#define UEVT_CTL_SYSTEM	"uevt_ctl"
#define UEVT_CTL_EVENT	"registry"

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
/* The running operation and its task; written under uevt_ctl_mutex. */
static struct uevt_ctl_op *uevt_ctl_pending;
static struct task_struct *uevt_ctl_owner;

static int uevt_ctl_reg(struct trace_event_call *call, enum trace_reg type, void *data)
{
	struct uevt_ctl_op *op = READ_ONCE(uevt_ctl_pending);
	bool ours = op && READ_ONCE(uevt_ctl_owner) == current;

	switch (type) {
	case TRACE_REG_REGISTER:
		if (!ours)
			return -EPERM;
		break;
	case TRACE_REG_UNREGISTER:
		if (!ours)
			return 0;
		break;
	default:
		/* perf cannot attach to the control event. */
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

/* The tracing core registers the events in this section at module load. */
static struct trace_event_call *uevt_ctl_call_ptr __used __section("_ftrace_events") =
	&uevt_ctl_call;

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
	int on, off;

	mutex_lock(&uevt_ctl_mutex);
	WRITE_ONCE(uevt_ctl_owner, current);
	WRITE_ONCE(uevt_ctl_pending, &op);
	WRITE_ONCE(uevt_ctl_call.flags, uevt_ctl_call.flags & ~TRACE_EVENT_FL_IGNORE_ENABLE);

	on = trace_set_clr_event(UEVT_CTL_SYSTEM, UEVT_CTL_EVENT, 1);
	off = trace_set_clr_event(UEVT_CTL_SYSTEM, UEVT_CTL_EVENT, 0);

	WRITE_ONCE(uevt_ctl_call.flags, uevt_ctl_call.flags | TRACE_EVENT_FL_IGNORE_ENABLE);
	WRITE_ONCE(uevt_ctl_pending, NULL);
	WRITE_ONCE(uevt_ctl_owner, NULL);
	mutex_unlock(&uevt_ctl_mutex);

	if (op.done)
		return op.ret;
	pr_warn_ratelimited("control event did not call back (%d, %d)\n", on, off);
	return on ?: off ?: -EBUSY;
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
	int ret = uevt_ctl_run(uevt_ctl_probe, NULL);

	if (ret) {
		pr_err("tracing core did not register %s:%s (%d)\n",
		       UEVT_CTL_SYSTEM, UEVT_CTL_EVENT, ret);
		return -ENODEV;
	}
	return 0;
}

/**
 * uevt_ctl_exit() - nothing to undo; the core removes the control event
 */
void uevt_ctl_exit(void)
{
}
