// SPDX-License-Identifier: GPL-2.0
/*
 * uevt events: the registry, the tracefs events, and the probes that carry
 * records to ftrace, perf and BPF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/trace_events.h>
#include <linux/trace_seq.h>
#include <linux/tracepoint.h>

#include "uevt_internal.h"

/*
 * Protects uevt_events, uevt_event_names, uevt_nr_events, uevt_multi_seq,
 * every event's persist, and every event's refs coming back from zero
 * (the reaper frees events at zero under it).  Outermost lock: taken
 * before uevt_ctl_run().
 */
static DEFINE_MUTEX(uevt_registry_mutex);
static LIST_HEAD(uevt_events);
static DEFINE_HASHTABLE(uevt_event_names, 10);
static unsigned int uevt_nr_events;
static u64 uevt_multi_seq;

/* Removes unreferenced events once no tracer uses them. */
static void uevt_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(uevt_reap_work, uevt_reap);
/*
 * An event held only through the tracing core's reference (an event probe,
 * a trigger) gets no call from the core when that lets go: the reaper
 * looks again this often while one waits.
 */
#define UEVT_REAP_RETRY		HZ

typedef void (*uevt_probe_fn)(void *data, struct uevt_event *ev, void *rec, size_t len);

/* Records to every ftrace instance that enabled the event. */
static void uevt_ftrace_probe(void *data, struct uevt_event *ev, void *rec, size_t len)
{
	struct trace_event_file *file = data;
	struct trace_event_buffer fbuffer;
	struct trace_entry *entry;

	if (trace_trigger_soft_disabled(file))
		return;
	entry = trace_event_buffer_reserve(&fbuffer, file, len);
	if (unlikely(!entry)) {
		atomic_long_inc(&ev->dropped_ftrace);
		return;
	}
	/* The payload was copied and validated before: no fault here. */
	memcpy(entry + 1, (u8 *)rec + UEVT_ENTRY_SIZE, len - UEVT_ENTRY_SIZE);
	trace_event_buffer_commit(&fbuffer);
}

#ifdef CONFIG_PERF_EVENTS
/* Records to perf events and runs attached BPF programs. */
static void uevt_perf_probe(void *data, struct uevt_event *ev, void *rec, size_t len)
{
	struct hlist_head *head = this_cpu_ptr(ev->call.perf_events);
	struct pt_regs *regs;
	void *entry;
	int size, rctx;

	if (!bpf_prog_array_valid(&ev->call) && hlist_empty(head))
		return;
	/* perf puts a u32 size in front and keeps records u64 aligned. */
	size = ALIGN(len + sizeof(u32), sizeof(u64)) - sizeof(u32);
	entry = perf_trace_buf_alloc(size, &regs, &rctx);
	if (unlikely(!entry)) {
		atomic_long_inc(&ev->dropped_perf);
		return;
	}
	perf_fetch_caller_regs(regs);
	memcpy((u8 *)entry + UEVT_ENTRY_SIZE, (u8 *)rec + UEVT_ENTRY_SIZE,
	       len - UEVT_ENTRY_SIZE);
	perf_trace_run_bpf_submit(entry, size, rctx, &ev->call, 1, regs, head, NULL);
}
#endif

/**
 * uevt_event_emit() - hand a validated record to every attached consumer
 * @ev: the event.
 * @record: UEVT_ENTRY_SIZE bytes of room, then the payload.  The room's
 *	bytes are whatever the caller had there (uninitialized stack, the
 *	write index): consumers are given the payload only.
 * @len: bytes in @record.
 *
 * Context: any context that may disable preemption; @record is kernel
 * memory, so nothing here faults.
 */
void uevt_event_emit(struct uevt_event *ev, void *record, size_t len)
{
	struct tracepoint_func *it;

	preempt_disable_notrace();
	it = rcu_dereference_sched(ev->tp.funcs);
	if (it) {
		for (; it->func; it++)
			((uevt_probe_fn)it->func)(it->data, ev, record, len);
	}
	preempt_enable_notrace();
}

