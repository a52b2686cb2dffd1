/* SPDX-License-Identifier: GPL-2.0 */
/* The LTTng-UST peer: one tracepoint with the same two fields. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER uevt_bench

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./lttng_tp.h"

#if !defined(LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define LTTNG_TP_H

#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(uevt_bench, probe,
	LTTNG_UST_TP_ARGS(unsigned int, a, unsigned long, b),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(unsigned int, a, a)
		lttng_ust_field_integer(unsigned long, b, b)))

#endif

#include <lttng/tracepoint-event.h>
