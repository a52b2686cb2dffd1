/* SPDX-License-Identifier: MIT */
/*
 * libuevt-compat: internal interface between the interposed libc entry
 * points and the redirect policy.  Nothing here is exported; the version
 * script (libuevt-compat.map) lists the only public symbols.
 */
#ifndef UEVT_COMPAT_H
#define UEVT_COMPAT_H

/* struct stat64 and struct statx: built with -D_GNU_SOURCE. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#define COMPAT_API __attribute__((visibility("default")))

/*
 * glibc's own definitions of what we interpose, found with
 * dlsym(RTLD_NEXT).  A member is NULL when this libc lacks the symbol; the
 * wrapper then fails with ENOSYS, which no caller of a symbol it could
 * link against will see in practice.
 */
struct compat_libc {
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	int (*stat)(const char *, struct stat *);
	int (*stat64)(const char *, struct stat64 *);
	int (*lstat)(const char *, struct stat *);
	int (*lstat64)(const char *, struct stat64 *);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*fstatat64)(int, const char *, struct stat64 *, int);
	int (*statx)(int, const char *, int, unsigned int, struct statx *);
	int (*access)(const char *, int);
	int (*euidaccess)(const char *, int);
	int (*eaccess)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	/* What programs built against glibc before 2.33 call for stat(). */
	int (*xstat)(int, const char *, struct stat *);
	int (*xstat64)(int, const char *, struct stat64 *);
	int (*lxstat)(int, const char *, struct stat *);
	int (*lxstat64)(int, const char *, struct stat64 *);
	int (*fxstatat)(int, int, const char *, struct stat *, int);
	int (*fxstatat64)(int, int, const char *, struct stat64 *, int);
};

/* The real functions, resolved on first use (thread-safe, once). */
const struct compat_libc *compat_libc(void);

/* What a wrapper returns when its real function is missing: -1, ENOSYS. */
int compat_no_libc(void);

/*
 * The file @path (relative to @dirfd, or AT_FDCWD) stands for when it
 * names user_events_data or user_events_status directly in a tracefs
 * root: the uevt device path, else NULL.  Called only after the real call
 * failed with ENOENT, so it may be slow; it is async-signal-safe (no
 * malloc, no stdio, no locks) because open() may be called from signal
 * handlers and between fork() and exec().
 */
const char *compat_redirect_target(int dirfd, const char *path);

/*
 * Opens @target, the result of compat_redirect_target(), for a caller who
 * asked for @flags on the tracefs path and got ENOENT.  Never creates the
 * target.  Fails with ENOENT, the caller's original error, when the target
 * does not exist either.
 */
int compat_open_target(const char *target, int flags);

/*
 * Whether the directory named by the @len bytes at @dir is a tracefs
 * root: /sys/kernel/tracing, /sys/kernel/debug/tracing, a tracefs mount
 * point or <debugfs mount point>/tracing.  @dir is absolute.
 */
bool compat_is_tracefs_root(const char *dir, size_t len);

/*
 * The part that reads the mount table, separated so that the host test
 * can feed it a crafted one: whether the mount table readable from
 * @mounts_fd (the format of /proc/mounts) makes @dir a tracefs root.
 * Reads @mounts_fd to the end or to the first match.
 */
bool compat_mounts_have_root(int mounts_fd, const char *dir, size_t len);

/*
 * Whether two absolute directory names are the same path once empty and
 * "." components are ignored ("/sys//kernel/./tracing/" is
 * "/sys/kernel/tracing").  ".." is compared literally: resolving it
 * lexically is wrong across symlinks, and a caller spelling the tracefs
 * root with ".." is not worth the risk of redirecting a wrong path.
 */
bool compat_same_dir(const char *a, size_t alen, const char *b, size_t blen);

#endif /* UEVT_COMPAT_H */