/* What trace_pipe shows: "name: field=value ...". */
static enum print_line_t uevt_event_print(struct trace_iterator *iter, int flags,
					  struct trace_event *event)
{
	struct uevt_event *ev = container_of(event, struct uevt_event, call.event);
	const u8 *rec = (const u8 *)iter->ent;
	size_t len = iter->ent_size;
	struct trace_seq *s = &iter->seq;
	u32 i;

	trace_seq_printf(s, "%s:", ev->tp_name);
	for (i = 0; i < ev->desc->nfields; i++) {
		const struct uevt_field *f = &ev->desc->fields[i];
		size_t pos = UEVT_ENTRY_SIZE + f->offset, start, size;
		u32 loc;

		if (pos + f->size > len) {
			trace_seq_puts(s, " <truncated>");
			break;
		}
		trace_seq_printf(s, " %s=", f->name);
		switch (f->kind) {
		case UEVT_FIELD_SCALAR: {
			u64 v = 0;

			memcpy(&v, rec + pos, f->size);
			if (f->is_signed && f->size < 8 && (v & (1ULL << (f->size * 8 - 1))))
				v |= ~0ULL << (f->size * 8);
			if (f->is_signed)
				trace_seq_printf(s, "%lld", (s64)v);
			else
				trace_seq_printf(s, "%llu", v);
			continue;
		}
		case UEVT_FIELD_ARRAY:
		case UEVT_FIELD_STRUCT:
			start = pos;
			size = f->size;
			break;
		default:
			loc = get_unaligned((const u32 *)(rec + pos));
			start = (loc & 0xffff) +
				(f->kind == UEVT_FIELD_REL_LOC ? pos + sizeof(u32) : 0);
			size = loc >> 16;
			if (start > len || size > len - start) {
				trace_seq_puts(s, "<bad>");
				continue;
			}
			break;
		}
		if (f->is_string) {
			trace_seq_printf(s, "%.*s", (int)strnlen(rec + start, size), rec + start);
		} else {
			size_t b;

			for (b = 0; b < size; b++)
				trace_seq_printf(s, "%02x", rec[start + b]);
		}
	}
	trace_seq_putc(s, '\n');
	return trace_handle_return(s);
}

static struct trace_event_functions uevt_event_funcs = {
	.trace = uevt_event_print,
};

/*
 * The fields as the tracing core's static events describe them: it adds
 * them after the common fields, aligned to .align (1: packed, as the
 * payload is) and prints fixed arrays with their .len.
 */
static struct trace_event_fields *uevt_fields_array(const struct uevt_desc *desc)
{
	struct trace_event_fields *arr;
	u32 i;

	arr = kcalloc(desc->nfields + 1, sizeof(*arr), GFP_KERNEL_ACCOUNT);
	if (!arr)
		return NULL;
	for (i = 0; i < desc->nfields; i++) {
		const struct uevt_field *f = &desc->fields[i];
		/* The members are const: build each entry whole, then copy it. */
		struct trace_event_fields entry = {
			.type		= f->type,
			.name		= f->name,
			.size		= f->size,
			.align		= 1,
			.is_signed	= f->is_signed,
			.filter_type	= FILTER_OTHER,
			.len		= f->kind == UEVT_FIELD_ARRAY ? f->size / f->elem_size : 0,
		};

		memcpy(&arr[i], &entry, sizeof(entry));
	}
	return arr;
}

/*
 * After a probe came or went: recompute the state the enable bits show and
 * push it to them.  Called under event_mutex from the reg callback.
 */
static void uevt_event_state_changed(struct uevt_event *ev)
{
	bool enabled = rcu_access_pointer(ev->tp.funcs);

	if (enabled == READ_ONCE(ev->enabled))
		return;
	WRITE_ONCE(ev->enabled, enabled);
	/*
	 * Before we look for live slots: pairs with the barrier a registration
	 * takes between making its slot live and reading the state.
	 */
	smp_mb();
	uevt_words_update(ev);
	/* The last tracer left: an unreferenced event may go now. */
	if (!enabled)
		mod_delayed_work(system_unbound_wq, &uevt_reap_work, 0);
}

