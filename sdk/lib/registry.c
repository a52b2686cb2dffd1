// SPDX-License-Identifier: MIT
/*
 * The process-wide layer under the macros: one backend descriptor, and the
 * list of loaded objects' event sections, so that events are registered
 * when their object loads, again after uevt_fini()/uevt_init(), and
 * unregistered before their object unloads.
 *
 * Global state is deliberate: the kernel tracks enable bits per process,
 * so there is exactly one registry per process.  Every field of `reg` is
 * protected by reg.lock, except reg.fd, which emitters read without it
 * (an atomic load; it changes only in uevt_init*() and uevt_fini(), which
 * must not race with emitters).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UEVT_NO_AUTO_REGISTER
#include "uevt.h"
#include "libuevt.h"

struct section {
	struct uevt_event **start, **stop;
};

enum reg_state {
	REG_UNOPENED,	/* the first registration opens the backend */
	REG_OPEN,	/* fd is the backend, or -1 when there is none */
	REG_STOPPED,	/* uevt_fini() ran: stay closed until uevt_init() */
};

static struct {
	pthread_mutex_t lock;
	enum reg_state state;
	int fd;
	enum uevt_backend backend;
	char reason[512];
	struct section *sections;
	size_t nsections, cap;
	pthread_once_t atfork_once;
} reg = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.state = REG_UNOPENED,
	.fd = -1,
	.reason = "not initialised yet",
	.atfork_once = PTHREAD_ONCE_INIT,
};

/* A fork while another thread holds the lock must not leave it held. */
static void lock_for_fork(void)
{
	pthread_mutex_lock(&reg.lock);
}

static void unlock_after_fork(void)
{
	pthread_mutex_unlock(&reg.lock);
}

