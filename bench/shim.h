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
/* @n children; each registers its own word (@forked == 0), or all inherit
 * the parent's registration of @event (@forked == 1). */
struct herd *herd_start(const struct backend *be, int fd, const char *event, int n, int forked);
/* Wait until every child's bit equals @on; ns waited or -errno. */
long long herd_wait(struct herd *h, int on, long long timeout_ns);
void herd_stop(struct herd *h);

/* A process holding @n registrations spread over @nevents other events. */
pid_t crowd_start(const struct backend *be, const char *prefix, int nevents, int n);
void crowd_stop(pid_t pid);

/* Registrations held by this process: @k bits of one event. */
struct holding;
struct holding *hold(const struct backend *be, int fd, const char *event, int k);
void release(struct holding *h);

int shim_fork_exit_wait(void);
long slab_bytes(void);		/* Slab: of /proc/meminfo, in bytes */
long long now_ns(void);

#ifdef __cplusplus
}
#endif
#endif
