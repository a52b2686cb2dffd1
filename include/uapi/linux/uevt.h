/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uevt: user-space remote-write tracepoints for stock Linux kernels.
 *
 * The ABI is binary compatible with the kernel's built-in user_events
 * (include/uapi/linux/user_events.h, Linux 6.12): the structures have the
 * same layout and the ioctls the same numbers, so a program written for
 * user_events works unchanged once it opens /dev/uevt instead of
 * tracefs' user_events_data.  The build checks this against the upstream
 * header (selftests/compat_check.c).
 *
 * A program registers an event description and the address of an enable
 * word in its own memory.  The kernel keeps (mm, address, bit) and sets
 * that bit while anything traces the event, clears it otherwise.  While
 * the bit is set the program writes records with write()/writev(): a
 * __u32 write index (returned by registration) followed by the payload.
 */
#ifndef _UAPI_LINUX_UEVT_H
#define _UAPI_LINUX_UEVT_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Device node the module creates. */
#define UEVT_DEVICE_PATH "/dev/uevt"

/*
 * The events in the format of the built-in user_events_status ("Active:"
 * and "Busy:" totals), readable by whoever may open UEVT_DEVICE_PATH.
 */
#define UEVT_STATUS_DEVICE_PATH "/dev/uevt-status"

/*
 * Everything the module tracks, every process's enable bits included:
 * readable with CAP_PERFMON only.  The first line is "version", then this
 * number; it changes only when a line changes meaning (uevt(7)).
 */
#define UEVT_PROC_STATUS_PATH "/proc/uevt"
#define UEVT_STATUS_VERSION 1

/*
 * tracefs system of the events.  Where the kernel has no built-in
 * user_events, its name, so that tools written for it find the events;
 * where it has one, UEVT_SYSTEM.  The module parameter system= overrides
 * both; /sys/module/uevt/parameters/system says which is in use.
 * Multi-format events go to the same name with "_multi" appended.
 */
#define UEVT_SYSTEM_DROPIN "user_events"
#define UEVT_SYSTEM "uevt"

/*
 * Limits of an event description and its records; registration fails with
 * EINVAL or E2BIG beyond them.  Names are [A-Za-z_][A-Za-z0-9_]*.
 */
#define UEVT_NAME_MAX		64	/* event and field names, incl. NUL */
#define UEVT_TYPE_MAX		64	/* spelling of a field's type, incl. NUL */
#define UEVT_DESC_MAX		1024	/* whole description, incl. NUL */
#define UEVT_FIELDS_MAX		64	/* fields per event */
#define UEVT_ARRAY_MAX		1024	/* elements of a fixed-size array field */
#define UEVT_PAYLOAD_MAX	4000	/* bytes of a record after its write index */

/* Encodes a dynamic-location field: payload offset and length in bytes. */
#define UEVT_DYN_LOC(offset, size) ((size) << 16 | (offset))

/**
 * enum uevt_reg_flag - registration flags (&uevt_reg.flags)
 * @UEVT_REG_PERSIST: the event stays after its last reference is gone,
 *	until deleted explicitly; needs CAP_PERFMON.
 * @UEVT_REG_MULTI_FORMAT: several formats may share one name; each is its
 *	own tracefs event.
 * @UEVT_REG_MAX: first value that is not ABI; any flag at or above it is
 *	rejected with EINVAL.
 */
enum uevt_reg_flag {
	UEVT_REG_PERSIST	= 1U << 0,
	UEVT_REG_MULTI_FORMAT	= 1U << 1,
	UEVT_REG_MAX		= 1U << 2,
};

/**
 * struct uevt_reg - register an event and an enable bit (UEVT_IOC_REG)
 * @size: size of this structure as the caller knows it.  Smaller than
 *	UEVT_REG_SIZE_VER0 is EINVAL; larger is accepted only when the bytes
 *	the kernel does not know are zero (E2BIG otherwise).
 * @enable_bit: bit within the enable word the kernel keeps equal to the
 *	event's state; below 8 * @enable_size.
 * @enable_size: size of the enable word, 4 or 8 bytes.
 * @flags: &enum uevt_reg_flag.
 * @enable_addr: address of the enable word, naturally aligned to
 *	@enable_size, in writable memory of the caller.
 * @name_args: address of the NUL-terminated event description,
 *	"name[:flags] type field[; type field]...".
 * @write_index: output: the index to put in front of each record written
 *	to this file for this event.
 */
struct uevt_reg {
	__u32	size;
	__u8	enable_bit;
	__u8	enable_size;
	__u16	flags;
	__u64	enable_addr;
	__u64	name_args;
	__u32	write_index;
} __attribute__((__packed__));

#define UEVT_REG_SIZE_VER0	28

/**
 * struct uevt_unreg - remove an enable bit registration (UEVT_IOC_UNREG)
 * @size: size of this structure as the caller knows it (as &uevt_reg.size).
 * @disable_bit: the bit that was registered.
 * @__reserved: must be zero.
 * @__reserved2: must be zero.
 * @disable_addr: the enable word address that was registered.
 */
struct uevt_unreg {
	__u32	size;
	__u8	disable_bit;
	__u8	__reserved;
	__u16	__reserved2;
	__u64	disable_addr;
} __attribute__((__packed__));

#define UEVT_UNREG_SIZE_VER0	16

#define UEVT_IOC_MAGIC '*'

/* Register an event and enable bit; same number as DIAG_IOCSREG. */
#define UEVT_IOC_REG	_IOWR(UEVT_IOC_MAGIC, 0, struct uevt_reg *)

/* Delete an unused event by name; same number as DIAG_IOCSDEL. */
#define UEVT_IOC_DEL	_IOW(UEVT_IOC_MAGIC, 1, char *)

/* Remove an enable bit registration; same number as DIAG_IOCSUNREG. */
#define UEVT_IOC_UNREG	_IOW(UEVT_IOC_MAGIC, 2, struct uevt_unreg *)

#endif /* _UAPI_LINUX_UEVT_H */
