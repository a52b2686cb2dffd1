// SPDX-License-Identifier: GPL-2.0
/*
 * uevtctl against the samples, in the VM: every command, its --help, its
 * exit statuses (0 ok, 1 failure, 2 usage), its error messages, JSON
 * output parsed back with json-c, and that record leaves no instance and
 * never touches the global buffer.  The samples (server with pre-forked
 * workers, raw_abi, the dlopen()ed plugin) are exercised on the way.
 */
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "uevt_test.h"

#include "kselftest_harness.h"

#define SYS UEVT_SYSTEM
#define CTL "/usr/bin/uevtctl"
#define SAMPLES "/opt/uevt/samples"

/* Run a shell command; its stdout and stderr (malloc'd), exit status. */
static int run(const char *cmd, char **out, char **errs)
{
	char full[1024], *buf;
	size_t cap = 1 << 20, n;
	FILE *p;
	int status;

	snprintf(full, sizeof(full), "%s 2>/tmp/uevtctl_test.err", cmd);
	p = popen(full, "r");
	buf = calloc(1, cap);
	if (!p || !buf)
		return -1;
	n = fread(buf, 1, cap - 1, p);
	buf[n] = '\0';
	status = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	if (errs) {
		FILE *e = fopen("/tmp/uevtctl_test.err", "r");

		*errs = calloc(1, 8192);
		if (e && *errs)
			(*errs)[fread(*errs, 1, 8191, e)] = '\0';
		if (e)
			fclose(e);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Start the server sample with @workers workers; its pid. */
static pid_t start_server(int workers)
{
	char w[16];
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);	/* stop_server() ends the whole pool */
		snprintf(w, sizeof(w), "%d", workers);
		freopen("/dev/null", "w", stdout);
		execl(SAMPLES "/server", "server", "-w", w, "-r", "200", NULL);
		_exit(127);
	}
	/* Up once parent and workers all hold their registration. */
	for (int i = 0; i < 500; i++) {
		struct status_line *line = status_line(SYS, "request_done");
		long n = status_value(line, "enablers");

		status_line_free(line);
		if (n == workers + 1)
			break;
		usleep(10000);
	}
	return pid;
}

static void stop_server(pid_t pid)
{
	kill(-pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static struct json_object *find_event(struct json_object *list, const char *name)
{
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *ev = json_object_array_get_idx(list, i), *n;

		if (json_object_object_get_ex(ev, "name", &n) &&
		    !strcmp(json_object_get_string(n), name))
			return ev;
	}
	return NULL;
}

static long long jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

TEST(help_and_usage_exit_statuses)
{
	static const char *const cmds[] = { "list", "enable", "disable", "record", "ps",
					    "create", "delete" };
	char cmd[128], *out;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(cmd, sizeof(cmd), CTL " %s --help", cmds[i]);
		EXPECT_EQ(0, run(cmd, &out, NULL));
		EXPECT_NE(NULL, strstr(out, "usage: uevtctl")) {
			TH_LOG("%s: %s", cmds[i], out);
		}
		free(out);
	}
	EXPECT_EQ(0, run(CTL " --help", NULL, NULL));
	EXPECT_EQ(2, run(CTL, NULL, NULL));
	EXPECT_EQ(2, run(CTL " frobnicate", NULL, NULL));
	EXPECT_EQ(2, run(CTL " enable", NULL, NULL));
	EXPECT_EQ(2, run(CTL " record --duration -1", NULL, NULL));
	EXPECT_EQ(2, run(CTL " ps notapid", NULL, NULL));
	EXPECT_EQ(2, run(CTL " create onlyname", NULL, NULL));
}

