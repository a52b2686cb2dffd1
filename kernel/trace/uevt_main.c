// SPDX-License-Identifier: GPL-2.0
/*
 * uevt: user-space remote-write tracepoints for stock Linux kernels.
 *
 * Module entry: the /dev/uevt misc device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <linux/uevt.h>

static unsigned int dev_mode = 0600;
module_param(dev_mode, uint, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of " UEVT_DEVICE_PATH " (default 0600)");

static long uevt_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations uevt_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= uevt_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice uevt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "uevt",
	.fops	= &uevt_fops,
};

static int __init uevt_init(void)
{
	if (dev_mode & ~0777) {
		pr_err("dev_mode %#o has bits outside 0777\n", dev_mode);
		return -EINVAL;
	}
	uevt_misc.mode = dev_mode;
	return misc_register(&uevt_misc);
}

static void __exit uevt_exit(void)
{
	misc_deregister(&uevt_misc);
}

module_init(uevt_init);
module_exit(uevt_exit);

MODULE_DESCRIPTION("User-space remote-write tracepoints");
MODULE_LICENSE("GPL");
