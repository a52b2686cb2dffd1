#!/usr/bin/env bash
# check.sh: everything `make check` runs once the build is done.  Each step
# writes TAP into build/results/; the last line printed is the summary
# "N passed, N failed[, N skipped]" and the exit status is non-zero when
# anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

results=$BUILD/results
rm -rf "$results"
mkdir -p "$results" "$BUILD/vm"
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
	"$BUILD/host/sdk_host_test" || true
	"$BUILD/host/sdk_noauto_test" || true
	"$BUILD/host/sdk_cxx_test" || true
	"$BUILD/host/status_parse_test" || true
	# libuevt's exports against sdk/lib/libuevt.map, <uevt.h> and the man pages.
	"$UEVT_TOP/selftests/host/sdk_abi_check.sh" "$BUILD" || true
	# libuevt-compat.so's own test, preloaded by uevt-run from the build
	# tree.  Exit 127 (library or test missing) or a signal means it
	# printed no TAP of its own.
	UEVT_COMPAT_LIB=$BUILD/sdk/libuevt-compat.so "$UEVT_TOP/tools/uevt-run" "$BUILD/host/compat_test"
	rc=$?
	if [ "$rc" != 127 ] && [ "$rc" -lt 128 ]; then
		echo "ok 4 host: compat_test ran under uevt-run with UEVT_COMPAT_LIB"
	else
		echo "not ok 4 host: compat_test ran under uevt-run with UEVT_COMPAT_LIB (status $rc)"
	fi
	out=$(UEVT_COMPAT_LIB=$BUILD/host/no-such-libuevt-compat.so "$UEVT_TOP/tools/uevt-run" true 2>&1)
	rc=$?
	if [ "$rc" = 127 ] && printf '%s\n' "$out" | grep -q 'no-such-libuevt-compat.so: no such file'; then
		echo "ok 5 host: uevt-run names the missing library and exits 127"
	else
		echo "not ok 5 host: uevt-run names the missing library and exits 127 (status $rc: $out)"
	fi
	# make install, then a strict-C11 static program built from the
	# installed header and library through pkg-config alone.
	inst=$BUILD/host/install
	rm -rf "$inst"
	if make -s -C "$UEVT_TOP" install DESTDIR="$inst" PREFIX=/usr >"$BUILD/host/install.log" 2>&1 &&
		printf '#include <uevt.h>\nUEVT_EVENT(e, UEVT_U32(n), UEVT_STRING(s));\nint main(void) { UEVT_EMIT(e, 1, "x"); return uevt_backend() != UEVT_BACKEND_NONE; }\n' >"$BUILD/host/consumer.c" &&
		PKG_CONFIG_SYSROOT_DIR=$inst PKG_CONFIG_LIBDIR=$inst/usr/lib/pkgconfig \
			gcc -std=c11 -Wall -Wextra -Werror -static "$BUILD/host/consumer.c" -o "$BUILD/host/consumer" \
			$(PKG_CONFIG_SYSROOT_DIR=$inst PKG_CONFIG_LIBDIR=$inst/usr/lib/pkgconfig pkg-config --cflags --libs --static uevt) \
			>>"$BUILD/host/install.log" 2>&1 &&
		"$BUILD/host/consumer" && [ -f "$inst/usr/share/man/man8/uevtctl.8" ]; then
		echo "ok 3 host: make install, then a static C11 program builds from the installed SDK via pkg-config and runs with no backend"
	else
		echo "not ok 3 host: make install and a static C11 program from the installed SDK (see $BUILD/host/install.log)"
	fi
	# The installed uevt-run finds the installed library relative to itself.
	maps=$("$inst/usr/bin/uevt-run" cat /proc/self/maps 2>&1)
	if [[ $maps == *"$inst/usr/lib/uevt/libuevt-compat.so"* ]] && [ -f "$inst/usr/share/man/man1/uevt-run.1" ]; then
		echo "ok 6 host: the installed uevt-run preloads the installed PREFIX/lib/uevt/libuevt-compat.so; uevt-run(1) is installed"
	else
		echo "not ok 6 host: the installed uevt-run preloads the installed PREFIX/lib/uevt/libuevt-compat.so; uevt-run(1) is installed"
		printf '%s\n' "$maps" | head -n 5 | sed 's/^/# /'
	fi
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

log "in-tree build"
{
	if out=$("$UEVT_TOP/scripts/build-in-tree.sh" 2>&1); then
		echo "ok 1 in-tree: kernel/trace/uevt.o builds in linux-source-6.12 with CONFIG_UEVT=m and W=1, no warning"
	else
		echo "not ok 1 in-tree: kernel/trace/uevt.o in linux-source-6.12 (see $BUILD/intree/build.log)"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
	fi
} | tee "$results/intree.tap"