static int uevt_event_reg(struct trace_event_call *call, enum trace_reg type, void *data)
{
	struct uevt_event *ev = call->data;
	int ret = 0;

	switch (type) {
	case TRACE_REG_REGISTER:
		ret = tracepoint_probe_register(&ev->tp, uevt_ftrace_probe, data);
		break;
	case TRACE_REG_UNREGISTER:
		ret = tracepoint_probe_unregister(&ev->tp, uevt_ftrace_probe, data);
		break;
#ifdef CONFIG_PERF_EVENTS
	case TRACE_REG_PERF_REGISTER:
		ret = tracepoint_probe_register(&ev->tp, uevt_perf_probe, ev);
		break;
	case TRACE_REG_PERF_UNREGISTER:
		ret = tracepoint_probe_unregister(&ev->tp, uevt_perf_probe, ev);
		break;
#endif
	default:
		/* perf open/close/add/del: nothing to do, and add/del are atomic. */
		return 0;
	}
	if (!ret)
		uevt_event_state_changed(ev);
	return ret;
}

static void uevt_event_free(struct uevt_event *ev)
{
	uevt_desc_free(ev->desc);
	kfree(ev->fields_array);
	kfree(ev->tp_name);
	kfree(ev->print_fmt);
	/* The notifiers may still read ->enabled through a slot, under RCU. */
	kfree_rcu(ev, rcu);
	module_put(THIS_MODULE);
}

static struct uevt_event *uevt_event_alloc(struct uevt_desc *desc, bool multi)
{
	struct uevt_event *ev;
	int len;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return NULL;
	__module_get(THIS_MODULE);
	ev->desc = desc;
	ev->multi = multi;
	if (multi)
		ev->tp_name = kasprintf(GFP_KERNEL_ACCOUNT, "%s.%llx", desc->name,
					++uevt_multi_seq);
	else
		ev->tp_name = kstrdup(desc->name, GFP_KERNEL_ACCOUNT);
	len = uevt_desc_print_fmt(desc, uevt_as_builtin, NULL, 0) + 1;
	ev->print_fmt = kmalloc(len, GFP_KERNEL_ACCOUNT);
	ev->fields_array = uevt_fields_array(desc);
	if (!ev->tp_name || !ev->print_fmt || !ev->fields_array) {
		ev->desc = NULL;
		uevt_event_free(ev);
		return NULL;
	}
	uevt_desc_print_fmt(desc, uevt_as_builtin, ev->print_fmt, len);

	INIT_LIST_HEAD(&ev->node);
	INIT_LIST_HEAD(&ev->slots);
	mutex_init(&ev->slots_lock);
	ev->tp.name = ev->tp_name;

	ev->class.system = multi ? uevt_multi_system : uevt_system;
	ev->class.reg = uevt_event_reg;
	ev->class.probe = uevt_ftrace_probe;
#ifdef CONFIG_PERF_EVENTS
	ev->class.perf_probe = uevt_perf_probe;
#endif
	ev->class.fields_array = ev->fields_array;
	INIT_LIST_HEAD(&ev->class.fields);

	ev->call.class = &ev->class;
	ev->call.tp = &ev->tp;
	/*
	 * DYNAMIC: whoever holds the event through the tracing core (an event
	 * probe, a trigger, perf) takes a reference in ->refcnt, which the
	 * reaper respects; a module pointer would pin only the module.
	 */
	ev->call.flags = TRACE_EVENT_FL_TRACEPOINT | TRACE_EVENT_FL_DYNAMIC;
	ev->call.event.funcs = &uevt_event_funcs;
	ev->call.print_fmt = ev->print_fmt;
	ev->call.data = ev;
	return ev;
}

/* Under event_mutex (uevt_ctl_run): make the event visible in tracefs. */
static int uevt_event_add_locked(void *arg)
{
	struct uevt_event *ev = arg;
	int ret;

	if (!register_trace_event(&ev->call.event))
		return -ENODEV;
	ret = trace_add_event_call(&ev->call);
	if (ret)
		unregister_trace_event(&ev->call.event);
	return ret;
}

/* May the tracing core let go of @ev now?  Under event_mutex. */
static bool uevt_event_idle(struct uevt_event *ev)
{
	/* Enabled ftrace/perf, or an event probe or trigger holding it. */
	return !READ_ONCE(ev->enabled) && !atomic_read(&ev->call.refcnt);
}