static void install_atfork(void)
{
	pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

static void register_event(struct uevt_event *ev)
{
	int32_t index;
	int ret;

	if (ev->registered || reg.fd < 0)
		return;
	ret = uevt_register(reg.fd, ev->desc, &ev->enabled, UEVT_ENABLE_BIT, &index);
	if (ret < 0) {
		ev->error = -ret;
		return;
	}
	ev->error = 0;
	ev->registered = 1;
	/* The kernel may have set the bit already: publish the index now. */
	__atomic_store_n(&ev->write_index, index, __ATOMIC_RELEASE);
}

static void unregister_event(struct uevt_event *ev)
{
	if (!ev->registered)
		return;
	uevt_unregister(reg.fd, &ev->enabled, UEVT_ENABLE_BIT);
	/* The kernel clears the bit; clear it too in case it could not. */
	__atomic_fetch_and(&ev->enabled, ~(1U << UEVT_ENABLE_BIT), __ATOMIC_RELAXED);
	__atomic_store_n(&ev->write_index, -1, __ATOMIC_RELEASE);
	ev->registered = 0;
}

/*
 * Fields are only ever appended to struct uevt_event; when one is, using it
 * here needs a check that ev->size covers it, and this line an update.
 */
_Static_assert(sizeof(struct uevt_event) == UEVT_EVENT_SIZE_VER0,
	       "a field past UEVT_EVENT_SIZE_VER0 needs an ev->size check");

/*
 * Whether the library may use @ev at all: see struct uevt_event for why
 * only a minimum is checked.  An event below it is never touched past its
 * size word, so neither its error nor its registered flag can be written.
 */
static bool event_usable(const struct uevt_event *ev)
{
	return ev->size >= UEVT_EVENT_SIZE_VER0;
}

/*
 * Call @fn (if not NULL) on each usable event of @s.
 * Return: 0, or -EINVAL when an event was skipped for its size.
 */
static int for_each_event(const struct section *s, void (*fn)(struct uevt_event *))
{
	struct uevt_event **p;
	int ret = 0;

	for (p = s->start; p < s->stop; p++) {
		if (!*p)
			continue;
		if (!event_usable(*p)) {
			ret = -EINVAL;
			continue;
		}
		if (fn)
			fn(*p);
	}
	return ret;
}

/* Called with reg.lock held. */
static void open_locked(void)
{
	size_t i;
	int fd;

	pthread_once(&reg.atfork_once, install_atfork);
	fd = libuevt_backend_open(&reg.backend, reg.reason, sizeof(reg.reason));
	__atomic_store_n(&reg.fd, fd < 0 ? -1 : fd, __ATOMIC_RELEASE);
	reg.state = REG_OPEN;
	for (i = 0; i < reg.nsections; i++)
		for_each_event(&reg.sections[i], register_event);
}

enum uevt_backend uevt_init(void)
{
	enum uevt_backend b;

	pthread_mutex_lock(&reg.lock);
	if (reg.state != REG_OPEN)
		open_locked();
	b = reg.backend;
	pthread_mutex_unlock(&reg.lock);
	return b;
}

int uevt_init_fd(int fd, enum uevt_backend backend)
{
	size_t i;
	int ret = 0;

	if (fd < 0)
		return -EBADF;
	pthread_mutex_lock(&reg.lock);
	if (reg.state == REG_OPEN && reg.fd >= 0) {
		ret = -EBUSY;
	} else {
		pthread_once(&reg.atfork_once, install_atfork);
		reg.backend = backend;
		strcpy(reg.reason, "using a descriptor the program supplied");
		__atomic_store_n(&reg.fd, fd, __ATOMIC_RELEASE);
		reg.state = REG_OPEN;
		for (i = 0; i < reg.nsections; i++)
			for_each_event(&reg.sections[i], register_event);
	}
	pthread_mutex_unlock(&reg.lock);
	return ret;
}

void uevt_fini(void)
{
	size_t i;
	int fd;

	pthread_mutex_lock(&reg.lock);
	for (i = 0; i < reg.nsections; i++)
		for_each_event(&reg.sections[i], unregister_event);
	fd = reg.fd;
	__atomic_store_n(&reg.fd, -1, __ATOMIC_RELEASE);
	if (fd >= 0)
		close(fd);
	reg.backend = UEVT_BACKEND_NONE;
	reg.state = REG_STOPPED;
	strcpy(reg.reason, "stopped by uevt_fini()");
	pthread_mutex_unlock(&reg.lock);
}

enum uevt_backend uevt_backend(void)
{
	enum uevt_backend b;

	pthread_mutex_lock(&reg.lock);
	b = reg.backend;
	pthread_mutex_unlock(&reg.lock);
	return b;
}

const char *uevt_backend_reason(void)
{
	return reg.reason;
}

uint32_t uevt_event_dropped(const struct uevt_event *ev)
{
	if (!ev || !event_usable(ev))
		return 0;
	return __atomic_load_n(&ev->dropped, __ATOMIC_RELAXED);
}

int __uevt_register_section(struct uevt_event **start, struct uevt_event **stop)
{
	struct section *grown;
	size_t i;
	int ret = 0;

	if (!start || stop <= start)
		return 0;
	pthread_mutex_lock(&reg.lock);
	for (i = 0; i < reg.nsections; i++)
		if (reg.sections[i].start == start)
			goto registered;	/* another file of the same object */
	if (reg.nsections == reg.cap) {
		size_t cap = reg.cap ? 2 * reg.cap : 8;

		grown = realloc(reg.sections, cap * sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;	/* the events simply stay disabled */
			goto out;
		}
		reg.sections = grown;
		reg.cap = cap;
	}
	reg.sections[reg.nsections].start = start;
	reg.sections[reg.nsections].stop = stop;
	reg.nsections++;
registered:
	if (reg.state == REG_UNOPENED)
		open_locked();	/* registers every listed section */
	else
		for_each_event(&(struct section){ start, stop }, register_event);
	/* The walks above skipped events too small: say so, backend or not. */
	ret = for_each_event(&(struct section){ start, stop }, NULL);
out:
	pthread_mutex_unlock(&reg.lock);
	return ret;
}

void __uevt_unregister_section(struct uevt_event **start, struct uevt_event **stop)
{
	size_t i;

	if (!start || stop <= start)
		return;
	pthread_mutex_lock(&reg.lock);
	for (i = 0; i < reg.nsections; i++) {
		if (reg.sections[i].start != start)
			continue;
		for_each_event(&reg.sections[i], unregister_event);
		reg.sections[i] = reg.sections[--reg.nsections];
		break;
	}
	pthread_mutex_unlock(&reg.lock);
}

void __uevt_emit_iov(struct uevt_event *ev, struct iovec *iov, int iovcnt)
{
	int32_t index = __atomic_load_n(&ev->write_index, __ATOMIC_ACQUIRE);
	int fd = __atomic_load_n(&reg.fd, __ATOMIC_ACQUIRE);
	int saved = errno;	/* a probe must not change the program's errno */

	if (index < 0 || fd < 0)
		return;		/* enabled before registration finished */
	iov[0].iov_base = &index;
	iov[0].iov_len = sizeof(index);
	/* EBADF: disabled since the bit was read; nothing listened, nothing lost. */
	if (writev(fd, iov, iovcnt) < 0 && errno != EBADF)
		__atomic_fetch_add(&ev->dropped, 1, __ATOMIC_RELAXED);
	errno = saved;
}
