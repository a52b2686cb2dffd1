// SPDX-License-Identifier: GPL-2.0
/*
 * The module's full listing, /proc/uevt (format in uevt(7)), read through
 * the parser the selftests use: its "event" and "enabler" lines as uevtctl
 * needs them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uevt_status.h"
#include "uevtctl.h"

/* Copy @src into @dst of @size bytes; -EINVAL when it does not fit. */
static int copy_str(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -EINVAL;
	strcpy(dst, src);
	return 0;
}

/* "SYSTEM:NAME" -> "NAME" */
static const char *event_name(const char *qualified)
{
	const char *colon = qualified ? strchr(qualified, ':') : NULL;

	return colon ? colon + 1 : NULL;
}

static int parse_event(const struct uevt_status_line *l, struct status_event *e)
{
	e->enabled = uevt_status_num(l, "enabled", 0);
	e->ftrace = uevt_status_num(l, "ftrace", 0);
	e->perf = uevt_status_num(l, "perf", 0);
	e->bpf = uevt_status_num(l, "bpf", 0);
	e->other = uevt_status_num(l, "other", 0);
	e->refs = uevt_status_num(l, "refs", 0);
	e->enablers = uevt_status_num(l, "enablers", 0);
	e->persist = uevt_status_num(l, "persist", 0);
	e->dropped_ftrace = uevt_status_num(l, "dropped_ftrace", 0);
	e->dropped_perf = uevt_status_num(l, "dropped_perf", 0);
	e->rejected = uevt_status_num(l, "rejected", 0);
	return copy_str(e->name, sizeof(e->name), event_name(uevt_status_get(l, "name")));
}

static int parse_enabler(const struct uevt_status_line *l, struct status_enabler *e)
{
	const char *comm = uevt_status_get(l, "comm");

	e->tgid = (pid_t)uevt_status_num(l, "tgid", 0);
	e->addr = (unsigned long)uevt_status_num(l, "addr", 0);
	e->bit = (unsigned int)uevt_status_num(l, "bit", 0);
	e->size = (unsigned int)uevt_status_num(l, "size", 0);
	e->last_err = (int)uevt_status_num(l, "last_err", 0);
	e->pending = (int)uevt_status_num(l, "pending", 0);
	e->retries = (unsigned int)uevt_status_num(l, "retries", 0);
	/* A comm is at most TASK_COMM_LEN; a longer one is cut, not refused. */
	if (comm)
		snprintf(e->comm, sizeof(e->comm), "%s", comm);
	return copy_str(e->event, sizeof(e->event), event_name(uevt_status_get(l, "event")));
}

/* Append one zeroed element to *@arr (of *@n elements of @size bytes). */
static void *grow(void **arr, size_t *n, size_t size)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	p = (char *)p + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

int status_read(struct status *st)
{
	struct uevt_status all;
	size_t i;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = uevt_status_read(NULL, &all);
	for (i = 0; !ret && i < all.nlines; i++) {
		const struct uevt_status_line *l = &all.lines[i];
		void *slot;

		if (!strcmp(l->kind, "event")) {
			slot = grow((void **)&st->events, &st->nevents, sizeof(*st->events));
			ret = slot ? parse_event(l, slot) : -ENOMEM;
		} else if (!strcmp(l->kind, "enabler")) {
			slot = grow((void **)&st->enablers, &st->nenablers, sizeof(*st->enablers));
			ret = slot ? parse_enabler(l, slot) : -ENOMEM;
		}
	}
	uevt_status_free(&all);
	if (ret)
		status_free(st);
	return ret;
}

void status_free(struct status *st)
{
	free(st->events);
	free(st->enablers);
	memset(st, 0, sizeof(*st));
}

const struct status_event *status_event(const struct status *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nevents; i++)
		if (!strcmp(st->events[i].name, name))
			return &st->events[i];
	return NULL;
}

int status_load(struct status *st)
{
	int ret;

	if (check_module())
		return EXIT_FAIL;
	ret = status_read(st);
	if (ret) {
		err("cannot read the status file: %s", errno_advice(-ret));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
