// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-side helpers for the benchmarks, identical for uevt and the
 * built-in user_events (same ABI): registration, enable files, herds of
 * processes whose bits are watched, crowds of unrelated registrations,
 * fork, and slab accounting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/uevt.h>

#include "shim.h"

const struct backend shim_uevt_backend = { "uevt", "/dev/uevt", "uevt" };
const struct backend shim_user_events_backend = {
	"user_events", "/sys/kernel/tracing/user_events_data", "user_events"
};

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int be_open(const struct backend *be)
{
	int fd = open(be->data, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int be_register(int fd, const char *desc, void *word, int bit, int32_t *index)
{
	struct uevt_reg reg = {
		.size = sizeof(reg), .enable_bit = (uint8_t)bit, .enable_size = 4,
		.enable_addr = (uintptr_t)word, .name_args = (uintptr_t)desc,
	};

	if (ioctl(fd, UEVT_IOC_REG, &reg) < 0)
		return -errno;
	if (index)
		*index = (int32_t)reg.write_index;
	return 0;
}

int be_unregister(int fd, void *word, int bit)
{
	struct uevt_unreg unreg = {
		.size = sizeof(unreg), .disable_bit = (uint8_t)bit,
		.disable_addr = (uintptr_t)word,
	};

	return ioctl(fd, UEVT_IOC_UNREG, &unreg) < 0 ? -errno : 0;
}

int be_enable_file(const struct backend *be, const char *event)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s/enable", be->system, event);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int be_set(int enable_fd, int on)
{
	return pwrite(enable_fd, on ? "1" : "0", 1, 0) == 1 ? 0 : -errno;
}

const char *be_desc(const char *name, enum payload p, char *buf, size_t len)
{
	snprintf(buf, len, "%s u32 a;%s", name, p == PAYLOAD_SMALL ? "u64 b" : "__rel_loc char[] s");
	return buf;
}

/* ---- herds: N processes whose enable words the parent watches ---- */

struct herd {
	int n;
	pid_t *pids;
	uintptr_t *words;	/* each child's word address (shared page) */
	uint32_t *shared;	/* HERD_SHARED: the children's words themselves */
	int release[2];		/* children block reading this pipe */
	uint32_t parent_word;	/* the registered word when forked */
	int parent_registered;	/* parent_word is registered: unregister it */
	int fd;
	enum herd_mode mode;
};

static uint32_t child_word;	/* private to each process after fork */

struct herd *herd_start(const struct backend *be, int fd, const char *event, int n,
			enum herd_mode mode)
{
	int forked = mode == HERD_FORKED;
	struct herd *h = calloc(1, sizeof(*h));
	int i, started = 0, ready[2] = { -1, -1 };
	char desc[128];

	if (!h)
		return NULL;
	/* Whatever fails below, herd_stop() undoes what was done. */
	h->release[0] = h->release[1] = -1;
	h->words = MAP_FAILED;
	h->shared = MAP_FAILED;
	h->fd = fd;
	h->mode = mode;
	h->pids = calloc((size_t)n, sizeof(*h->pids));
	if (!h->pids || pipe2(h->release, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		goto fail;
	h->n = n;
	h->words = mmap(NULL, (size_t)n * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h->shared = mmap(NULL, (size_t)n * sizeof(uint32_t), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h->words == MAP_FAILED || h->shared == MAP_FAILED)
		goto fail;
	be_desc(event, PAYLOAD_SMALL, desc, sizeof(desc));
	if (forked) {
		if (be_register(fd, desc, &h->parent_word, 0, NULL))
			goto fail;
		h->parent_registered = 1;
	}
	(void)be;
	for (i = 0; i < n; i++) {
		h->pids[i] = fork();
		if (h->pids[i] < 0)
			break;
		if (h->pids[i] == 0) {
			uint32_t *word = mode == HERD_SHARED ? &h->shared[i] : &child_word;
			char c;

			close(h->release[1]);
			close(ready[0]);
			if (!forked && be_register(fd, desc, word, 0, NULL))
				_exit(1);
			h->words[i] = forked ? (uintptr_t)&h->parent_word : (uintptr_t)word;
			(void)!write(ready[1], "r", 1);
			/* A child that fails closes its end by exiting: the parent's read ends. */
			close(ready[1]);
			(void)!read(h->release[0], &c, 1);	/* until herd_stop() */
			_exit(0);
		}
	}
	close(ready[1]);
	ready[1] = -1;
	for (started = 0; started < i; started++) {
		char c;

		if (read(ready[0], &c, 1) != 1)
			break;
	}
	if (started == n) {
		close(ready[0]);
		return h;
	}
fail:
	if (ready[0] >= 0)
		close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	herd_stop(h);
	return NULL;
}

long long herd_wait(struct herd *h, int on, long long timeout_ns)
{
	long long start = now_ns();
	int i = 0;

	while (i < h->n) {
		uint32_t v = 0;
		struct iovec local = { &v, 4 }, remote = { (void *)h->words[i], 4 };

		if (h->mode == HERD_SHARED)
			v = __atomic_load_n(&h->shared[i], __ATOMIC_RELAXED);
		else if (process_vm_readv(h->pids[i], &local, 1, &remote, 1, 0) != 4)
			return -errno;
		if ((v & 1) == (uint32_t)on) {
			i++;
			continue;
		}
		if (now_ns() - start > timeout_ns)
			return -ETIMEDOUT;
	}
	return now_ns() - start;
}

void herd_stop(struct herd *h)
{
	int i;

	if (!h)
		return;
	/* Children block reading the release pipe: closing it lets them exit. */
	if (h->release[1] >= 0)
		close(h->release[1]);
	for (i = 0; i < h->n; i++)
		if (h->pids[i] > 0)
			waitpid(h->pids[i], NULL, 0);
	if (h->release[0] >= 0)
		close(h->release[0]);
	if (h->parent_registered)
		be_unregister(h->fd, &h->parent_word, 0);
	if (h->words != MAP_FAILED)
		munmap(h->words, (size_t)h->n * sizeof(uintptr_t));
	if (h->shared != MAP_FAILED)
		munmap(h->shared, (size_t)h->n * sizeof(uint32_t));
	free(h->pids);
	free(h);
}

/* ---- crowds: many registrations of other events in another process ---- */

/*
 * Distinct events one file of a crowd holds: under uevt's default
 * max_events_per_file (1024).  Registrations of an event already in a file
 * go to that file again, so a crowd of few events keeps one file.
 */
#define CROWD_EVENTS_PER_FILE 1000

/* The child's part of crowd_start(): 0 once all @n are registered. */
static int crowd_register(const struct backend *be, const char *prefix, int nevents, int n)
{
	int *fds = calloc((size_t)nevents / CROWD_EVENTS_PER_FILE + 1, sizeof(int));
	uint32_t *words = calloc((size_t)n / 32 + 1, sizeof(uint32_t));
	char desc[128];
	int i, event;

	if (!fds || !words)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		event = i % nevents;
		if (i == event && event % CROWD_EVENTS_PER_FILE == 0) {
			fds[event / CROWD_EVENTS_PER_FILE] = be_open(be);
			if (fds[event / CROWD_EVENTS_PER_FILE] < 0)
				return fds[event / CROWD_EVENTS_PER_FILE];
		}
		snprintf(desc, sizeof(desc), "%s%d u32 a;u64 b", prefix, event);
		if (be_register(fds[event / CROWD_EVENTS_PER_FILE], desc, &words[i / 32], i % 32,
				NULL))
			return -EIO;
	}
	/* The process holds them until it is killed: nothing is freed. */
	return 0;
}

pid_t crowd_start(const struct backend *be, const char *prefix, int nevents, int n)
{
	int ready[2];
	pid_t pid;
	char c;

	if (nevents <= 0 || n < 0)
		return -EINVAL;
	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (crowd_register(be, prefix, nevents, n))
			_exit(1);
		(void)!write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	if (pid < 0) {
		int err = errno;

		close(ready[0]);
		close(ready[1]);
		return -err;
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	close(ready[0]);
	return pid;
}

void crowd_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* ---- registrations held by this process ---- */

struct holding {
	int fd, k;
	uint32_t *words;
};

struct holding *hold(const struct backend *be, int fd, const char *event, int k)
{
	struct holding *h = calloc(1, sizeof(*h));
	char desc[128];
	int i;

	(void)be;
	if (!h)
		return NULL;
	h->fd = fd;
	h->k = k;
	h->words = calloc((size_t)k / 32 + 1, sizeof(uint32_t));
	be_desc(event, PAYLOAD_SMALL, desc, sizeof(desc));
	for (i = 0; h->words && i < k; i++)
		if (be_register(fd, desc, &h->words[i / 32], i % 32, NULL)) {
			h->k = i;
			release(h);
			return NULL;
		}
	return h;
}

void release(struct holding *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < h->k; i++)
		be_unregister(h->fd, &h->words[i / 32], i % 32);
	free(h->words);
	free(h);
}

int shim_fork_exit_wait(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -errno;
	return 0;
}

/*
 * Kernel slab charged to this process's memory cgroup (uevt and the
 * built-in user_events both allocate with __GFP_ACCOUNT), read from its
 * memory.stat, which reading flushes; system-wide Slab: from /proc/meminfo
 * when the process is in no cgroup of its own (far noisier).
 */
long slab_bytes(void)
{
	char line[256], path[512], cg[256] = "";
	long bytes = -1, kb = -1;
	FILE *f = fopen("/proc/self/cgroup", "r");

	if (f && fgets(line, sizeof(line), f) && sscanf(line, "0::%255s", cg) == 1 &&
	    strcmp(cg, "/")) {
		fclose(f);
		snprintf(path, sizeof(path), "/sys/fs/cgroup%s/memory.stat", cg);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "slab %ld", &bytes) == 1)
				break;
		if (f)
			fclose(f);
		return bytes;
	}
	if (f)
		fclose(f);
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/*
 * slab_bytes() once it has stopped moving: memory.stat folds small updates
 * in only every 2 s (or past 64 pages per CPU), and objects the cases
 * before freed after a grace period (100,000 registrations' worth, for
 * some) land for a while after those cases end.  Two readings 2.5 s apart
 * within 64 KiB of each other, for at most 15 s; -1 if they never agree.
 */
long slab_bytes_settled(void)
{
	long prev = slab_bytes(), now;
	int i;

	for (i = 0; i < 6; i++) {
		usleep(2500000);
		now = slab_bytes();
		if (labs(now - prev) < 64 * 1024)
			return now;
		prev = now;
	}
	return -1;
}
