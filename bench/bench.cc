// SPDX-License-Identifier: GPL-2.0
/*
 * uevt's benchmarks on Google Benchmark.  Everything measured is plain C in
 * shim_probe.c and shim_kernel.c, called exactly as programs call it; this
 * file only registers the cases and their peers so that every figure has
 * its comparison measured in the same boot.
 *
 * Backends that are not available (no /dev/uevt, no built-in user_events)
 * make their cases fail with SkipWithError, which the report shows.
 *
 * UEVT_BENCH_SMOKE=1 keeps the sizes small: `make check` runs every case
 * once that way so none of them can rot.
 */
#include <benchmark/benchmark.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <utility>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "shim.h"

namespace {

bool smoke()
{
	const char *s = std::getenv("UEVT_BENCH_SMOKE");

	return s && *s == '1';
}

const backend *backend_arg(int64_t i)
{
	return i ? &shim_user_events_backend : &shim_uevt_backend;
}

/* Probe sites per call into the shim: amortises the call for every peer. */
constexpr size_t kSites = 1000;

/* ---- 1. disabled probes ---- */

void disabled(benchmark::State &state, void (*loop)(size_t))
{
	for (auto _ : state)
		loop(kSites);
	state.SetItemsProcessed(state.iterations() * kSites);
	/* ns per probe site, the figure the report compares. */
	state.counters["ns_per_probe"] = benchmark::Counter(
		static_cast<double>(state.iterations() * kSites),
		benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

/* ---- 2. enabled emit ---- */

/* An event of @be with the payload @p, registered and enabled. */
struct enabled_event {
	int fd = -1, enable = -1;
	uint32_t word = 0;
	int32_t index = -1;
	std::string error;

	enabled_event(const backend *be, const char *name, enum payload p)
	{
		char desc[128];
		int ret;

		fd = be_open(be);
		if (fd < 0) {
			error = std::string(be->data) + ": " + std::strerror(-fd);
			return;
		}
		ret = be_register(fd, be_desc(name, p, desc, sizeof(desc)), &word, 0, &index);
		if (!ret) {
			enable = be_enable_file(be, name);
			ret = enable < 0 ? enable : be_set(enable, 1);
		}
		if (ret)
			error = std::string(name) + ": " + std::strerror(-ret);
	}
	~enabled_event()
	{
		if (enable >= 0) {
			be_set(enable, 0);
			close(enable);
		}
		if (fd >= 0) {
			be_unregister(fd, &word, 0);
			close(fd);
		}
	}
};

/*
 * The clocks of a side-by-side case: uevt (side 0) and the built-in (side
 * 1), or uevt alone where the kernel has no built-in (Debian's).  Each
 * round times one batch per side, alternating which goes first; report()
 * gives the repetition's cost per operation of each side and their ratio,
 * so the ratio's spread over repetitions is that of a ratio measured in
 * one stretch, not of two figures measured apart.
 */
struct paired_clock {
	int sides = access(shim_user_events_backend.data, F_OK) == 0 ? 2 : 1;
	double spent[2] = { 0, 0 };
	uint64_t rounds = 0;

	/* @batch(side) for each side, timed; false as soon as one fails. */
	template <typename Batch> bool round(Batch batch)
	{
		for (int k = 0; k < sides; k++) {
			int side = sides == 1 ? 0 : static_cast<int>(rounds & 1) ^ k;
			auto start = std::chrono::steady_clock::now();
			bool ok = batch(side);

			spent[side] += std::chrono::duration<double, std::nano>(
				std::chrono::steady_clock::now() - start).count();
			if (!ok)
				return false;
		}
		rounds++;
		return true;
	}

	void report(benchmark::State &state, int per_batch) const
	{
		if (!rounds)
			return;
		state.counters["uevt_ns"] = spent[0] / (rounds * per_batch);
		if (sides == 2 && spent[1] > 0) {
			state.counters["builtin_ns"] = spent[1] / (rounds * per_batch);
			state.counters["ratio"] = spent[0] / spent[1];
		}
	}
};

/* Writes per timed batch: long enough for the clock, short enough to interleave finely. */
constexpr int kEmitBatch = 100;

/*
 * Enabled emit, uevt and the built-in side by side (paired_clock): both
 * events registered and enabled before the clock starts (enabling may
 * patch kernel text, for the scheduler's command-line recording, which an
 * emulator pays for afterwards), then batches of writes to each.
 */
void emit_pair(benchmark::State &state, enum payload p)
{
	const char *name = p == PAYLOAD_SMALL ? "bench_emit" : "bench_emit_str";
	enabled_event ev[2] = { { &shim_uevt_backend, name, p },
				{ &shim_user_events_backend, name, p } };
	paired_clock clock;

	for (int side = 0; side < clock.sides; side++)
		if (!ev[side].error.empty()) {
			state.SkipWithError(ev[side].error.c_str());
			return;
		}
	for (auto _ : state)
		if (!clock.round([&](int side) {
			    for (int i = 0; i < kEmitBatch; i++)
				    if (shim_writev_record(ev[side].fd, ev[side].index, p))
					    return false;
			    return true;
		    })) {
			state.SkipWithError("writev failed");
			return;
		}
	clock.report(state, kEmitBatch);
}

void write_floor(benchmark::State &state, enum payload p)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (auto _ : state)
		shim_write_bytes(fd, p);
	close(fd);
}

/* A uprobe on shim_uprobe_target, enabled through tracefs: USDT's cost when hit. */
void uprobe_hit(benchmark::State &state)
{
	const char *events = "/sys/kernel/tracing/uprobe_events";
	const char *enable = "/sys/kernel/tracing/events/uevt_bench_up/hit/enable";
	char spec[512], def[600];
	int fd, on;

	if (shim_uprobe_spec(spec, sizeof(spec))) {
		state.SkipWithError("cannot find the uprobe target in /proc/self/maps");
		return;
	}
	std::snprintf(def, sizeof(def), "p:uevt_bench_up/hit %s", spec);
	fd = open(events, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, def, std::strlen(def)) < 0) {
		state.SkipWithError("cannot define the uprobe (CONFIG_UPROBE_EVENTS?)");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	on = open(enable, O_WRONLY | O_CLOEXEC);
	if (on < 0 || be_set(on, 1)) {
		state.SkipWithError("cannot enable the uprobe");
	} else {
		for (auto _ : state)
			shim_uprobe_target(7, 42);
		be_set(on, 0);
	}
	if (on >= 0)
		close(on);
	fd = open(events, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "-:uevt_bench_up/hit", 19);
		close(fd);
	}
}

/* ---- 3. propagation: enable written -> bit seen in N processes ---- */

/*
 * Enable the herd's event and wait for every bit: false (the case skipped)
 * if one never came, the event then disabled again, so that it does not
 * run into the next cases.
 */
bool herd_enable(benchmark::State &state, struct herd *h, int enable)
{
	be_set(enable, 1);
	if (herd_wait(h, 1, 60LL * 1000000000) >= 0)
		return true;
	be_set(enable, 0);
	state.SkipWithError("a bit never converged");
	return false;
}

/* Disable it and wait for every bit to clear: false (skipped) if one stays. */
bool herd_disable(benchmark::State &state, struct herd *h, int enable)
{
	be_set(enable, 0);
	if (herd_wait(h, 0, 60LL * 1000000000) >= 0)
		return true;
	state.SkipWithError("a bit never cleared");
	return false;
}

void propagation(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int n = static_cast<int>(state.range(1)), forked = static_cast<int>(state.range(2));
	const char *name = forked ? "bench_prop_fork" : "bench_prop";
	int fd = be_open(be), enable;
	struct herd *h;

	if (fd < 0) {
		state.SkipWithError(be->data);
		return;
	}
	h = herd_start(be, fd, name, n, forked ? HERD_FORKED : HERD_OWN);
	enable = h ? be_enable_file(be, name) : -1;
	if (!h || enable < 0) {
		state.SkipWithError("cannot start the processes or open the enable file");
	} else {
		for (auto _ : state) {
			long long t0 = now_ns();

			if (!herd_enable(state, h, enable))
				break;
			state.SetIterationTime(static_cast<double>(now_ns() - t0) / 1e9);
			if (!herd_disable(state, h, enable))
				break;
		}
	}
	if (enable >= 0)
		close(enable);
	herd_stop(h);
	close(fd);
}

/*
 * The backend's own part of an enable: from the tracing core's return from
 * tracepoint_probe_register() (the tracing core's part of an enable, the
 * same for both: the enable write, event_mutex, the probe array) to every
 * bit seen.  The children's words sit in one shared page that this process
 * reads directly, so seeing them costs no system call each.
 */
void propagation_own(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int n = static_cast<int>(state.range(1));
	struct tp_clock *clock = tp_clock_open();
	int fd = be_open(be), enable = -1;
	struct herd *h = nullptr;

	if (!clock || fd < 0) {
		state.SkipWithError(!clock ? "no kretprobe on tracepoint_probe_register" : be->data);
	} else {
		h = herd_start(be, fd, "bench_prop_own", n, HERD_SHARED);
		enable = h ? be_enable_file(be, "bench_prop_own") : -1;
		if (enable < 0)
			state.SkipWithError("cannot start the processes or open the enable file");
	}
	if (enable >= 0) {
		for (auto _ : state) {
			long long seen, registered;

			tp_clock_reset(clock);
			if (!herd_enable(state, h, enable))
				break;
			seen = now_ns();
			registered = tp_clock_last(clock);
			if (registered >= 0 && registered <= seen)
				state.SetIterationTime(static_cast<double>(seen - registered) / 1e9);
			else
				state.SkipWithError("no tracepoint registration seen");
			if (!herd_disable(state, h, enable) || registered < 0 || registered > seen)
				break;
		}
	}
	if (enable >= 0)
		close(enable);
	herd_stop(h);
	if (fd >= 0)
		close(fd);
	tp_clock_close(clock);
}

/* ---- 4. isolation: toggling A with other events' registrations around ---- */

void isolation(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int crowd = static_cast<int>(state.range(1));
	/* uevt's per-process limit is 65536: spread the crowd over processes. */
	std::vector<pid_t> crowds;
	enabled_event a(be, "bench_iso", PAYLOAD_SMALL);

	if (!a.error.empty()) {
		state.SkipWithError(a.error.c_str());
		return;
	}
	for (int left = crowd, i = 0; left > 0; left -= 50000, i++) {
		char prefix[32];
		pid_t pid;

		std::snprintf(prefix, sizeof(prefix), "bench_crowd%d_", i);
		pid = crowd_start(be, prefix, 100, left < 50000 ? left : 50000);
		if (pid < 0) {
			state.SkipWithError("cannot start the crowd");
			break;
		}
		crowds.push_back(pid);
	}
	be_set(a.enable, 0);
	for (auto _ : state) {
		be_set(a.enable, 1);
		be_set(a.enable, 0);
	}
	for (pid_t pid : crowds)
		crowd_stop(pid);
}

/* ---- 5. fork with K registrations held ---- */

void fork_cost(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int k = static_cast<int>(state.range(1)), fd = be_open(be);
	struct holding *h = nullptr;

	if (fd < 0) {
		state.SkipWithError(be->data);
		return;
	}
	if (k && !(h = hold(be, fd, "bench_fork", k))) {
		state.SkipWithError("cannot register");
	} else {
		for (auto _ : state)
			if (shim_fork_exit_wait()) {
				state.SkipWithError("fork failed");
				break;
			}
	}
	release(h);
	close(fd);
}

/* ---- 6. kernel memory per registration and per forked child ---- */

/* Slab growth while @children processes forked from us are alive. */
long children_slab(const backend *be, int fd, int children)
{
	long before = slab_bytes(), during;
	struct herd *kids = herd_start(be, fd, "bench_mem_kids", children, HERD_FORKED);

	if (!kids)
		return -1;
	usleep(500000);	/* uevt copies after fork(): let it finish */
	during = slab_bytes();
	herd_stop(kids);
	usleep(100000);
	return during - before;
}

/*
 * memcg folds per-CPU stat updates into memory.stat only past a threshold
 * (about 512 KiB on two CPUs): samples must be much larger than that.  Per
 * registration: 100,000 bits, so batching blurs the figure by under 1%, read
 * once the slab has settled.  Per child: the bits' share in @children
 * children of a process holding range(1) bits, against children of one
 * holding none.
 */
void memory(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int k = static_cast<int>(state.range(1)), children = smoke() ? 4 : 50;
	int regs = smoke() ? 100 : 100000, fd = be_open(be);
	double per_reg = 0, per_child = 0;

	if (fd < 0) {
		state.SkipWithError(be->data);
		return;
	}
	for (auto _ : state) {
		long before = slab_bytes_settled(), held, with, without;
		struct holding *h = before < 0 ? nullptr : hold(be, fd, "bench_mem", regs);

		if (!h) {
			state.SkipWithError(before < 0 ? "the slab never settled" : "cannot register");
			break;
		}
		held = slab_bytes_settled();
		if (held < 0) {
			release(h);
			state.SkipWithError("the slab never settled");
			break;
		}
		release(h);
		per_reg = static_cast<double>(held - before) / regs;

		h = hold(be, fd, "bench_mem", k);
		if (!h) {
			state.SkipWithError("cannot register");
			break;
		}
		with = children_slab(be, fd, children);
		release(h);
		usleep(100000);
		without = children_slab(be, fd, children);
		per_child = static_cast<double>(with - without) / children;
	}
	state.counters["slab_bytes_per_registration"] = per_reg;
	state.counters["slab_bytes_per_child_for_the_bits"] = per_child;
	close(fd);
}

/* ---- 7. registration ---- */

void register_one(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int fd = be_open(be);
	char desc[128];
	uint32_t word = 0;

	if (fd < 0) {
		state.SkipWithError(be->data);
		return;
	}
	be_desc("bench_reg", PAYLOAD_SMALL, desc, sizeof(desc));
	/* Keep the event alive so the loop measures registration, not creation. */
	uint32_t keep = 0;
	be_register(fd, desc, &keep, 0, nullptr);
	for (auto _ : state) {
		int ret = be_register(fd, desc, &word, 0, nullptr);

		if (ret) {
			std::string msg = std::string("register: ") + std::strerror(-ret);

			state.SkipWithError(msg.c_str());
			break;
		}
		state.PauseTiming();
		be_unregister(fd, &word, 0);
		state.ResumeTiming();
	}
	be_unregister(fd, &keep, 0);
	close(fd);
}

/*
 * Wait up to 30 s until no event of @system is named @prefix... (but
 * the SDK probes that live as long as the process), then
 * 1.5 s more: uevt removes its events through the control events, whose
 * hold it lets go 1 s after its last operation (a grace period under
 * event_mutex).  False if the events stayed.
 */
bool events_gone(const char *system, const char *prefix)
{
	char path[128];
	size_t n = std::strlen(prefix);

	std::snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s", system);
	for (int i = 0; i < 300; i++) {
		DIR *dir = opendir(path);
		bool found = false;

		for (struct dirent *d; dir && !found && (d = readdir(dir));) {
			/* The probes of shim_probe.c stay for the whole run. */
			found = !std::strncmp(d->d_name, prefix, n) &&
				std::strcmp(d->d_name, "bench_small") &&
				std::strcmp(d->d_name, "bench_str");
			if (found && i == 299)
				std::fprintf(stderr, "still there after 30 s: %s/%s\n", system,
					     d->d_name);
		}
		if (dir)
			closedir(dir);
		if (!found) {
			usleep(1500000);
			return true;
		}
		usleep(100000);
	}
	return false;
}

/*
 * @n new events named @prefix<i>, registered through @fd, event i's bit
 * being the (word, bit) word_of(i) gives: 0, or the first error.
 */
template <typename WordOf>
int register_batch(int fd, const std::string &prefix, int n, WordOf word_of)
{
	char desc[128];
	int ret = 0;

	for (int i = 0; i < n && !ret; i++) {
		std::snprintf(desc, sizeof(desc), "%s%d u32 a", prefix.c_str(), i);
		auto [word, bit] = word_of(i);
		ret = be_register(fd, desc, word, bit, nullptr);
	}
	return ret;
}

void register_events(benchmark::State &state)
{
	const backend *be = backend_arg(state.range(0));
	int n = static_cast<int>(state.range(1)), round = 0;

	for (auto _ : state) {
		std::vector<uint32_t> words(static_cast<size_t>(n) / 32 + 1);
		int fd = be_open(be);
		char desc[128];

		if (fd < 0) {
			state.SkipWithError(be->data);
			break;
		}
		int ret = register_batch(fd, "bench_many" + std::to_string(round) + "_", n,
					 [&](int i) { return std::pair(&words[i / 32], i % 32); });

		if (ret) {
			/* No PauseTiming() after an error: the library forbids it. */
			std::string msg = std::string("register: ") + std::strerror(-ret);

			close(fd);
			state.SkipWithError(msg.c_str());
			break;
		}
		state.PauseTiming();
		/* Bits belong to the process, not the file: unregister them, then
		 * closing the file lets the unused events go. */
		for (int i = 0; i < n; i++)
			be_unregister(fd, &words[i / 32], i % 32);
		close(fd);
		/* Their removal must not run under the next round's clock. */
		std::snprintf(desc, sizeof(desc), "bench_many%d_", round);
		if (!events_gone(be->system, desc)) {
			state.ResumeTiming();
			state.SkipWithError("the new events were not removed within 30 s");
			break;
		}
		round++;
		state.ResumeTiming();
	}
	state.counters["events"] = n;
}

/* New events per timed batch of the side-by-side creation case. */
constexpr int kCreateBatch = 100;

/*
 * Event creation side by side (paired_clock): batches of kCreateBatch new
 * events for each backend.  The case starts once earlier cases' events are
 * gone, and ends once both backends have removed its own, so that no
 * removal runs under a clock.
 */
void register_pair(benchmark::State &state)
{
	const backend *be[2] = { &shim_uevt_backend, &shim_user_events_backend };
	paired_clock clock;
	int fd[2] = { be_open(be[0]), clock.sides == 2 ? be_open(be[1]) : -1 };
	/* Registered words must not move: a deque keeps them in place. */
	std::deque<uint32_t> words[2];
	/* Names differ between repetitions, which run in one process. */
	static int repetition;
	int rep = repetition++, ret = 0;
	char prefix[32];
	bool failed = false;

	std::snprintf(prefix, sizeof(prefix), "bench_pair%d_", rep);
	for (int side = 0; side < clock.sides && !failed; side++) {
		if (fd[side] < 0)
			state.SkipWithError(be[side]->data);
		else if (!events_gone(be[side]->system, "bench_"))
			state.SkipWithError("earlier cases' events were not removed within 30 s");
		failed = fd[side] < 0 || state.error_occurred();
	}
	for (auto _ : state) {
		if (failed)
			break;
		failed = !clock.round([&](int side) {
			ret = register_batch(fd[side], prefix + std::to_string(clock.rounds) + "_",
					     kCreateBatch, [&](int) {
						     words[side].push_back(0);
						     return std::pair(&words[side].back(), 0);
					     });
			return !ret;
		});
		if (failed)
			state.SkipWithError((std::string("register: ") + std::strerror(-ret)).c_str());
	}
	for (int side = 0; side < 2; side++) {
		if (fd[side] < 0)
			continue;
		for (auto &w : words[side])
			be_unregister(fd[side], &w, 0);
		close(fd[side]);
	}
	for (int side = 0; side < clock.sides && !failed; side++)
		if (!events_gone(be[side]->system, prefix)) {
			state.SkipWithError("the new events were not removed within 30 s");
			failed = true;
		}
	if (!failed)
		clock.report(state, kCreateBatch);
}

/*
 * Events added to the kernel for the crowded side of register/crowd:
 * UEVT_BENCH_CROWD, or 3000 (50 for a smoke run).
 */
int crowd_size()
{
	const char *n = std::getenv("UEVT_BENCH_CROWD");

	if (n && std::atoi(n) > 0)
		return std::atoi(n);
	return smoke() ? 50 : 3000;
}

/* A pause before each timed batch of register/crowd, for deferred frees and workers. */
constexpr useconds_t kCrowdSettleUs = 300000;

/*
 * Event creation among few events and among crowd_size() more, uevt
 * alone, in one boot: what a kernel with thousands of events (Debian's)
 * costs over one with a few hundred (the perf kernel), without two boots'
 * drift in the figure.  Each round times one batch of kCreateBatch new
 * events per side, alternating which goes first; off the clock, the
 * crowd is created before its side's batch and removed after it, and the
 * round's own new events are removed at its end, so that the side among
 * few has only the kernel's own events around.  Counters: bare_ns,
 * crowded_ns per new event, their ratio for the repetition, and the
 * crowd's size.
 */
void register_crowd(benchmark::State &state)
{
	const backend *be = &shim_uevt_backend;
	static int repetition;
	int rep = repetition++, n_crowd = crowd_size();
	double spent[2] = { 0, 0 };
	char prefix[32];
	std::string error;
	uint64_t rounds = 0;

	/* A round's new events, both sides, live in one file until it ends. */
	static_assert(2 * kCreateBatch <= 1024, "a round's events fit in one file");
	std::snprintf(prefix, sizeof(prefix), "bench_crowded%d_", rep);
	/* Earlier cases' removals must not run under the first clock. */
	if (!events_gone(be->system, "bench_"))
		error = "earlier cases' events were not removed within 30 s";
	for (auto _ : state) {
		if (!error.empty())
			break;

		/* Registered words must not move: a deque keeps them in place. */
		std::deque<uint32_t> words;
		std::string round = std::string(prefix) + std::to_string(rounds) + "_";
		int fd = be_open(be);

		if (fd < 0) {
			error = std::string("open: ") + std::strerror(-fd);
			break;
		}
		for (int k = 0; k < 2 && error.empty(); k++) {
			int side = static_cast<int>(rounds & 1) ^ k, ret = 0;
			std::string crowd_prefix = round + "c";
			pid_t crowd = 0;

			if (side) {
				crowd = crowd_start(be, crowd_prefix.c_str(), n_crowd, n_crowd);
				if (crowd < 0) {
					error = std::string("crowd: ") + std::strerror(-crowd);
					break;
				}
			}
			/* What a crowd's creation left running ends first. */
			usleep(kCrowdSettleUs);
			auto start = std::chrono::steady_clock::now();

			ret = register_batch(fd, round + std::to_string(side) + "_", kCreateBatch,
					     [&](int) {
						     words.push_back(0);
						     return std::pair(&words.back(), 0);
					     });
			spent[side] += std::chrono::duration<double, std::nano>(
				std::chrono::steady_clock::now() - start).count();
			if (ret)
				error = std::string("register: ") + std::strerror(-ret);
			crowd_stop(crowd);
			if (crowd && error.empty() && !events_gone(be->system, crowd_prefix.c_str()))
				error = "the crowd was not removed within 30 s";
		}
		/*
		 * The round's own events go too, so that every round's side
		 * among few has no more than the kernel's own events around.
		 */
		for (auto &w : words)
			be_unregister(fd, &w, 0);
		close(fd);
		if (!events_gone(be->system, round.c_str()) && error.empty())
			error = "the new events were not removed within 30 s";
		if (!error.empty())
			break;
		rounds++;
	}
	if (!error.empty()) {
		state.SkipWithError(error.c_str());
		return;
	}
	if (rounds) {
		state.counters["bare_ns"] = spent[0] / (rounds * kCreateBatch);
		state.counters["crowded_ns"] = spent[1] / (rounds * kCreateBatch);
		state.counters["ratio"] = spent[1] / spent[0];
		state.counters["crowd"] = n_crowd;
	}
}

void register_all()
{
	bool s = smoke();
	std::vector<int64_t> herd = s ? std::vector<int64_t>{ 1, 10 } :
					std::vector<int64_t>{ 1, 10, 100, 1000 };

	benchmark::RegisterBenchmark("disabled/floor", disabled, shim_floor_loop);
	benchmark::RegisterBenchmark("disabled/uevt", disabled, shim_uevt_loop);
	benchmark::RegisterBenchmark("disabled/uevt_string", disabled, shim_uevt_str_loop);
	benchmark::RegisterBenchmark("disabled/lttng_ust", disabled, shim_lttng_loop);
	benchmark::RegisterBenchmark("disabled/usdt", disabled, shim_usdt_loop);

	for (auto p : { PAYLOAD_SMALL, PAYLOAD_STRING }) {
		const char *tag = p == PAYLOAD_SMALL ? "small" : "string64";

		benchmark::RegisterBenchmark((std::string("emit/") + tag).c_str(), emit_pair, p);
		benchmark::RegisterBenchmark((std::string("emit/write_devnull/") + tag).c_str(),
					     write_floor, p);
	}
	benchmark::RegisterBenchmark("emit/usdt_uprobe", uprobe_hit);

	for (int64_t forked : { 0, 1 })
		for (int64_t n : herd)
			for (int64_t b : { 0, 1 })
				/* Like fork: a median of runs, the means drift. */
				benchmark::RegisterBenchmark("propagation", propagation)
					->ArgNames({ "user_events", "procs", "forked" })
					->Args({ b, n, forked })->UseManualTime()
					->Iterations(s ? 1 : (n >= 100 ? 5 : 20))
					->Repetitions(s ? 1 : 3)
					->Unit(benchmark::kMicrosecond);

	for (int64_t n : herd)
		for (int64_t b : { 0, 1 })
			benchmark::RegisterBenchmark("propagation_own", propagation_own)
				->ArgNames({ "user_events", "procs" })->Args({ b, n })
				->UseManualTime()->Iterations(s ? 1 : (n >= 100 ? 5 : 20))
				->Repetitions(s ? 1 : 3)->Unit(benchmark::kMicrosecond);

	for (int64_t b : { 0, 1 })
		for (int64_t crowd : { int64_t{ 0 }, s ? int64_t{ 1000 } : int64_t{ 100000 } })
			benchmark::RegisterBenchmark("isolation", isolation)
				->ArgNames({ "user_events", "others" })->Args({ b, crowd })
				->Repetitions(s ? 1 : 3)->Unit(benchmark::kMicrosecond);

	for (int64_t b : { 0, 1 })
		for (int64_t k : { 0, 100, 1000 })
			/* Fork times drift within a boot: the median of five runs. */
			benchmark::RegisterBenchmark("fork", fork_cost)
				->ArgNames({ "user_events", "held" })->Args({ b, k })
				->Repetitions(s ? 1 : 5)->Unit(benchmark::kMicrosecond);

	for (int64_t b : { 0, 1 })
		benchmark::RegisterBenchmark("memory", memory)
			->ArgNames({ "user_events", "held" })->Args({ b, s ? 100 : 1000 })
			->Iterations(1)->Repetitions(s ? 1 : 3)->Unit(benchmark::kMillisecond);

	for (int64_t b : { 0, 1 }) {
		benchmark::RegisterBenchmark("register/one", register_one)
			->ArgName("user_events")->Arg(b);
		benchmark::RegisterBenchmark("register/events", register_events)
			->ArgNames({ "user_events", "n" })->Args({ b, s ? 10 : 1000 })
			->Iterations(s ? 1 : 3)->Unit(benchmark::kMillisecond);
	}
	/* 1000 new events of each, in batches of kCreateBatch. */
	benchmark::RegisterBenchmark("register/pair", register_pair)
		->Iterations(s ? 1 : 1000 / kCreateBatch);
	/* Ten batches of kCreateBatch new events per side, a crowd made for each. */
	benchmark::RegisterBenchmark("register/crowd", register_crowd)
		->Iterations(s ? 1 : 10)->Unit(benchmark::kMillisecond);
}

} // namespace

int main(int argc, char **argv)
{
	register_all();
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
