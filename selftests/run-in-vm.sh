#!/bin/sh
# Runs inside the test VM (busybox sh): loads uevt.ko, runs every selftest
# binary, checks unload and reload.  Prints TAP on stdout; the host counts
# the unindented "ok"/"not ok" lines of this script and of every binary.
#
# UEVT_TEST_TIMEOUT bounds each binary (the kselftest harness also bounds
# each test case); a binary that times out or dies without reporting a
# failure of its own is reported as failed here.
T=${UEVT_TEST_TIMEOUT:-300}
MOD=/lib/modules/uevt.ko
SELFTESTS=/opt/uevt/selftests
n=0

result() { # result STATUS DESCRIPTION; returns STATUS
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
	return "$1"
}

# Kernel splats, attributed to whatever ran since the last mark: the host
# scans the whole log again, this says which test caused one.
SPLATS=$(paste -sd'|' "$SELFTESTS/splat-patterns")
mark() { # mark NAME: note in the kernel log that NAME starts now
	echo "uevt-runner: begin $1" >/dev/kmsg
}
splat_check() { # splat_check NAME: a result line, failing on a splat since mark NAME
	dmesg | sed -n "/uevt-runner: begin $1\$/,\$p" | grep -E "$SPLATS" >/tmp/splat.$$
	if [ -s /tmp/splat.$$ ]; then
		sed 's/^/#   /' /tmp/splat.$$ | head -n 20
		result 1 "runner: $1 leaves no kernel splat ($(wc -l </tmp/splat.$$) line(s))"
	else
		result 0 "runner: $1 leaves no kernel splat"
	fi
	rm -f /tmp/splat.$$
}

echo "# kernel: $(uname -r)"
echo "# cpus: $(nproc), numa nodes: $(ls -d /sys/devices/system/node/node* | wc -l)"

# Swap on the virtio disk vm-run attached (--swap), for the swapped-out
# page test.
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkswap /dev/vda >/dev/null 2>&1 && swapon /dev/vda
result $? "runner: swap on the virtio disk ($(tail -n +2 /proc/swaps | wc -l) area(s))"

# The suite names its events uevt:NAME on every kernel; the default system
# (user_events where the kernel has no built-in) is dropin.sh's subject.
insmod "$MOD" system=uevt
rc=$?
[ "$rc" = 0 ] && [ -d /sys/module/uevt ]
result $? "runner: uevt.ko loads (insmod status $rc)"
[ -d /sys/module/uevt ] && echo "# module loaded: uevt $(cat /sys/module/uevt/srcversion 2>/dev/null)"

for t in "$SELFTESTS"/*_test; do
	[ -x "$t" ] || continue
	name=${t##*/}
	echo "# selftest: $name"
	mark "$name"
	t0=$(date +%s)
	timeout "$T" "$t" >/tmp/out.$$ 2>&1
	rc=$?
	echo "# selftest: $name took $(($(date +%s) - t0)) s"
	cat /tmp/out.$$
	if [ "$rc" != 0 ] && ! grep -q '^not ok ' /tmp/out.$$; then
		case "$rc" in
		124 | 143) why="timed out after ${T}s" ;;
		*) why="exited with status $rc without reporting a failure" ;;
		esac
		result 1 "runner: $name $why"
	fi
	rm -f /tmp/out.$$
	splat_check "$name"
done

# Every benchmark once, briefly, so none can rot (timings are not checked:
# that is `make bench`).  The built-in user_events peers can only run
# where the kernel has it.
B=/opt/uevt/bench/uevt_bench
if [ -x "$B" ]; then
	echo "# benchmarks, smoke run"
	UEVT_BENCH_SMOKE=1 timeout "$T" "$B" --benchmark_min_time=0.001 --benchmark_color=false >/tmp/bench.$$ 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/bench.$$
	if [ -e /sys/kernel/tracing/user_events_data ]; then
		errors=$(grep -c 'ERROR OCCURRED' /tmp/bench.$$)
	else
		errors=$(grep 'ERROR OCCURRED' /tmp/bench.$$ | grep -vc 'user_events:1')
	fi
	cases=$(grep -c '^[a-z]' /tmp/bench.$$)
	[ "$rc" = 0 ] && [ "$errors" = 0 ] && [ "$cases" -ge 36 ]
	result $? "runner: every benchmark runs once (status $rc, $cases cases, $errors errors)"
	rm -f /tmp/bench.$$
fi

# Unreferenced events and exited processes' state go asynchronously (and
# with ctl=perf or ctl=toggle, the control events stay enabled for a second
# after the last creation or removal): until then the module is in use,
# and rmmod says so (EAGAIN).  unload_uevt gives it 10 s; its status is
# rmmod's, its complaint a TAP comment.
unload_uevt() {
	local i=0 rc
	while :; do
		rmmod uevt 2>/tmp/rmmod.$$
		rc=$?
		[ "$rc" = 0 ] || [ $i -ge 20 ] && break
		sleep 0.5
		i=$((i + 1))
	done
	[ "$rc" = 0 ] || sed 's/^/# /' /tmp/rmmod.$$
	rm -f /tmp/rmmod.$$
	return "$rc"
}

