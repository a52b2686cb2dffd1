// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper, run as a workload under perf/trace-cmd:
 *   uevt_emit COUNT   registers "t_emit u32 a; u32 b" and writes COUNT
 *                     records (i, 100 * i), i = 1..COUNT.
 * Exits 3 when the event was not enabled at registration: the tracer that
 * runs it must have attached first.
 *   uevt_emit COUNT MS   the same, but first waits up to MS milliseconds
 *                        for somebody to enable the event, showing the bit
 *                        (make demo uses this).
 */
#include "uevt_test.h"

int main(int argc, char **argv)
{
	struct {
		uint32_t a, b;
	} __attribute__((packed)) p;
	uint32_t word = 0, index = 0, i, count;
	int fd;

	if (argc != 2 && argc != 3)
		return 2;
	count = (uint32_t)strtoul(argv[1], NULL, 10);
	fd = uevt_dev_open();
	if (fd < 0 || uevt_reg(fd, "t_emit u32 a; u32 b", &word, 0, 4, 0, &index))
		return 1;
	if (argc == 3) {
		long ms = strtol(argv[2], NULL, 10);

		printf("uevt_emit: registered t_emit, enable word = %#x\n", word);
		fflush(stdout);
		while (!(*(volatile uint32_t *)&word & 1) && ms-- > 0)
			usleep(1000);
		printf("uevt_emit: enable word = %#x, writing %u records\n", word, count);
	}
	if (!(word & 1))
		return 3;
	for (i = 1; i <= count; i++) {
		p.a = i;
		p.b = 100 * i;
		if (uevt_write(fd, index, &p, sizeof(p)) != (ssize_t)(4 + sizeof(p)))
			return 1;
	}
	return 0;
}
