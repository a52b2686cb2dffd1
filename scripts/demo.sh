#!/usr/bin/env bash
# demo.sh: the main job on one screen.  Boots Debian's stock kernel in the
# test VM, loads uevt.ko, starts the sample server (an SDK-instrumented
# request loop with pre-forked workers that registered nothing themselves),
# lists its events, enables request_done from the shell, records a few
# seconds of decoded records from every worker, disables it, and shows that
# the workers went quiet.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log "booting Debian's $(stock_kver) kernel under QEMU and loading uevt.ko"
exec "$UEVT_TOP/scripts/vm-run" --kernel stock --log "$BUILD/vm/demo.log" \
	--add "$BUILD/samples:/opt/uevt/samples" --add "$BUILD/tools/uevtctl:/usr/bin/uevtctl" -- sh -c '
	set -e
	run() { echo "\$ $*"; "$@"; }
	run insmod /lib/modules/uevt.ko
	echo "\$ server -w 4 &        # 1 parent + 4 pre-forked workers, probes compiled in"
	/opt/uevt/samples/server -w 4 -r 50 &
	sleep 1
	run uevtctl list
	run uevtctl ps
	run uevtctl enable request_done
	echo "\$ uevtctl record -e request_done -d 3 | head -n 12"
	uevtctl record -e request_done -d 3 >/tmp/rec 2>/tmp/rec.err
	head -n 12 /tmp/rec
	echo "... $(wc -l </tmp/rec) records from workers $(grep -o "worker=[0-9]*" /tmp/rec | sort -u | tr "\n" " ")"
	cat /tmp/rec.err
	run uevtctl disable request_done
	run uevtctl ps
	T=/sys/kernel/tracing/trace
	before=$(grep -c request_done $T)
	sleep 2
	echo "# the workers went quiet: request_done records in the top-level buffer"
	echo "# right after disable: $before, two seconds later: $(grep -c request_done $T)"
	kill %1
'
