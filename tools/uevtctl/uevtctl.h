/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uevtctl: the shell side of uevt.  One file per command; shared helpers
 * for the environment, the module's status file, event names and JSON.
 */
#ifndef UEVTCTL_H
#define UEVTCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit statuses, as documented in uevtctl(8). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Commands: argv[0] is the command name. */
int cmd_list(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_delete(int argc, char **argv);

/* env.c: messages that say what to do next. */
__attribute__((format(printf, 1, 2))) void err(const char *fmt, ...);
bool wants_help(int argc, char **argv);
/*
 * Options of the commands that take only --json and --help: -1 to go on
 * (optind at the first operand), else the exit status (help printed).
 */
int parse_json_opts(int argc, char **argv, const char *usage, bool *json);
int check_tracefs(void);		/* EXIT_OK or EXIT_FAIL (with advice) */
int check_module(void);			/* tracefs and uevt.ko loaded */
const char *uevt_system(void);		/* tracefs system of uevt events */
const char *errno_advice(int e);	/* what to try after errno @e */

/* events.c: the module's events in tracefs, selected by glob. */
char **events_all(void);	/* sorted; NULL when there is none; list_free() */
int glob_check(const char *pattern);		/* 0 or -EINVAL */
char **events_matching(char **patterns, int n, int *status);	/* strv_free() */
void list_free(char **list);
void strv_free(char **v);
struct tep_handle *tep_for_uevt(void);	/* formats of the module's events */

/* status.c: /proc/uevt, through tools/lib/uevt_status.c. */
struct status_event {
	char name[128];
	int enabled, ftrace, perf, bpf, other, refs, enablers, persist;
	long dropped_ftrace, dropped_perf, rejected;
};

struct status_enabler {
	pid_t tgid;
	char comm[32];
	unsigned long addr;
	unsigned int bit, size;
	char event[128];
	int last_err, pending;
	unsigned int retries;
};

struct status {
	struct status_event *events;
	size_t nevents;
	struct status_enabler *enablers;
	size_t nenablers;
};

int status_read(struct status *st);	/* 0 or -errno */
int status_load(struct status *st);	/* module checked, read; EXIT_OK or EXIT_FAIL */
void status_free(struct status *st);
const struct status_event *status_event(const struct status *st, const char *name);

/* json.c */
void json_string(FILE *out, const char *s, size_t len);

#endif
