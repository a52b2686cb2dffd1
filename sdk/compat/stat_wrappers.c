// SPDX-License-Identifier: MIT
/*
 * stat() and access() on the same names as open(): programs check that
 * user_events_data exists before they open it (upstream's selftests
 * stat() it and skip every test on ENOENT), so redirecting open() alone
 * would leave them concluding that user_events is absent.  Same policy as
 * open(): the real call first, the device only after its ENOENT.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "compat.h"

/* Not declared by glibc 2.33 and later, still exported for old binaries. */
COMPAT_API int __xstat(int ver, const char *path, struct stat *buf);
COMPAT_API int __xstat64(int ver, const char *path, struct stat64 *buf);
COMPAT_API int __lxstat(int ver, const char *path, struct stat *buf);
COMPAT_API int __lxstat64(int ver, const char *path, struct stat64 *buf);
COMPAT_API int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags);
COMPAT_API int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *buf, int flags);

/*
 * Calls the real @fn with the arguments that follow, in which the path is
 * spelled P_; after an ENOENT on a redirected name, calls it again with
 * the device's path as P_ (absolute, so a dirfd argument is ignored).
 */
#define REDIRECTED(fn, dirfd, path, ...) do {				\
	const struct compat_libc *libc = compat_libc();			\
	const char *P_ = (path);					\
	int ret;							\
									\
	if (!libc->fn)							\
		return compat_no_libc();				\
	ret = libc->fn(__VA_ARGS__);					\
	if (ret == 0 || errno != ENOENT)				\
		return ret;						\
	P_ = compat_redirect_target((dirfd), (path));			\
	if (!P_) {							\
		errno = ENOENT;						\
		return ret;						\
	}								\
	return libc->fn(__VA_ARGS__);					\
} while (0)

COMPAT_API int stat(const char *path, struct stat *buf)
{
	REDIRECTED(stat, AT_FDCWD, path, P_, buf);
}

COMPAT_API int stat64(const char *path, struct stat64 *buf)
{
	REDIRECTED(stat64, AT_FDCWD, path, P_, buf);
}

COMPAT_API int lstat(const char *path, struct stat *buf)
{
	REDIRECTED(lstat, AT_FDCWD, path, P_, buf);
}

COMPAT_API int lstat64(const char *path, struct stat64 *buf)
{
	REDIRECTED(lstat64, AT_FDCWD, path, P_, buf);
}

COMPAT_API int fstatat(int dirfd, const char *path, struct stat *buf, int flags)
{
	REDIRECTED(fstatat, dirfd, path, dirfd, P_, buf, flags);
}

COMPAT_API int fstatat64(int dirfd, const char *path, struct stat64 *buf, int flags)
{
	REDIRECTED(fstatat64, dirfd, path, dirfd, P_, buf, flags);
}

COMPAT_API int statx(int dirfd, const char *path, int flags, unsigned int mask,
		     struct statx *buf)
{
	REDIRECTED(statx, dirfd, path, dirfd, P_, flags, mask, buf);
}

COMPAT_API int access(const char *path, int mode)
{
	REDIRECTED(access, AT_FDCWD, path, P_, mode);
}

/* The shells' test -r, -w and -x. */
COMPAT_API int euidaccess(const char *path, int mode)
{
	REDIRECTED(euidaccess, AT_FDCWD, path, P_, mode);
}

COMPAT_API int eaccess(const char *path, int mode)
{
	REDIRECTED(eaccess, AT_FDCWD, path, P_, mode);
}

COMPAT_API int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REDIRECTED(faccessat, dirfd, path, dirfd, P_, mode, flags);
}

COMPAT_API int __xstat(int ver, const char *path, struct stat *buf)
{
	REDIRECTED(xstat, AT_FDCWD, path, ver, P_, buf);
}

COMPAT_API int __xstat64(int ver, const char *path, struct stat64 *buf)
{
	REDIRECTED(xstat64, AT_FDCWD, path, ver, P_, buf);
}

COMPAT_API int __lxstat(int ver, const char *path, struct stat *buf)
{
	REDIRECTED(lxstat, AT_FDCWD, path, ver, P_, buf);
}

COMPAT_API int __lxstat64(int ver, const char *path, struct stat64 *buf)
{
	REDIRECTED(lxstat64, AT_FDCWD, path, ver, P_, buf);
}

COMPAT_API int __fxstatat(int ver, int dirfd, const char *path, struct stat *buf, int flags)
{
	REDIRECTED(fxstatat, dirfd, path, ver, dirfd, P_, buf, flags);
}

COMPAT_API int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *buf, int flags)
{
	REDIRECTED(fxstatat64, dirfd, path, ver, dirfd, P_, buf, flags);
}