/*
 * Under event_mutex: remove it; -EBUSY while ftrace or perf use it.  The
 * core's removal also unregisters the trace_event (its output id).
 */
static int uevt_event_remove_locked(void *arg)
{
	struct uevt_event *ev = arg;

	if (!uevt_event_idle(ev))
		return -EBUSY;
	return trace_remove_event_call(&ev->call);
}

/* Hash key of an event name; a multi-format "name.id" hashes as "name". */
static u32 uevt_name_key(const char *name)
{
	return full_name_hash(NULL, name, strcspn(name, "."));
}

static struct uevt_event *uevt_event_find(const struct uevt_desc *desc, bool multi,
					  bool *clash)
{
	struct uevt_event *ev;

	lockdep_assert_held(&uevt_registry_mutex);
	*clash = false;
	hash_for_each_possible(uevt_event_names, ev, hnode, uevt_name_key(desc->name)) {
		if (ev->multi != multi || strcmp(ev->desc->name, desc->name))
			continue;
		if (uevt_desc_same_fields(ev->desc, desc))
			return ev;
		*clash = true;
	}
	return NULL;
}

/**
 * uevt_event_get_or_create() - find or register the event a description names
 * @text: the description, "name[:flags] fields...".
 * @flags: UEVT_REG_* flags; PERSIST and MULTI_FORMAT are honoured here,
 *	the caller has checked them.
 * @out: the event, with a reference the caller must put.
 * @created: set when @out was created by this call.  Other files may
 *	find it before the caller adds it to its own.
 *
 * An existing event with the same name and fields is returned; the same
 * name with other fields is -EADDRINUSE, unless MULTI_FORMAT asks for a
 * separate event per format.
 *
 * Context: process context, may sleep; takes uevt_registry_mutex.
 * Return: 0, -EINVAL or -E2BIG (bad description), -EADDRINUSE, -EMFILE
 * (uevt_max_events reached), -ENOMEM, or an error from the tracing core.
 */
int uevt_event_get_or_create(const char *text, u16 flags, struct uevt_event **out,
			     bool *created)
{
	bool multi = flags & UEVT_REG_MULTI_FORMAT, clash;
	struct uevt_desc *desc;
	struct uevt_event *ev;
	int ret;

	*created = false;
	ret = uevt_desc_parse(text, &desc);
	if (ret)
		return ret;

	mutex_lock(&uevt_registry_mutex);
	ev = uevt_event_find(desc, multi, &clash);
	if (ev) {
		uevt_desc_free(desc);
		goto found;
	}
	ret = -EADDRINUSE;
	if (clash && !multi)
		goto fail;
	ret = -EMFILE;
	if (uevt_nr_events >= READ_ONCE(uevt_max_events))
		goto fail;
	ret = -ENOMEM;
	ev = uevt_event_alloc(desc, multi);
	if (!ev)
		goto fail;
	refcount_set(&ev->refs, 0);
	ret = uevt_ctl_run(uevt_event_add_locked, ev);
	if (ret) {
		uevt_event_free(ev);
		mutex_unlock(&uevt_registry_mutex);
		return ret;
	}
	list_add_tail(&ev->node, &uevt_events);
	hash_add(uevt_event_names, &ev->hnode, uevt_name_key(desc->name));
	uevt_nr_events++;
	*created = true;
found:
	/* At zero it waits for the reaper, which needs our mutex: revive it. */
	if (!refcount_inc_not_zero(&ev->refs))
		refcount_set(&ev->refs, 1);
	if (flags & UEVT_REG_PERSIST)
		ev->persist = true;
	mutex_unlock(&uevt_registry_mutex);
	*out = ev;
	return 0;
fail:
	mutex_unlock(&uevt_registry_mutex);
	uevt_desc_free(desc);
	return ret;
}

/**
 * uevt_event_get() - take another reference on an event
 * @ev: an event the caller already holds a reference on.
 *
 * Context: any.
 */
void uevt_event_get(struct uevt_event *ev)
{
	refcount_inc(&ev->refs);
}

/**
 * uevt_event_tryget() - take a reference on an event that may be dying
 * @ev: the event, kept from being freed by the caller (RCU).
 *
 * Context: any.
 * Return: false when its references are gone already.
 */
