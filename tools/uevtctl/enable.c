// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl enable|disable [-i INSTANCE] EVENT...: switch events on or off
 * in the top-level buffer or an instance; EVENT may be a glob.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>

#include "uevtctl.h"

static int usage(FILE *out, const char *cmd, int status)
{
	fprintf(out,
		"usage: uevtctl %s [-i INSTANCE] EVENT...\n"
		"%s uevt events (glob patterns allowed, e.g. 'request_*') in the top-level\n"
		"trace buffer, or in the ftrace instance INSTANCE.\n",
		cmd, !strcmp(cmd, "enable") ? "Enable" : "Disable");
	return status;
}

static int set(int argc, char **argv, bool on)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct tracefs_instance *inst = NULL;
	const char *instance = NULL;
	char **events, regex[256];
	int c, status, i;

	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout, argv[0], EXIT_OK);
		if (c != 'i')
			return usage(stderr, argv[0], EXIT_USAGE);
		instance = optarg;
	}
	if (optind == argc)
		return usage(stderr, argv[0], EXIT_USAGE);
	if (check_module())
		return EXIT_FAIL;
	if (instance) {
		if (!tracefs_instance_exists(instance)) {
			err("no ftrace instance '%s' (create it: mkdir %s/instances/%s)",
			    instance, tracefs_tracing_dir(), instance);
			return EXIT_FAIL;
		}
		inst = tracefs_instance_alloc(NULL, instance);
	}
	events = events_matching(argv + optind, argc - optind, &status);
	for (i = 0; events && events[i]; i++) {
		snprintf(regex, sizeof(regex), "^%s$", events[i]);
		errno = 0;
		if ((on ? tracefs_event_enable : tracefs_event_disable)(inst, uevt_system(), regex)) {
			err("cannot %s %s: %s", argv[0], events[i], errno_advice(errno ? errno : EIO));
			status = EXIT_FAIL;
			break;
		}
		printf("%s %s:%s%s%s\n", on ? "enabled" : "disabled", uevt_system(), events[i],
		       instance ? " in instance " : "", instance ? instance : "");
	}
	strv_free(events);
	tracefs_instance_free(inst);
	return status;
}

int cmd_enable(int argc, char **argv)
{
	return set(argc, argv, true);
}

int cmd_disable(int argc, char **argv)
{
	return set(argc, argv, false);
}
