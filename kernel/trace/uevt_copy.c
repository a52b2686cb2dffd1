// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a record out of the writer's iovecs.
 *
 * What an enabled emit pays for in copying is not the bytes but the trips
 * into user memory: every copy_from_iter() opens and closes a user access
 * window (stac/clac) per iovec and moves the bytes with "rep movsb", which
 * CPUs without FSRM start slowly and emulators (QEMU's TCG) run a byte per
 * loop, ending a translation block at every window.  A record is a few
 * dozen bytes in a few iovecs: it is read here in one window, all its
 * segments checked first, a word at a time (the idiom of
 * strncpy_from_user()).  Longer records, and iterators that are not plain
 * user memory, go through copy_from_iter().
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "uevt_compat.h"
#include "uevt_internal.h"

/* Records up to this size are read in one window, a word at a time. */
#define UEVT_COPY_WINDOW_MAX	256

/*
 * @n bytes at @src into @to, inside an open user access window: inlined,
 * as nothing there may call a function.  False on a fault.
 */
static __always_inline bool uevt_copy_words(u8 *to, const u8 __user *src, size_t n)
{
	u64 v64;
	u32 v32;
	u16 v16;
	u8 v8;

	for (; n >= sizeof(v64); n -= sizeof(v64), src += sizeof(v64), to += sizeof(v64)) {
		unsafe_get_user(v64, (const u64 __user *)src, efault);
		put_unaligned(v64, (u64 *)to);
	}
	if (n & sizeof(v32)) {
		unsafe_get_user(v32, (const u32 __user *)src, efault);
		put_unaligned(v32, (u32 *)to);
		src += sizeof(v32);
		to += sizeof(v32);
	}
	if (n & sizeof(v16)) {
		unsafe_get_user(v16, (const u16 __user *)src, efault);
		put_unaligned(v16, (u16 *)to);
		src += sizeof(v16);
		to += sizeof(v16);
	}
	if (n & sizeof(v8)) {
		unsafe_get_user(v8, src, efault);
		*to = v8;
	}
	return true;
efault:
	return false;
}

/*
 * The first @len bytes of the @nr iovecs at @iov, whose first @skip bytes
 * were consumed already, into @to.  Every range is checked before the
 * window opens: user_access_begin() fences speculation after the checks.
 */
static int uevt_copy_iovecs(u8 *to, size_t len, const struct iovec *iov, unsigned long nr,
			    size_t skip)
{
	const u8 __user *first = NULL, *src;
	size_t left, n, off, first_n = 0;
	unsigned long i, end;

	for (end = 0, left = len, off = skip; left && end < nr; end++, off = 0) {
		src = (const u8 __user *)iov[end].iov_base + off;
		n = min(iov[end].iov_len - off, left);
		if (!n)
			continue;
		if (!access_ok(src, n))
			return -EFAULT;
		if (!first) {
			first = src;
			first_n = n;
		}
		left -= n;
	}
	if (left)
		return -EFAULT;
	if (!first)
		return 0;
	if (!user_access_begin(first, first_n))
		return -EFAULT;
	for (i = 0, left = len, off = skip; i < end; i++, off = 0) {
		src = (const u8 __user *)iov[i].iov_base + off;
		n = min(iov[i].iov_len - off, left);
		if (!uevt_copy_words(to, src, n)) {
			user_access_end();
			return -EFAULT;
		}
		to += n;
		left -= n;
	}
	user_access_end();
	return 0;
}

/**
 * uevt_copy_from_iter() - copy bytes of a record from the writer's iovecs
 * @to: where they go.
 * @len: how many; @from holds at least as many.
 * @from: the writer's iterator, advanced past what was copied.
 *
 * Faults are taken or not as the caller's context says: under
 * pagefault_disable() a page that is not present fails the copy.
 *
 * Context: process context.
 * Return: true when all @len bytes were copied; on false, @from is left
 * somewhere in between (copy from a copy of it to retry).
 */
bool uevt_copy_from_iter(void *to, size_t len, struct iov_iter *from)
{
	const struct iovec *iov;
	struct iovec one;
	unsigned long nr;

	if (!IS_ENABLED(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) || len > UEVT_COPY_WINDOW_MAX ||
	    !user_backed_iter(from) || iov_iter_count(from) < len)
		return copy_from_iter_full(to, len, from);
	iov = uevt_iter_iovecs(from, &one, &nr);
	if (uevt_copy_iovecs(to, len, iov, nr, from->iov_offset))
		return false;
	iov_iter_advance(from, len);
	return true;
}
