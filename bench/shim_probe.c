// SPDX-License-Identifier: GPL-2.0
/*
 * Probe sites under test.  Every loop does the same work around its probe
 * (a counter and the loop branch), so the differences are the probes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <uevt.h>

#include "lttng_tp.h"
#include "shim.h"

UEVT_EVENT(bench_small, UEVT_U32(a), UEVT_U64(b));
UEVT_EVENT(bench_str, UEVT_U32(a), UEVT_STRING(s));

/* USDT: the kernel's uprobe machinery bumps this when the probe is used. */
__extension__ unsigned short uevt_bench_probe_semaphore
	__attribute__((unused, section(".probes")));

static volatile uint32_t floor_word;
static const char str64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";

/* Out of line like every emitter: the floor pays no more than a load. */
__attribute__((noinline)) static void floor_emit(uint32_t a, uint64_t b)
{
	__asm__ volatile("" : : "r"(a), "r"(b) : "memory");
}

void shim_floor_loop(size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (__builtin_expect(floor_word & 1, 0))
			floor_emit((uint32_t)i, i);
}

void shim_uevt_loop(size_t n)
{
	for (size_t i = 0; i < n; i++)
		UEVT_EMIT(bench_small, (uint32_t)i, i);
}

void shim_uevt_str_loop(size_t n)
{
	for (size_t i = 0; i < n; i++)
		UEVT_EMIT(bench_str, (uint32_t)i, str64);
}

void shim_lttng_loop(size_t n)
{
	for (size_t i = 0; i < n; i++)
		lttng_ust_tracepoint(uevt_bench, probe, (unsigned int)i, (unsigned long)i);
}

void shim_usdt_loop(size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (__builtin_expect(uevt_bench_probe_semaphore, 0))
			STAP_PROBE2(uevt_bench, probe, (uint32_t)i, i);
}

int shim_uevt_enabled(void)
{
	return UEVT_ENABLED(bench_small) && UEVT_ENABLED(bench_str);
}

/* The record bytes after the write index, as the SDK lays them out. */
static int payload_iov(enum payload p, struct iovec *iov, uint32_t *a, uint64_t *b,
		       uint32_t *loc)
{
	*a = 7;
	*b = 42;
	iov[0] = (struct iovec){ a, 4 };
	if (p == PAYLOAD_SMALL) {
		iov[1] = (struct iovec){ b, 8 };
		return 2;
	}
	*loc = (uint32_t)sizeof(str64) << 16;	/* right after the loc word */
	iov[1] = (struct iovec){ loc, 4 };
	iov[2] = (struct iovec){ (void *)str64, sizeof(str64) };
	return 3;
}

int shim_writev_record(int fd, int32_t write_index, enum payload p)
{
	struct iovec iov[4];
	uint32_t a, loc;
	uint64_t b;
	int n = payload_iov(p, iov + 1, &a, &b, &loc);

	iov[0] = (struct iovec){ &write_index, 4 };
	return writev(fd, iov, n + 1) < 0 ? -errno : 0;
}

int shim_write_bytes(int fd, enum payload p)
{
	char buf[128];
	size_t len = 4;
	struct iovec iov[3];
	uint32_t a, loc;
	uint64_t b;
	int n = payload_iov(p, iov, &a, &b, &loc), i;

	/* Flatten first, as a program writing a buffer would have it ready. */
	memset(buf, 0, 4);
	for (i = 0; i < n; i++) {
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return write(fd, buf, len) < 0 ? -errno : 0;
}

__attribute__((noinline)) void shim_uprobe_target(uint32_t a, uint64_t b)
{
	__asm__ volatile("" : : "r"(a), "r"(b) : "memory");
}

int shim_uprobe_spec(char *buf, size_t len)
{
	unsigned long addr = (unsigned long)&shim_uprobe_target, start, end, off;
	char line[512], path[400];
	FILE *maps = fopen("/proc/self/maps", "r");
	int ret = -ENOENT;

	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %399s", &start, &end, &off, path) != 4)
			continue;
		if (addr >= start && addr < end) {
			snprintf(buf, len, "%s:0x%lx", path, addr - start + off);
			ret = 0;
			break;
		}
	}
	fclose(maps);
	return ret;
}
