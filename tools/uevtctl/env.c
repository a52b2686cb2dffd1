// SPDX-License-Identifier: GPL-2.0
/* The environment uevtctl needs, and advice when it is missing. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <tracefs.h>

#include "uevtctl.h"

void err(const char *fmt, ...)
{
	va_list ap;

	fputs("uevtctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

int parse_json_opts(int argc, char **argv, const char *usage, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 }
	};
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (c != 'j') {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		*json = true;
	}
	return -1;
}

const char *errno_advice(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return "permission denied: run as root, or see uevt(7) for dev_mode= and tracefs permissions";
	case ENOENT:
		return "not found: is uevt.ko loaded (modprobe uevt) and tracefs mounted?";
	case EBUSY:
		return "still in use: stop the programs using it, or disable it first";
	default:
		return strerror(e);
	}
}

int check_tracefs(void)
{
	const char *dir = tracefs_tracing_dir();

	if (!dir && access("/sys/kernel/tracing", X_OK) && errno == EACCES)
		dir = "/sys/kernel/tracing";
	if (!dir) {
		err("tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing");
		return EXIT_FAIL;
	}
	if (access(dir, R_OK | X_OK)) {
		err("cannot use %s: %s", dir, errno_advice(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* The module's system= parameter renames the tracefs system. */
const char *uevt_system(void)
{
	static char system[64];
	FILE *f;

	if (system[0])
		return system;
	f = fopen("/sys/module/uevt/parameters/system", "r");
	if (!f || !fgets(system, sizeof(system), f))
		strcpy(system, "uevt");
	if (f)
		fclose(f);
	system[strcspn(system, "\n")] = '\0';
	return system;
}

int check_module(void)
{
	if (check_tracefs())
		return EXIT_FAIL;
	if (access("/sys/module/uevt", F_OK)) {
		err("uevt.ko is not loaded: run 'modprobe uevt' (or 'insmod uevt.ko') as root");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
