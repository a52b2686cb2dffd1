// SPDX-License-Identifier: MIT
/*
 * Choosing the backend: /dev/uevt first, then the kernel's built-in
 * user_events in tracefs (same ABI).  The reason for the choice is kept as
 * one sentence a program can put in its log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/uevt.h>

#define UEVT_NO_AUTO_REGISTER
#include "uevt.h"
#include "libuevt.h"

struct candidate {
	const char *path;
	enum uevt_backend backend;
	const char *missing_hint;	/* what ENOENT means for this path */
};

static const struct candidate candidates[] = {
	{ UEVT_DEVICE_PATH, UEVT_BACKEND_UEVT, "is uevt.ko loaded?" },
	{ "/sys/kernel/tracing/user_events_data", UEVT_BACKEND_USER_EVENTS,
	  "kernel without CONFIG_USER_EVENTS, or tracefs not mounted" },
};

static const char *hint(const struct candidate *c, int err)
{
	switch (err) {
	case ENOENT:
		return c->missing_hint;
	case EACCES:
	case EPERM:
		return c->backend == UEVT_BACKEND_UEVT ?
		       "see uevt.ko's dev_mode= and the group of /dev/uevt" :
		       "user_events_data is root-only by default";
	default:
		return "unexpected";
	}
}

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

int libuevt_backend_open(enum uevt_backend *backend, char *reason, size_t len)
{
	size_t i;
	int err = ENOENT;

	reason[0] = '\0';
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		const struct candidate *c = &candidates[i];
		int fd = open(c->path, O_RDWR | O_CLOEXEC);

		if (fd >= 0) {
			append(reason, len, "%s%s%s", reason[0] ? "; using " : "using ",
			       c->path, c->backend == UEVT_BACKEND_UEVT ?
			       " (uevt.ko)" : " (the kernel's built-in user_events)");
			*backend = c->backend;
			return fd;
		}
		err = errno;
		append(reason, len, "%s%s: %s (%s)", reason[0] ? "; " : "",
		       c->path, strerror(err), hint(c, err));
	}
	append(reason, len, "; probes stay disabled");
	*backend = UEVT_BACKEND_NONE;
	return -err;
}

int uevt_open(enum uevt_backend *backend)
{
	enum uevt_backend b;
	char reason[512];
	int fd = libuevt_backend_open(&b, reason, sizeof(reason));

	if (backend)
		*backend = b;
	return fd;
}