unload_uevt
rc=$?
[ "$rc" = 0 ] && [ ! -d /sys/module/uevt ] && [ ! -e /dev/uevt ] &&
	! ls /sys/kernel/tracing/events | grep -q '^uevt'
if ! result $? "runner: uevt.ko unloads and leaves nothing behind (rmmod status $rc)"; then
	echo "# left behind:"
	sed 's/^/#   /' /proc/uevt 2>/dev/null
	ls /sys/kernel/tracing/events | grep '^uevt' | sed 's/^/#   tracefs: /'
fi

insmod "$MOD" dev_mode=0660
mode=$(stat -c %a /dev/uevt 2>/dev/null)
smode=$(stat -c %a /dev/uevt-status 2>/dev/null)
[ "$mode" = 660 ] && [ "$smode" = 440 ]
result $? "runner: dev_mode=0660 gives /dev/uevt mode 660, /dev/uevt-status 440 (got '$mode', '$smode')"
unload_uevt

# system= puts the events under another tracefs system.
insmod "$MOD" system=uevt_alt
"$SELFTESTS/uevt_emit" 1 20000 >/tmp/emit.$$ 2>&1 &
i=0
while [ ! -d /sys/kernel/tracing/events/uevt_alt/t_emit ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
# Our own instance: earlier tests (trace-cmd) may have used the top level.
I=/sys/kernel/tracing/instances/uevt_runner
mkdir $I
echo 1 >$I/events/uevt_alt/t_emit/enable 2>/dev/null
wait $!
rc=$?
# Read while enabled: once disabled, the unreferenced event goes at once,
# and the buffer can no longer name its records.
cat $I/trace >/tmp/trace.$$
echo 0 >$I/events/uevt_alt/t_emit/enable 2>/dev/null
if ! { [ "$rc" = 0 ] && [ ! -d /sys/kernel/tracing/events/uevt/t_emit ] &&
	grep -q 't_emit: a=1 b=100' /tmp/trace.$$; }; then
	echo "# writer said:"; sed 's/^/#   /' /tmp/emit.$$
	echo "# instance trace:"; grep -v '^#' /tmp/trace.$$ | sed 's/^/#   /'
	echo "# events/uevt: $(ls /sys/kernel/tracing/events/uevt 2>&1 | tr '\n' ' ')"
	echo "# status:"; sed 's/^/#   /' /proc/uevt
	false
fi
result $? "runner: system=uevt_alt puts events in events/uevt_alt (writer status $rc)"
rm -f /tmp/emit.$$ /tmp/trace.$$
rmdir $I
unload_uevt

insmod "$MOD" dev_mode=01777 2>/dev/null
rc=$?
[ "$rc" != 0 ] && [ ! -d /sys/module/uevt ] && dmesg | grep -q 'uevt: dev_mode 01777 has bits outside 0777'
result $? "runner: dev_mode with bits outside 0777 is refused with a message (insmod status $rc)"
rmmod uevt 2>/dev/null

# uevtctl without the module says what to do.
if [ -x /usr/bin/uevtctl ]; then
	uevtctl list >/dev/null 2>/tmp/err.$$
	rc=$?
	[ "$rc" = 1 ] && grep -q "uevt.ko is not loaded: run 'modprobe uevt'" /tmp/err.$$
	result $? "runner: uevtctl without the module exits 1 and says to load it (status $rc)"
	rm -f /tmp/err.$$
fi

# The SDK without the module: the built-in user_events where the kernel has
# it (debug kernel), no backend at all otherwise (stock kernel).
echo "# selftest: sdk_fallback"
timeout "$T" "$SELFTESTS/sdk_fallback" >/tmp/out.$$ 2>&1
rc=$?
cat /tmp/out.$$
if [ "$rc" != 0 ] && ! grep -q '^not ok ' /tmp/out.$$; then
	result 1 "runner: sdk_fallback exited with status $rc without reporting a failure"
fi
rm -f /tmp/out.$$

# Programs written for the built-in, unchanged, through uevt-run.
echo "# selftest: dropin"
mark dropin
sh "$SELFTESTS/dropin.sh" "$n" >/tmp/out.$$ 2>&1
grep -v '^dropin-count ' /tmp/out.$$
count=$(sed -n 's/^dropin-count //p' /tmp/out.$$)
if [ -n "$count" ]; then n=$count; else result 1 "runner: dropin.sh ran to its end"; fi
rm -f /tmp/out.$$
splat_check dropin

echo "1..$n"
