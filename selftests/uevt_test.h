/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the uevt selftests: the raw ABI, and tracefs through
 * libtracefs/libtraceevent.  Each test works in its own trace instance, so
 * tests never see each other's records.
 */
#ifndef _UEVT_TEST_H
#define _UEVT_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <regex.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/perf_event.h>

#include <event-parse.h>
#include <tracefs.h>

#include <linux/uevt.h>

#include "uevt_status.h"	/* tools/lib: the parser uevtctl uses too */

/*
 * The seeded generator of the stress and fuzz programs: splitmix64, small
 * and the same everywhere, so a printed seed replays a run.
 */
/*
 * A random test's seed: $UEVT_TEST_SEED to replay a run, else from the
 * clock and the pid.  The caller logs it.
 */
static inline uint64_t test_seed(void)
{
	const char *env = getenv("UEVT_TEST_SEED");

	if (env && *env)
		return strtoull(env, NULL, 10);
	return (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
}

static inline uint64_t test_rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline int uevt_dev_open(void)
{
	return open(UEVT_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* Register @desc with an enable bit; 0 or -errno.  *index gets the write index. */
static inline int uevt_reg(int fd, const char *desc, void *word, int bit, int size,
			   int flags, uint32_t *index)
{
	struct uevt_reg reg = {
		.size = sizeof(reg),
		.enable_bit = (uint8_t)bit,
		.enable_size = (uint8_t)size,
		.flags = (uint16_t)flags,
		.enable_addr = (uint64_t)(uintptr_t)word,
		.name_args = (uint64_t)(uintptr_t)desc,
	};

	if (ioctl(fd, UEVT_IOC_REG, &reg))
		return -errno;
	if (index)
		*index = reg.write_index;
	return 0;
}

static inline int uevt_unreg(int fd, void *word, int bit)
{
	struct uevt_unreg unreg = {
		.size = sizeof(unreg),
		.disable_bit = (uint8_t)bit,
		.disable_addr = (uint64_t)(uintptr_t)word,
	};

	return ioctl(fd, UEVT_IOC_UNREG, &unreg) ? -errno : 0;
}

static inline int uevt_del(int fd, const char *name)
{
	return ioctl(fd, UEVT_IOC_DEL, name) ? -errno : 0;
}

/* write() a record: index then payload; returns write()'s result or -errno. */
static inline ssize_t uevt_write(int fd, uint32_t index, const void *payload, size_t len)
{
	struct iovec iov[2] = {
		{ &index, sizeof(index) },
		{ (void *)payload, len },
	};
	ssize_t ret = writev(fd, iov, 2);

	return ret < 0 ? -errno : ret;
}

/*
 * Wait up to @ms for (*word & mask) == want.  Bits written by the kernel
 * from another context (a fault worker, a consumer detaching) land
 * asynchronously to the test.
 */
static inline int wait_bits(volatile uint32_t *word, uint32_t mask, uint32_t want, int ms)
{
	for (; ms > 0; ms -= 2) {
		if ((*word & mask) == want)
			return 0;
		usleep(2000);
	}
	return -1;
}

/* An enable word alone in a private anonymous page the test controls. */
static inline volatile uint32_t *private_word(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* This process's pagemap entry for @addr: PM_* bits, 0 if unreadable. */
static inline uint64_t pagemap_entry(const volatile void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / 4096 * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_EXCLUSIVE (1ULL << 56)	/* mapped by this process only */

/* Does events/<system>/<name> exist in tracefs? */
static inline int uevt_event_exists(const char *system, const char *name)
{
	return tracefs_event_file_exists(NULL, system, name, "id");
}

/* Write a tracefs file of @inst (NULL: top level); 0 or -errno. */
static inline int tfs_write(struct tracefs_instance *inst, const char *file, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (tracefs_instance_file_write(inst, file, buf) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* Read a tracefs file of @inst (NULL: top level); malloc'd, NUL-terminated. */
static inline char *tfs_read(struct tracefs_instance *inst, const char *file)
{
	return tracefs_instance_file_read(inst, file, NULL);
}

/*
 * Bytes of the tracing core's record header (struct trace_entry): 8, but
 * 12 on 6.1's PREEMPT_RT.  Field offsets and __data_loc words count from
 * the record's start, so payloads built by hand need it.  It is where the
 * first field of any event goes: sched_switch's prev_comm, say.
 */
static inline unsigned int record_header_size(void)
{
	char *fmt = tfs_read(NULL, "events/sched/sched_switch/format"), *p;
	unsigned int off = 0;

	for (p = fmt; p && (p = strstr(p, "field:")); p++)
		if (!strstr(p, "common_") || strstr(p, "common_") > strchr(p, ';')) {
			p = strstr(p, "offset:");
			off = p ? (unsigned int)strtoul(p + 7, NULL, 10) : 0;
			break;
		}
	free(fmt);
	return off;
}

/* A fresh instance named after the test and pid. */
static inline struct tracefs_instance *test_instance(const char *tag)
{
	char name[64];
	struct tracefs_instance *inst;

	snprintf(name, sizeof(name), "uevt_%s_%d", tag, getpid());
	inst = tracefs_instance_create(name);
	return inst;
}

static inline void test_instance_destroy(struct tracefs_instance *inst)
{
	if (!inst)
		return;
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
}

/* Records read back from an instance's buffer, decoded with libtraceevent. */
struct records {
	struct tep_handle *tep;
	const char *event;	/* name to collect */
	int count;
	char text[8][512];	/* "field=value ..." of the first 8, via tep_print */
	int pids[8];
};

static inline int collect_one(struct tep_event *event, struct tep_record *record,
			      int cpu, void *ctx)
{
	struct records *r = ctx;
	struct trace_seq s;

	(void)cpu;
	if (strcmp(event->name, r->event))
		return 0;
	if (r->count < 8) {
		trace_seq_init(&s);
		tep_print_event(event->tep, &s, record, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(&s);
		snprintf(r->text[r->count], sizeof(r->text[0]), "%s", s.buffer);
		r->pids[r->count] = tep_data_pid(event->tep, record);
		trace_seq_destroy(&s);
	}
	r->count++;
	return 0;
}

/* Read every record of @event (in system @system) from @inst's buffer. */
static inline int collect(struct tracefs_instance *inst, const char *system,
			  const char *event, struct records *r)
{
	const char *systems[] = { system, NULL };
	int ret;

	memset(r, 0, sizeof(*r));
	r->event = event;
	r->tep = tracefs_local_events_system(NULL, systems);
	if (!r->tep)
		return -ENOENT;
	ret = tracefs_iterate_raw_events(r->tep, inst, NULL, 0, collect_one, r);
	tep_free(r->tep);
	r->tep = NULL;
	return ret;
}

/* Write a string to a file (sysfs parameters); 0 or -errno. */
static inline int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The module's reference count: open files, and every address space's
 * state, queued work and attach request the module keeps.  -1 unread.
 */
static inline long module_refs(void)
{
	FILE *f = fopen("/sys/module/uevt/refcnt", "re");
	long refs = -1;

	if (f) {
		if (fscanf(f, "%ld", &refs) != 1)
			refs = -1;
		fclose(f);
	}
	return refs;
}

/*
 * The count once it held still for five reads 200 ms apart (what earlier
 * tests queued to free has run), or after 20 s, whichever comes first.
 */
static inline long module_refs_stable(void)
{
	long refs = module_refs(), last = -2;
	int same = 0, tries;

	for (tries = 0; tries < 100 && same < 5; tries++) {
		usleep(200000);
		last = refs;
		refs = module_refs();
		same = refs == last ? same + 1 : 0;
	}
	return refs;
}

/*
 * Wait up to @ms for the count to come back to @want (frees are queued
 * and run after a grace period); the count last read.
 */
static inline long module_refs_settle(long want, int ms)
{
	long refs = module_refs();

	for (; refs != want && ms > 0; ms -= 20) {
		usleep(20000);
		refs = module_refs();
	}
	return refs;
}

/*
 * The module's full listing (/proc/uevt), parsed by tools/lib/uevt_status.c:
 * a snapshot, or one line of it kept together with its snapshot.
 */
static inline struct uevt_status *status_snapshot(void)
{
	struct uevt_status *st = calloc(1, sizeof(*st));

	if (st && uevt_status_read(UEVT_PROC_STATUS_PATH, st)) {
		free(st);
		st = NULL;
	}
	return st;
}

static inline void status_put(struct uevt_status *st)
{
	if (st)
		uevt_status_free(st);
	free(st);
}

struct status_line {
	struct uevt_status *all;
	const struct uevt_status_line *line;
	char text[1024];	/* the line again, for test logs */
};

/* The line of @kind whose pairs include every (key, value) of @kv (NULL-ended). */
static inline struct status_line *status_find(const char *kind, const char *const *kv)
{
	struct status_line *sl = calloc(1, sizeof(*sl));
	const struct uevt_status_line *l = NULL;
	size_t i, at;

	if (!sl || !(sl->all = status_snapshot())) {
		free(sl);
		return NULL;
	}
	while ((l = uevt_status_next(sl->all, l, kind, kv[0], kv[1]))) {
		for (i = 2; kv[i] && kv[i + 1]; i += 2) {
			const char *v = uevt_status_get(l, kv[i]);

			if (!v || strcmp(v, kv[i + 1]))
				break;
		}
		if (!kv[i])
			break;
	}
	if (!l) {
		status_put(sl->all);
		free(sl);
		return NULL;
	}
	sl->line = l;
	at = (size_t)snprintf(sl->text, sizeof(sl->text), "%s", l->kind);
	for (i = 0; i < l->npairs && at < sizeof(sl->text); i++)
		at += (size_t)snprintf(sl->text + at, sizeof(sl->text) - at, " %s %s",
				       l->pairs[i].key, l->pairs[i].value);
	return sl;
}

static inline void status_line_free(struct status_line *sl)
{
	if (sl)
		status_put(sl->all);
	free(sl);
}

/* For logs: the line, or "(none)". */
static inline const char *status_text(const struct status_line *sl)
{
	return sl ? sl->text : "(none)";
}

/* The line of one event ("event name SYSTEM:NAME ..."), or NULL. */
static inline struct status_line *status_line(const char *system, const char *name)
{
	char qualified[256];
	const char *kv[] = { "name", qualified, NULL, NULL };

	snprintf(qualified, sizeof(qualified), "%s:%s", system, name);
	return status_find("event", kv);
}

/* The line of process @tgid's enable bit (@addr, @bit), or NULL. */
static inline struct status_line *enabler_line_of(pid_t tgid, const volatile void *addr, int bit)
{
	char pid[16], where[32], b[16];
	const char *kv[] = { "tgid", pid, "addr", where, "bit", b, NULL, NULL };

	snprintf(pid, sizeof(pid), "%d", tgid);
	snprintf(where, sizeof(where), "%p", (const void *)addr);
	snprintf(b, sizeof(b), "%d", bit);
	return status_find("enabler", kv);
}

/* This process's enable bit (@addr, @bit), or NULL. */
static inline struct status_line *enabler_line(const volatile void *addr, int bit)
{
	return enabler_line_of(getpid(), addr, bit);
}

/* Integer value of @key on @sl, or -1. */
static inline long status_value(const struct status_line *sl, const char *key)
{
	return sl ? (long)uevt_status_num(sl->line, key, -1) : -1;
}

/* String value of @key on @sl, or "". */
static inline const char *status_str(const struct status_line *sl, const char *key)
{
	const char *v = sl ? uevt_status_get(sl->line, key) : NULL;

	return v ? v : "";
}

/* A counter of the listing, e.g. ("forks", "lost"); -1 if none. */
static inline long status_counter(const char *kind, const char *key)
{
	struct uevt_status *st = status_snapshot();
	long v = st ? (long)uevt_status_num(uevt_status_next(st, NULL, kind, NULL, NULL),
					  key, -1) : -1;

	status_put(st);
	return v;
}

/* Is any uevt_ctl event enabled, as set_event lists them? */
static inline int ctl_event_enabled(void)
{
	char *set = tfs_read(NULL, "set_event");
	int found;

	if (!set)	/* libtracefs reads an empty file as NULL */
		return tracefs_file_exists(NULL, "set_event") ? 0 : -1;
	found = strstr(set, "uevt_ctl:") != NULL;
	free(set);
	return found;
}

/* Lines of @kind whose @key starts with @prefix, or -1. */
static inline int status_count(const char *kind, const char *key, const char *prefix)
{
	struct uevt_status *st = status_snapshot();
	const struct uevt_status_line *l = NULL;
	int n = 0;

	if (!st)
		return -1;
	while ((l = uevt_status_next(st, l, kind, NULL, NULL))) {
		const char *v = uevt_status_get(l, key);

		if (v && !strncmp(v, prefix, strlen(prefix)))
			n++;
	}
	status_put(st);
	return n;
}

/* The enable bits the listing has for process @tgid, or -1. */
static inline int status_enablers_of(pid_t tgid)
{
	char pid[16];
	struct uevt_status *st = status_snapshot();
	const struct uevt_status_line *l = NULL;
	int n = 0;

	if (!st)
		return -1;
	snprintf(pid, sizeof(pid), "%d", tgid);
	while ((l = uevt_status_next(st, l, "enabler", "tgid", pid)))
		n++;
	status_put(st);
	return n;
}

/*
 * Kernel splats caused by a test, seen by the test itself: write a unique
 * mark into the kernel log, and later look for any splat pattern (the list
 * run-in-vm.sh and the host scan share, installed next to the tests) in
 * what was logged after it.  A test that triggers a KASAN report, a lockdep
 * splat or a WARNING fails on its own, not only in the final log scan.
 */
#define SPLAT_PATTERNS "/opt/uevt/selftests/splat-patterns"

static inline void kmsg_mark(char *mark, size_t len)
{
	static int seq;
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	snprintf(mark, len, "uevt-test-mark %d.%d", getpid(), ++seq);
	if (fd >= 0) {
		(void)!write(fd, mark, strlen(mark));
		close(fd);
	}
}

/* The first splat line logged after @mark, malloc'd; NULL when none. */
static inline char *kmsg_splat_since(const char *mark)
{
	char *log = NULL, *p, *line, *found = NULL, pat[256], re_text[8192] = "";
	FILE *f = fopen(SPLAT_PATTERNS, "r");
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	regex_t re;

	if (!f || size <= 0)
		goto out;
	while (fgets(pat, sizeof(pat), f)) {
		pat[strcspn(pat, "\n")] = '\0';
		if (!*pat)
			continue;
		if (*re_text)
			strncat(re_text, "|", sizeof(re_text) - strlen(re_text) - 1);
		strncat(re_text, pat, sizeof(re_text) - strlen(re_text) - 1);
	}
	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB))
		goto out;
	log = calloc(1, (size_t)size + 1);
	if (log && klogctl(3, log, size) > 0) {	/* SYSLOG_ACTION_READ_ALL */
		p = strstr(log, mark);
		for (line = p ? strchr(p, '\n') : NULL; line && !found; line = strchr(line, '\n')) {
			char *eol = strchr(++line, '\n');

			if (eol)
				*eol = '\0';
			if (!regexec(&re, line, 0, NULL, 0))
				found = strdup(line);
			if (eol)
				*eol = '\n';
		}
	}
	regfree(&re);
out:
	if (f)
		fclose(f);
	free(log);
	return found;
}

/*
 * A perf counter on tracepoint @system:@name, every hit sampled, for all
 * processes on CPU 0 (the tracepoint's reg() sees one perf user): its fd,
 * or -1.
 */
static inline int perf_tracepoint_open(const char *system, const char *name)
{
	struct perf_event_attr attr;
	char file[256], *id;

	snprintf(file, sizeof(file), "events/%s/%s/id", system, name);
	id = tfs_read(NULL, file);
	if (!id)
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = strtoull(id, NULL, 10);
	attr.sample_period = 1;
	free(id);
	return (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Fork a child that drops to nobody and calls @fn(@arg); its exit status. */
static inline int call_as_nobody(int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(125);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* _UEVT_TEST_H */
