// SPDX-License-Identifier: MIT
/*
 * The redirect policy: which failed opens stand for a uevt device, and
 * opening that device in their place.
 *
 * Only the two names directly in a tracefs root are rewritten, and only
 * after the real call failed with ENOENT.  That keeps the library inert on
 * a kernel with the built-in user_events (the real file opens) and for
 * every other path, at no cost to opens that succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/uevt.h>

#include "compat.h"

struct redirect {
	const char *name;		/* in the tracefs root */
	const char *device;		/* what it stands for */
	const char *test_hook;		/* environment variable overriding @device */
};

/*
 * The environment variables let the host test observe a redirect without
 * the module: they name a regular file instead of the device.
 */
static const struct redirect redirects[] = {
	{ "user_events_data", UEVT_DEVICE_PATH, "UEVT_COMPAT_DEVICE" },
	{ "user_events_status", UEVT_STATUS_DEVICE_PATH, "UEVT_COMPAT_STATUS_DEVICE" },
};

static const char *device_of(const struct redirect *r)
{
	/*
	 * secure_getenv(): with the library in /etc/ld.so.preload it is also
	 * loaded into setuid programs, which must not let their caller pick
	 * the file they open.
	 */
	const char *hook = secure_getenv(r->test_hook);

	return hook && *hook ? hook : r->device;
}

static const struct redirect *redirect_for(const char *basename)
{
	for (size_t i = 0; i < sizeof(redirects) / sizeof(redirects[0]); i++)
		if (strcmp(basename, redirects[i].name) == 0)
			return &redirects[i];
	return NULL;
}

/*
 * The absolute name of the directory a relative @path is looked up in,
 * followed by @path's own directory part (@dir_len bytes), into @buf.
 * The kernel's name for @dirfd is the only one that is right whatever
 * the program did since opening it (chdir, renames), so it comes from
 * /proc/self/fd (or /proc/self/cwd for AT_FDCWD).
 */
static size_t absolute_dir(int dirfd, const char *path, size_t dir_len,
			   char *buf, size_t size)
{
	char link[32];
	ssize_t n;

	if (dirfd == AT_FDCWD) {
		strcpy(link, "/proc/self/cwd");
	} else if (dirfd < 0) {
		return 0;
	} else {
		/* Not snprintf(): it is not async-signal-safe. */
		char digits[12], *d = digits + sizeof(digits);

		*--d = '\0';
		do
			*--d = (char)('0' + dirfd % 10);
		while ((dirfd /= 10) != 0);
		strcpy(link, "/proc/self/fd/");
		strcat(link, d);
	}
	n = readlink(link, buf, size);
	/* Not a directory in the file system ("socket:[...]"), or too long. */
	if (n <= 0 || buf[0] != '/' || (size_t)n + 1 + dir_len >= size)
		return 0;
	buf[n++] = '/';
	memcpy(buf + n, path, dir_len);
	return (size_t)n + dir_len;
}

const char *compat_redirect_target(int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *basename = slash ? slash + 1 : path;
	size_t dir_len = (size_t)(basename - path);
	const struct redirect *r = redirect_for(basename);
	char buf[PATH_MAX];

	if (!r)
		return NULL;
	if (path[0] == '/')
		return compat_is_tracefs_root(path, dir_len) ? device_of(r) : NULL;
	dir_len = absolute_dir(dirfd, path, dir_len, buf, sizeof(buf));
	return dir_len && compat_is_tracefs_root(buf, dir_len) ? device_of(r) : NULL;
}

int compat_open_target(const char *target, int flags)
{
	const struct compat_libc *libc = compat_libc();

	/*
	 * A directory (O_DIRECTORY, O_TMPFILE) is never what the caller
	 * meant by these files.
	 */
	if ((flags & O_DIRECTORY) || !libc->open64) {
		errno = ENOENT;
		return -1;
	}
	/*
	 * Never create the device: with the module not loaded, O_CREAT would
	 * leave a regular file at /dev/uevt that the module's node could not
	 * replace.  Without O_CREAT an absent target fails with ENOENT, the
	 * caller's original error; any other error (EACCES from dev_mode=)
	 * says more than ENOENT would and is passed on.
	 */
	return libc->open64(target, flags & ~(O_CREAT | O_EXCL));
}
