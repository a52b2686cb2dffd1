// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl list [--json]: every event with its fields (from tracefs, via
 * libtraceevent), who has it enabled (ftrace instances by their enable
 * files; perf and BPF from the status file), and the processes and
 * enable bits registered for it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>
#include <event-parse.h>

#include "uevtctl.h"

static const char list_usage[] =
	"usage: uevtctl list [--json]\n"
	"List uevt events: fields, who enabled them, processes and enable bits.\n";

/* Instances ("top" first) where @event is enabled; NULL-terminated. */
static char **enabled_in(char **instances, const char *event)
{
	char **out = calloc(1, sizeof(*out));
	size_t n = 0, i;

	for (i = 0; out && (i == 0 || instances[i - 1]); i++) {
		const char *name = i ? instances[i - 1] : NULL;
		struct tracefs_instance *inst = name ? tracefs_instance_alloc(NULL, name) : NULL;
		char **grown;

		if (name && !inst)
			continue;
		if (tracefs_event_is_enabled(inst, uevt_system(), event) == TRACEFS_ALL_ENABLED) {
			grown = realloc(out, (n + 2) * sizeof(*out));
			if (grown) {
				out = grown;
				out[n++] = strdup(name ? name : "top");
				out[n] = NULL;
			}
		}
		tracefs_instance_free(inst);
	}
	return out;
}

static int processes(const struct status *st, const char *event)
{
	size_t i, j;
	int n = 0;

	for (i = 0; i < st->nenablers; i++) {
		if (strcmp(st->enablers[i].event, event))
			continue;
		for (j = 0; j < i; j++)
			if (!strcmp(st->enablers[j].event, event) &&
			    st->enablers[j].tgid == st->enablers[i].tgid)
				break;
		n += j == i;
	}
	return n;
}

static void print_fields(FILE *out, struct tep_event *ev, bool json)
{
	struct tep_format_field *f;
	bool first = true;

	for (f = ev ? ev->format.fields : NULL; f; f = f->next, first = false) {
		if (json) {
			fputs(first ? "[" : ",", out);
			fputs("{\"name\":", out);
			json_string(out, f->name, strlen(f->name));
			fputs(",\"type\":", out);
			json_string(out, f->type, strlen(f->type));
			fputs("}", out);
		} else {
			fprintf(out, "%s%s %s", first ? "" : "; ", f->type, f->name);
		}
	}
	if (json)
		fputs(first ? "[]" : "]", out);
}

static void print_event(const char *name, struct tep_event *ev, char **by,
			const struct status_event *se, int procs, bool json, bool first)
{
	size_t i;

	if (!json) {
		char who[256] = "";

		for (i = 0; by && by[i]; i++)
			snprintf(who + strlen(who), sizeof(who) - strlen(who), "%sftrace:%s",
				 who[0] ? "," : "", by[i]);
		if (se && se->perf)
			snprintf(who + strlen(who), sizeof(who) - strlen(who), "%sperf:%d",
				 who[0] ? "," : "", se->perf);
		if (se && se->bpf)
			snprintf(who + strlen(who), sizeof(who) - strlen(who), "%sbpf",
				 who[0] ? "," : "");
		printf("%-24s %-24s %5d %8d  ", name, who[0] ? who : "-", procs,
		       se ? se->enablers : 0);
		print_fields(stdout, ev, false);
		putchar('\n');
		return;
	}
	printf("%s{\"name\":", first ? "" : ",\n ");
	json_string(stdout, name, strlen(name));
	printf(",\"system\":");
	json_string(stdout, uevt_system(), strlen(uevt_system()));
	printf(",\"fields\":");
	print_fields(stdout, ev, true);
	printf(",\"enabled\":%s,\"enabled_by\":{\"ftrace\":[", se && se->enabled ? "true" : "false");
	for (i = 0; by && by[i]; i++) {
		fputs(i ? "," : "", stdout);
		json_string(stdout, by[i], strlen(by[i]));
	}
	printf("],\"perf\":%d,\"bpf\":%s},\"processes\":%d,\"enablers\":%d,\"persist\":%s}",
	       se ? se->perf : 0, se && se->bpf ? "true" : "false", procs,
	       se ? se->enablers : 0, se && se->persist ? "true" : "false");
}

int cmd_list(int argc, char **argv)
{
	struct tep_handle *tep = NULL;
	char **events, **instances;
	struct status st;
	bool json = false;
	size_t i;
	int c;

	c = parse_json_opts(argc, argv, list_usage, &json);
	if (c >= 0)
		return c;
	if (optind != argc) {
		fputs(list_usage, stderr);
		return EXIT_USAGE;
	}
	if (status_load(&st))
		return EXIT_FAIL;
	events = events_all();
	if (events)
		tep = tep_for_uevt();
	instances = tracefs_instances(NULL);

	if (json)
		printf("[");
	else
		printf("%-24s %-24s %5s %8s  %s\n", "EVENT", "ENABLED-BY", "PROCS", "ENABLERS", "FIELDS");
	for (i = 0; events && events[i]; i++) {
		char **by = enabled_in(instances ? instances : (char *[]){ NULL }, events[i]);

		print_event(events[i],
			    tep ? tep_find_event_by_name(tep, uevt_system(), events[i]) : NULL,
			    by, status_event(&st, events[i]), processes(&st, events[i]), json, i == 0);
		strv_free(by);
	}
	if (json)
		printf("]\n");
	tep_free(tep);
	list_free(instances);
	list_free(events);
	status_free(&st);
	return EXIT_OK;
}
