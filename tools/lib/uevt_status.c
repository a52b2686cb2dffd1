// SPDX-License-Identifier: GPL-2.0
/*
 * The parser of /proc/uevt; see uevt_status.h for the format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uevt_status.h"

#define UEVT_STATUS_PATH "/proc/uevt"

/* Undo the kernel's seq_escape(): \ooo back to the byte, in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Split @text (owned by the line from now on) into kind and pairs, on
 * every single space: an empty value (a process may clear its comm) is a
 * value, not a separator to skip.
 */
static int parse_line(char *text, struct uevt_status_line *line)
{
	char *rest = text, *key, *value;

	line->buf = text;
	line->kind = strsep(&rest, " ");
	if (!*line->kind)
		return -EPROTO;
	while ((key = strsep(&rest, " "))) {
		struct uevt_status_pair *pairs;

		value = strsep(&rest, " ");
		if (!*key || !value)
			return -EPROTO;
		pairs = realloc(line->pairs, (line->npairs + 1) * sizeof(*pairs));
		if (!pairs)
			return -ENOMEM;
		unescape(value);
		pairs[line->npairs].key = key;
		pairs[line->npairs].value = value;
		line->pairs = pairs;
		line->npairs++;
	}
	return 0;
}

static int parse_version(const char *text)
{
	char *end;
	long v;

	if (strncmp(text, "version ", 8))
		return -EPROTO;
	v = strtol(text + 8, &end, 10);
	return *end == '\0' && v == UEVT_STATUS_VERSION ? (int)v : -EPROTO;
}

int uevt_status_parse(FILE *f, struct uevt_status *st)
{
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret = -EPROTO;

	memset(st, 0, sizeof(*st));
	while ((n = getline(&text, &cap, f)) >= 0) {
		struct uevt_status_line *lines;

		if (n && text[n - 1] == '\n')
			text[n - 1] = '\0';
		if (!st->version) {
			ret = parse_version(text);
			if (ret < 0)
				break;
			st->version = ret;
			ret = 0;
			continue;
		}
		lines = realloc(st->lines, (st->nlines + 1) * sizeof(*lines));
		if (!lines) {
			ret = -ENOMEM;
			break;
		}
		st->lines = lines;
		memset(&lines[st->nlines], 0, sizeof(*lines));
		/* The line keeps the buffer: its strings point into it. */
		ret = parse_line(text, &lines[st->nlines++]);
		text = NULL;
		cap = 0;
		if (ret)
			break;
	}
	free(text);
	if (!ret && ferror(f))
		ret = -EIO;
	if (ret)
		uevt_status_free(st);
	return ret;
}

int uevt_status_read(const char *path, struct uevt_status *st)
{
	FILE *f = fopen(path ? path : UEVT_STATUS_PATH, "re");
	int ret;

	memset(st, 0, sizeof(*st));
	if (!f)
		return -errno;
	ret = uevt_status_parse(f, st);
	fclose(f);
	return ret;
}

void uevt_status_free(struct uevt_status *st)
{
	size_t i;

	for (i = 0; i < st->nlines; i++) {
		free(st->lines[i].buf);
		free(st->lines[i].pairs);
	}
	free(st->lines);
	memset(st, 0, sizeof(*st));
}

const char *uevt_status_get(const struct uevt_status_line *line, const char *key)
{
	size_t i;

	for (i = 0; line && i < line->npairs; i++)
		if (!strcmp(line->pairs[i].key, key))
			return line->pairs[i].value;
	return NULL;
}

long long uevt_status_num(const struct uevt_status_line *line, const char *key,
			  long long missing)
{
	const char *v = uevt_status_get(line, key);
	char *end;
	long long n;

	if (!v)
		return missing;
	/* Decimal, or hexadecimal with 0x: never octal. */
	errno = 0;
	n = strtoll(v, &end, strncmp(v, "0x", 2) ? 10 : 16);
	return errno || !*v || *end ? missing : n;
}

const struct uevt_status_line *uevt_status_next(const struct uevt_status *st,
						const struct uevt_status_line *prev,
						const char *kind, const char *key,
						const char *value)
{
	size_t i = prev ? (size_t)(prev - st->lines) + 1 : 0;

	for (; i < st->nlines; i++) {
		const struct uevt_status_line *l = &st->lines[i];
		const char *v;

		if (strcmp(l->kind, kind))
			continue;
		if (!key)
			return l;
		v = uevt_status_get(l, key);
		if (v && !strcmp(v, value))
			return l;
	}
	return NULL;
}
