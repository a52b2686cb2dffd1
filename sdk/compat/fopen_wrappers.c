// SPDX-License-Identifier: MIT
/*
 * fopen() and fopen64(): glibc's stdio opens files through an internal
 * call, not through the open() symbol, so interposing open() alone does
 * not reach programs that read tracefs files with stdio.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "compat.h"

/* open(2) flags for an fopen() mode; only the access mode and 'e' matter here. */
static int mode_flags(const char *mode)
{
	int flags;
	bool plus = false, cloexec = false;

	switch (mode[0]) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_APPEND;
		break;
	default:
		return -1;
	}
	for (const char *m = mode + 1; *m && *m != ','; m++) {
		if (*m == '+')
			plus = true;
		else if (*m == 'e')
			cloexec = true;
	}
	if (plus)
		flags = (flags & ~O_ACCMODE) | O_RDWR;
	return flags | (cloexec ? O_CLOEXEC : 0);
}

/*
 * After the real fopen() failed with ENOENT.  The target is opened with
 * open(2) and wrapped with fdopen() rather than passed to fopen(), which
 * would create it for "w" and "a" when it is absent (see
 * compat_open_target()).
 */
static FILE *after_enoent(const char *path, const char *mode)
{
	const char *target = compat_redirect_target(AT_FDCWD, path);
	int flags = mode_flags(mode);
	FILE *f;
	int fd, err;

	if (!target || flags < 0) {
		errno = ENOENT;
		return NULL;
	}
	fd = compat_open_target(target, flags);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f) {
		err = errno;
		close(fd);
		errno = err;
	}
	return f;
}

COMPAT_API FILE *fopen(const char *path, const char *mode)
{
	const struct compat_libc *libc = compat_libc();
	FILE *f;

	if (!libc->fopen) {
		errno = ENOSYS;
		return NULL;
	}
	f = libc->fopen(path, mode);
	if (f || errno != ENOENT)
		return f;
	return after_enoent(path, mode);
}

COMPAT_API FILE *fopen64(const char *path, const char *mode)
{
	const struct compat_libc *libc = compat_libc();
	FILE *f;

	if (!libc->fopen64) {
		errno = ENOSYS;
		return NULL;
	}
	f = libc->fopen64(path, mode);
	if (f || errno != ENOENT)
		return f;
	return after_enoent(path, mode);
}
