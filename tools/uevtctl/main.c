// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl: list, enable, record and inspect uevt events from a shell.
 * Exit status: 0 ok, 1 failure, 2 usage error (see uevtctl(8)).
 */
#include <stdio.h>
#include <string.h>

#include "uevtctl.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "list events, their fields, consumers and processes" },
	{ "enable", cmd_enable, "enable events (globs allowed)" },
	{ "disable", cmd_disable, "disable events (globs allowed)" },
	{ "record", cmd_record, "stream decoded records from a private instance" },
	{ "ps", cmd_ps, "show processes holding registrations" },
	{ "create", cmd_create, "create a persistent event" },
	{ "delete", cmd_delete, "delete an unused event" },
};

static int usage(FILE *out, int status)
{
	size_t i;

	fprintf(out, "usage: uevtctl COMMAND [ARGS]  (uevtctl COMMAND --help for more)\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nExit status: 0 ok, 1 failure, 2 usage error.  See uevtctl(8).\n");
	return status;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, EXIT_OK);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "uevtctl: unknown command '%s'\n", argv[1]);
	return usage(stderr, EXIT_USAGE);
}
