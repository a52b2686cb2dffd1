/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels uevt builds against (Debian's 6.1 and
 * 6.12 series, their PREEMPT_RT builds, and linux-source-6.12 in tree),
 * kept here and nowhere else.  Kbuild tests the headers of the kernel
 * being built for and defines a UEVT_HAS_* macro for each feature found;
 * each wrapper names the change it papers over, and the rest of the module
 * calls only the wrappers.
 */
#ifndef _UEVT_COMPAT_H
#define _UEVT_COMPAT_H

#include <linux/mm.h>
#include <linux/task_work.h>
#include <linux/uio.h>

/* 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>. */
#ifdef UEVT_HAS_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.5 dropped the vmas argument of the remote GUP calls. */
static inline long uevt_pin_user_page(struct mm_struct *mm, unsigned long addr,
				      unsigned int gup_flags, struct page **page)
{
#ifdef UEVT_HAS_GUP_VMAS
	return pin_user_pages_remote(mm, addr, 1, gup_flags, page, NULL, NULL);
#else
	return pin_user_pages_remote(mm, addr, 1, gup_flags, page, NULL);
#endif
}

static inline long uevt_get_user_page(struct mm_struct *mm, unsigned long addr,
				      unsigned int gup_flags, struct page **page)
{
#ifdef UEVT_HAS_GUP_VMAS
	return get_user_pages_remote(mm, addr, 1, gup_flags, page, NULL, NULL);
#else
	return get_user_pages_remote(mm, addr, 1, gup_flags, page, NULL);
#endif
}

/*
 * 6.12 lets atomic callers of task_work_add() keep KASAN from allocating
 * (TWAF_NO_ALLOC); before, KASAN kernels allocate with GFP_NOWAIT there,
 * which is fine outside PREEMPT_RT.
 */
#ifdef UEVT_HAS_TWAF_NO_ALLOC
#define UEVT_TWA_ATOMIC		(TWA_RESUME | TWAF_NO_ALLOC)
#else
#define UEVT_TWA_ATOMIC		TWA_RESUME
#endif

/* 6.4 made the user workers of vhost (PF_USER_WORKER): they run no task work. */
#ifdef PF_USER_WORKER
#define UEVT_PF_USER_WORKER	PF_USER_WORKER
#else
#define UEVT_PF_USER_WORKER	0
#endif

/*
 * While GUP has follow_hugetlb_page() (6.1), it faults hugetlb pages in even when
 * told FOLL_NOFAULT: UEVT_HAS_HUGETLB_FAULTS_ANYWAY, from Kbuild, makes the
 * non-faulting writes leave hugetlb words to the process.
 */
#ifndef UEVT_HAS_HUGETLB_FAULTS_ANYWAY
#define UEVT_HAS_HUGETLB_FAULTS_ANYWAY 0
#endif

/* The iovec array of an ITER_IOVEC iterator, from its current iovec on (6.4: __iov). */
static inline const struct iovec *uevt_iter_iovecs(const struct iov_iter *i)
{
#ifdef UEVT_HAS_ITER_IOV
	return iter_iov(i);
#else
	return i->iov;
#endif
}

#endif /* _UEVT_COMPAT_H */
