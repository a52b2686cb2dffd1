// SPDX-License-Identifier: GPL-2.0
/*
 * The moment the tracing core finished registering a tracepoint probe for
 * this process: a kretprobe event on tracepoint_probe_register(), enabled
 * in a tracefs instance of its own whose clock is "mono" (the clock of
 * CLOCK_MONOTONIC), with only this process's events.  Both uevt and the
 * built-in user_events register their probe there first when an event is
 * enabled, then write the enable bits: the time from this moment to the
 * last bit seen is the part of an enable that is the backend's own (before
 * it, the tracing core's: the enable write, event_mutex, the probe array).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <tracefs.h>

#include "shim.h"

#define TP_CLOCK_SYSTEM	"uevt_bench_tp"
#define TP_CLOCK_EVENT	"registered"

struct tp_clock {
	struct tracefs_instance *inst;
	struct tracefs_dynevent *probe;
	struct tep_handle *tep;
};

void tp_clock_close(struct tp_clock *c)
{
	if (!c)
		return;
	if (c->inst) {
		tracefs_event_disable(c->inst, TP_CLOCK_SYSTEM, NULL);
		tracefs_instance_destroy(c->inst);
		tracefs_instance_free(c->inst);
	}
	if (c->probe) {
		tracefs_dynevent_destroy(c->probe, true);
		tracefs_dynevent_free(c->probe);
	}
	tep_free(c->tep);
	free(c);
}

struct tp_clock *tp_clock_open(void)
{
	const char *systems[] = { TP_CLOCK_SYSTEM, NULL };
	struct tp_clock *c = calloc(1, sizeof(*c));
	char pid[16];

	if (!c)
		return NULL;
	snprintf(pid, sizeof(pid), "%d", getpid());
	c->probe = tracefs_kretprobe_alloc(TP_CLOCK_SYSTEM, TP_CLOCK_EVENT,
					   "tracepoint_probe_register", NULL, 0);
	c->inst = tracefs_instance_create("uevt_bench_tp");
	/* One left behind by a run that was killed would make the create fail. */
	if (c->probe)
		tracefs_dynevent_destroy(c->probe, true);
	if (!c->probe || tracefs_dynevent_create(c->probe) || !c->inst ||
	    tracefs_instance_file_write(c->inst, "trace_clock", "mono") < 0 ||
	    tracefs_instance_file_write(c->inst, "set_event_pid", pid) < 0 ||
	    tracefs_event_enable(c->inst, TP_CLOCK_SYSTEM, TP_CLOCK_EVENT))
		goto fail;
	c->tep = tracefs_local_events_system(NULL, systems);
	if (!c->tep)
		goto fail;
	return c;
fail:
	tp_clock_close(c);
	return NULL;
}

void tp_clock_reset(struct tp_clock *c)
{
	tracefs_instance_file_write(c->inst, "trace", "");
}

static int tp_clock_latest(struct tep_event *event, struct tep_record *record, int cpu,
			   void *ctx)
{
	long long *last = ctx;

	(void)event;
	(void)cpu;
	if ((long long)record->ts > *last)
		*last = (long long)record->ts;
	return 0;
}

long long tp_clock_last(struct tp_clock *c)
{
	long long last = -1;

	if (tracefs_iterate_raw_events(c->tep, c->inst, NULL, 0, tp_clock_latest, &last))
		return -1;
	return last;
}
