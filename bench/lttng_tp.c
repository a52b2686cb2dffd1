// SPDX-License-Identifier: GPL-2.0
/* Instantiates the LTTng-UST tracepoint provider. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "lttng_tp.h"
