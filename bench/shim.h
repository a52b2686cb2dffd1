/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C code under test, called from the Google Benchmark driver.  Probe
 * loops run @n probe sites each so the call into the shim is amortised the
 * same way for every variant; kernel-side helpers return 0 or -errno.
 */
#ifndef UEVT_BENCH_SHIM_H
#define UEVT_BENCH_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Probe sites, disabled or enabled depending on the state outside. */
void shim_floor_loop(size_t n);		/* volatile load + branch */
void shim_uevt_loop(size_t n);		/* UEVT_EMIT(bench_small, ...) */
void shim_uevt_str_loop(size_t n);	/* UEVT_EMIT(bench_str, ...) */
void shim_lttng_loop(size_t n);		/* lttng_ust_tracepoint() */
void shim_usdt_loop(size_t n);		/* semaphore-guarded USDT probe */
int shim_uevt_enabled(void);

/* Enabled emits through a raw fd: the same bytes for every peer. */
enum payload { PAYLOAD_SMALL, PAYLOAD_STRING };
int shim_writev_record(int fd, int32_t write_index, enum payload p);
int shim_write_bytes(int fd, enum payload p);	/* the syscall floor */
void shim_uprobe_target(uint32_t a, uint64_t b);	/* a uprobe hits here */
int shim_uprobe_spec(char *buf, size_t len);	/* "PATH:0xOFFSET" of the target */

/* Backends with the user_events ABI. */
struct backend {
	const char *name;	/* "uevt" or "user_events" */
	const char *data;	/* /dev/uevt or tracefs user_events_data */
	const char *system;	/* tracefs system of its events */
};
extern const struct backend shim_uevt_backend, shim_user_events_backend;

int be_open(const struct backend *be);
int be_register(int fd, const char *desc, void *word, int bit, int32_t *index);
int be_unregister(int fd, void *word, int bit);
int be_enable_file(const struct backend *be, const char *event);	/* O_WRONLY fd */
int be_set(int enable_fd, int on);	/* write "1" or "0" */
const char *be_desc(const char *name, enum payload p, char *buf, size_t len);

/* Processes holding registrations, for propagation, isolation, memory. */
struct herd;
/* @n children; each registers its own word (HERD_OWN), or all inherit the
 * parent's registration of @event (HERD_FORKED), or each registers a word
 * of a shared page the parent reads directly, without a system call per
 * child (HERD_SHARED). */
enum herd_mode { HERD_OWN, HERD_FORKED, HERD_SHARED };
struct herd *herd_start(const struct backend *be, int fd, const char *event, int n,
			enum herd_mode mode);
/* Wait until every child's bit equals @on; ns waited or -errno. */
long long herd_wait(struct herd *h, int on, long long timeout_ns);
void herd_stop(struct herd *h);

/*
 * When the tracing core last finished registering a probe on a tracepoint
 * for this process (kretprobe on tracepoint_probe_register, in a tracefs
 * instance of its own with the mono clock, which CLOCK_MONOTONIC shares):
 * where an enable stops being the tracing core's work, the same for every
 * backend, and becomes the backend's own.
 */
struct tp_clock;
struct tp_clock *tp_clock_open(void);	/* NULL when kprobe events are missing */
void tp_clock_reset(struct tp_clock *c);
long long tp_clock_last(struct tp_clock *c);	/* ns, CLOCK_MONOTONIC; -1: none */
void tp_clock_close(struct tp_clock *c);

/* A process holding @n registrations spread over @nevents other events. */
pid_t crowd_start(const struct backend *be, const char *prefix, int nevents, int n);
void crowd_stop(pid_t pid);

/* Registrations held by this process: @k bits of one event. */
struct holding;
struct holding *hold(const struct backend *be, int fd, const char *event, int k);
void release(struct holding *h);

int shim_fork_exit_wait(void);
long slab_bytes(void);		/* Slab: of /proc/meminfo, in bytes */
long slab_bytes_settled(void);	/* the same once it stops moving; -1 if never */
long long now_ns(void);

#ifdef __cplusplus
}
#endif
#endif
