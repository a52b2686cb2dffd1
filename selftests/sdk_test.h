/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SDK tests: reading records back field by field with
 * libtraceevent, and waiting for an SDK event's enable bit.
 */
#ifndef _SDK_TEST_H
#define _SDK_TEST_H

#include <uevt.h>
#include "uevt_test.h"

/* Wait up to @ms for the SDK event's enable word to read @want (0 or 1). */
#define SDK_WAIT(name, want, ms) \
	wait_bits(&uevt__ev_##name.enabled, 1U << UEVT_ENABLE_BIT, \
		  (want) ? 1U << UEVT_ENABLE_BIT : 0, ms)

/* One decoded record: numbers by field name, dynamic and array bytes. */
struct sdk_record {
	int pid;
	unsigned long long num[16];
	char bytes[16][128];
	int len[16];
};

struct sdk_records {
	const char *event;
	const char *const *fields;	/* NULL-terminated */
	int count;
	struct sdk_record rec[64];
};

static inline int sdk_collect_one(struct tep_event *event, struct tep_record *record,
				  int cpu, void *ctx)
{
	struct sdk_records *r = ctx;
	struct sdk_record *out;
	int i;

	(void)cpu;
	if (strcmp(event->name, r->event))
		return 0;
	if (r->count >= (int)(sizeof(r->rec) / sizeof(r->rec[0]))) {
		r->count++;
		return 0;
	}
	out = &r->rec[r->count++];
	out->pid = tep_data_pid(event->tep, record);
	for (i = 0; r->fields[i] && i < 16; i++) {
		struct tep_format_field *f = tep_find_field(event, r->fields[i]);
		void *raw;
		int len = 0;

		if (!f) {
			out->len[i] = -1;
			continue;
		}
		if (!(f->flags & (TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_ARRAY)))
			tep_read_number_field(f, record->data, &out->num[i]);
		raw = tep_get_field_raw(NULL, event, r->fields[i], record, &len, 0);
		if (raw && len > 0 && len <= (int)sizeof(out->bytes[i]))
			memcpy(out->bytes[i], raw, len);
		out->len[i] = len;
	}
	return 0;
}

/* Decode every @event record of @system in @inst. */
static inline int sdk_collect(struct tracefs_instance *inst, const char *system,
			      const char *event, const char *const *fields,
			      struct sdk_records *r)
{
	const char *systems[] = { system, NULL };
	struct tep_handle *tep = tracefs_local_events_system(NULL, systems);
	int ret;

	memset(r, 0, sizeof(*r));
	r->event = event;
	r->fields = fields;
	if (!tep)
		return -ENOENT;
	ret = tracefs_iterate_raw_events(tep, inst, NULL, 0, sdk_collect_one, r);
	tep_free(tep);
	return ret;
}

#endif /* _SDK_TEST_H */
