// SPDX-License-Identifier: GPL-2.0
/*
 * An instrumented shared library for sdk_test: loaded with dlopen(), its
 * event registers from the library's constructor and unregisters from its
 * destructor at dlclose().
 */
#include <uevt.h>

UEVT_EVENT(sdk_plugin_ev, UEVT_U32(n), UEVT_STRING(from));

/* Emit @count records; returns how many times the probe was enabled. */
int sdk_plugin_work(int count)
{
	int i, on = 0;

	for (i = 0; i < count; i++) {
		on += UEVT_ENABLED(sdk_plugin_ev);
		UEVT_EMIT(sdk_plugin_ev, (uint32_t)i, "plugin");
	}
	return on;
}
