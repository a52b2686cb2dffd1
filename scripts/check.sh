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

for kernel in ${UEVT_KERNELS:-stock debug}; do
	log "VM suite on the $kernel kernel"
	vmlog=$BUILD/vm/check-$kernel.log
	tap=$results/vm-$kernel.tap
	"$UEVT_TOP/scripts/vm-run" --kernel "$kernel" --timeout "${UEVT_VM_TIMEOUT:-1500}" \
		--log "$vmlog" --output "$tap" \
		--add "$BUILD/selftests:/opt/uevt/selftests" \
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