log "Debian packages"
# make deb, lintian, dkms build for each test kernel, and the packages
# installed with apt into a Debian 12 image that then boots in a VM
# (scripts/deb-test.sh).  It prints its plan last: without it, it died.
"$UEVT_TOP/scripts/deb-test.sh" | tee "$results/deb.tap"
if ! grep -q '^1\.\.[0-9]' "$results/deb.tap"; then
	echo "not ok 999 deb: scripts/deb-test.sh ended before its last check" | tee -a "$results/deb.tap"
fi
log "Debian packages: $(grep -c '^ok' "$results/deb.tap") ok, $(grep -c '^not ok' "$results/deb.tap") not ok"

# One kernel's VM suite: its TAP, its console log, the scan of that log,
# and how long it took.  Debian's kernels also run SLUB's own checks and
# KFENCE; the debug kernel has KASAN instead, and the longest stress run.
vm_suite() {
	local kernel=$1 vmlog=$BUILD/vm/check-$1.log t0 status r env cmdline=()

	t0=$(date +%s)
	env="UEVT_STRESS_SECONDS=30 UEVT_FUZZ_SECONDS=10"
	if [ "$kernel" = debug ]; then
		env="UEVT_STRESS_SECONDS=60 UEVT_FUZZ_SECONDS=20"
	else
		cmdline=(--cmdline "slub_debug=FZPU kfence.sample_interval=10")
	fi
	"$UEVT_TOP/scripts/vm-run" --kernel "$kernel" --timeout "${UEVT_VM_TIMEOUT:-1800}" \
		--log "$vmlog" --output "$results/vm-$kernel.tap" --swap 64 --kmod fuse \
		"${cmdline[@]}" \
		--add "$BUILD/selftests:/opt/uevt/selftests" \
		--add "$BUILD/samples:/opt/uevt/samples" --add "$BUILD/tools/uevtctl:/usr/bin/uevtctl" \
		--add "$BUILD/bench/uevt_bench:/opt/uevt/bench/uevt_bench" \
		--add "$BUILD/upstream:/opt/uevt/upstream" --add "$UEVT_TOP/tools/uevt-run:/opt/uevt/bin/uevt-run" \
		--add "$BUILD/sdk/libuevt-compat.so:/opt/uevt/lib/uevt/libuevt-compat.so" \
		--add /usr/bin/perf:/usr/bin/perf --add /usr/bin/trace-cmd:/usr/bin/trace-cmd \
		-- sh -c "$env sh /opt/uevt/selftests/run-in-vm.sh" >/dev/null 2>"$BUILD/vm/vm-run-$kernel.err"
	status=$?
	{
		[ "$status" = 0 ]
		r=$?
		if [ "$r" = 0 ]; then echo "ok 1 vm($kernel): guest run completed"; else
			echo "not ok 1 vm($kernel): guest run completed (vm-run status $status; log $vmlog)"
			sed 's/^/# vm-run: /' "$BUILD/vm/vm-run-$kernel.err" | tail -n 10
		fi
		if "$UEVT_TOP/scripts/scan-log.sh" "$vmlog" 2>"$BUILD/vm/scan-$kernel.txt"; then
			echo "ok 2 vm($kernel): kernel log has no splat (scanned $(wc -l <"$vmlog") lines)"
		else
			echo "not ok 2 vm($kernel): kernel log has no splat (see $vmlog)"
			head -n 40 "$BUILD/vm/scan-$kernel.txt" | sed 's/^/# /'
		fi
		echo "# vm($kernel): $(($(date +%s) - t0)) s"
	} >"$results/vm-$kernel-scan.tap"
	log "VM suite on the $kernel kernel done in $(($(date +%s) - t0)) s: $(grep -c '^ok' "$results/vm-$kernel.tap" 2>/dev/null) ok, $(grep -c '^not ok' "$results/vm-$kernel.tap" "$results/vm-$kernel-scan.tap" | awk -F: '{s += $2} END {print s}') not ok"
}

# The suites run side by side, UEVT_VM_PARALLEL at a time (each VM is one
# single-threaded TCG process): the longest (debug) first.
kernels=${UEVT_KERNELS:-debug 6.12 6.1 6.12-rt 6.1-rt}
log "VM suites on: $kernels (${UEVT_VM_PARALLEL:-2} at a time)"
for kernel in $kernels; do
	while [ "$(jobs -rp | wc -l)" -ge "${UEVT_VM_PARALLEL:-2}" ]; do
		wait -n
	done
	vm_suite "$kernel" &
	sleep 2	# staggered: two guests never build their initramfs at once
done
wait
for kernel in $kernels; do
	grep -E '^(not ok|# vm)' "$results/vm-$kernel.tap" "$results/vm-$kernel-scan.tap" 2>/dev/null | sed 's/^[^:]*://'
done

log "make check took $(($(date +%s) - start)) s after the build"
"$UEVT_TOP/scripts/tap-summary.sh" "$results"/*.tap
