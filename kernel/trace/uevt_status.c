// SPDX-License-Identifier: GPL-2.0
/*
 * The two status files, outside debugfs (root-only, and not an interface):
 *
 * /dev/uevt-status is the built-in's user_events_status: one line per
 * event, "NAME" or "NAME # Used by ftrace perf other", a blank line, then
 * "Active: N" and "Busy: N".  It says nothing about processes, so it is
 * as open as /dev/uevt itself (the same mode bits, read-only): programs
 * written for the built-in open it through libuevt-compat.
 *
 * /proc/uevt is the full listing: a "version" line, then one line per
 * event (consumers, references, enable bits, drops and rejections), the
 * fork and retirement counters, and one line per enable bit of every
 * process (tgid, comm, address, bit, state, owed write).  Addresses of
 * other processes' memory are sensitive: opening it needs CAP_PERFMON,
 * checked at open() as for any file whose reader is decided once.  Each
 * line is a kind followed by "key value" pairs, split on single spaces
 * (values are escaped); uevt(7) documents it and tools/lib parses it.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "uevt_internal.h"

/* Bump when a line changes meaning; adding keys or kinds does not. */
#define UEVT_STATUS_VERSION 1

static int uevt_brief_show(struct seq_file *m, void *unused)
{
	uevt_events_show_brief(m);
	return 0;
}

static int uevt_brief_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice here; seq_open() wants it empty. */
	file->private_data = NULL;
	return single_open(file, uevt_brief_show, NULL);
}

static const struct file_operations uevt_brief_fops = {
	.owner		= THIS_MODULE,
	.open		= uevt_brief_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static struct miscdevice uevt_status_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "uevt-status",
	.fops	= &uevt_brief_fops,
};

static int uevt_full_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "version %d\n", UEVT_STATUS_VERSION);
	uevt_events_show(m);
	uevt_fork_show(m);
	uevt_mms_show(m);
	return 0;
}

static int uevt_full_open(struct inode *inode, struct file *file)
{
	if (!perfmon_capable())
		return -EPERM;
	return single_open(file, uevt_full_show, NULL);
}

static const struct proc_ops uevt_full_ops = {
	.proc_open	= uevt_full_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static struct proc_dir_entry *uevt_proc;

/**
 * uevt_status_init() - create /dev/uevt-status and /proc/uevt
 * @dev_mode: the permission bits of /dev/uevt; /dev/uevt-status gets
 *	their read bits.
 *
 * Return: 0 or -errno.
 */
int uevt_status_init(umode_t dev_mode)
{
	int ret;

	/* 0444: the open() check, not the mode, keeps the listing private. */
	uevt_proc = proc_create("uevt", 0444, NULL, &uevt_full_ops);
	if (!uevt_proc)
		return -ENOMEM;
	uevt_status_misc.mode = dev_mode & 0444;
	ret = misc_register(&uevt_status_misc);
	if (ret)
		proc_remove(uevt_proc);
	return ret;
}

/**
 * uevt_status_exit() - remove both status files
 *
 * An open /dev/uevt-status holds a module reference, so it cannot be
 * open here; proc_remove() waits for reads of /proc/uevt in progress and
 * releases its open files (their later reads fail with EIO).
 */
void uevt_status_exit(void)
{
	misc_deregister(&uevt_status_misc);
	proc_remove(uevt_proc);
}
