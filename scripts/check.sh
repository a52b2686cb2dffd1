#!/usr/bin/env bash
# check.sh: everything `make check` runs once the build is done.  Each step
# writes TAP into build/results/; the last line printed is the summary
# "N passed, N failed[, N skipped]" and the exit status is non-zero when
# anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

results=$BUILD/results
rm -rf "$results"
mkdir -p "$results"
start=$(date +%s)

log "lint"
"$UEVT_TOP/scripts/lint.sh" | tee "$results/lint.tap"

log "host tests"
{
	# compat_check only compiles when every static assertion holds.
	if [ -x "$BUILD/host/compat_check" ] && "$BUILD/host/compat_check"; then
		echo "ok 1 host: uevt.h is binary compatible with upstream user_events.h"
	else
		echo "not ok 1 host: uevt.h is binary compatible with upstream user_events.h (compat_check missing)"
	fi
	"$BUILD/host/desc_test" || true
	fuzz_s=${UEVT_FUZZ_SECONDS:-30}
	mkdir -p "$BUILD/host/corpus"
	if "$BUILD/host/desc_fuzz" -max_total_time="$fuzz_s" -max_len=2048 \
		-artifact_prefix="$BUILD/host/" "$BUILD/host/corpus" \
		"$UEVT_TOP/selftests/host/corpus" >"$BUILD/host/fuzz.log" 2>&1; then
		echo "ok 2 host: parser fuzzed for ${fuzz_s}s under ASan/UBSan ($(grep -o 'Done [0-9]* runs' "$BUILD/host/fuzz.log"))"
	else
		echo "not ok 2 host: parser fuzzing found a crash (see $BUILD/host/fuzz.log)"
		tail -n 30 "$BUILD/host/fuzz.log" | sed 's/^/# /'
	fi
} | tee "$results/host.tap"

for kernel in ${UEVT_KERNELS:-stock debug}; do
	log "VM suite on the $kernel kernel"
	vmlog=$BUILD/vm/check-$kernel.log
	tap=$results/vm-$kernel.tap
	"$UEVT_TOP/scripts/vm-run" --kernel "$kernel" --timeout "${UEVT_VM_TIMEOUT:-1500}" \
		--log "$vmlog" --output "$tap" \
		--add "$BUILD/selftests:/opt/uevt/selftests" \
		--add /usr/bin/perf:/usr/bin/perf --add /usr/bin/trace-cmd:/usr/bin/trace-cmd \
		-- sh /opt/uevt/selftests/run-in-vm.sh
	status=$?
	{
		[ "$status" = 0 ]
		r=$?
		if [ "$r" = 0 ]; then echo "ok 1 vm($kernel): guest run completed"; else
			echo "not ok 1 vm($kernel): guest run completed (vm-run status $status; log $vmlog)"
		fi
		if "$UEVT_TOP/scripts/scan-log.sh" "$vmlog"; then
			echo "ok 2 vm($kernel): kernel log has no splat (scanned $(wc -l <"$vmlog") lines)"
		else
			echo "not ok 2 vm($kernel): kernel log has no splat (see $vmlog)"
		fi
	} | tee "$results/vm-$kernel-scan.tap"
done

log "make check took $(($(date +%s) - start)) s after the build"
"$UEVT_TOP/scripts/tap-summary.sh" "$results"/*.tap
