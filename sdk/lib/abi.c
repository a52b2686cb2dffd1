// SPDX-License-Identifier: MIT
/*
 * The low-level API: the kernel ABI shared by /dev/uevt and the built-in
 * user_events, one function per ioctl or write, each returning -errno.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/uevt.h>

#define UEVT_NO_AUTO_REGISTER
#include "uevt.h"

int uevt_register(int fd, const char *desc, uint32_t *word, unsigned int bit,
		  int32_t *write_index)
{
	struct uevt_reg reg;

	if (!desc || !word || !write_index || bit >= 32)
		return -EINVAL;
	memset(&reg, 0, sizeof(reg));
	reg.size = sizeof(reg);
	reg.enable_bit = (uint8_t)bit;
	reg.enable_size = sizeof(*word);
	reg.enable_addr = (uint64_t)(uintptr_t)word;
	reg.name_args = (uint64_t)(uintptr_t)desc;
	if (ioctl(fd, UEVT_IOC_REG, &reg) < 0)
		return -errno;
	*write_index = (int32_t)reg.write_index;
	return 0;
}

int uevt_unregister(int fd, uint32_t *word, unsigned int bit)
{
	struct uevt_unreg unreg;

	if (!word || bit >= 32)
		return -EINVAL;
	memset(&unreg, 0, sizeof(unreg));
	unreg.size = sizeof(unreg);
	unreg.disable_bit = (uint8_t)bit;
	unreg.disable_addr = (uint64_t)(uintptr_t)word;
	if (ioctl(fd, UEVT_IOC_UNREG, &unreg) < 0)
		return -errno;
	return 0;
}

ssize_t uevt_writev(int fd, int32_t write_index, const struct iovec *iov, int iovcnt)
{
	struct iovec all[UIO_MAXIOV];
	ssize_t n;

	if (iovcnt < 0 || iovcnt > UIO_MAXIOV - 1 || (iovcnt && !iov))
		return -EINVAL;
	all[0].iov_base = &write_index;
	all[0].iov_len = sizeof(write_index);
	if (iovcnt)
		memcpy(&all[1], iov, (size_t)iovcnt * sizeof(*iov));
	n = writev(fd, all, iovcnt + 1);
	return n < 0 ? -errno : n;
}

int uevt_delete(int fd, const char *name)
{
	if (!name)
		return -EINVAL;
	if (ioctl(fd, UEVT_IOC_DEL, name) < 0)
		return -errno;
	return 0;
}
