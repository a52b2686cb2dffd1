// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper, exec'ed by a process that registered an enable word at ADDR:
 *   uevt_canary ADDR   maps a zeroed page at ADDR, prints "ready", waits for
 *                      a line on stdin, exits 0 if the page is still all zero.
 * The old registrations died with the old mm: the new image must never be
 * written, even at the very address that was registered.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	unsigned long addr;
	unsigned char *page;
	char line[8];
	int i;

	if (argc != 2)
		return 2;
	addr = strtoul(argv[1], NULL, 0);
	page = mmap((void *)(addr & ~4095UL), 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page == MAP_FAILED)
		return 3;
	page[0] = 0;	/* present and writable, an easy target */
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 4;
	for (i = 0; i < 4096; i++)
		if (page[i])
			return 1;
	return 0;
}
