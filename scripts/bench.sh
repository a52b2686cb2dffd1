#!/usr/bin/env bash
# bench.sh: `make bench`.  Boots the perf kernel (linux-source-6.12 with
# the checkers off and CONFIG_USER_EVENTS=y, built once and cached), loads
# uevt.ko next to the built-in user_events, runs every benchmark in that one
# boot, and writes build/bench/results.json, results.txt (absolute figures
# and each ratio against its peer) and propagation.png/.svg (gnuplot).
#
# Every case runs UEVT_BENCH_REPS times (5; some cases set fewer), the
# repetitions of all cases shuffled together, so that a ratio's spread
# covers the drift within the boot; the report shows median, min and max.
#
# UEVT_BENCH_ARGS adds Google Benchmark flags (for example
# --benchmark_filter=fork); UEVT_BENCH_KERNEL=stock runs on Debian's kernel
# instead (no built-in user_events there: those peers show as errors).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$BUILD/bench
mkdir -p "$out"
kernel=${UEVT_BENCH_KERNEL:-perf}
if [ "$kernel" = stock ]; then
	image=stock
	"$UEVT_TOP/scripts/build-module.sh" "/usr/src/linux-headers-$(stock_kver)" "$BUILD/mod/6.12"
	module=$BUILD/mod/6.12/kernel/trace/uevt.ko
else
	kdir=$("$UEVT_TOP/scripts/build-kernel.sh" perf)
	"$UEVT_TOP/scripts/build-module.sh" "$kdir" "$BUILD/mod/perf"
	image=$kdir/arch/x86/boot/bzImage
	module=$BUILD/mod/perf/kernel/trace/uevt.ko
fi

log "running the benchmarks on the $kernel kernel (a few minutes)"
# The limits are raised so the isolation case can hold 100,000 bits, and
# the trace buffer is kept small: emits overwrite it, nobody reads it.
"$UEVT_TOP/scripts/vm-run" --kernel "$image" --module "$module" --mem 4096 \
	--timeout "${UEVT_BENCH_TIMEOUT:-2400}" --log "$out/vm.log" \
	--add "$out/uevt_bench:/opt/uevt/bench/uevt_bench" \
	-- sh -c '
	insmod /lib/modules/uevt.ko max_enablers_per_mm=200000 max_events=20000 || exit 1
	echo 1024 >/sys/kernel/tracing/buffer_size_kb
	# A memory cgroup of its own: kernel memory is read from its memory.stat.
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/bench && echo $$ >/sys/fs/cgroup/bench/cgroup.procs
	ulimit -n 65536
	/opt/uevt/bench/uevt_bench --benchmark_format=json --benchmark_out=/tmp/r.json \
		--benchmark_out_format=json --benchmark_color=false \
		--benchmark_repetitions='"${UEVT_BENCH_REPS:-5}"' --benchmark_enable_random_interleaving=true \
		'"${UEVT_BENCH_ARGS:-}"' >/dev/null 2>/tmp/err
	rc=$?
	echo "UEVT-BENCH-JSON-BEGIN"
	cat /tmp/r.json
	echo "UEVT-BENCH-JSON-END"
	sed "s/^/# /" /tmp/err
	exit $rc
' >"$out/vm.out"
sed -n '/^UEVT-BENCH-JSON-BEGIN$/,/^UEVT-BENCH-JSON-END$/p' "$out/vm.out" | sed '1d;$d' >"$out/raw.json"
[ -s "$out/raw.json" ] && python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$out/raw.json" ||
	die "the benchmarks did not finish: see $out/vm.out"
"$UEVT_TOP/scripts/scan-log.sh" "$out/vm.log" || die "kernel splat during the benchmarks: $out/vm.log"
python3 "$UEVT_TOP/scripts/bench-report.py" "$out/raw.json" "$out"
cat "$out/results.txt"