TEST(list_json_shows_fields_processes_and_consumers)
{
	pid_t server = start_server(3);
	struct json_object *list, *ev, *fields, *by, *ftrace;
	char *out;

	ASSERT_EQ(0, run(CTL " list --json", &out, NULL));
	list = json_tokener_parse(out);
	ASSERT_NE(NULL, list) {
		TH_LOG("not JSON: %s", out);
	}
	ev = find_event(list, "request_done");
	ASSERT_NE(NULL, ev);
	EXPECT_EQ(4, jint(ev, "processes"));
	EXPECT_EQ(4, jint(ev, "enablers"));
	ASSERT_TRUE(json_object_object_get_ex(ev, "fields", &fields));
	ASSERT_EQ(4U, json_object_array_length(fields));
	EXPECT_STREQ("path", json_object_get_string(
		json_object_object_get(json_object_array_get_idx(fields, 2), "name")));
	EXPECT_STREQ("__rel_loc char[]", json_object_get_string(
		json_object_object_get(json_object_array_get_idx(fields, 2), "type")));
	json_object_put(list);
	free(out);

	/* Enabled from the shell: list says by whom, every worker's bit is on. */
	ASSERT_EQ(0, run(CTL " enable request_done", NULL, NULL));
	ASSERT_EQ(0, run(CTL " list --json", &out, NULL));
	list = json_tokener_parse(out);
	ev = find_event(list, "request_done");
	ASSERT_NE(NULL, ev);
	ASSERT_TRUE(json_object_object_get_ex(ev, "enabled_by", &by));
	ASSERT_TRUE(json_object_object_get_ex(by, "ftrace", &ftrace));
	ASSERT_EQ(1U, json_object_array_length(ftrace));
	EXPECT_STREQ("top", json_object_get_string(json_object_array_get_idx(ftrace, 0)));
	json_object_put(list);
	free(out);

	ASSERT_EQ(0, run(CTL " ps --json", &out, NULL));
	list = json_tokener_parse(out);
	ASSERT_NE(NULL, list);
	{
		size_t i, on = 0;

		for (i = 0; i < json_object_array_length(list); i++) {
			struct json_object *e = json_object_array_get_idx(list, i);

			if (!strcmp(json_object_get_string(json_object_object_get(e, "event")),
				    "request_done"))
				on += !strcmp(json_object_get_string(
					json_object_object_get(e, "state")), "on");
		}
		EXPECT_EQ(4U, on);
	}
	json_object_put(list);
	free(out);
	EXPECT_EQ(0, run(CTL " disable 'request_*'", NULL, NULL));
	stop_server(server);
}

TEST(enable_errors_name_the_event)
{
	pid_t server = start_server(1);
	char *errs;

	EXPECT_EQ(1, run(CTL " enable request_done no_such_event", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "no_such_event")) {
		TH_LOG("stderr: %s", errs);
	}
	free(errs);
	EXPECT_EQ(2, run(CTL " enable 'req[uest'", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "bad event pattern"));
	free(errs);
	EXPECT_EQ(2, run(CTL " disable 'a/b'", NULL, NULL));
	EXPECT_EQ(1, run(CTL " enable -i no_such_instance request_done", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "no ftrace instance"));
	free(errs);
	stop_server(server);
}

TEST(record_streams_json_from_its_own_instance)
{
	pid_t server = start_server(2);
	char *out, *line, *save = NULL, **instances, *global;
	int records = 0, bad = 0, i;

	ASSERT_EQ(0, tfs_write(NULL, "trace", "\n"));	/* clear the global buffer */
	ASSERT_EQ(0, run(CTL " record -e 'request_d*' --duration 2 --json", &out, NULL));
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *rec = json_tokener_parse(line), *fields;
		long long status;

		if (!rec || !json_object_object_get_ex(rec, "fields", &fields)) {
			bad++;
			TH_LOG("bad line: %s", line);
			continue;
		}
		status = jint(fields, "status");
		bad += status != 200 && status != 500;
		bad += strcmp(json_object_get_string(json_object_object_get(rec, "event")),
			      "request_done") != 0;
		bad += json_object_get_string(json_object_object_get(fields, "path"))[0] != '/';
		bad += jint(rec, "pid") == server;	/* the parent serves nothing */
		records++;
		json_object_put(rec);
	}
	free(out);
	EXPECT_LT(10, records);
	EXPECT_EQ(0, bad);

	/* No instance left behind, nothing in the global buffer. */
	instances = tracefs_instances("^uevtctl_record_");
	for (i = 0; instances && instances[i]; i++)
		TH_LOG("left behind: %s", instances[i]);
	EXPECT_TRUE(!instances || !instances[0]);
	tracefs_list_free(instances);
	global = tfs_read(NULL, "trace");
	EXPECT_EQ(NULL, strstr(global, "request_done"));
	free(global);
	stop_server(server);
}

TEST(record_text_format_and_output_file)
{
	pid_t server = start_server(1);
	char *errs, *text = NULL;
	FILE *f;
	size_t cap = 0;

	ASSERT_EQ(0, run(CTL " record -d 1 -o /tmp/rec.txt", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "lost to buffer overruns"));
	free(errs);
	f = fopen("/tmp/rec.txt", "r");
	ASSERT_NE(NULL, f);
	ASSERT_LT(0, getline(&text, &cap, f));
	fclose(f);
	/* "time cpu pid comm event field=value..." */
	EXPECT_NE(NULL, strstr(text, " server "));
	EXPECT_NE(NULL, strstr(text, " request_done "));
	EXPECT_NE(NULL, strstr(text, "status="));
	EXPECT_NE(NULL, strstr(text, "path=/"));
	free(text);
	stop_server(server);
}

