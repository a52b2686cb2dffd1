// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing the module's status file (format in uevt(7)): "event" lines
 * with key-value pairs, and "enabler" lines, one per enable bit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uevtctl.h"

#define STATUS_PATH "/sys/kernel/debug/uevt/status"

static long value(const char *line, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s ", key);
	p = strstr(line, k);
	return p ? strtol(p + strlen(k), NULL, 0) : 0;
}

static int parse_event(const char *line, struct status_event *e)
{
	const char *colon = strchr(line + 6, ':'), *end;

	if (!colon)
		return -EINVAL;
	end = strchr(colon, ' ');
	if (!end || end - colon - 1 >= (long)sizeof(e->name))
		return -EINVAL;
	memcpy(e->name, colon + 1, end - colon - 1);
	e->name[end - colon - 1] = '\0';
	e->enabled = value(line, "enabled");
	e->ftrace = value(line, "ftrace");
	e->perf = value(line, "perf");
	e->bpf = value(line, "bpf");
	e->other = value(line, "other");
	e->refs = value(line, "refs");
	e->enablers = value(line, "enablers");
	e->persist = value(line, "persist");
	e->dropped_ftrace = value(line, "dropped_ftrace");
	e->dropped_perf = value(line, "dropped_perf");
	e->rejected = value(line, "rejected");
	return 0;
}

/* The comm may hold spaces: it runs up to " addr ". */
static int parse_enabler(const char *line, struct status_enabler *e)
{
	const char *comm = strstr(line, " comm "), *addr = strstr(line, " addr 0x");
	const char *ev = strstr(line, " event "), *colon;
	size_t n;

	if (!comm || !addr || !ev || addr < comm)
		return -EINVAL;
	comm += 6;
	n = (size_t)(addr - comm);
	if (n >= sizeof(e->comm))
		n = sizeof(e->comm) - 1;
	memcpy(e->comm, comm, n);
	e->comm[n] = '\0';
	e->tgid = (pid_t)value(line, "tgid");
	e->addr = strtoul(addr + 6, NULL, 16);
	e->bit = (unsigned int)value(addr, "bit");
	e->size = (unsigned int)value(addr, "size");
	colon = strchr(ev + 7, ':');
	if (!colon)
		return -EINVAL;
	n = strcspn(colon + 1, " ");
	if (n >= sizeof(e->event))
		return -EINVAL;
	memcpy(e->event, colon + 1, n);
	e->event[n] = '\0';
	e->last_err = (int)value(ev, "last_err");
	e->pending = (int)value(ev, "pending");
	e->retries = (unsigned int)value(ev, "retries");
	return 0;
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
	FILE *f = fopen(STATUS_PATH, "r");
	char line[1024];
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		void *slot;

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "event ", 6)) {
			slot = grow((void **)&st->events, &st->nevents, sizeof(*st->events));
			ret = slot ? parse_event(line, slot) : -ENOMEM;
		} else if (!strncmp(line, "enabler ", 8)) {
			slot = grow((void **)&st->enablers, &st->nenablers, sizeof(*st->enablers));
			ret = slot ? parse_enabler(line, slot) : -ENOMEM;
		}
	}
	fclose(f);
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
