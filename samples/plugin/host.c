// SPDX-License-Identifier: MIT
/*
 * host: loads the plugin, waits, calls it, unloads it, waits, and loads
 * it again, so that the plugin's events can be watched coming and going
 * (uevtctl ps shows its registration only while it is loaded).
 *
 *   host PLUGIN.so [ROUNDS] [PAUSE_MS]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 2, pause_ms = argc > 3 ? atoi(argv[3]) : 500, r;

	if (argc < 2) {
		fprintf(stderr, "usage: host PLUGIN.so [ROUNDS] [PAUSE_MS]\n");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		int (*run)(const char *, int);

		if (!lib) {
			fprintf(stderr, "host: %s\n", dlerror());
			return 1;
		}
		run = (int (*)(const char *, int))dlsym(lib, "plugin_run");
		if (!run) {
			fprintf(stderr, "host: %s\n", dlerror());
			return 1;
		}
		printf("host: round %d: plugin loaded\n", r);
		fflush(stdout);
		usleep((useconds_t)pause_ms * 1000);
		printf("host: round %d: %d calls\n", r, run("round", 3));
		dlclose(lib);
		printf("host: round %d: plugin unloaded\n", r);
		fflush(stdout);
		usleep((useconds_t)pause_ms * 1000);
	}
	return 0;
}
