// SPDX-License-Identifier: MIT
/*
 * Deciding whether a directory is a tracefs root, the only place where
 * user_events_data and user_events_status may be redirected.
 *
 * The mount table is read again on every question rather than cached:
 * the question is only asked after an open of a user_events file failed
 * with ENOENT, which is rare, and a cache would go stale exactly when it
 * matters (upstream's selftests mount tracefs themselves after start-up,
 * and mount namespaces can differ between a parent and its children).
 * The reader is a small streaming parser over a stack buffer so that it
 * stays async-signal-safe like open() itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"

/*
 * Where tracefs lives when it is mounted the usual way, and where
 * programs written for user_events look first.  They qualify without a
 * mount table entry: on a kernel without the built-in user_events these
 * paths fail with ENOENT whether or not tracefs is mounted, and they are
 * the names programs hard-code.
 */
static const char *const well_known_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* The next component of [*pos, end), skipping separators and ".". */
static bool next_component(const char **pos, const char *end,
			   const char **name, size_t *len)
{
	const char *s = *pos;

	for (;;) {
		const char *e;

		while (s < end && *s == '/')
			s++;
		if (s == end) {
			*pos = s;
			return false;
		}
		e = s;
		while (e < end && *e != '/')
			e++;
		if (e - s == 1 && *s == '.') {
			s = e;
			continue;
		}
		*name = s;
		*len = (size_t)(e - s);
		*pos = e;
		return true;
	}
}

bool compat_same_dir(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *pa = a, *ea = a + alen, *pb = b, *eb = b + blen;

	for (;;) {
		const char *na = NULL, *nb = NULL;
		size_t la = 0, lb = 0;
		bool ha = next_component(&pa, ea, &na, &la);
		bool hb = next_component(&pb, eb, &nb, &lb);

		if (ha != hb)
			return false;
		if (!ha)
			return true;
		if (la != lb || memcmp(na, nb, la) != 0)
			return false;
	}
}

/*
 * Whether the last component of @dir is "tracing"; @parent_len gets the
 * length of what precedes it, for comparing with a debugfs mount point.
 */
static bool ends_in_tracing(const char *dir, size_t len, size_t *parent_len)
{
	const char *pos = dir, *end = dir + len, *name, *last = NULL;
	size_t n, last_len = 0;

	while (next_component(&pos, end, &name, &n)) {
		last = name;
		last_len = n;
	}
	if (!last || last_len != strlen("tracing") || memcmp(last, "tracing", last_len) != 0)
		return false;
	*parent_len = (size_t)(last - dir);
	return true;
}

/* The state of one line of the mount table while it streams past. */
struct mount_line {
	unsigned int field;		/* 0 source, 1 mount point, 2 type, ... */
	char point[PATH_MAX];		/* mount point, still octal-escaped */
	size_t point_len;
	bool too_long;			/* point or type did not fit: ignore the line */
	char type[16];
	size_t type_len;
};

/*
 * Mount points are written with space, tab, newline and backslash as
 * \ooo (see the kernel's show_vfsmnt()); decoding only shrinks the text,
 * so it is done in place.
 */
static size_t unescape_octal(char *s, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		if (s[in] == '\\' && in + 3 < len &&
		    s[in + 1] >= '0' && s[in + 1] <= '3' &&
		    s[in + 2] >= '0' && s[in + 2] <= '7' &&
		    s[in + 3] >= '0' && s[in + 3] <= '7') {
			s[out++] = (char)((s[in + 1] - '0') << 6 | (s[in + 2] - '0') << 3 |
					  (s[in + 3] - '0'));
			in += 4;
		} else {
			s[out++] = s[in++];
		}
	}
	return out;
}

static bool type_is(const struct mount_line *l, const char *type)
{
	return l->type_len == strlen(type) && memcmp(l->type, type, l->type_len) == 0;
}

/* Whether a complete line makes @dir a tracefs root. */
static bool line_matches(struct mount_line *l, const char *dir, size_t len)
{
	size_t point_len, parent_len;

	if (l->too_long || l->field < 3)
		return false;
	point_len = unescape_octal(l->point, l->point_len);
	if (type_is(l, "tracefs"))
		return compat_same_dir(dir, len, l->point, point_len);
	/* debugfs mounts tracefs on its "tracing" directory on first access. */
	if (type_is(l, "debugfs"))
		return ends_in_tracing(dir, len, &parent_len) &&
		       compat_same_dir(dir, parent_len, l->point, point_len);
	return false;
}

static void line_add(struct mount_line *l, char c)
{
	if (c == ' ' || c == '\t') {
		l->field++;
		return;
	}
	if (l->field == 1) {
		if (l->point_len < sizeof(l->point))
			l->point[l->point_len++] = c;
		else
			l->too_long = true;
	} else if (l->field == 2) {
		if (l->type_len < sizeof(l->type))
			l->type[l->type_len++] = c;
		else
			l->too_long = true;
	}
}

static void line_reset(struct mount_line *l)
{
	l->field = 0;
	l->point_len = 0;
	l->type_len = 0;
	l->too_long = false;
}

bool compat_mounts_have_root(int mounts_fd, const char *dir, size_t len)
{
	struct mount_line line;
	char chunk[512];
	ssize_t got;

	line_reset(&line);
	for (;;) {
		got = read(mounts_fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++) {
			if (chunk[i] != '\n') {
				line_add(&line, chunk[i]);
				continue;
			}
			if (line_matches(&line, dir, len))
				return true;
			line_reset(&line);
		}
	}
	/* A last line without its newline still counts. */
	return line_matches(&line, dir, len);
}

bool compat_is_tracefs_root(const char *dir, size_t len)
{
	const struct compat_libc *libc = compat_libc();
	bool found;
	int fd;

	for (size_t i = 0; i < sizeof(well_known_roots) / sizeof(well_known_roots[0]); i++)
		if (compat_same_dir(dir, len, well_known_roots[i], strlen(well_known_roots[i])))
			return true;
	if (!libc->open)
		return false;
	/* Through the real open(): ours would only ask the same question again. */
	fd = libc->open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	found = compat_mounts_have_root(fd, dir, len);
	close(fd);
	return found;
}
