// SPDX-License-Identifier: GPL-2.0
/*
 * uevt: user-space remote-write tracepoints for stock Linux kernels.
 *
 * Module entry: parameters, the /dev/uevt misc device, start and stop.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "uevt_internal.h"

static unsigned int dev_mode = 0600;

static int dev_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#o\n", *(unsigned int *)kp->arg);
}

static const struct kernel_param_ops dev_mode_ops = {
	.set = param_set_uint,
	.get = dev_mode_get,
};
module_param_cb(dev_mode, &dev_mode_ops, &dev_mode, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of " UEVT_DEVICE_PATH " (default 0600)");

/* NULL until uevt_init() picks the default; constant once loaded. */
char *uevt_system;
module_param_named(system, uevt_system, charp, 0444);
MODULE_PARM_DESC(system, "tracefs system of the events (default " UEVT_SYSTEM_DROPIN
		 ", or " UEVT_SYSTEM " where the kernel has the built-in user_events)");

/*
 * Set at load: the events stand in for the built-in's (system
 * user_events), so their formats are spelled as its are.
 */
bool uevt_as_builtin;

/* "<system>_multi", for UEVT_REG_MULTI_FORMAT events. */
char uevt_multi_system[UEVT_NAME_MAX + 8];

unsigned int uevt_max_events = 8192;
module_param_named(max_events, uevt_max_events, uint, 0644);
MODULE_PARM_DESC(max_events, "Events that may exist at once (default 8192)");

unsigned int uevt_max_events_per_file = 1024;
module_param_named(max_events_per_file, uevt_max_events_per_file, uint, 0644);
MODULE_PARM_DESC(max_events_per_file, "Write indexes per open file (default 1024)");

unsigned int uevt_max_enablers_per_mm = 65536;
module_param_named(max_enablers_per_mm, uevt_max_enablers_per_mm, uint, 0644);
MODULE_PARM_DESC(max_enablers_per_mm, "Enable bits per process (default 65536)");

static struct miscdevice uevt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "uevt",
	.fops	= &uevt_fops,
};

static int __init uevt_init(void)
{
	int ret;

	if (dev_mode & ~0777) {
		pr_err("dev_mode %#o has bits outside 0777\n", dev_mode);
		return -EINVAL;
	}
	if (!uevt_system) {
		/*
		 * The built-in owns "user_events" where it exists: its events
		 * and ours must not share a system, nor its tools see ours
		 * as its own.
		 */
		if (IS_ENABLED(CONFIG_USER_EVENTS)) {
			uevt_system = UEVT_SYSTEM;
			pr_info("the kernel has the built-in user_events: events go to %s and %s_multi\n",
				UEVT_SYSTEM, UEVT_SYSTEM);
		} else {
			uevt_system = UEVT_SYSTEM_DROPIN;
		}
	}
	if (!uevt_valid_name(uevt_system, strlen(uevt_system))) {
		pr_err("system \"%s\" is not a valid name\n", uevt_system);
		return -EINVAL;
	}
	snprintf(uevt_multi_system, sizeof(uevt_multi_system), "%s_multi", uevt_system);
	uevt_as_builtin = !strcmp(uevt_system, UEVT_SYSTEM_DROPIN);
	uevt_misc.mode = dev_mode;

	ret = uevt_slots_init();
	if (ret)
		return ret;
	ret = uevt_core_init();
	if (ret)
		goto out_slots;
	ret = uevt_ctl_init();
	if (ret)
		goto out_core;
	ret = uevt_fork_init();
	if (ret)
		goto out_ctl;
	ret = uevt_status_init();
	if (ret)
		goto out_fork;
	ret = misc_register(&uevt_misc);
	if (ret)
		goto out_status;
	uevt_status_dev_register(dev_mode);
	return 0;

out_status:
	uevt_status_exit();
out_fork:
	uevt_fork_exit();
out_ctl:
	uevt_ctl_exit();
out_core:
	uevt_core_exit();
out_slots:
	uevt_slots_exit();
	return ret;
}

static void __exit uevt_exit(void)
{
	misc_deregister(&uevt_misc);
	uevt_status_exit();
	uevt_fork_exit();
	uevt_events_exit();
	uevt_core_exit();
	uevt_ctl_exit();
	uevt_slots_exit();
}

module_init(uevt_init);
module_exit(uevt_exit);

MODULE_DESCRIPTION("User-space remote-write tracepoints");
MODULE_LICENSE("GPL");
