// SPDX-License-Identifier: GPL-2.0
/*
 * The status file, /sys/kernel/debug/uevt/status: one "event" line per
 * event (consumers, references, enablers, drops) followed by its print
 * format, then one "enabler" line per enable bit.  The format is
 * documented in uevt(7) and parsed by uevtctl; keep it line-oriented,
 * "key value" pairs after the first two words.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "uevt_internal.h"

static struct dentry *uevt_debugfs_dir;

static int uevt_status_show(struct seq_file *m, void *unused)
{
	uevt_events_show(m);
	uevt_fork_show(m);
	uevt_mms_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(uevt_status);

/**
 * uevt_status_init() - create /sys/kernel/debug/uevt/status
 *
 * Debugfs is optional: without it the module works, unobserved.
 *
 * Return: 0.
 */
int uevt_status_init(void)
{
	uevt_debugfs_dir = debugfs_create_dir("uevt", NULL);
	debugfs_create_file("status", 0400, uevt_debugfs_dir, NULL, &uevt_status_fops);
	return 0;
}

/**
 * uevt_status_exit() - remove the debugfs directory
 */
void uevt_status_exit(void)
{
	debugfs_remove_recursive(uevt_debugfs_dir);
}
