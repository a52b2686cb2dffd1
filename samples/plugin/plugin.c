// SPDX-License-Identifier: MIT
/*
 * An instrumented plugin: its events register when the host dlopen()s it
 * and unregister when the host dlclose()s it.
 */
#include <uevt.h>

UEVT_EVENT(plugin_call, UEVT_STRING(what), UEVT_U32(n));

int plugin_run(const char *what, int times)
{
	int i;

	for (i = 0; i < times; i++)
		UEVT_EMIT(plugin_call, what, (uint32_t)i);
	return times;
}
