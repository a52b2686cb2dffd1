// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl ps [--json] [PID]: processes holding registrations, one line
 * per enable bit, with the event's state and the last write's result.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "uevtctl.h"

static const char ps_usage[] =
	"usage: uevtctl ps [--json] [PID]\n"
	"Show processes holding uevt registrations: address, bit, size, event,\n"
	"state, last write result (0 or -errno) and whether a fault is pending.\n";

int cmd_ps(int argc, char **argv)
{
	struct status st;
	bool json = false, first = true;
	long pid = 0;
	size_t i;
	int c;

	c = parse_json_opts(argc, argv, ps_usage, &json);
	if (c >= 0)
		return c;
	if (optind < argc) {
		char *end;

		pid = strtol(argv[optind], &end, 10);
		if (*end || pid <= 0 || optind + 1 != argc) {
			err("PID must be one positive number, not '%s'", argv[optind]);
			return EXIT_USAGE;
		}
	}
	if (status_load(&st))
		return EXIT_FAIL;
	if (json)
		printf("[");
	else
		printf("%7s %-16s %-18s %3s %4s %-24s %-5s %8s %s\n", "PID", "COMM", "ADDRESS",
		       "BIT", "SIZE", "EVENT", "STATE", "LAST_ERR", "PENDING");
	for (i = 0; i < st.nenablers; i++) {
		const struct status_enabler *e = &st.enablers[i];
		const struct status_event *ev = status_event(&st, e->event);
		const char *state = ev && ev->enabled ? "on" : "off";

		if (pid && e->tgid != pid)
			continue;
		if (!json) {
			printf("%7d %-16s 0x%016lx %3u %4u %-24s %-5s %8d %s\n", e->tgid, e->comm,
			       e->addr, e->bit, e->size, e->event, state, e->last_err,
			       e->pending ? "yes" : "no");
			continue;
		}
		printf("%s{\"pid\":%d,\"comm\":", first ? "" : ",\n ", e->tgid);
		json_string(stdout, e->comm, strlen(e->comm));
		printf(",\"address\":\"0x%lx\",\"bit\":%u,\"size\":%u,\"event\":", e->addr, e->bit,
		       e->size);
		json_string(stdout, e->event, strlen(e->event));
		printf(",\"state\":\"%s\",\"last_err\":%d,\"pending\":%s,\"retries\":%u}", state,
		       e->last_err, e->pending ? "true" : "false", e->retries);
		first = false;
	}
	if (json)
		printf("]\n");
	status_free(&st);
	return EXIT_OK;
}
