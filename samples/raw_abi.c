// SPDX-License-Identifier: MIT
/*
 * raw_abi: the uevt kernel ABI with no SDK, in the fewest honest lines.
 * Register an event and an enable bit, wait until someone enables the
 * event, write records while it stays on.
 *
 *   raw_abi [COUNT]    write COUNT records (default 10) once enabled
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/uevt.h>

/* The kernel sets bit 0 of this word while the event is enabled. */
static volatile uint32_t enabled;

int main(int argc, char **argv)
{
	int count = argc > 1 ? atoi(argv[1]) : 10, fd, i;
	struct uevt_reg reg = { .size = sizeof(reg) };
	uint32_t value;

	fd = open(UEVT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "raw_abi: %s: %s (is uevt.ko loaded?)\n", UEVT_DEVICE_PATH,
			strerror(errno));
		return 1;
	}
	reg.enable_bit = 0;
	reg.enable_size = sizeof(enabled);
	reg.enable_addr = (uintptr_t)&enabled;
	reg.name_args = (uintptr_t)"raw_abi u32 value";
	if (ioctl(fd, UEVT_IOC_REG, &reg) < 0) {
		perror("raw_abi: register");
		return 1;
	}
	printf("raw_abi: registered uevt:raw_abi, waiting for it to be enabled\n");
	fflush(stdout);

	for (i = 0; i < count;) {
		if (!(enabled & 1)) {	/* the whole cost of a disabled probe */
			usleep(10000);
			continue;
		}
		/* A record is the write index followed by the fields. */
		value = (uint32_t)i++;
		struct iovec iov[2] = {
			{ &reg.write_index, sizeof(reg.write_index) },
			{ &value, sizeof(value) },
		};
		if (writev(fd, iov, 2) < 0)
			perror("raw_abi: writev");
	}
	printf("raw_abi: wrote %d records\n", count);
	close(fd);
	return 0;
}
