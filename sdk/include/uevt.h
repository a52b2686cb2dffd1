/* SPDX-License-Identifier: MIT */
/*
 * <uevt.h> - instrument C and C++ programs with uevt tracepoints.
 *
 * Declare an event once, at file scope:
 *
 *	UEVT_EVENT(request_done, UEVT_U32(status), UEVT_U64(latency_ns),
 *		   UEVT_STRING(path));
 *
 * and emit it where it happens:
 *
 *	UEVT_EMIT(request_done, 200, ns, path);
 *
 * From the one declaration the header derives the kernel's description
 * ("request_done u32 status;u64 latency_ns;__rel_loc char[] path"), an
 * enable word, and a type-checked emitter, so the format and the payload
 * cannot disagree.  While the event is disabled UEVT_EMIT is one load, one
 * test and one not-taken branch: no call, no lock, no allocation, and its
 * arguments are not evaluated.  While enabled it issues one writev() built
 * on the stack.
 *
 * Events register themselves when the program or shared library that
 * declares them is loaded (a constructor walks the "uevt_events" linker
 * section of that object) and unregister when it is unloaded, so dlclose()
 * leaves nothing in the kernel pointing at unmapped memory.  Static
 * binaries work the same way.  Define UEVT_NO_AUTO_REGISTER before
 * including this header (in every file of the object) to register them
 * yourself with UEVT_REGISTER_EVENTS() and UEVT_UNREGISTER_EVENTS().
 *
 * Backends, in order: /dev/uevt (uevt.ko), then the kernel's built-in
 * user_events (tracefs user_events_data, the same ABI).  With neither every
 * probe stays disabled and the program runs normally; uevt_backend() and
 * uevt_backend_reason() say which one is active and why.  The library
 * never prints and never aborts.
 *
 * fork(): the child needs to do nothing.  The kernel keeps the enable words
 * of the parent's registrations up to date in the child's copy of memory
 * too, and the child shares the parent's file descriptor, so its records
 * arrive with its own pid.  The descriptor is close-on-exec: after exec()
 * the new program registers its own events.
 *
 * Field kinds:
 *	UEVT_U8 .. UEVT_U64, UEVT_S8 .. UEVT_S64   integers, passed by value
 *	UEVT_BOOL(name)            bool, recorded as u8
 *	UEVT_PTR(name)             const void *, recorded as u64
 *	UEVT_CHARS(name, N)        char[N]; pass a pointer to N bytes.  N must
 *	                           be an integer literal (it is spelled into the
 *	                           description).
 *	UEVT_STRING(name)          NUL-terminated string (NULL records ""),
 *	                           truncated to UEVT_STRING_MAX bytes
 *	UEVT_BLOB(name)            bytes with a length: takes two arguments,
 *	                           (const void *, size_t), at most
 *	                           UEVT_BLOB_MAX bytes are recorded
 * An event has 1 to 16 fields.  A record larger than the kernel accepts
 * (4000 bytes for uevt.ko) is dropped and counted in uevt_event_dropped().
 *
 * Header-shared events: UEVT_EVENT defines a per-file (static) event, so
 * putting it in a header gives every file its own enable word and its own
 * registration of the same event.  To have one, put
 * UEVT_EVENT_DECLARE(name, fields...) in the header and
 * UEVT_EVENT_DEFINE(name) in exactly one source file.
 *
 * ABI: libuevt.so.1 exports exactly the functions declared UEVT_API below,
 * each with symbol version LIBUEVT_1.0.  The ones named __uevt_* are
 * exported only because the macros expand to calls to them: they are not
 * for direct use and may change with the macros.
 */
#ifndef UEVT_H
#define UEVT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Marks what libuevt exports: the library is built with
 * -fvisibility=hidden, so anything without it stays internal.
 */
#ifndef UEVT_API
#define UEVT_API __attribute__((visibility("default")))
#endif

/* -------------------------------------------------------------------- */
/* The low-level API: for those who build their own layer.              */
/* -------------------------------------------------------------------- */

