/* SPDX-License-Identifier: MIT */
/* libuevt internals shared between its files; not installed. */
#ifndef LIBUEVT_H
#define LIBUEVT_H

#include <stddef.h>
#include "uevt.h"

/*
 * Open the first usable backend; a sentence explaining the choice (or why
 * there is none) goes to @reason.  Return: fd, or -errno of the last try.
 */
int libuevt_backend_open(enum uevt_backend *backend, char *reason, size_t len);

#endif
