// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl record: stream decoded records from a trace instance of our own,
 * so the global buffer and other users' instances are never touched.  The
 * instance is removed on exit (duration over, Ctrl-C, SIGTERM), and
 * records lost to buffer overruns are reported.
 *
 * Each CPU's trace_pipe_raw is read with libtracefs' tracefs_cpu API and
 * its sub-buffers decoded with libtraceevent's kbuffer; records come out
 * in order per CPU, CPU by CPU within each 100 ms round.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tracefs.h>
#include <event-parse.h>
#include <kbuffer.h>

#include "uevtctl.h"

static const char record_usage[] =
	"usage: uevtctl record [-e EVENT]... [-d SECONDS] [--json] [-o FILE]\n"
	"Record uevt events (default: all; globs allowed) until Ctrl-C or SECONDS,\n"
	"printing 'time cpu pid comm event field=value...' or one JSON object a line.\n"
	"  -e, --event EVENT     event or glob to record (repeatable)\n"
	"  -d, --duration S      stop after S seconds (may be fractional)\n"
	"  -j, --json            one JSON object per record\n"
	"  -o, --output FILE     write records to FILE instead of stdout\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct recorder {
	FILE *out;
	bool json;
	unsigned long records;
	struct trace_seq seq;
};

static const char *comm_of(struct tep_handle *tep, int pid, char *buf, size_t len)
{
	const char *c = tep_data_comm_from_pid(tep, pid);
	FILE *f;
	char path[64];

	if (c && strcmp(c, "<...>"))
		return c;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "<...>");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void json_field(FILE *out, struct tep_event *ev, struct tep_record *rec,
		       struct tep_format_field *f)
{
	unsigned long long v = 0;
	int len = 0, i;
	unsigned char *raw;

	if (!(f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC))) {
		tep_read_number_field(f, rec->data, &v);
		if (f->flags & TEP_FIELD_IS_SIGNED) {
			int shift = 64 - 8 * f->size;

			fprintf(out, "%lld", (long long)(v << shift) >> shift);
		} else {
			fprintf(out, "%llu", v);
		}
		return;
	}
	raw = tep_get_field_raw(NULL, ev, f->name, rec, &len, 0);
	if (!raw || len < 0 || len > rec->size) {
		fputs("null", out);
	} else if (f->flags & TEP_FIELD_IS_STRING) {
		json_string(out, (const char *)raw, (size_t)len);
	} else {
		fputc('"', out);
		for (i = 0; i < len; i++)
			fprintf(out, "%02x", raw[i]);
		fputc('"', out);
	}
}

static int print_record(struct tep_event *ev, struct tep_record *rec, int cpu, void *ctx)
{
	struct recorder *r = ctx;
	int pid = tep_data_pid(ev->tep, rec);
	char comm_buf[32];
	const char *comm = comm_of(ev->tep, pid, comm_buf, sizeof(comm_buf));
	unsigned long long sec = rec->ts / 1000000000ULL, usec = rec->ts % 1000000000ULL / 1000;
	struct tep_format_field *f;

	if (strcmp(ev->system, uevt_system()))
		return 0;
	r->records++;
	if (!r->json) {
		trace_seq_reset(&r->seq);
		tep_print_event(ev->tep, &r->seq, rec, "%s", TEP_PRINT_INFO);
		trace_seq_terminate(&r->seq);
		fprintf(r->out, "%llu.%06llu %3d %7d %-16s %s %s\n", sec, usec, cpu, pid, comm,
			ev->name, r->seq.buffer);
		return 0;
	}
	fprintf(r->out, "{\"time\":%llu.%06llu,\"cpu\":%d,\"pid\":%d,\"comm\":", sec, usec,
		cpu, pid);
	json_string(r->out, comm, strlen(comm));
	fputs(",\"event\":", r->out);
	json_string(r->out, ev->name, strlen(ev->name));
	fputs(",\"fields\":{", r->out);
	for (f = ev->format.fields; f; f = f->next) {
		json_string(r->out, f->name, strlen(f->name));
		fputc(':', r->out);
		json_field(r->out, ev, rec, f);
		if (f->next)
			fputc(',', r->out);
	}
	fputs("}}\n", r->out);
	return 0;
}

/* One CPU's reader: its trace_pipe_raw and a sub-buffer to decode. */
struct cpu_reader {
	struct tracefs_cpu *tcpu;
	struct kbuffer *kbuf;
	void *buf;
	int cpu;
};

/*
 * Decode every record available on @c now.  A non-blocking read also
 * returns the page the kernel is still writing, so nothing waits for a
 * page to fill up.
 */
static void drain(struct tep_handle *tep, struct cpu_reader *c, struct recorder *r)
{
	unsigned long long ts;
	int guard;

	for (guard = 0; guard < 4096; guard++) {
		int n = tracefs_cpu_read(c->tcpu, c->buf, true);
		void *data;

		if (n <= 0 || kbuffer_load_subbuffer(c->kbuf, c->buf) < 0)
			return;
		for (data = kbuffer_read_event(c->kbuf, &ts); data;
		     data = kbuffer_next_event(c->kbuf, &ts)) {
			struct tep_record rec = {
				.ts = ts, .cpu = c->cpu, .data = data,
				.size = kbuffer_event_size(c->kbuf),
			};
			struct tep_event *ev = tep_find_event_by_record(tep, &rec);

			if (ev)
				print_record(ev, &rec, c->cpu, r);
		}
	}
}

static struct cpu_reader *open_readers(struct tracefs_instance *inst, int *ncpus)
{
	struct cpu_reader *c;
	int i;

