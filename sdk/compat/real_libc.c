// SPDX-License-Identifier: MIT
/*
 * Finding glibc's definitions of the functions this library replaces.
 *
 * They are looked up once with dlsym(RTLD_NEXT) and kept for the life of
 * the process: this table and nothing else is the library's global
 * mutable state (see tracefs_root.c for why the mount table is not
 * cached).  The constructor fills it before main() so that the wrappers'
 * pthread_once() is a single load afterwards; pthread_once() is still
 * needed because another library's constructor may call open() before
 * ours has run.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include "compat.h"

static struct compat_libc real;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

/* ISO C forbids converting void * to a function pointer; POSIX requires it to work. */
#define RESOLVE(member, name) \
	(*(void **)&real.member = dlsym(RTLD_NEXT, name))

static void resolve(void)
{
	RESOLVE(open, "open");
	RESOLVE(open64, "open64");
	RESOLVE(openat, "openat");
	RESOLVE(openat64, "openat64");
	RESOLVE(open_2, "__open_2");
	RESOLVE(open64_2, "__open64_2");
	RESOLVE(openat_2, "__openat_2");
	RESOLVE(openat64_2, "__openat64_2");
	RESOLVE(fopen, "fopen");
	RESOLVE(fopen64, "fopen64");
	RESOLVE(stat, "stat");
	RESOLVE(stat64, "stat64");
	RESOLVE(lstat, "lstat");
	RESOLVE(lstat64, "lstat64");
	RESOLVE(fstatat, "fstatat");
	RESOLVE(fstatat64, "fstatat64");
	RESOLVE(statx, "statx");
	RESOLVE(access, "access");
	RESOLVE(euidaccess, "euidaccess");
	RESOLVE(eaccess, "eaccess");
	RESOLVE(faccessat, "faccessat");
	RESOLVE(xstat, "__xstat");
	RESOLVE(xstat64, "__xstat64");
	RESOLVE(lxstat, "__lxstat");
	RESOLVE(lxstat64, "__lxstat64");
	RESOLVE(fxstatat, "__fxstatat");
	RESOLVE(fxstatat64, "__fxstatat64");
}

const struct compat_libc *compat_libc(void)
{
	pthread_once(&real_once, resolve);
	return &real;
}

int compat_no_libc(void)
{
	errno = ENOSYS;
	return -1;
}

__attribute__((constructor))
static void resolve_early(void)
{
	compat_libc();
}
