// SPDX-License-Identifier: MIT
/*
 * server: a toy request loop instrumented with the uevt SDK, served by a
 * pool of pre-forked workers.  Enabling request_done from the shell
 * (uevtctl enable request_done) lights it up in every worker at once: the
 * workers registered nothing themselves, the kernel tracks them from the
 * parent's registration.
 *
 *   server [-w WORKERS] [-r REQUESTS_PER_SECOND] [-t SECONDS]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <uevt.h>

UEVT_EVENT(request_done, UEVT_U32(status), UEVT_U64(latency_ns), UEVT_STRING(path),
	   UEVT_U32(worker));

static const char *const paths[] = { "/", "/index.html", "/api/users", "/api/orders",
				     "/static/app.js" };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One worker: serve fake requests at @rate per second for @seconds. */
static int worker(uint32_t id, int rate, int seconds)
{
	uint64_t end = now_ns() + (uint64_t)seconds * 1000000000u;
	unsigned int seed = id * 7919u + 1;

	while (seconds <= 0 || now_ns() < end) {
		uint64_t start = now_ns();
		const char *path = paths[rand_r(&seed) % 5];
		uint32_t status = rand_r(&seed) % 20 ? 200 : 500;

		usleep(1000000 / (useconds_t)rate);	/* "handle" the request */
		UEVT_EMIT(request_done, status, now_ns() - start, path, id);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int workers = 4, rate = 20, seconds = 0, c, i;
	pid_t *pids;

	while ((c = getopt(argc, argv, "w:r:t:h")) != -1) {
		switch (c) {
		case 'w': workers = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: server [-w WORKERS] [-r RATE] [-t SECONDS]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (workers < 1 || workers > 256 || rate < 1 || rate > 100000) {
		fprintf(stderr, "server: 1..256 workers, 1..100000 requests/s\n");
		return 2;
	}
	printf("server: %d workers, backend: %s\n", workers, uevt_backend_reason());
	fflush(stdout);
	pids = calloc((size_t)workers, sizeof(*pids));
	if (!pids)
		return 1;
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			return worker((uint32_t)i, rate, seconds);
	}
	for (i = 0; i < workers; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	return 0;
}