	*ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	c = calloc((size_t)*ncpus, sizeof(*c));
	for (i = 0; c && i < *ncpus; i++) {
		c[i].cpu = i;
		c[i].tcpu = tracefs_cpu_open(inst, i, true);
		if (!c[i].tcpu)
			continue;	/* a CPU that is not online */
		c[i].kbuf = kbuffer_alloc(KBUFFER_LSIZE_SAME_AS_HOST, KBUFFER_ENDIAN_SAME_AS_HOST);
		c[i].buf = malloc((size_t)tracefs_cpu_read_size(c[i].tcpu));
		if (!c[i].kbuf || !c[i].buf) {
			kbuffer_free(c[i].kbuf);
			free(c[i].buf);
			tracefs_cpu_close(c[i].tcpu);
			c[i].tcpu = NULL;
		}
	}
	return c;
}

static void close_readers(struct cpu_reader *c, int ncpus)
{
	int i;

	for (i = 0; c && i < ncpus; i++) {
		if (!c[i].tcpu)
			continue;
		kbuffer_free(c[i].kbuf);
		free(c[i].buf);
		tracefs_cpu_close(c[i].tcpu);
	}
	free(c);
}

/* Sum of "overrun:" over the instance's per-CPU stats files. */
static unsigned long long overruns(struct tracefs_instance *inst)
{
	unsigned long long sum = 0;
	long cpu, ncpus = sysconf(_SC_NPROCESSORS_CONF);
	char file[64];

	for (cpu = 0; cpu < ncpus; cpu++) {
		char *stats, *p;

		snprintf(file, sizeof(file), "per_cpu/cpu%ld/stats", cpu);
		stats = tracefs_instance_file_read(inst, file, NULL);
		p = stats ? strstr(stats, "overrun:") : NULL;
		if (p)
			sum += strtoull(p + 8, NULL, 10);
		free(stats);
	}
	return sum;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Enable (or disable) @events in @inst; the failing event is named. */
static int switch_events(struct tracefs_instance *inst, char **events, bool on)
{
	char regex[256];
	int i;

	for (i = 0; events[i]; i++) {
		snprintf(regex, sizeof(regex), "^%s$", events[i]);
		errno = 0;
		if ((on ? tracefs_event_enable : tracefs_event_disable)(inst, uevt_system(), regex)) {
			err("cannot %s %s: %s", on ? "enable" : "disable", events[i],
			    errno_advice(errno ? errno : EIO));
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

static int record(char **events, double duration, struct recorder *r)
{
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct cpu_reader *readers = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	char name[64];
	double end;
	unsigned long long lost;
	int status, ncpus = 0, i;

	snprintf(name, sizeof(name), "uevtctl_record_%d", getpid());
	inst = tracefs_instance_create(name);
	if (!inst) {
		err("cannot create trace instance %s: %s", name, errno_advice(errno));
		return EXIT_FAIL;
	}
	tep = tep_for_uevt();
	status = tep ? switch_events(inst, events, true) : EXIT_FAIL;
	if (!tep)
		err("cannot read the event formats from tracefs: %s", errno_advice(errno));
	if (status == EXIT_OK) {
		readers = open_readers(inst, &ncpus);
		if (!readers) {
			err("out of memory");
			status = EXIT_FAIL;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	end = duration > 0 ? now() + duration : 0;	/* from when events are on */
	while (status == EXIT_OK && !stop_requested && (!end || now() < end)) {
		tracefs_load_cmdlines(NULL, tep);
		for (i = 0; i < ncpus; i++)
			if (readers[i].tcpu)
				drain(tep, &readers[i], r);
		fflush(r->out);
		usleep(100000);
	}
	if (tep) {
		switch_events(inst, events, false);
		/* Whatever arrived before the events went off. */
		for (i = 0; readers && i < ncpus; i++)
			if (readers[i].tcpu)
				drain(tep, &readers[i], r);
	}
	close_readers(readers, ncpus);
	lost = overruns(inst);
	tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	tep_free(tep);
	fflush(r->out);
	fprintf(stderr, "uevtctl: %lu records, %llu lost to buffer overruns%s\n", r->records,
		lost, lost ? " (record fewer events, or read faster)" : "");
	return status;
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct recorder r = { .out = stdout };
	char **patterns = calloc((size_t)argc + 1, sizeof(char *)), **events;
	const char *output = NULL;
	double duration = 0;
	int c, n = 0, status;
	char *end;

	if (!patterns)
		return EXIT_FAIL;
	while ((c = getopt_long(argc, argv, "e:d:jo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			patterns[n++] = optarg;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0) {
				err("duration must be a positive number of seconds, not '%s'", optarg);
				free(patterns);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			r.json = true;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(record_usage, stdout);
			free(patterns);
			return EXIT_OK;
		default:
			fputs(record_usage, stderr);
			free(patterns);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(record_usage, stderr);
		free(patterns);
		return EXIT_USAGE;
	}
	if (check_module()) {
		free(patterns);
		return EXIT_FAIL;
	}
	if (!n)
		patterns[n++] = "*";
	events = events_matching(patterns, n, &status);
	free(patterns);
	if (!events)
		return status;
	if (output) {
		r.out = fopen(output, "w");
		if (!r.out) {
			err("cannot write %s: %s", output, strerror(errno));
			strv_free(events);
			return EXIT_FAIL;
		}
	}
	trace_seq_init(&r.seq);
	status = record(events, duration, &r);
	trace_seq_destroy(&r.seq);
	if (output)
		fclose(r.out);
	strv_free(events);
	return status;
}
