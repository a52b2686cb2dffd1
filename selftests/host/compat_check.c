// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time proof that uevt's ABI is user_events' ABI (Linux 6.12): the
 * structures have the same size and member offsets and sizes, the ioctls
 * the same numbers, the flags the same values.  UPSTREAM_HEADER is
 * include/uapi/linux/user_events.h from linux-source-6.12; if this file
 * compiles, a program written for user_events works on /dev/uevt.
 */
#include <stddef.h>

#include <linux/uevt.h>
#include UPSTREAM_HEADER

#define SAME_MEMBER(a, b, m, n)						\
	_Static_assert(offsetof(struct a, m) == offsetof(struct b, n),	\
		       #a "." #m " offset");				\
	_Static_assert(sizeof(((struct a *)0)->m) == sizeof(((struct b *)0)->n), \
		       #a "." #m " size")

_Static_assert(sizeof(struct uevt_reg) == sizeof(struct user_reg), "uevt_reg size");
SAME_MEMBER(uevt_reg, user_reg, size, size);
SAME_MEMBER(uevt_reg, user_reg, enable_bit, enable_bit);
SAME_MEMBER(uevt_reg, user_reg, enable_size, enable_size);
SAME_MEMBER(uevt_reg, user_reg, flags, flags);
SAME_MEMBER(uevt_reg, user_reg, enable_addr, enable_addr);
SAME_MEMBER(uevt_reg, user_reg, name_args, name_args);
SAME_MEMBER(uevt_reg, user_reg, write_index, write_index);
_Static_assert(UEVT_REG_SIZE_VER0 == sizeof(struct user_reg), "first version is the whole struct");

_Static_assert(sizeof(struct uevt_unreg) == sizeof(struct user_unreg), "uevt_unreg size");
SAME_MEMBER(uevt_unreg, user_unreg, size, size);
SAME_MEMBER(uevt_unreg, user_unreg, disable_bit, disable_bit);
SAME_MEMBER(uevt_unreg, user_unreg, __reserved, __reserved);
SAME_MEMBER(uevt_unreg, user_unreg, __reserved2, __reserved2);
SAME_MEMBER(uevt_unreg, user_unreg, disable_addr, disable_addr);
_Static_assert(UEVT_UNREG_SIZE_VER0 == sizeof(struct user_unreg), "first version is the whole struct");

_Static_assert(UEVT_IOC_REG == DIAG_IOCSREG, "register ioctl number");
_Static_assert(UEVT_IOC_DEL == DIAG_IOCSDEL, "delete ioctl number");
_Static_assert(UEVT_IOC_UNREG == DIAG_IOCSUNREG, "unregister ioctl number");

_Static_assert((int)UEVT_REG_PERSIST == (int)USER_EVENT_REG_PERSIST, "PERSIST flag");
_Static_assert((int)UEVT_REG_MULTI_FORMAT == (int)USER_EVENT_REG_MULTI_FORMAT, "MULTI_FORMAT flag");
_Static_assert((int)UEVT_REG_MAX == (int)USER_EVENT_REG_MAX, "first non-ABI flag");
_Static_assert(UEVT_DYN_LOC(12, 34) == DYN_LOC(12, 34), "dynamic location encoding");

int main(void)
{
	return 0;
}
