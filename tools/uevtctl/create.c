// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl create NAME 'FIELDS' / uevtctl delete NAME: persistent events
 * from the shell, through /dev/uevt.  create registers with
 * UEVT_REG_PERSIST on a throw-away enable word and unregisters it, so the
 * event outlives this process until deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/uevt.h>

#include "uevtctl.h"

static int open_device(void)
{
	int fd = open(UEVT_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		err("cannot open %s: %s", UEVT_DEVICE_PATH, errno_advice(errno));
	return fd;
}

int cmd_create(int argc, char **argv)
{
	char desc[UEVT_DESC_MAX];
	struct uevt_reg reg;
	struct uevt_unreg unreg;
	uint32_t word = 0;
	int fd, n;

	if (wants_help(argc, argv) || argc != 3) {
		bool help = wants_help(argc, argv);

		fprintf(help ? stdout : stderr,
			"usage: uevtctl create NAME 'TYPE FIELD[; TYPE FIELD]...'\n"
			"Create a persistent event (needs CAP_PERFMON), for example:\n"
			"  uevtctl create deploy 'u32 version; char[16] host'\n");
		return help ? EXIT_OK : EXIT_USAGE;
	}
	n = snprintf(desc, sizeof(desc), "%s %s", argv[1], argv[2]);
	if (n < 0 || (size_t)n >= sizeof(desc)) {
		err("description longer than %d bytes", UEVT_DESC_MAX - 1);
		return EXIT_USAGE;
	}
	if (check_module())
		return EXIT_FAIL;
	fd = open_device();
	if (fd < 0)
		return EXIT_FAIL;
	memset(&reg, 0, sizeof(reg));
	reg.size = sizeof(reg);
	reg.enable_size = sizeof(word);
	reg.enable_addr = (uintptr_t)&word;
	reg.flags = UEVT_REG_PERSIST;
	reg.name_args = (uintptr_t)desc;
	if (ioctl(fd, UEVT_IOC_REG, &reg)) {
		int e = errno;

		err("cannot create '%s': %s", desc,
		    e == EINVAL ? "invalid name or fields (see uevt(7) for the syntax)" :
		    e == EADDRINUSE ? "an event of that name exists with other fields" :
		    errno_advice(e));
		close(fd);
		return EXIT_FAIL;
	}
	memset(&unreg, 0, sizeof(unreg));
	unreg.size = sizeof(unreg);
	unreg.disable_addr = (uintptr_t)&word;
	ioctl(fd, UEVT_IOC_UNREG, &unreg);
	close(fd);
	printf("created %s:%s\n", uevt_system(), argv[1]);
	return EXIT_OK;
}

int cmd_delete(int argc, char **argv)
{
	int fd;

	if (wants_help(argc, argv) || argc != 2) {
		bool help = wants_help(argc, argv);

		fprintf(help ? stdout : stderr,
			"usage: uevtctl delete NAME\n"
			"Delete an event nobody uses (no registration, not enabled).\n");
		return help ? EXIT_OK : EXIT_USAGE;
	}
	if (check_module())
		return EXIT_FAIL;
	fd = open_device();
	if (fd < 0)
		return EXIT_FAIL;
	if (ioctl(fd, UEVT_IOC_DEL, argv[1])) {
		int e = errno;

		err("cannot delete '%s': %s", argv[1],
		    e == ENOENT ? "no such event (see 'uevtctl list')" : errno_advice(e));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	printf("deleted %s:%s\n", uevt_system(), argv[1]);
	return EXIT_OK;
}