bool uevt_event_tryget(struct uevt_event *ev)
{
	return refcount_inc_not_zero(&ev->refs);
}

/**
 * uevt_event_put() - drop a reference on an event
 * @ev: the event.
 *
 * The last reference has the reaper look at the event: a non-persistent
 * one goes once ftrace, perf and anything else holding it through the
 * tracing core let go.  Takes no lock, so the last reference may go
 * anywhere, even in an address space's teardown under another
 * subsystem's event_mutex.
 *
 * Context: any but hard interrupts.
 */
void uevt_event_put(struct uevt_event *ev)
{
	if (refcount_dec_and_test(&ev->refs))
		mod_delayed_work(system_unbound_wq, &uevt_reap_work, 0);
}

/*
 * Forget and free an event the tracing core has removed, already off
 * uevt_events; under the registry.
 */
static void uevt_event_forget(struct uevt_event *ev)
{
	lockdep_assert_held(&uevt_registry_mutex);
	hash_del(&ev->hnode);
	uevt_nr_events--;
	uevt_event_free(ev);
}

/* Remove one unused event from tracefs and free it; under the registry. */
static int uevt_event_destroy(struct uevt_event *ev)
{
	int ret;

	lockdep_assert_held(&uevt_registry_mutex);
	ret = uevt_ctl_run(uevt_event_remove_locked, ev);
	if (ret)
		return ret;
	list_del(&ev->node);
	uevt_event_forget(ev);
	return 0;
}

/* An event nobody references, which the reaper removes once idle. */
static bool uevt_event_unused(struct uevt_event *ev)
{
	lockdep_assert_held(&uevt_registry_mutex);
	return !refcount_read(&ev->refs) && !ev->persist;
}

/*
 * Under event_mutex (uevt_ctl_run), called with the registry held: remove
 * every unused event no tracer uses, moving it to the list @arg.  One call
 * for the lot, as each uevt_ctl_run() may walk every event of the system.
 */
static int uevt_event_remove_idle_locked(void *arg)
{
	struct uevt_event *ev, *next;
	struct list_head *gone = arg;
	int held = 0;

	lockdep_assert_held(&uevt_registry_mutex);
	list_for_each_entry_safe(ev, next, &uevt_events, node) {
		if (!uevt_event_unused(ev))
			continue;
		/*
		 * Busy ones stay: an enabled one until its last tracer
		 * detaches (which calls us again), one held through the
		 * core's reference until a later look finds it let go.
		 */
		if (uevt_event_idle(ev) && !trace_remove_event_call(&ev->call))
			list_move_tail(&ev->node, gone);
		else if (atomic_read(&ev->call.refcnt))
			held++;
	}
	return held;
}

static void uevt_reap(struct work_struct *work)
{
	struct uevt_event *ev, *next;
	bool any = false;
	LIST_HEAD(gone);
	int held = 0;

	mutex_lock(&uevt_registry_mutex);
	list_for_each_entry(ev, &uevt_events, node)
		any |= uevt_event_unused(ev);
	if (any)
		held = uevt_ctl_run(uevt_event_remove_idle_locked, &gone);
	list_for_each_entry_safe(ev, next, &gone, node)
		uevt_event_forget(ev);
	mutex_unlock(&uevt_registry_mutex);
	if (held > 0)
		mod_delayed_work(system_unbound_wq, &uevt_reap_work, UEVT_REAP_RETRY);
}

/**
 * uevt_event_delete() - delete an unused event by its tracefs name
 * @name: the event's name in tracefs.
 *
 * A persistent event may only be deleted by whoever may create one
 * (CAP_PERFMON): anyone else could delete it and re-create the name with
 * other fields.
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOENT when there is no such event, -EPERM, -EBUSY while a
 * file, an enable bit, ftrace, perf or an event probe uses it.
 */
int uevt_event_delete(const char *name)
{
	struct uevt_event *ev;
	int ret = -ENOENT;

	mutex_lock(&uevt_registry_mutex);
	hash_for_each_possible(uevt_event_names, ev, hnode, uevt_name_key(name)) {
		if (strcmp(ev->tp_name, name))
			continue;
		if (ev->persist && !perfmon_capable()) {
			ret = -EPERM;
			break;
		}
		if (refcount_read(&ev->refs)) {
			ret = -EBUSY;
			break;
		}
		ret = uevt_event_destroy(ev);
		break;
	}
	mutex_unlock(&uevt_registry_mutex);
	return ret;
}

