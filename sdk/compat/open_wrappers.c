// SPDX-License-Identifier: MIT
/*
 * The open(2) family as programs call it: the plain and 64-bit names, and
 * glibc's fortified entry points (__open_2 and friends), which a program
 * built with _FORTIFY_SOURCE calls instead of open() when it passes no
 * mode.  Each calls glibc first, unchanged, and only an ENOENT goes on to
 * the redirect policy, so success and every other error cost nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>

#include "compat.h"

/* Not declared unless the includer is fortified. */
COMPAT_API int __open_2(const char *path, int flags);
COMPAT_API int __open64_2(const char *path, int flags);
COMPAT_API int __openat_2(int dirfd, const char *path, int flags);
COMPAT_API int __openat64_2(int dirfd, const char *path, int flags);

/*
 * Whether the caller passed the variadic mode: the same test as glibc's
 * __OPEN_NEEDS_MODE.  Reading it otherwise would read whatever happens to
 * be in the next argument register or stack slot.
 */
static bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define MODE_ARG(flags, mode) do {			\
	if (needs_mode(flags)) {			\
		va_list ap;				\
		va_start(ap, flags);			\
		mode = va_arg(ap, mode_t);		\
		va_end(ap);				\
	}						\
} while (0)

/* What the real call returned, or the redirected open after its ENOENT. */
static int after_real(int fd, int dirfd, const char *path, int flags)
{
	const char *target;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	target = compat_redirect_target(dirfd, path);
	if (!target) {
		errno = ENOENT;
		return -1;
	}
	return compat_open_target(target, flags);
}

COMPAT_API int open(const char *path, int flags, ...)
{
	const struct compat_libc *libc = compat_libc();
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	if (!libc->open)
		return compat_no_libc();
	return after_real(libc->open(path, flags, mode), AT_FDCWD, path, flags);
}

COMPAT_API int open64(const char *path, int flags, ...)
{
	const struct compat_libc *libc = compat_libc();
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	if (!libc->open64)
		return compat_no_libc();
	return after_real(libc->open64(path, flags, mode), AT_FDCWD, path, flags);
}

COMPAT_API int openat(int dirfd, const char *path, int flags, ...)
{
	const struct compat_libc *libc = compat_libc();
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	if (!libc->openat)
		return compat_no_libc();
	return after_real(libc->openat(dirfd, path, flags, mode), dirfd, path, flags);
}

COMPAT_API int openat64(int dirfd, const char *path, int flags, ...)
{
	const struct compat_libc *libc = compat_libc();
	mode_t mode = 0;

	MODE_ARG(flags, mode);
	if (!libc->openat64)
		return compat_no_libc();
	return after_real(libc->openat64(dirfd, path, flags, mode), dirfd, path, flags);
}

/* The fortified ones take no mode: glibc aborts if the flags need one. */
COMPAT_API int __open_2(const char *path, int flags)
{
	const struct compat_libc *libc = compat_libc();

	if (!libc->open_2)
		return compat_no_libc();
	return after_real(libc->open_2(path, flags), AT_FDCWD, path, flags);
}

COMPAT_API int __open64_2(const char *path, int flags)
{
	const struct compat_libc *libc = compat_libc();

	if (!libc->open64_2)
		return compat_no_libc();
	return after_real(libc->open64_2(path, flags), AT_FDCWD, path, flags);
}

COMPAT_API int __openat_2(int dirfd, const char *path, int flags)
{
	const struct compat_libc *libc = compat_libc();

	if (!libc->openat_2)
		return compat_no_libc();
	return after_real(libc->openat_2(dirfd, path, flags), dirfd, path, flags);
}

COMPAT_API int __openat64_2(int dirfd, const char *path, int flags)
{
	const struct compat_libc *libc = compat_libc();

	if (!libc->openat64_2)
		return compat_no_libc();
	return after_real(libc->openat64_2(dirfd, path, flags), dirfd, path, flags);
}
