#!/usr/bin/env bash
# demo.sh: the main job on one screen.  Boots Debian's stock kernel in the
# test VM, loads uevt.ko, starts a process that registers an event with an
# enable bit, enables the event from the shell (the kernel sets the bit in
# that process's memory), and shows the records it then writes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log "booting Debian's $(stock_kver) kernel under QEMU and loading uevt.ko"
exec "$UEVT_TOP/scripts/vm-run" --kernel stock --log "$BUILD/vm/demo.log" \
	--add "$BUILD/selftests/uevt_emit:/opt/uevt/bin/uevt_emit" -- sh -c '
	set -e
	T=/sys/kernel/tracing
	run() { echo "\$ $*"; "$@"; }
	run insmod /lib/modules/uevt.ko
	run ls -l /dev/uevt
	echo "\$ uevt_emit 3 20000 &    # registers t_emit with an enable bit, waits for it"
	uevt_emit 3 20000 &
	sleep 1
	run cat $T/events/uevt/t_emit/format
	echo "\$ echo 1 > $T/events/uevt/t_emit/enable"
	echo 1 > $T/events/uevt/t_emit/enable
	wait
	echo "\$ grep t_emit $T/trace"
	grep t_emit $T/trace
	echo "\$ echo 0 > $T/events/uevt/t_emit/enable"
	echo 0 > $T/events/uevt/t_emit/enable
	run cat /sys/kernel/debug/uevt/status
'