/* Who has @ev enabled: ftrace instances and other probes (BPF, eprobes...). */
static void uevt_event_consumers(struct uevt_event *ev, unsigned int *ftrace,
				 unsigned int *other)
{
	struct tracepoint_func *it;

	*ftrace = 0;
	*other = 0;
	rcu_read_lock_sched();
	it = rcu_dereference_sched(ev->tp.funcs);
	for (; it && it->func; it++) {
		if (it->func == uevt_ftrace_probe)
			(*ftrace)++;
#ifdef CONFIG_PERF_EVENTS
		else if (it->func != uevt_perf_probe)
#else
		else
#endif
			(*other)++;
	}
	rcu_read_unlock_sched();
}

static int uevt_event_perf_users(struct uevt_event *ev)
{
#ifdef CONFIG_PERF_EVENTS
	return READ_ONCE(ev->call.perf_refcount);
#else
	return 0;
#endif
}

/**
 * uevt_events_show() - the events part of the full status listing
 * @m: the seq_file.
 *
 * One line per event.  Nothing needs escaping: uevt_valid_name() keeps
 * system and event names to [A-Za-z0-9_] (and ".<id>" for multi-format).
 */
void uevt_events_show(struct seq_file *m)
{
	struct uevt_event *ev;

	mutex_lock(&uevt_registry_mutex);
	seq_printf(m, "events count %u max %u\n", uevt_nr_events, READ_ONCE(uevt_max_events));
	list_for_each_entry(ev, &uevt_events, node) {
		unsigned int ftrace, other;

		uevt_event_consumers(ev, &ftrace, &other);
		seq_printf(m, "event name %s:%s enabled %d ftrace %u perf %d bpf %d other %u refs %u enablers %u persist %d dropped_ftrace %ld dropped_perf %ld rejected %ld\n",
			   ev->class.system, ev->tp_name, READ_ONCE(ev->enabled), ftrace,
			   uevt_event_perf_users(ev), bpf_prog_array_valid(&ev->call), other,
			   refcount_read(&ev->refs), uevt_event_bits(ev), ev->persist,
			   atomic_long_read(&ev->dropped_ftrace),
			   atomic_long_read(&ev->dropped_perf), atomic_long_read(&ev->rejected));
	}
	mutex_unlock(&uevt_registry_mutex);
}

/**
 * uevt_events_show_brief() - the events in user_events_status's format
 * @m: the seq_file.
 *
 * One line per event, "NAME", with " # Used by" and its kinds of consumer
 * when it has any; then a blank line and the "Active:" (events) and
 * "Busy:" (events with a consumer) totals.  Nothing about processes.
 */
void uevt_events_show_brief(struct seq_file *m)
{
	unsigned int active = 0, busy = 0;
	struct uevt_event *ev;

	mutex_lock(&uevt_registry_mutex);
	list_for_each_entry(ev, &uevt_events, node) {
		unsigned int ftrace, other;
		int perf = uevt_event_perf_users(ev);

		uevt_event_consumers(ev, &ftrace, &other);
		seq_puts(m, ev->tp_name);
		if (ftrace || perf || other) {
			seq_puts(m, " # Used by");
			if (ftrace)
				seq_puts(m, " ftrace");
			if (perf)
				seq_puts(m, " perf");
			if (other)
				seq_puts(m, " other");
			busy++;
		}
		seq_putc(m, '\n');
		active++;
	}
	mutex_unlock(&uevt_registry_mutex);
	seq_printf(m, "\nActive: %u\nBusy: %u\n", active, busy);
}

/**
 * uevt_events_exit() - remove what is left at module unload
 *
 * Only persistent-free, unreferenced events can be left here: every event
 * holds a module reference, so the module cannot unload while one exists.
 */
void uevt_events_exit(void)
{
	cancel_delayed_work_sync(&uevt_reap_work);
	WARN_ON(!list_empty(&uevt_events));
}
