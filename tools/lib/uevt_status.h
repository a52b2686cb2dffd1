/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parser of /proc/uevt (UEVT_PROC_STATUS_PATH), shared by uevtctl and
 * the selftests so that both read the listing the same way.
 *
 * The listing is line-oriented: a "version N" line first, then lines made
 * of a kind and "key value" pairs separated by single spaces, values with
 * spaces, tabs, newlines and backslashes escaped as \ooo (octal).  Kinds
 * and keys are documented in uevt(7); a reader ignores those it does not
 * know, so the module may add them without a new version.
 */
#ifndef UEVT_STATUS_H
#define UEVT_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include <linux/uevt.h>	/* UEVT_STATUS_VERSION */

struct uevt_status_pair {
	char *key;
	char *value;	/* unescaped */
};

struct uevt_status_line {
	char *buf;	/* the line; every string below points into it */
	char *kind;
	size_t npairs;
	struct uevt_status_pair *pairs;
};

struct uevt_status {
	int version;
	size_t nlines;
	struct uevt_status_line *lines;
};

/* Parse @f; 0, -ENOMEM, -EIO (read error), or -EPROTO (no or unknown version, bad line). */
int uevt_status_parse(FILE *f, struct uevt_status *st);
/* Open and parse @path (NULL: /proc/uevt); 0 or -errno. */
int uevt_status_read(const char *path, struct uevt_status *st);
void uevt_status_free(struct uevt_status *st);

/* The value of @key on @line, or NULL. */
const char *uevt_status_get(const struct uevt_status_line *line, const char *key);
/* The value of @key on @line as a number (any base strtoll accepts), or @missing. */
long long uevt_status_num(const struct uevt_status_line *line, const char *key,
			  long long missing);
/*
 * The first line of @kind after @prev (NULL: from the start) whose @key
 * is @value (@key NULL: any line of @kind), or NULL.
 */
const struct uevt_status_line *uevt_status_next(const struct uevt_status *st,
						const struct uevt_status_line *prev,
						const char *kind, const char *key,
						const char *value);

#endif
