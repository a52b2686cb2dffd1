#!/bin/sh
# deb-guest.sh: the guest's side of scripts/deb-test.sh, in the Debian 12
# image booted under QEMU with systemd.  It is the UEVTTEST disk's "run",
# started as root at each boot by uevt-test.service with the disk mounted
# at /run/uevt-test (D), where it finds the packages (debs/) and the probe
# program's source, and leaves its results (results.txt: "ok - ..." and
# "not ok - ..." lines, renumbered by the host) and logs.
#
#   boot 1 (UEVT_DEB_INSTALL=vm only): apt installs the packages (uevt-
#           dkms's postinst builds the module with DKMS for both installed
#           kernels and loads it), builds the probe with pkg-config against
#           the installed libuevt-dev; power off.
#   boot 2: (the first boot after a chroot install, by default) the checks
#           after a reboot, then apt purge and its checks; power off.
# The host writes the first stage into the disk's "stage".
set -u
D=/run/uevt-test
R=$D/results.txt
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive

pass() { echo "ok - $*" >>"$R"; echo "uevt-deb-test: ok - $*"; }
fail() { echo "not ok - $*" >>"$R"; echo "uevt-deb-test: not ok - $*"; }
note() { echo "# $*" >>"$R"; echo "uevt-deb-test: # $*"; }
# t DESCRIPTION COMMAND...
t() {
	desc=$1
	shift
	if "$@" >>"$D/checks.log" 2>&1; then pass "$desc"; else fail "$desc"; fi
}
finish() {
	{ dmesg; echo UEVT-DMESG-END; } >"$D/dmesg-$1.txt"
	sync
	echo "uevt-deb-test: boot $1 done"
	systemctl --no-block poweroff
	exit 0
}
# wait_for FILE PATTERN SECONDS (called through t)
# shellcheck disable=SC2317
wait_for() {
	i=0
	while [ "$i" -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

stage=$(cat "$D/stage" 2>/dev/null || echo 1)
note "boot $stage: $(uname -r), $(date -u +%H:%M:%S)"

if [ "$stage" = 1 ]; then
	echo 2 >"$D/stage"
	t0=$(date +%s)
	t "apt installs uevt-dkms, uevtctl, libuevt-dev (and libuevt1, uevt-compat) offline" \
		apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 \
		"$D"/debs/uevt-dkms_*.deb "$D"/debs/uevtctl_*.deb "$D"/debs/libuevt-dev_*.deb \
		"$D"/debs/libuevt1_*.deb "$D"/debs/uevt-compat_*.deb
	note "apt install (with the DKMS build under TCG) took $(($(date +%s) - t0)) s"
	cp /var/lib/dkms/uevt/*/build/make.log "$D/dkms-make.log" 2>/dev/null
	# DKMS's own postinst builds for the running and the newest kernel
	# (6.12 here); uevt-dkms's builds for every other one with headers.
	for b in /lib/modules/*/build; do
		[ -e "$b/Makefile" ] || continue
		k=${b#/lib/modules/}
		k=${k%/build}
		t "postinst: DKMS built and installed uevt for $k" \
			sh -c "dkms status uevt -k $k | grep -q ': installed'"
	done
	t "postinst: the group tracing exists" getent group tracing
	t "postinst: uevt is loaded right after the install" grep -q '^uevt ' /proc/modules
	adduser --quiet --disabled-password --gecos '' tester >>"$D/checks.log" 2>&1
	adduser --quiet tester tracing >>"$D/checks.log" 2>&1
	t "a program builds with \$(pkg-config --cflags --libs uevt) against the installed libuevt-dev" \
		sh -c "cc -std=c11 -Wall -Wextra -Werror -o /usr/local/bin/uevt-deb-probe $D/probe.c \$(pkg-config --cflags --libs uevt)"
	finish 1
fi

if [ "$stage" = 2 ]; then
	echo 3 >"$D/stage"
	{
		echo "== boot $stage: systemd-modules-load"
		systemctl status --no-pager systemd-modules-load.service
		journalctl -b --no-pager -u systemd-modules-load.service
		grep uevt /proc/modules
	} >>"$D/checks.log" 2>&1
	# Loaded at boot by systemd-modules-load: it ran and succeeded in this
	# boot, modules-load.d names uevt, and nothing else loads it (no
	# modalias for udev to match; this service runs after both).  Its
	# "Inserted module" line, logged while journald starts, is not always
	# in the journal: a note, not a check.
	t "uevt was loaded at boot by systemd-modules-load (modules-load.d)" \
		sh -c "grep -q '^uevt ' /proc/modules &&
			[ \"\$(systemctl show -P Result systemd-modules-load.service)\" = success ] &&
			[ \"\$(systemctl show -P ExecMainStatus systemd-modules-load.service)\" = 0 ] &&
			grep -qx uevt /usr/lib/modules-load.d/uevt.conf && [ -z \"\$(modinfo -F alias uevt)\" ]"
	if { journalctl -b --no-pager; dmesg; } 2>/dev/null | grep -q "systemd-modules-load.*Inserted module 'uevt'"; then
		note "systemd-modules-load's journal says: Inserted module 'uevt'"
	fi
	perm=$(stat -c '%U:%G %a' /dev/uevt 2>&1)
	if [ "$perm" = "root:tracing 660" ]; then pass "/dev/uevt is root:tracing 0660"; else
		fail "/dev/uevt is root:tracing 0660 (it is: $perm)"; fi
	if [ -e /dev/uevt-status ]; then
		perm=$(stat -c '%U:%G %a' /dev/uevt-status 2>&1)
		if [ "$perm" = "root:tracing 440" ]; then pass "/dev/uevt-status is root:tracing 0440"; else
			fail "/dev/uevt-status is root:tracing 0440 (it is: $perm)"; fi
	else
		note "/dev/uevt-status: not created by this module version (the udev rule has it 0440)"
	fi
	t "a user outside tracing cannot open /dev/uevt" \
		sh -c "! runuser -u nobody -- sh -c 'exec 3<>/dev/uevt' 2>/dev/null"
	t "modprobe.d/uevt.conf documents every parameter modinfo lists" \
		sh -c "for p in \$(modinfo -F parm uevt | cut -d: -f1); do grep -q \"^#options uevt \$p=\" /etc/modprobe.d/uevt.conf || exit 1; done"

	runuser -u tester -- /usr/local/bin/uevt-deb-probe 120 >"$D/probe.out" 2>&1 &
	probe=$!
	t "the probe (user tester, in tracing) registers through /dev/uevt (backend 1)" \
		wait_for "$D/probe.out" '^backend 1' 10
	t "its bit starts clear" wait_for "$D/probe.out" '^enabled 0' 10
	uevtctl list >"$D/list.out" 2>&1
	t "uevtctl list shows deb_probe" grep -q deb_probe "$D/list.out"
	t "uevtctl enable deb_probe (as root)" uevtctl enable deb_probe
	t "uevtctl enable flipped the probe's bit" wait_for "$D/probe.out" '^enabled 1' 20
	uevtctl record -e deb_probe -d 3 >"$D/record.out" 2>"$D/record.err"
	t "uevtctl record shows the probe's records" \
		sh -c "grep deb_probe '$D/record.out' | grep -q 'deb-test'"
	note "uevtctl record: $(grep -c deb_probe "$D/record.out") records in 3 s"
	t "uevtctl disable deb_probe clears the bit" \
		sh -c "uevtctl disable deb_probe && sleep 1 && tail -n 1 '$D/probe.out' | grep -q '^enabled 0'"
	kill "$probe" 2>/dev/null
	wait "$probe" 2>/dev/null

	kver=$(uname -r)
	t0=$(date +%s)
	t "apt purges every uevt package" \
		apt-get purge -y -o Dpkg::Use-Pty=0 uevt-dkms uevtctl libuevt-dev libuevt1 uevt-compat
	note "apt purge took $(($(date +%s) - t0)) s"
	t "after purge: uevt is unloaded and /dev/uevt is gone" \
		sh -c "! grep -q '^uevt ' /proc/modules && [ ! -e /dev/uevt ]"
	t "after purge: no uevt.ko under /lib/modules, modinfo finds none" \
		sh -c "[ -z \"\$(find /lib/modules -name 'uevt.ko*')\" ] && ! modinfo uevt"
	t "after purge: DKMS knows no uevt, its source and tree are gone" \
		sh -c "[ -z \"\$(dkms status uevt)\" ] && [ ! -e /var/lib/dkms/uevt ] && ! ls -d /usr/src/uevt-* 2>/dev/null"
	t "after purge: no configuration, rule, header, library or tool is left" \
		sh -c "for f in /etc/modprobe.d/uevt.conf /usr/lib/modules-load.d/uevt.conf /lib/udev/rules.d/60-uevt.rules /usr/lib/udev/rules.d/60-uevt.rules /usr/include/uevt.h /usr/include/linux/uevt.h /usr/lib/x86_64-linux-gnu/libuevt.so.1 /usr/lib/x86_64-linux-gnu/pkgconfig/uevt.pc /usr/bin/uevtctl /usr/bin/uevt-run /usr/lib/uevt; do [ ! -e \$f ] || { echo left: \$f; exit 1; }; done"
	t "after purge: dpkg lists no uevt package" \
		sh -c "! dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\n' | grep -E '^.[^n].* (uevt|libuevt)'"
	note "kept on purge by design: the group tracing ($(getent group tracing))"
	note "kernel: $kver"
	finish 2
fi

note "nothing to do at boot $stage"
finish "$stage"
