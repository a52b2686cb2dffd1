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

echo "# kernel: $(uname -r)"
echo "# cpus: $(nproc), numa nodes: $(ls -d /sys/devices/system/node/node* | wc -l)"

insmod "$MOD"
rc=$?
[ "$rc" = 0 ] && [ -d /sys/module/uevt ]
result $? "runner: uevt.ko loads (insmod status $rc)"
[ -d /sys/module/uevt ] && echo "# module loaded: uevt $(cat /sys/module/uevt/srcversion 2>/dev/null)"

for t in "$SELFTESTS"/*_test; do
	[ -x "$t" ] || continue
	name=${t##*/}
	echo "# selftest: $name"
	timeout "$T" "$t" >/tmp/out.$$ 2>&1
	rc=$?
	cat /tmp/out.$$
	if [ "$rc" != 0 ] && ! grep -q '^not ok ' /tmp/out.$$; then
		case "$rc" in
		124 | 143) why="timed out after ${T}s" ;;
		*) why="exited with status $rc without reporting a failure" ;;
		esac
		result 1 "runner: $name $why"
	fi
	rm -f /tmp/out.$$
done

sleep 1	# unreferenced events are removed asynchronously
rmmod uevt
rc=$?
[ "$rc" = 0 ] && [ ! -d /sys/module/uevt ] && [ ! -e /dev/uevt ] &&
	! ls /sys/kernel/tracing/events | grep -q '^uevt'
if ! result $? "runner: uevt.ko unloads and leaves nothing behind (rmmod status $rc)"; then
	echo "# left behind:"
	sed 's/^/#   /' /sys/kernel/debug/uevt/status 2>/dev/null
	ls /sys/kernel/tracing/events | grep '^uevt' | sed 's/^/#   tracefs: /'
fi

insmod "$MOD" dev_mode=0660
mode=$(stat -c %a /dev/uevt 2>/dev/null)
[ "$mode" = 660 ]
result $? "runner: dev_mode=0660 gives /dev/uevt mode 660 (got '$mode')"
rmmod uevt

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
echo 0 >$I/events/uevt_alt/t_emit/enable 2>/dev/null
[ "$rc" = 0 ] && [ ! -d /sys/kernel/tracing/events/uevt/t_emit ] &&
	grep -q 't_emit: a=1 b=100' $I/trace
result $? "runner: system=uevt_alt puts events in events/uevt_alt (writer status $rc)"
rmdir $I
sleep 0.5
rmmod uevt

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

echo "1..$n"
