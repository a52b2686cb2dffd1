// SPDX-License-Identifier: GPL-2.0
/* The module's events as tracefs lists them, and glob selection. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tracefs.h>
#include <event-parse.h>

#include "uevtctl.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **events_all(void)
{
	char **list = tracefs_system_events(NULL, uevt_system());
	size_t n = 0;

	if (!list)
		return NULL;		/* no event registered yet */
	while (list[n])
		n++;
	qsort(list, n, sizeof(*list), by_name);
	return list;
}

void list_free(char **list)
{
	tracefs_list_free(list);
}

void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/*
 * Event names are [A-Za-z0-9_]; a pattern may add * ? and [...] classes.
 * Anything else, or an unclosed class, is a usage error rather than a
 * pattern that silently matches nothing.
 */
int glob_check(const char *p)
{
	int in_class = 0;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (in_class) {
			if (*p == ']')
				in_class = 0;
			else if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-!^", *p))
				return -EINVAL;
		} else if (*p == '[') {
			in_class = 1;
		} else if (*p != '*' && *p != '?' && *p != '_' &&
			   !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
			   !(*p >= '0' && *p <= '9')) {
			return -EINVAL;
		}
	}
	return in_class ? -EINVAL : 0;
}

/*
 * Every event matching any of @patterns.  *status: EXIT_USAGE for a bad
 * pattern, EXIT_FAIL when a pattern matches nothing (both reported).
 */
char **events_matching(char **patterns, int n, int *status)
{
	char **all = events_all(), **out;
	size_t count = 0, i;
	int p;

	*status = EXIT_OK;
	for (i = 0; all && all[i]; i++)
		count++;
	out = calloc(count + 1, sizeof(*out));
	if (!out) {
		err("out of memory");
		*status = EXIT_FAIL;
		goto done;
	}
	for (p = 0; p < n; p++) {
		bool any = false;

		if (glob_check(patterns[p])) {
			err("bad event pattern '%s': use names made of letters, digits and _ with * ? [...]",
			    patterns[p]);
			*status = EXIT_USAGE;
			goto done;
		}
		for (i = 0; i < count; i++)
			if (!fnmatch(patterns[p], all[i], 0)) {
				any = true;
				out[i] = all[i];
			}
		if (!any) {
			err("no event matches '%s' (see 'uevtctl list')", patterns[p]);
			*status = EXIT_FAIL;
		}
	}
done:
	if (*status != EXIT_OK) {
		free(out);
		list_free(all);
		return NULL;
	}
	/* Compact the selection into a list of its own. */
	for (i = 0, p = 0; i < count; i++)
		if (out[i])
			out[p++] = strdup(out[i]);
	out[p] = NULL;
	list_free(all);
	return out;
}

/*
 * A tep handle that knows the ring buffer's page header and the module's
 * events, and nothing else.  tracefs_local_events_system() would also
 * parse the ftrace events and all of /proc/kallsyms, which takes seconds
 * on a small machine and which records of our events never need.
 */
struct tep_handle *tep_for_uevt(void)
{
	struct tep_handle *tep = tep_alloc();
	char **events = events_all(), *buf;
	size_t i;
	int size;

	if (!tep)
		goto out;
	buf = tracefs_instance_file_read(NULL, "events/header_page", &size);
	if (!buf || tep_parse_header_page(tep, buf, size, sizeof(long))) {
		free(buf);
		tep_free(tep);
		tep = NULL;
		goto out;
	}
	free(buf);
	tep_set_file_bigendian(tep, tep_is_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, tep_is_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	for (i = 0; events && events[i]; i++) {
		buf = tracefs_event_file_read(NULL, uevt_system(), events[i], "format", &size);
		if (buf)
			tep_parse_event(tep, buf, (unsigned long)size, uevt_system());
		free(buf);
	}
out:
	list_free(events);
	return tep;
}
