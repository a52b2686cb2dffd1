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
 * fork, retirement, control and translation-cache counters, and one line
 * per enable bit of every process (tgid, comm, address, bit, state, owed
 * write).  Addresses of other processes' memory are sensitive: opening it
 * needs CAP_PERFMON, checked at open() as for any file whose reader is
 * decided once.  Each line is a kind followed by "key value" pairs, split
 * on single spaces (values are escaped); uevt(7) documents it and tools/lib
 * parses it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "uevt_internal.h"

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

/*
 * The full listing is a seq_file iterator: element 0 is everything but
 * the enable bits (version, events, counters), printed without
 * uevt_mms_lock (the events take the registry mutex, never nested in it),
 * element n > 0 the enable bits of the (n-1)-th address space.  So a
 * read() holds uevt_mms_lock for one buffer's worth of it, and no buffer
 * ever holds all of it (one process's bits, at most max_enablers_per_mm
 * lines, is the largest step).
 */
/* Per open file: whether this read() took uevt_mms_lock (element 0 does not). */
struct uevt_full_iter {
	bool locked;
};

static void *uevt_full_start(struct seq_file *m, loff_t *pos)
{
	struct uevt_full_iter *it = m->private;

	it->locked = false;
	if (!*pos)
		return SEQ_START_TOKEN;
	it->locked = true;
	return uevt_mms_seek(*pos - 1);
}

static void *uevt_full_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct uevt_full_iter *it = m->private;

	++*pos;
	if (v == SEQ_START_TOKEN) {
		it->locked = true;
		return uevt_mms_seek(0);
	}
	return uevt_mms_next(v);
}

static void uevt_full_stop(struct seq_file *m, void *v)
{
	struct uevt_full_iter *it = m->private;

	if (it->locked)
		uevt_mms_unlock();
	it->locked = false;
}

static int uevt_full_show(struct seq_file *m, void *v)
{
	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "version %d\n", UEVT_STATUS_VERSION);
		uevt_events_show(m);
		uevt_fork_show(m);
		uevt_mms_counters_show(m);
		uevt_ctl_show(m);
		uevt_cache_show(m);
	} else {
		uevt_mm_show(m, v);
	}
	return 0;
}

static const struct seq_operations uevt_full_seq_ops = {
	.start	= uevt_full_start,
	.next	= uevt_full_next,
	.stop	= uevt_full_stop,
	.show	= uevt_full_show,
};

static int uevt_full_open(struct inode *inode, struct file *file)
{
	if (!perfmon_capable())
		return -EPERM;
	return seq_open_private(file, &uevt_full_seq_ops, sizeof(struct uevt_full_iter));
}

static const struct proc_ops uevt_full_ops = {
	.proc_open	= uevt_full_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= seq_release_private,
};

/* Both set at load, cleared at unload: nothing else touches them. */
static struct proc_dir_entry *uevt_proc;
static bool uevt_status_dev_registered;

/**
 * uevt_status_init() - create /proc/uevt
 *
 * Safe to undo if a later step of the module's start fails:
 * proc_remove() waits for reads in progress and releases open files.
 *
 * Return: 0 or -ENOMEM.
 */
int uevt_status_init(void)
{
	/* 0444: the open() check, not the mode, keeps the listing private. */
	uevt_proc = proc_create("uevt", 0444, NULL, &uevt_full_ops);
	return uevt_proc ? 0 : -ENOMEM;
}

/**
 * uevt_status_dev_register() - create /dev/uevt-status, the last step of
 *	the module's start
 * @dev_mode: the permission bits of /dev/uevt; /dev/uevt-status gets
 *	their read bits.
 *
 * An open device holds a module reference, but a module whose start
 * fails is freed whatever references it has: so this comes last, when
 * nothing can fail any more, and its own failure is not fatal (the module
 * works without it; programs opening user_events_status see ENOENT).
 */
void uevt_status_dev_register(umode_t dev_mode)
{
	int ret;

	uevt_status_misc.mode = dev_mode & 0444;
	ret = misc_register(&uevt_status_misc);
	if (ret)
		pr_warn("no %s (%d)\n", UEVT_STATUS_DEVICE_PATH, ret);
	else
		uevt_status_dev_registered = true;
}

/**
 * uevt_status_exit() - remove both status files
 *
 * An open /dev/uevt-status holds a module reference, so none is open at
 * unload; proc_remove() waits for reads of /proc/uevt in progress and
 * releases its open files (their later reads fail with EIO).
 */
void uevt_status_exit(void)
{
	if (uevt_status_dev_registered)
		misc_deregister(&uevt_status_misc);
	uevt_status_dev_registered = false;
	proc_remove(uevt_proc);
}
