// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a record out of the writer's iovecs.
 *
 * What an enabled emit pays for in copying is not the bytes but the trips
 * into user memory: every copy_from_iter() opens and closes a user access
 * window (stac/clac) per iovec and moves the bytes with "rep movsb", which
 * CPUs without FSRM start slowly and emulators (QEMU's TCG) run a byte per
 * loop, ending a translation block at every window.  A record is a few
 * dozen bytes in a few iovecs: on x86-64 it is read here in one window,
 * every iovec range checked before the window opens, a word at a time.
 * Longer records, iterators that are not plain user memory, and other
 * architectures (whose user_access_begin() may allow only the range it is
 * given, or not fence speculation) go through copy_from_iter().
 */
#include <linux/fault-inject-usercopy.h>
#include <linux/instrumented.h>
#include <linux/minmax.h>
#include <linux/thread_info.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "uevt_compat.h"
#include "uevt_internal.h"

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
 * window opens: on x86-64 user_access_begin() allows every user address
 * (stac) and fences speculation after all the checks.
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
 * @len: how many.
 * @from: the writer's iterator, advanced past what was copied.
 *
 * Faults are taken or not as the caller's context says: under
 * pagefault_disable() a page that is not present fails the copy.
 *
 * Context: process context.
 * Return: true when all @len bytes were copied; false when @from holds
 * fewer or a fault stopped the copy, @from then left somewhere in between
 * (copy from a copy of it to retry).
 */
bool uevt_copy_from_iter(void *to, size_t len, struct iov_iter *from)
{
	const struct iovec *iov;
	struct iovec ubuf;
	unsigned long nr;

	if (!IS_ENABLED(CONFIG_X86_64) || len > UEVT_RECORD_ONE_TRIP || !user_backed_iter(from) ||
	    iov_iter_count(from) < len)
		return copy_from_iter_full(to, len, from);
	/* What copy_from_user() does before it copies. */
	might_fault();
	if (should_fail_usercopy())
		return false;
	check_object_size(to, len, false);
	instrument_write(to, len);
	if (iter_is_ubuf(from)) {
		/* One buffer: its start, and the bytes read and left. */
		ubuf.iov_base = from->ubuf;
		ubuf.iov_len = from->iov_offset + iov_iter_count(from);
		iov = &ubuf;
		nr = 1;
	} else {
		iov = uevt_iter_iovecs(from);
		nr = from->nr_segs;
	}
	if (uevt_copy_iovecs(to, len, iov, nr, from->iov_offset))
		return false;
	iov_iter_advance(from, len);
	return true;
}