/** Longest string (bytes before the NUL) a UEVT_STRING field records. */
#define UEVT_STRING_MAX 1024
/** Most bytes a UEVT_BLOB field records. */
#define UEVT_BLOB_MAX 2048

/** Which kernel interface the SDK talks to. */
enum uevt_backend {
	UEVT_BACKEND_NONE = 0,		/* none usable: every probe stays off */
	UEVT_BACKEND_UEVT = 1,		/* /dev/uevt (uevt.ko) */
	UEVT_BACKEND_USER_EVENTS = 2,	/* tracefs user_events_data (built in) */
};

/**
 * uevt_open() - open the best available backend, close-on-exec.
 * @backend: if not NULL, receives the backend opened.
 *
 * Return: a file descriptor, or -errno of the last backend tried.
 */
UEVT_API int uevt_open(enum uevt_backend *backend);

/**
 * uevt_register() - register an event and an enable bit on @fd.
 * @fd: from uevt_open().
 * @desc: "name type field;type field...", as in the kernel's user_events.
 * @word: 4-byte aligned enable word in writable memory; the kernel keeps
 *	bit @bit equal to the event's state and never touches other bits.
 * @bit: 0..31.
 * @write_index: receives the index to pass to uevt_writev().
 *
 * Return: 0, or -errno (the kernel's: EINVAL bad description, EADDRINUSE
 * the bit is already registered, EFAULT word not writable, ...).
 */
UEVT_API int uevt_register(int fd, const char *desc, uint32_t *word,
			   unsigned int bit, int32_t *write_index);

/**
 * uevt_unregister() - remove the registration of (@word, @bit) on @fd;
 * the kernel clears the bit.  Return: 0 or -errno (ENOENT: not registered).
 */
UEVT_API int uevt_unregister(int fd, uint32_t *word, unsigned int bit);

/**
 * uevt_writev() - write one record: @write_index followed by @iov.
 * Return: bytes written including the index, or -errno.
 */
UEVT_API ssize_t uevt_writev(int fd, int32_t write_index,
			     const struct iovec *iov, int iovcnt);

/**
 * uevt_delete() - delete the event @name (no registration may remain).
 * Return: 0 or -errno (EBUSY: still in use, ENOENT: no such event).
 */
UEVT_API int uevt_delete(int fd, const char *name);

/* -------------------------------------------------------------------- */
/* The process-wide layer the macros use.                               */
/* -------------------------------------------------------------------- */

/**
 * struct uevt_event - one declared event; defined by the macros.
 * @size: sizeof(struct uevt_event) in the <uevt.h> the event was compiled
 *	with; the macros fill it in.
 * @enabled: the enable word; bit 0 is written by the kernel.
 * @write_index: -1 until registered.
 * @error: 0, or the errno of the last failed registration.
 * @desc: the description string.
 * @dropped: records the kernel refused (or that could not be written).
 * @registered: library-private bookkeeping.
 *
 * The structure is defined in the program (by the macros, from the header
 * it was compiled with) and used by libuevt.so.1, which may have been
 * built from an older or a newer header.  So it carries its size, and it
 * only ever grows at the end, never reordering or resizing a field:
 *
 *  - Newer header, older library (@size larger than the library knows):
 *    accepted.  The library uses only the fields it knows, which are at
 *    the offsets it knows; the others keep the values the macros gave
 *    them.  So a field added later must mean "behave as before" in its
 *    initial value (0, typically).
 *  - Older header, newer library (@size smaller than the library's): a
 *    field past @size is never read or written; the library behaves as
 *    it did before that field existed.
 *  - @size below UEVT_EVENT_SIZE_VER0, this layout, the first to have
 *    @size: not an event the library can use.  Registration refuses it
 *    with EINVAL and nothing past @size is read or written.  This is also
 *    what a structure from a header older than @size looks like, as its
 *    first word was the enable word and is 0 until registration.
 *
 * The "uevt_events" section holds pointers to the events, not the events,
 * so its layout does not change when the structure grows.
 */
