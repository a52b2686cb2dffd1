/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What uevt_desc.c needs from its environment: the kernel's helpers in
 * the module, their libc equivalents in userspace (tests and fuzzers).
 */
#ifndef _UEVT_DESC_ENV_H
#define _UEVT_DESC_ENV_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#include "uevt_compat.h"	/* get_unaligned() */

#include <linux/trace_events.h>	/* struct trace_entry */

#define uevt_desc_alloc(size)	kzalloc(size, GFP_KERNEL_ACCOUNT)
#define uevt_desc_release(p)	kfree(p)
#define uevt_get_u32(p)		get_unaligned((const u32 *)(p))

/*
 * The tracing core's record header.  Not always 8 bytes: 6.1's PREEMPT_RT
 * patches add a field (12).  Offsets in tracefs formats and __data_loc
 * words count from the record's start, so they follow it.
 */
#define UEVT_ENTRY_SIZE		sizeof(struct trace_entry)

#else /* userspace */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Tests and fuzzers run the parser with the common 8-byte header. */
#define UEVT_ENTRY_SIZE		8

#define uevt_desc_alloc(size)	calloc(1, size)
#define uevt_desc_release(p)	free(p)

static inline u32 uevt_get_u32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}
#endif

#endif /* _UEVT_DESC_ENV_H */
