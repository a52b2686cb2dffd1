#!/usr/bin/env bash
# demo.sh: boot the stock kernel in the test VM, load uevt.ko and show what
# it adds.  Grows with the project (SDK, uevtctl, samples).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log "booting Debian's $(stock_kver) kernel under QEMU and loading uevt.ko"
exec "$UEVT_TOP/scripts/vm-run" --kernel stock --log "$BUILD/vm/demo.log" -- sh -c '
	set -e
	echo "\$ insmod /lib/modules/uevt.ko"; insmod /lib/modules/uevt.ko
	echo "\$ ls -l /dev/uevt"; ls -l /dev/uevt
	echo "\$ cat /sys/module/uevt/parameters/dev_mode"; cat /sys/module/uevt/parameters/dev_mode
	echo "\$ ls /sys/kernel/tracing/events/uevt"; ls /sys/kernel/tracing/events/uevt 2>&1 || true
	echo "\$ rmmod uevt"; rmmod uevt
'
