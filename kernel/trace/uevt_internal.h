/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uevt internals shared by the module's files.  The lock order of the
 * whole module, and the design of its enable-bit core, are in uevt_core.h.
 */
#ifndef _UEVT_INTERNAL_H
#define _UEVT_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/trace_events.h>
#include <linux/tracepoint-defs.h>
#include <linux/workqueue.h>

#include <linux/uevt.h>

#include "uevt_desc.h"

struct iov_iter;

/* Module parameters (uevt_main.c). */
extern char *uevt_system;
extern bool uevt_as_builtin;
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
 * @refs: open files and slots referencing the event.  At zero a
 *	non-persistent event waits for the reaper, which removes it under
 *	uevt_registry_mutex once no tracer uses it; uevt_event_tryget()
 *	fails from then on, and uevt_event_get_or_create(), under the same
 *	mutex, revives it.
 * @persist: outlives its references until deleted; under
 *	uevt_registry_mutex.
 * @multi: registered with UEVT_REG_MULTI_FORMAT.
 * @enabled: the state enable bits must show; written under event_mutex
 *	(inside class->reg), read locklessly.
 * @slots: the registrations of this event (struct uevt_slot), in the
 *	order they were linked; under @slots_lock.
 * @slots_lock: protects @slots; a state change holds it while it writes
 *	the words without faulting.
 * @dropped_ftrace: records lost because an ftrace buffer was full.
 * @dropped_perf: records lost because perf had no buffer.
 * @rejected: writes refused: payload invalid or too large.
 * @rcu: frees the structure after RCU readers (the mmu notifiers read
 *	@enabled through slots they found under RCU).
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
	refcount_t refs;
	bool persist;
	bool multi;
	bool enabled;
	struct list_head slots;
	/* Protects slots; held across a state change's non-faulting writes. */
	struct mutex slots_lock;
	atomic_long_t dropped_ftrace;
	atomic_long_t dropped_perf;
	atomic_long_t rejected;
	struct rcu_head rcu;
};

/* uevt_ctl.c: run fn(arg) with the tracing core's event_mutex held. */
int uevt_ctl_run(int (*fn)(void *arg), void *arg);
int uevt_ctl_init(void);
void uevt_ctl_exit(void);
void uevt_ctl_show(struct seq_file *m);

/* uevt_event.c */
int uevt_event_get_or_create(const char *text, u16 flags, struct uevt_event **out,
			     bool *created);
void uevt_event_get(struct uevt_event *ev);
bool uevt_event_tryget(struct uevt_event *ev);
void uevt_event_put(struct uevt_event *ev);
int uevt_event_delete(const char *name);
void uevt_event_emit(struct uevt_event *ev, void *record, size_t len);
void uevt_events_exit(void);
void uevt_events_show(struct seq_file *m);
void uevt_events_show_brief(struct seq_file *m);

/* The enable-bit core (uevt_reg.c, uevt_write.c, uevt_mm.c, uevt_fork.c) */
int uevt_word_check(const struct uevt_reg *reg);
int uevt_word_register(const struct uevt_reg *reg, struct uevt_event *ev);
int uevt_word_unregister(unsigned long addr, u8 bit);
void uevt_words_update(struct uevt_event *ev);
unsigned int uevt_event_bits(struct uevt_event *ev);
int uevt_core_init(void);
void uevt_core_exit(void);
int uevt_slots_init(void);
void uevt_slots_exit(void);
void uevt_mms_counters_show(struct seq_file *m);
void uevt_cache_show(struct seq_file *m);
struct uevt_mm *uevt_mms_seek(loff_t n);
struct uevt_mm *uevt_mms_next(struct uevt_mm *umm);
void uevt_mms_unlock(void);
void uevt_mm_show(struct seq_file *m, struct uevt_mm *umm);
int uevt_fork_init(void);
void uevt_fork_exit(void);
void uevt_fork_show(struct seq_file *m);

/* uevt_copy.c */
/* A record this long or shorter (index included) is read in one trip. */
#define UEVT_RECORD_ONE_TRIP	256
bool uevt_copy_from_iter(void *to, size_t len, struct iov_iter *from);

/* uevt_status.c */
int uevt_status_init(void);
void uevt_status_dev_register(umode_t dev_mode);
void uevt_status_exit(void);

/* uevt_file.c */
extern const struct file_operations uevt_fops;

#endif /* _UEVT_INTERNAL_H */