struct uevt_event {
	uint32_t size;
	uint32_t enabled;
	int32_t write_index;
	int error;
	const char *desc;
	uint32_t dropped;
	uint32_t registered;
};

/** The size of the first (and current) layout: the least accepted. */
#define UEVT_EVENT_SIZE_VER0 \
	(offsetof(struct uevt_event, registered) + sizeof(uint32_t))

/**
 * uevt_init() - open the backend and register every event loaded so far.
 * Called implicitly by the first registration.  Does nothing once done
 * since the start or the last uevt_fini(), even if it found no backend.
 * Return: the backend now active.
 */
UEVT_API enum uevt_backend uevt_init(void);

/**
 * uevt_init_fd() - like uevt_init(), on a descriptor the caller opened
 * (for example received from a privileged helper over a unix socket).
 * The library takes ownership of @fd.  Return: 0, or -EBUSY if a backend
 * is already open.
 */
UEVT_API int uevt_init_fd(int fd, enum uevt_backend backend);

/**
 * uevt_fini() - unregister every event and close the backend.  Must not
 * run while other threads emit.  uevt_init() opens it again.
 */
UEVT_API void uevt_fini(void);

/** uevt_backend() - the backend in use (UEVT_BACKEND_NONE before init). */
UEVT_API enum uevt_backend uevt_backend(void);

/**
 * uevt_backend_reason() - why this backend: a sentence for logs, such as
 * "/dev/uevt: No such file or directory (is uevt.ko loaded?); ...".
 * The pointer stays valid; the sentence changes when the backend is next
 * opened or closed.
 */
UEVT_API const char *uevt_backend_reason(void);

/**
 * uevt_event_dropped() - records of @ev that were not written (0 for an
 * event smaller than UEVT_EVENT_SIZE_VER0).
 */
UEVT_API uint32_t uevt_event_dropped(const struct uevt_event *ev);

/*
 * Exported for the macros only; not for direct use (they change with the
 * macros, and UEVT_REGISTER_EVENTS() is the way to name a section).
 */

/**
 * __uevt_register_section() - register the events between @start and
 * @stop (the "uevt_events" section of one loaded object).  Idempotent.
 * Return: 0; -EINVAL when an event smaller than UEVT_EVENT_SIZE_VER0 was
 * refused (the others are registered); -ENOMEM when the section could not
 * be recorded (its events stay disabled).
 */
UEVT_API int __uevt_register_section(struct uevt_event **start,
				     struct uevt_event **stop);

/** __uevt_unregister_section() - the reverse, before the object unloads. */
UEVT_API void __uevt_unregister_section(struct uevt_event **start,
					struct uevt_event **stop);

/** __uevt_emit_iov() - used by the emitters: @iov[0] is filled in here. */
UEVT_API void __uevt_emit_iov(struct uevt_event *ev, struct iovec *iov, int iovcnt);

/* -------------------------------------------------------------------- */
/* The macros.                                                          */
/* -------------------------------------------------------------------- */

#define UEVT_ENABLE_BIT 0

#if defined(__GNUC__) || defined(__clang__)
#define UEVT__UNLIKELY(x) __builtin_expect(!!(x), 0)
#define UEVT__LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#else
#error "<uevt.h> needs GCC or Clang"
#endif

#if defined(__has_attribute)
#if __has_attribute(retain)
#define UEVT__RETAIN __attribute__((retain))
#endif
#endif
#ifndef UEVT__RETAIN
#define UEVT__RETAIN
#endif

#ifdef __cplusplus
#define UEVT__STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define UEVT__STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

