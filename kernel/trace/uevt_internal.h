/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uevt internals shared by the module's files.
 *
 * Lock order (outer first); every lock's own rule sits next to it:
 *
 *   uevt_registry_mutex			(uevt_event.c)
 *     uevt_ctl_mutex			(uevt_ctl.c)
 *       event_mutex			(tracing core, held around class->reg)
 *         uevt_event.enablers_lock
 *           uevt_set.lock			(uevt_enable.c)
 *             mmap_lock (read, trylock only)
 *               uevt_mm.spin
 *
 *   uevt_file.lock			(uevt_file.c)
 *     uevt_registry_mutex
 *
 *   uevt_forks_lock (spinlock, innermost)	(uevt_fork.c)
 *
 *   uevt_mms_lock				(uevt_enable.c)
 *     uevt_mm.lock (a parent's, then its child's)
 *       uevt_event.enablers_lock (as above)
 *       uevt_set.lock (a shared set's, then its copy's)
 *       mmap_lock (read; the fault worker may fault pages in)
 *         uevt_mm.spin (a parent's, then its child's; innermost)
 *   mmap_lock (write, registration, fork) is taken with no uevt lock held.
 */
#ifndef _UEVT_INTERNAL_H
#define _UEVT_INTERNAL_H

#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/trace_events.h>
#include <linux/tracepoint-defs.h>
#include <linux/workqueue.h>

#include <linux/uevt.h>

#include "uevt_desc.h"

/* Module parameters (uevt_main.c). */
extern char *uevt_system;
extern char uevt_multi_system[];
extern unsigned int uevt_max_events;
extern unsigned int uevt_max_events_per_file;
extern unsigned int uevt_max_enablers_per_mm;

/**
 * struct uevt_event - one registered event, one tracefs event
 * @call: the trace event the tracing core knows.
 * @class: @call's class: system, fields, reg callback, probes.
 * @tp: the tracepoint that ftrace and perf attach their probes to.
 * @fields_array: @desc's fields as the tracing core lays them out:
 *	packed (align 1) after the common fields, arrays with their length.
 * @desc: the parsed description (immutable).
 * @tp_name: tracefs event name ("name", or "name.id" when multi-format).
 * @print_fmt: the generated print format.
 * @node: in uevt_events (every event, for listing); under uevt_registry_mutex.
 * @hnode: in uevt_event_names, hashed by @desc->name; same lock.
 * @dying: in uevt_dying while unreferenced and not persistent, so the
 *	reaper visits only those; same lock.
 * @refs: files and enablers referencing the event; under
 *	uevt_registry_mutex.  At zero a non-persistent event is removed
 *	by the reaper once no tracer uses it.
 * @persist: outlives its references until deleted; under
 *	uevt_registry_mutex.
 * @multi: registered with UEVT_REG_MULTI_FORMAT.
 * @enabled: the state enable bits must show; written under event_mutex
 *	(inside class->reg), read locklessly.
 * @enablers: the registrations (slots) of this event; under @enablers_lock.
 * @enablers_lock: protects @enablers; may sleep while held, never faults
 *	user memory while held.
 * @dropped_ftrace: records lost because an ftrace buffer was full.
 * @dropped_perf: records lost because perf had no buffer.
 * @rejected: writes refused: payload invalid or too large.
 */
struct uevt_event {
	struct trace_event_call call;
	struct trace_event_class class;
	struct tracepoint tp;
	struct trace_event_fields *fields_array;
	struct uevt_desc *desc;
	char *tp_name;
	char *print_fmt;
	struct list_head node;
	struct hlist_node hnode;
	struct list_head dying;
	unsigned int refs;
	bool persist;
	bool multi;
	bool enabled;
	struct list_head enablers;
	/* Protects enablers; never faults user memory. */
	struct mutex enablers_lock;
	atomic_long_t dropped_ftrace;
	atomic_long_t dropped_perf;
	atomic_long_t rejected;
};

/* uevt_ctl.c: run fn(arg) with the tracing core's event_mutex held. */
int uevt_ctl_run(int (*fn)(void *arg), void *arg);
int uevt_ctl_init(void);
void uevt_ctl_exit(void);

/* uevt_event.c */
int uevt_event_get_or_create(const char *text, u16 flags, struct uevt_event **out);
void uevt_event_get(struct uevt_event *ev);
void uevt_event_put(struct uevt_event *ev);
int uevt_event_delete(const char *name);
void uevt_event_emit(struct uevt_event *ev, void *record, size_t len);
int uevt_events_init(void);
void uevt_events_exit(void);
void uevt_events_show(struct seq_file *m);

/* uevt_enable.c */
struct uevt_enabler;
struct uevt_enabler *uevt_enabler_prepare(const struct uevt_reg *reg);
int uevt_enabler_commit(struct uevt_enabler *en, struct uevt_event *ev);
void uevt_enabler_abort(struct uevt_enabler *en);
int uevt_enabler_remove(const struct uevt_unreg *unreg);
void uevt_enablers_update(struct uevt_event *ev);
unsigned int uevt_event_enablers(struct uevt_event *ev);
bool uevt_mm_has_enablers(struct mm_struct *mm);
int uevt_mm_copy(struct mm_struct *parent, struct mm_struct *child, pid_t tgid);
void uevt_queue_delayed_work(struct delayed_work *work, unsigned long delay);

/* uevt_fork.c */
int uevt_fork_init(void);
void uevt_fork_exit(void);
void uevt_fork_show(struct seq_file *m);
void uevt_fork_wait_parent(struct mm_struct *mm);
int uevt_enable_init(void);
void uevt_enable_exit(void);
void uevt_enablers_show(struct seq_file *m);

/* uevt_status.c */
int uevt_status_init(void);
void uevt_status_exit(void);

/* uevt_file.c */
extern const struct file_operations uevt_fops;

#endif /* _UEVT_INTERNAL_H */
