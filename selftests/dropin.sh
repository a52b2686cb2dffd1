#!/bin/sh
# Runs inside the test VM after the suite (busybox sh), with uevt.ko not
# loaded: programs written for the built-in user_events, taken unchanged
# from linux-source-6.12 (upstream's selftests and its sample), run
# through uevt-run with the module at its defaults.
#
# Where the kernel has no built-in (Debian's kernels), libuevt-compat must
# lead them to uevt, whose events are then user_events:NAME; where it has
# one (the debug kernel), uevt must step aside to uevt:NAME and the same
# programs must use the built-in, untouched.
#
# Against uevt, upstream's TAP lines are printed as they are, unindented:
# the host counts them with ours.  Against the built-in they are shown as
# comments: they judge the built-in, not uevt.  Numbering continues from $1 (the runner's count); the
# last line is "dropin-count N" for the runner to continue from.
MOD=/lib/modules/uevt.ko
UP=/opt/uevt/upstream
RUN=/opt/uevt/bin/uevt-run
T=/sys/kernel/tracing
n=${1:-0}

result() { # result STATUS DESCRIPTION; returns STATUS
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
	return "$1"
}

finish() {
	echo "dropin-count $n"
	exit 0
}

if [ ! -x "$UP/abi_test" ] || [ ! -x "$RUN" ]; then
	result 1 "dropin: upstream programs and uevt-run are in the guest"
	finish
fi

if [ -e $T/user_events_data ]; then builtin=1; else builtin=0; fi
echo "# dropin: built-in user_events: $([ $builtin = 1 ] && echo yes || echo no)"

dmesg -c >/dev/null
insmod "$MOD"
result $? "dropin: uevt.ko loads with its defaults"
system=$(cat /sys/module/uevt/parameters/system 2>/dev/null)
if [ $builtin = 1 ]; then
	[ "$system" = uevt ] &&
		dmesg | grep -q 'uevt: the kernel has the built-in user_events: events go to uevt and uevt_multi'
	result $? "dropin: beside the built-in, events go to uevt and the log says so (system '$system')"
else
	[ "$system" = user_events ] && ! dmesg | grep -q 'built-in user_events'
	result $? "dropin: without a built-in, events go to user_events (system '$system')"
fi

# Upstream's selftests, each test a TAP line of its own.  dyn_test is not
# run: it writes "u:" definitions to dynamic_events, a file of the tracing
# core that only the built-in can extend (README, "Drop-in").
for t in abi_test ftrace_test perf_test; do
	echo "# dropin: uevt-run $UP/$t"
	# Their own numbering restarts at 1; prefix nothing, the host
	# counts lines, not numbers.
	(cd "$UP" && timeout 300 "$RUN" "./$t") >/tmp/up.$$ 2>&1
	rc=$?
	if [ $builtin = 1 ]; then
		# Their results are the built-in's, not uevt's (6.12's fails
		# abi_test's user.flags: DIAG_IOCSDEL right after the last
		# unregistration is refused): shown, not counted.  What is
		# checked here is that they ran against the built-in at all.
		sed 's/^/#   built-in: /' /tmp/up.$$
		summary=$(sed -n 's/^# Totals: //p' /tmp/up.$$)
		[ -n "$summary" ]
		result $? "dropin: $t ran to its end against the built-in (its results: ${summary:-none})"
	else
		cat /tmp/up.$$
		if [ "$rc" != 0 ] && ! grep -q '^not ok ' /tmp/up.$$; then
			result 1 "dropin: $t exited with status $rc without reporting a failure"
		fi
	fi
	# A test that skipped says why; a skip here would hide a missing
	# redirect, so none is expected on either kind of kernel.
	if grep -q '^ok .* # SKIP' /tmp/up.$$; then
		result 1 "dropin: $t skipped nothing ($(grep -c '# SKIP' /tmp/up.$$) skipped)"
	fi
	rm -f /tmp/up.$$
done

# Which facility the programs used: uevt's brief status file, or the
# built-in's own user_events_status.
ran_on() { # ran_on NAME: "uevt", "builtin" or "none" for event NAME
	if grep -qE "^$1( #.*)?\$" /dev/uevt-status 2>/dev/null; then
		echo uevt
	elif grep -qE "^$1( #.*)?\$" $T/user_events_status 2>/dev/null; then
		echo builtin
	else
		echo none
	fi
}

# Upstream's sample: registers "test u32 count", waits for Enter and then
# writes a record if enabled.  Fed from a fifo, it loops until killed.
fifo=/tmp/example.fifo.$$
rm -f $fifo
mkfifo $fifo
(cd "$UP" && exec "$RUN" ./example) <$fifo >/tmp/example.$$ 2>&1 &
ex=$!
exec 7>$fifo
i=0
while [ "$(ran_on test)" = none ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
want=uevt
[ $builtin = 1 ] && want=builtin
where=$(ran_on test)
[ "$where" = "$want" ]
result $? "dropin: example registers 'test' with the $want facility (found: $where)"

sys=user_events
echo 0 >$T/tracing_on
echo >$T/trace
echo 1 >$T/tracing_on
echo 1 >$T/events/$sys/test/enable
echo >&7
sleep 0.5
echo >&7
sleep 0.5
echo 0 >$T/events/$sys/test/enable
# (Its own "Something was attached" stays in its stdio buffer: it never
# exits by itself.)
grep -q ' test: count=' $T/trace
if ! result $? "dropin: example's records reach trace after enabling $sys/test in tracefs"; then
	sed 's/^/#   example: /' /tmp/example.$$ | head -n 10
	grep -v '^#' $T/trace | sed 's/^/#   trace: /' | head -n 10
fi

# perf, with the glob tools written for the built-in use.
if [ -x /usr/bin/perf ]; then
	perf record -q -a -e "$sys:*" -o /tmp/perf.data.$$ -- sh -c "sleep 0.5; echo >&7; sleep 0.5; echo >&7; sleep 0.5" \
		>/tmp/perf.out.$$ 2>&1
	rc=$?
	perf script -i /tmp/perf.data.$$ >/tmp/perf.txt.$$ 2>>/tmp/perf.out.$$
	records=$(grep -c "$sys:test:" /tmp/perf.txt.$$)
	[ "$rc" = 0 ] && [ "$records" -ge 1 ]
	if ! result $? "dropin: perf record -e '$sys:*' records example's events ($records record(s), status $rc)"; then
		sed 's/^/#   perf: /' /tmp/perf.out.$$ | head -n 10
	fi
	rm -f /tmp/perf.data.$$ /tmp/perf.out.$$ /tmp/perf.txt.$$
fi
exec 7>&-
kill $ex 2>/dev/null
wait $ex 2>/dev/null
rm -f $fifo /tmp/example.$$

# Nothing of uevt's was left registered by programs that used the built-in.
if [ $builtin = 1 ]; then
	[ "$(grep -c . /dev/uevt-status)" -le 3 ] && grep -q '^Active: 0$' /dev/uevt-status
	result $? "dropin: beside the built-in, uevt saw none of the upstream programs"
fi

i=0
until rmmod uevt 2>/dev/null || [ $i -ge 20 ]; do
	sleep 0.5
	i=$((i + 1))
done
[ ! -d /sys/module/uevt ]
result $? "dropin: uevt.ko unloads after the upstream programs"
finish
