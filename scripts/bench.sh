#!/usr/bin/env bash
# bench.sh: `make bench`.  Boots the perf kernel (linux-source-6.12 with
# the checkers off and CONFIG_USER_EVENTS=y, built once and cached), loads
# uevt.ko next to the built-in user_events, runs every benchmark in that one
# boot, and writes build/bench/results.json, results.txt (absolute figures
# and each ratio against its peer) and propagation.png/.svg (gnuplot).
# A second boot, of Debian's stock kernel (thousands of events, no built-in
# user_events), runs the event-creation cases for uevt alone: to set its
# per-event cost against the perf kernel's, and creation among 3000 more
# events against creation among few, paired in that boot.
#
# Every case runs UEVT_BENCH_REPS times (5; some cases set fewer), the
# repetitions of all cases shuffled together, so that a ratio's spread
# covers the drift within the boot; the report shows median, min and max.
#
# UEVT_BENCH_ARGS adds Google Benchmark flags (for example
# --benchmark_filter=fork) to the perf kernel's run; UEVT_BENCH_STAGES
# ("perf stock" by default) says which boots to run: the report uses the
# raw results of both, from this run or the last.  UEVT_BENCH_CROWD sets
# how many more events the crowded side of register/crowd has (3000).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$BUILD/bench
mkdir -p "$out"
stages=${UEVT_BENCH_STAGES:-perf stock}

# run_vm KERNEL-IMAGE MODULE TAG ARGS: the benchmarks with ARGS in one boot,
# Google Benchmark's JSON into $out/raw[-TAG].json.
run_vm() {
	local image=$1 module=$2 tag=$3 args=$4 raw=$out/raw${3:+-$3}.json
	# The limits are raised so the isolation case can hold 100,000 bits, and
	# the trace buffer is kept small: emits overwrite it, nobody reads it.
	"$UEVT_TOP/scripts/vm-run" --kernel "$image" --module "$module" --mem 4096 \
		--timeout "${UEVT_BENCH_TIMEOUT:-2400}" --log "$out/vm${tag:+-$tag}.log" \
		--add "$out/uevt_bench:/opt/uevt/bench/uevt_bench" \
		-- sh -c '
		insmod /lib/modules/uevt.ko system=uevt max_enablers_per_mm=200000 max_events=20000 || exit 1
		echo 1024 >/sys/kernel/tracing/buffer_size_kb
		echo "events in this kernel: $(wc -l </sys/kernel/tracing/available_events)" >/tmp/err
		# A memory cgroup of its own: kernel memory is read from its memory.stat.
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control
		mkdir -p /sys/fs/cgroup/bench && echo $$ >/sys/fs/cgroup/bench/cgroup.procs
		ulimit -n 65536
		'"${UEVT_BENCH_CROWD:+UEVT_BENCH_CROWD=$UEVT_BENCH_CROWD}"' \
		/opt/uevt/bench/uevt_bench --benchmark_format=json --benchmark_out=/tmp/r.json \
			--benchmark_out_format=json --benchmark_color=false \
			--benchmark_repetitions='"${UEVT_BENCH_REPS:-5}"' --benchmark_enable_random_interleaving=true \
			'"$args"' >/dev/null 2>>/tmp/err
		rc=$?
		echo "UEVT-BENCH-JSON-BEGIN"
		cat /tmp/r.json
		echo "UEVT-BENCH-JSON-END"
		sed "s/^/# /" /tmp/err
		exit $rc
	' >"$out/vm${tag:+-$tag}.out" || true
	sed -n '/^UEVT-BENCH-JSON-BEGIN$/,/^UEVT-BENCH-JSON-END$/p' "$out/vm${tag:+-$tag}.out" | sed '1d;$d' >"$raw"
	[ -s "$raw" ] && python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$raw" ||
		die "the benchmarks did not finish: see $out/vm${tag:+-$tag}.out"
	"$UEVT_TOP/scripts/scan-log.sh" "$out/vm${tag:+-$tag}.log" ||
		die "kernel splat during the benchmarks: $out/vm${tag:+-$tag}.log"
}

for stage in $stages; do
	case $stage in
	perf)
		kdir=$("$UEVT_TOP/scripts/build-kernel.sh" perf)
		"$UEVT_TOP/scripts/build-module.sh" "$kdir" "$BUILD/mod/perf"
		log "running the benchmarks on the perf kernel (a few minutes)"
		run_vm "$kdir/arch/x86/boot/bzImage" "$BUILD/mod/perf/kernel/trace/uevt.ko" "" \
			"${UEVT_BENCH_ARGS:-}"
		;;
	stock)
		"$UEVT_TOP/scripts/build-module.sh" "/usr/src/linux-headers-$(stock_kver)" "$BUILD/mod/6.12"
		log "running the creation cases on Debian's kernel, uevt alone"
		run_vm stock "$BUILD/mod/6.12/kernel/trace/uevt.ko" stock \
			"--benchmark_filter='^register/(events/user_events:0/|crowd)'"
		;;
	*)
		die "UEVT_BENCH_STAGES: unknown stage $stage"
		;;
	esac
done
stock_raw=
[ -s "$out/raw-stock.json" ] && stock_raw=$out/raw-stock.json
python3 "$UEVT_TOP/scripts/bench-report.py" "$out/raw.json" "$out" $stock_raw
cat "$out/results.txt"