/** UEVT_ENABLED(name) - true while the event is enabled by anyone. */
#define UEVT_ENABLED(name) \
	UEVT__UNLIKELY(UEVT__LOAD(&uevt__ev_##name.enabled) & (1U << UEVT_ENABLE_BIT))

/** UEVT_EMIT(name, args...) - emit if enabled; args are evaluated only then. */
#define UEVT_EMIT(name, ...) \
	do { \
		if (UEVT_ENABLED(name)) \
			uevt__emit_##name(__VA_ARGS__); \
	} while (0)

/* Field kinds: (KIND, name, extra). */
#define UEVT_U8(n)		(UEVTK_U8, n, 0)
#define UEVT_U16(n)		(UEVTK_U16, n, 0)
#define UEVT_U32(n)		(UEVTK_U32, n, 0)
#define UEVT_U64(n)		(UEVTK_U64, n, 0)
#define UEVT_S8(n)		(UEVTK_S8, n, 0)
#define UEVT_S16(n)		(UEVTK_S16, n, 0)
#define UEVT_S32(n)		(UEVTK_S32, n, 0)
#define UEVT_S64(n)		(UEVTK_S64, n, 0)
#define UEVT_BOOL(n)		(UEVTK_BOOL, n, 0)
#define UEVT_PTR(n)		(UEVTK_PTR, n, 0)
#define UEVT_CHARS(n, len)	(UEVTK_CHARS, n, len)
#define UEVT_STRING(n)		(UEVTK_STRING, n, 0)
#define UEVT_BLOB(n)		(UEVTK_BLOB, n, 0)

/* Per kind: description, parameters, locals, fixed size, iovec fill. */
#define UEVT__SEP_N ";"
#define UEVT__SEP_L ""
#define UEVT__COMMA_N ,
#define UEVT__COMMA_L

#define UEVT__SCALAR_DESC(t, n, l) t " " #n UEVT__SEP_##l
#define UEVT__DESC_UEVTK_U8(n, x, l)	UEVT__SCALAR_DESC("u8", n, l)
#define UEVT__DESC_UEVTK_U16(n, x, l)	UEVT__SCALAR_DESC("u16", n, l)
#define UEVT__DESC_UEVTK_U32(n, x, l)	UEVT__SCALAR_DESC("u32", n, l)
#define UEVT__DESC_UEVTK_U64(n, x, l)	UEVT__SCALAR_DESC("u64", n, l)
#define UEVT__DESC_UEVTK_S8(n, x, l)	UEVT__SCALAR_DESC("s8", n, l)
#define UEVT__DESC_UEVTK_S16(n, x, l)	UEVT__SCALAR_DESC("s16", n, l)
#define UEVT__DESC_UEVTK_S32(n, x, l)	UEVT__SCALAR_DESC("s32", n, l)
#define UEVT__DESC_UEVTK_S64(n, x, l)	UEVT__SCALAR_DESC("s64", n, l)
/* The built-in user_events knows no "bool": u8 works on both backends. */
#define UEVT__DESC_UEVTK_BOOL(n, x, l)	UEVT__SCALAR_DESC("u8", n, l)
#define UEVT__DESC_UEVTK_PTR(n, x, l)	UEVT__SCALAR_DESC("u64", n, l)
#define UEVT__DESC_UEVTK_CHARS(n, x, l)	"char[" #x "] " #n UEVT__SEP_##l
#define UEVT__DESC_UEVTK_STRING(n, x, l) "__rel_loc char[] " #n UEVT__SEP_##l
#define UEVT__DESC_UEVTK_BLOB(n, x, l)	"__rel_loc u8[] " #n UEVT__SEP_##l

#define UEVT__PARAM_UEVTK_U8(n, x, l)	uint8_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_U16(n, x, l)	uint16_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_U32(n, x, l)	uint32_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_U64(n, x, l)	uint64_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_S8(n, x, l)	int8_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_S16(n, x, l)	int16_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_S32(n, x, l)	int32_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_S64(n, x, l)	int64_t n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_BOOL(n, x, l)	bool n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_PTR(n, x, l)	const void *n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_CHARS(n, x, l) const char *n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_STRING(n, x, l) const char *n UEVT__COMMA_##l
#define UEVT__PARAM_UEVTK_BLOB(n, x, l)	const void *n, size_t n##_len UEVT__COMMA_##l

/* Bytes each kind takes in the fixed part of the record. */
#define UEVT__SIZE_UEVTK_U8(n, x, l)	+ 1
#define UEVT__SIZE_UEVTK_U16(n, x, l)	+ 2
#define UEVT__SIZE_UEVTK_U32(n, x, l)	+ 4
#define UEVT__SIZE_UEVTK_U64(n, x, l)	+ 8
#define UEVT__SIZE_UEVTK_S8(n, x, l)	+ 1
#define UEVT__SIZE_UEVTK_S16(n, x, l)	+ 2
#define UEVT__SIZE_UEVTK_S32(n, x, l)	+ 4
#define UEVT__SIZE_UEVTK_S64(n, x, l)	+ 8
#define UEVT__SIZE_UEVTK_BOOL(n, x, l)	+ 1
#define UEVT__SIZE_UEVTK_PTR(n, x, l)	+ 8
#define UEVT__SIZE_UEVTK_CHARS(n, x, l)	+ (x)
#define UEVT__SIZE_UEVTK_STRING(n, x, l) + 4
#define UEVT__SIZE_UEVTK_BLOB(n, x, l)	+ 4

/*
 * Filling the iovec: fixed parts go to slots 1..nfields in order, variable
 * parts after them (uevt__v).  A __rel_loc word holds the length in its
 * high 16 bits and, in the low 16, the distance from the end of the word
 * to the data: the fixed bytes still to come plus the variable bytes
 * already placed.
 */
#define UEVT__FIX(ptr, len) \
	(uevt__iov[uevt__f].iov_base = (void *)(ptr), \
	 uevt__iov[uevt__f].iov_len = (len), uevt__f++, uevt__pos += (len))
#define UEVT__VAR(ptr, len) \
	(uevt__iov[uevt__v].iov_base = (void *)(ptr), \
	 uevt__iov[uevt__v].iov_len = (len), uevt__v++, uevt__dyn += (len))
#define UEVT__LOC(n, len) \
	(uevt__loc_##n = (uint32_t)((len) << 16 | \
		(uevt__fixed - uevt__pos - 4 + uevt__dyn)), \
	 UEVT__FIX(&uevt__loc_##n, 4))

#define UEVT__FILL_SCALAR(n) UEVT__FIX(&n, sizeof(n));
#define UEVT__FILL_UEVTK_U8(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_U16(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_U32(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_U64(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_S8(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_S16(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_S32(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_S64(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_BOOL(n, x, l)	UEVT__FILL_SCALAR(n)
#define UEVT__FILL_UEVTK_PTR(n, x, l) \
	{ uint64_t *uevt__p = &uevt__ptr_##n; \
	  *uevt__p = (uint64_t)(uintptr_t)n; UEVT__FIX(uevt__p, 8); }
#define UEVT__FILL_UEVTK_CHARS(n, x, l)	UEVT__FIX(n, (size_t)(x));
/* The NUL comes from a separate byte so a truncated string needs no copy. */
#define UEVT__FILL_UEVTK_STRING(n, x, l) \
	{ const char *uevt__s = n ? n : ""; \
	  const char *uevt__e = (const char *)memchr(uevt__s, 0, UEVT_STRING_MAX); \
	  size_t uevt__len = uevt__e ? (size_t)(uevt__e - uevt__s) : UEVT_STRING_MAX; \
	  UEVT__LOC(n, uevt__len + 1); \
	  UEVT__VAR(uevt__s, uevt__len); UEVT__VAR(&uevt__nul, 1); }
#define UEVT__FILL_UEVTK_BLOB(n, x, l) \
	{ size_t uevt__len = n##_len < UEVT_BLOB_MAX ? n##_len : UEVT_BLOB_MAX; \
	  UEVT__LOC(n, uevt__len); UEVT__VAR(n, uevt__len); }

/* Locals whose address goes into the iovec must outlive the fill. */
#define UEVT__LOCAL_UEVTK_U8(n, x, l)
#define UEVT__LOCAL_UEVTK_U16(n, x, l)
#define UEVT__LOCAL_UEVTK_U32(n, x, l)
#define UEVT__LOCAL_UEVTK_U64(n, x, l)
#define UEVT__LOCAL_UEVTK_S8(n, x, l)
#define UEVT__LOCAL_UEVTK_S16(n, x, l)
#define UEVT__LOCAL_UEVTK_S32(n, x, l)
#define UEVT__LOCAL_UEVTK_S64(n, x, l)
#define UEVT__LOCAL_UEVTK_BOOL(n, x, l)
#define UEVT__LOCAL_UEVTK_PTR(n, x, l)	uint64_t uevt__ptr_##n;
#define UEVT__LOCAL_UEVTK_CHARS(n, x, l)
#define UEVT__LOCAL_UEVTK_STRING(n, x, l) uint32_t uevt__loc_##n;
#define UEVT__LOCAL_UEVTK_BLOB(n, x, l)	uint32_t uevt__loc_##n;

/* Iterating over 1..16 field tuples; the last one is marked L. */
#define UEVT__CAT(a, b) UEVT__CAT_(a, b)
#define UEVT__CAT_(a, b) a##b
#define UEVT__NARGS(...) UEVT__NARGS_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, \
	10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define UEVT__NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
	_13, _14, _15, _16, n, ...) n
#define UEVT__UNPAREN(...) __VA_ARGS__
#define UEVT__DO(P, l, f) UEVT__DO_(P, l, UEVT__UNPAREN f)
#define UEVT__DO_(P, l, ...) UEVT__DO__(P, l, __VA_ARGS__)
#define UEVT__DO__(P, l, k, n, x) UEVT__##P##_##k(n, x, l)
#define UEVT__EACH(P, ...) UEVT__CAT(UEVT__EACH_, UEVT__NARGS(__VA_ARGS__))(P, __VA_ARGS__)
#define UEVT__EACH_1(P, f) UEVT__DO(P, L, f)
#define UEVT__EACH_2(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_1(P, __VA_ARGS__)
#define UEVT__EACH_3(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_2(P, __VA_ARGS__)
#define UEVT__EACH_4(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_3(P, __VA_ARGS__)
#define UEVT__EACH_5(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_4(P, __VA_ARGS__)
#define UEVT__EACH_6(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_5(P, __VA_ARGS__)
#define UEVT__EACH_7(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_6(P, __VA_ARGS__)
#define UEVT__EACH_8(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_7(P, __VA_ARGS__)
#define UEVT__EACH_9(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_8(P, __VA_ARGS__)
#define UEVT__EACH_10(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_9(P, __VA_ARGS__)
#define UEVT__EACH_11(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_10(P, __VA_ARGS__)
#define UEVT__EACH_12(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_11(P, __VA_ARGS__)
#define UEVT__EACH_13(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_12(P, __VA_ARGS__)
#define UEVT__EACH_14(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_13(P, __VA_ARGS__)
#define UEVT__EACH_15(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_14(P, __VA_ARGS__)
#define UEVT__EACH_16(P, f, ...) UEVT__DO(P, N, f) UEVT__EACH_15(P, __VA_ARGS__)

/** UEVT_DESC(name, fields...) - the description string, a literal. */
#define UEVT_DESC(name, ...) #name " " UEVT__EACH(DESC, __VA_ARGS__)

/* memchr() stops at the first match (C11 7.24.5.1), so a short string
 * near the end of a mapping is safe to scan with the maximum length. */
static const char uevt__nul __attribute__((unused)) = 0;
UEVT__STATIC_ASSERT(sizeof(bool) == 1, "UEVT_BOOL records one byte");

/*
 * The emitter: out of line (the probe site stays one load and a branch),
 * static so each object file has its own and no symbol clashes.
 */
#define UEVT__EMITTER(name, ...) \
	static __attribute__((noinline, unused)) void \
	uevt__emit_##name(UEVT__EACH(PARAM, __VA_ARGS__)) \
	{ \
		struct iovec uevt__iov[1 + 3 * UEVT__NARGS(__VA_ARGS__)]; \
		const size_t uevt__fixed = 0 UEVT__EACH(SIZE, __VA_ARGS__); \
		size_t uevt__pos = 0, uevt__dyn = 0; \
		int uevt__f = 1, uevt__v = 1 + UEVT__NARGS(__VA_ARGS__); \
		UEVT__EACH(LOCAL, __VA_ARGS__) \
		UEVT__EACH(FILL, __VA_ARGS__) \
		(void)uevt__fixed; (void)uevt__pos; (void)uevt__dyn; \
		__uevt_emit_iov(&uevt__ev_##name, uevt__iov, uevt__v); \
	}

/* Every field, in order: C++17 has no designated initializers. */
#define UEVT__INIT(desc) { sizeof(struct uevt_event), 0, -1, 0, (desc), 0, 0 }

/* One pointer per event in this object's "uevt_events" section. */
#define UEVT__SECTION_ENTRY(name) \
	static struct uevt_event *uevt__entry_##name \
	__attribute__((section("uevt_events"), used)) UEVT__RETAIN = &uevt__ev_##name

/**
 * UEVT_EVENT(name, fields...) - define an event private to this file.
 */
#define UEVT_EVENT(name, ...) \
	static struct uevt_event uevt__ev_##name = \
		UEVT__INIT(UEVT_DESC(name, __VA_ARGS__)); \
	UEVT__SECTION_ENTRY(name); \
	UEVT__EMITTER(name, __VA_ARGS__) \
	struct uevt__semicolon_##name

/**
 * UEVT_EVENT_DECLARE(name, fields...) - declare an event in a header;
 * UEVT_EVENT_DEFINE(name) in one source file defines it.
 */
#define UEVT_EVENT_DECLARE(name, ...) \
	extern struct uevt_event uevt__ev_##name; \
	static const char uevt__desc_##name[] = UEVT_DESC(name, __VA_ARGS__); \
	UEVT__EMITTER(name, __VA_ARGS__) \
	struct uevt__semicolon_##name

#define UEVT_EVENT_DEFINE(name) \
	struct uevt_event uevt__ev_##name = UEVT__INIT(uevt__desc_##name); \
	UEVT__SECTION_ENTRY(name)

/*
 * Registration at load and unregistration at unload, per object: the
 * linker defines __start_/__stop_uevt_events in each executable or shared
 * library that has the section (hidden, so each object sees its own).
 * Every file that includes this header adds a constructor; they all walk
 * the same section and registration is idempotent.
 */
extern struct uevt_event *__start_uevt_events[]
	__attribute__((weak, visibility("hidden")));
extern struct uevt_event *__stop_uevt_events[]
	__attribute__((weak, visibility("hidden")));

/**
 * UEVT_REGISTER_EVENTS() - register the events of the executable or
 * shared library this expands in, for programs that define
 * UEVT_NO_AUTO_REGISTER.  Idempotent.  An int: 0 or -errno, as
 * __uevt_register_section() (0 when the object has no event).
 */
#define UEVT_REGISTER_EVENTS() \
	(__start_uevt_events ? \
	 __uevt_register_section(__start_uevt_events, __stop_uevt_events) : 0)

/**
 * UEVT_UNREGISTER_EVENTS() - the reverse; before the object is unloaded.
 */
#define UEVT_UNREGISTER_EVENTS() \
	do { \
		if (__start_uevt_events) \
			__uevt_unregister_section(__start_uevt_events, \
						  __stop_uevt_events); \
	} while (0)

#ifndef UEVT_NO_AUTO_REGISTER
static __attribute__((constructor, used)) void uevt__section_load(void)
{
	(void)UEVT_REGISTER_EVENTS();
}

static __attribute__((destructor, used)) void uevt__section_unload(void)
{
	UEVT_UNREGISTER_EVENTS();
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* UEVT_H */