TEST(ps_filters_by_pid)
{
	pid_t server = start_server(2);
	char cmd[64], *out;
	struct json_object *list;
	size_t i;

	snprintf(cmd, sizeof(cmd), CTL " ps --json %d", server);
	ASSERT_EQ(0, run(cmd, &out, NULL));
	list = json_tokener_parse(out);
	ASSERT_NE(NULL, list);
	ASSERT_EQ(1U, json_object_array_length(list));
	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);

		EXPECT_EQ(server, jint(e, "pid"));
		EXPECT_EQ(4, jint(e, "size"));
		EXPECT_EQ(0, jint(e, "bit"));
		EXPECT_STREQ("server", json_object_get_string(json_object_object_get(e, "comm")));
	}
	json_object_put(list);
	free(out);
	snprintf(cmd, sizeof(cmd), CTL " ps %d", server);
	ASSERT_EQ(0, run(cmd, &out, NULL));
	EXPECT_NE(NULL, strstr(out, "request_done"));
	free(out);
	stop_server(server);
}

TEST(create_and_delete_persistent_events)
{
	char *out, *errs;

	ASSERT_EQ(0, run(CTL " create shell_ev 'u32 a; char[8] b'", NULL, NULL));
	EXPECT_TRUE(uevt_event_exists(SYS, "shell_ev"));
	ASSERT_EQ(0, run(CTL " list --json", &out, NULL));
	EXPECT_NE(NULL, strstr(out, "\"name\":\"shell_ev\""));
	free(out);
	EXPECT_EQ(1, run(CTL " create bad-name 'u32 a'", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "invalid name or fields"));
	free(errs);
	ASSERT_EQ(0, run(CTL " delete shell_ev", NULL, NULL));
	EXPECT_FALSE(uevt_event_exists(SYS, "shell_ev"));
	EXPECT_EQ(1, run(CTL " delete shell_ev", NULL, &errs));
	EXPECT_NE(NULL, strstr(errs, "no such event"));
	free(errs);
}

/* Run uevtctl ARGS as nobody; stderr into @errs (malloc'd); exit status. */
static int run_as_nobody(char *const argv[], char **errs)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		execv(CTL, argv);
		_exit(127);
	}
	close(p[1]);
	*errs = calloc(1, 8192);
	for (size_t n = 0, r; *errs && n < 8191; n += r) {
		ssize_t got = read(p[0], *errs + n, 8191 - n);

		if (got <= 0)
			break;
		r = (size_t)got;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(unprivileged_user_is_told_permission_denied)
{
	char *const list[] = { "uevtctl", "list", NULL };
	char *const create[] = { "uevtctl", "create", "x", "u32 a", NULL };
	char *errs;

	EXPECT_EQ(1, run_as_nobody(list, &errs));
	EXPECT_NE(NULL, strstr(errs, "permission denied")) {
		TH_LOG("stderr: %s", errs);
	}
	free(errs);
	EXPECT_EQ(1, run_as_nobody(create, &errs));
	EXPECT_NE(NULL, strstr(errs, "permission denied")) {
		TH_LOG("stderr: %s", errs);
	}
	free(errs);
}

TEST(raw_abi_sample_writes_once_enabled)
{
	struct tracefs_instance *inst = test_instance("raw_abi");
	FILE *p = popen(SAMPLES "/raw_abi 5", "r");
	char line[256], *trace;
	int lines = 0;

	ASSERT_NE(NULL, inst);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));	/* "registered ..." */
	ASSERT_EQ(0, tfs_write(inst, "events/" SYS "/raw_abi/enable", "1"));
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	EXPECT_STREQ("raw_abi: wrote 5 records\n", line);
	EXPECT_EQ(0, pclose(p));
	trace = tfs_read(inst, "trace");
	for (char *s = trace; (s = strstr(s, "raw_abi: value=")); s++)
		lines++;
	EXPECT_EQ(5, lines);
	free(trace);
	test_instance_destroy(inst);
}

TEST(plugin_registration_follows_dlopen_and_dlclose)
{
	struct tracefs_instance *inst = test_instance("plugin");
	FILE *p = popen(SAMPLES "/plugin_host " SAMPLES "/libplugin.so 1 1500", "r");
	char line[256], *trace;
	long enablers;
	struct status_line *status;

	ASSERT_NE(NULL, inst);
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	EXPECT_STREQ("host: round 0: plugin loaded\n", line);
	status = status_line(SYS, "plugin_call");
	EXPECT_EQ(1, status_value(status, "enablers"));
	status_line_free(status);
	ASSERT_EQ(0, tfs_write(inst, "events/" SYS "/plugin_call/enable", "1"));
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));	/* calls made */
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	EXPECT_STREQ("host: round 0: plugin unloaded\n", line);
	status = status_line(SYS, "plugin_call");
	enablers = status ? status_value(status, "enablers") : 0;
	status_line_free(status);
	EXPECT_EQ(0, enablers);
	EXPECT_EQ(0, pclose(p));
	trace = tfs_read(inst, "trace");
	EXPECT_NE(NULL, strstr(trace, "what=round n=2"));
	free(trace);
	test_instance_destroy(inst);
}

TEST_HARNESS_MAIN
