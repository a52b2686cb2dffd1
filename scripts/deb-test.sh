#!/usr/bin/env bash
# deb-test.sh: the Debian packages (issue 17), as TAP on stdout.
#
#   scripts/deb-test.sh            every check below
#   scripts/deb-test.sh image      only make (or find) the cached Debian 12 image
#
# 1. `make deb` builds the packages; lintian passes them at error and
#    warning level; the library's symbols match debian/libuevt1.symbols.
# 2. `dkms build` of the packaged module source for every Debian kernel of
#    the matrix whose headers are installed, into a scratch DKMS tree (the
#    host's /var/lib/dkms is not touched, nothing is loaded).
# 3. A Debian 12 root file system made with debootstrap (cached in
#    UEVT_CACHE, keyed by its recipe: package list, mirror, kernel) with
#    dkms, the headers, gcc, pkg-config, libtracefs1 and libtraceevent1, so
#    nothing is fetched.  The packages are installed with apt, and uevt-
#    dkms's postinst builds the module with DKMS as on a user's machine:
#      UEVT_DEB_INSTALL=chroot (default): from a chroot of a copy of the
#        root file system on the host, so the DKMS compile runs natively
#        (under TCG it takes about 5 minutes); the VM's boot is the first
#        one after the install.
#      UEVT_DEB_INSTALL=vm: in the VM (boot 1), then a second boot.
#    The VM boots Debian's stock kernel under QEMU (TCG) with the image's
#    own init (systemd).  Then: uevt loaded at boot, /dev/uevt
#    root:tracing 0660, a program built with pkg-config against the
#    installed libuevt-dev registers an event as a member of "tracing",
#    `uevtctl enable` flips its bit, `uevtctl record` shows its records;
#    apt purge unloads and removes everything.  The guest's side is
#    scripts/deb-guest.sh.
#
# Environment: UEVT_DEB_INSTALL (above), UEVT_DEB_KERNEL (6.12 or 6.1: the
# kernel the VM boots, default 6.12), UEVT_DEB_VM_TIMEOUT (seconds per
# boot, default 1500).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

test_start=$(date +%s)
out=$BUILD/deb-test
mkdir -p "$out"
: >"$out/checks.log"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n deb: $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n deb: $*"; }
# check DESCRIPTION COMMAND...: one TAP line from a command's status; its
# output goes to build/deb-test/checks.log.
check() {
	local desc=$1
	shift
	if "$@" >>"$out/checks.log" 2>&1; then ok "$desc"; else nok "$desc"; fi
}
comment() { sed 's/^/# /'; }

# ---------------------------------------------------------------------------
# The Debian 12 image.  Everything it holds comes from the recipe below, so
# its hash names the cache entry; change the recipe and a new image is made.

# The image holds Debian 12's two kernels (6.1 and 6.12, as the host's
# test kernels, with headers), so the postinst builds for both; the VM
# boots one of them.
image_kernel=${UEVT_DEB_KERNEL:-6.12}
image_kver=$(debian_kver "$image_kernel") || die "no Debian $image_kernel kernel installed (run: make deps)"
image_kvers=$(debian_kver 6.1) || die "no Debian 6.1 kernel installed (run: make deps)"
image_kvers="$image_kvers $(debian_kver 6.12)" || die "no Debian 6.12 kernel installed (run: make deps)"
mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
mirror=${mirror:-$(sed -n 's/^deb \(http[^ ]*\/debian\) bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n 1)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

# What the packages need at install time, what the guest test needs, and
# the kernel the VM boots with its headers: nothing is fetched in the VM.
IMAGE_PKGS="systemd-sysv udev kmod dkms adduser initramfs-tools
	$(for v in $image_kvers; do echo "linux-image-$v-unsigned linux-headers-$v"; done)
	gcc make libc6-dev pkgconf libtracefs1 libtraceevent1 procps util-linux"

# Runs once per boot: the test's own disk (label UEVTTEST) carries the
# script to run, so the image need not change when the test does.
IMAGE_UNIT='[Unit]
Description=uevt package test (runs /run/uevt-test/run from the UEVTTEST disk)
ConditionPathExists=/dev/disk/by-label/UEVTTEST
After=multi-user.target systemd-modules-load.service systemd-udev-settle.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c "mkdir -p /run/uevt-test && mount /dev/disk/by-label/UEVTTEST /run/uevt-test && exec /bin/sh /run/uevt-test/run"
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target'

image_key=$(printf '%s\n' "recipe 3" "$mirror" $IMAGE_PKGS "$IMAGE_UNIT" |
	sha256sum | cut -c1-16)
image_dir=$UEVT_CACHE/debian12-$image_key

# in_chroot ROOT COMMAND...: run COMMAND in ROOT with /proc, /sys and /dev,
# mounted in a mount namespace of its own: they go away with it.
in_chroot() {
	DEBIAN_FRONTEND=noninteractive unshare -m sh -c 'root=$1; shift
		mount -t proc proc "$root/proc" && mount -t sysfs sysfs "$root/sys" &&
		mount --bind /dev "$root/dev" && exec chroot "$root" "$@"' sh "$@"
}

make_image() {
	local root=$image_dir/rootfs
	[ "$(id -u)" = 0 ] || die "making the Debian 12 image needs root (debootstrap)"
	log "making the Debian 12 image in $image_dir (debootstrap from $mirror; once)"
	rm -rf "$image_dir"
	mkdir -p "$image_dir"
	debootstrap --variant=minbase bookworm "$root" "$mirror" >"$image_dir/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$image_dir/debootstrap.log" >&2; die "debootstrap failed (log: $image_dir/debootstrap.log)"; }
	cat >"$root/etc/apt/sources.list" <<-EOF
		deb $mirror bookworm main
		deb $mirror bookworm-updates main
		deb $security bookworm-security main
	EOF
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# shellcheck disable=SC2086
	{
		in_chroot "$root" apt-get update -q &&
			in_chroot "$root" apt-get install -y -q --no-install-recommends $IMAGE_PKGS &&
			in_chroot "$root" apt-get clean
	} >"$image_dir/apt.log" 2>&1 ||
		{ tail -n 20 "$image_dir/apt.log" >&2; die "installing the image's packages failed (log: $image_dir/apt.log)"; }
	echo uevt-deb-test >"$root/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 uevt-deb-test\n' >"$root/etc/hosts"
	printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
	: >"$root/etc/resolv.conf"
	# No root password: the serial console needs none.
	chroot "$root" passwd -d root >/dev/null
	printf '%s\n' "$IMAGE_UNIT" >"$root/etc/systemd/system/uevt-test.service"
	chroot "$root" systemctl enable uevt-test.service >/dev/null 2>&1
	# Nothing of the boot waits for a network that is not there.
	chroot "$root" systemctl mask systemd-networkd-wait-online.service \
		apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service >/dev/null 2>&1 || true
	for v in $image_kvers; do
		cp "$root/boot/vmlinuz-$v" "$root/boot/initrd.img-$v" "$image_dir/"
	done
	# The root file system stays a directory: each run copies it, installs
	# into the copy or not, and makes its ext4 disk with mkfs.ext4 -d.
	touch "$image_dir/.done"
	# Older images (another recipe) are of no more use.
	for old in "$UEVT_CACHE"/debian12-*; do
		[ "$old" = "$image_dir" ] || rm -rf "$old"
	done
}

image() {
	[ -f "$image_dir/.done" ] || make_image
	echo "$image_dir"
}

if [ "${1:-}" = image ]; then
	image
	exit 0
fi

# ---------------------------------------------------------------------------
# 1. The packages and lintian.

log "deb: make deb"
t0=$(date +%s)
if make -s -C "$UEVT_TOP" deb BUILD="$BUILD" >"$out/build.log" 2>&1; then
	ok "make deb builds the packages ($(($(date +%s) - t0)) s)"
else
	nok "make deb builds the packages (see $out/build.log)"
	tail -n 20 "$out/build.log" | comment || true
fi
debs=$BUILD/deb
for p in uevt-dkms uevtctl libuevt1 libuevt-dev uevt-compat; do
	f=$(ls "$debs/${p}_"*.deb 2>/dev/null | head -n 1) || true
	if [ -n "$f" ]; then ok "$p: $(basename "$f")"; else nok "$p: no package built"; fi
done

# Symbols: dpkg-gensymbols at level 1 (the default) fails the build on a
# lost symbol; a new one only warns.  Level 4's verdict, on its own line,
# says when debian/libuevt1.symbols needs `make deb-symbols`.
if [ -d "$debs/src/debian/libuevt1" ] &&
	(cd "$debs/src" && DPKG_GENSYMBOLS_CHECK_LEVEL=4 dpkg-gensymbols -plibuevt1 \
		-Pdebian/libuevt1 -Idebian/libuevt1.symbols -O"$out/libuevt1.symbols") \
		>"$out/symbols.log" 2>&1; then
	ok "libuevt.so.1 exports exactly debian/libuevt1.symbols"
else
	nok "libuevt.so.1 exports exactly debian/libuevt1.symbols (run make deb-symbols after a build; see $out/symbols.log)"
	grep '^[-+]' "$out/symbols.log" | comment || true
fi

log "deb: lintian"
t0=$(date +%s)
changes=$(ls "$debs"/*.changes 2>/dev/null | head -n 1) || true
if [ -n "$changes" ] && lintian --fail-on error,warning --suppress-tags-from-file /dev/null \
	"$changes" >"$out/lintian.log" 2>&1; then
	ok "lintian: no error, no warning ($(grep -c '^[EW]: ' "$out/lintian.log") lines, $(($(date +%s) - t0)) s)"
else
	nok "lintian: no error, no warning (see $out/lintian.log)"
	grep -E '^[EW]: ' "$out/lintian.log" | comment || true
fi
grep -E '^[IP]: ' "$out/lintian.log" 2>/dev/null | sed 's/^/lintian /' | comment || true

# ---------------------------------------------------------------------------
# 2. dkms build, on the host, for each matrix kernel with headers: in a
#    mount namespace with a scratch tmpfs over /var/lib/dkms (DKMS keeps
#    its MOK signing key there) and --dkmstree/--sourcetree in build/.
#    It runs in the background, beside part 3 (mostly a single-threaded
#    TCG guest), its TAP in build/deb-test/dkms.tap, merged at the end.
host_dkms() {
	log "deb: dkms build on the host"
	dk=$out/dkms
	rm -rf "$dk"
	mkdir -p "$dk/pkg" "$dk/src" "$dk/tree"
	if dpkg-deb -x "$debs"/uevt-dkms_*_all.deb "$dk/pkg" 2>/dev/null; then
		cp -a "$dk"/pkg/usr/src/uevt-* "$dk/src/"
	fi
	modver=$(basename "$(ls -d "$dk"/src/uevt-* 2>/dev/null | head -n 1)" 2>/dev/null) || true
	modver=${modver#uevt-}
	for k in $DEBIAN_KERNELS; do
		if ! kver=$(debian_kver "$k"); then
			n=$((n + 1))
			echo "ok $n deb: dkms build for the $k kernel # SKIP no $k kernel with headers installed (make deps installs them)"
			continue
		fi
		t0=$(date +%s)
		if [ -n "$modver" ] && unshare -m sh -c 'mount -t tmpfs tmpfs /var/lib/dkms && exec "$@"' sh \
			dkms build --dkmstree "$dk/tree" --sourcetree "$dk/src" -m uevt -v "$modver" -k "$kver" \
			>"$dk/build-$k.log" 2>&1 &&
			ko=$(ls "$dk/tree/uevt/$modver/$kver/x86_64/module/uevt.ko"* 2>/dev/null) &&
			[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ]; then
			ok "dkms build -k $kver: uevt.ko for that kernel ($(($(date +%s) - t0)) s)"
		else
			nok "dkms build -k $kver (see $dk/build-$k.log)"
			tail -n 15 "$dk/build-$k.log" | comment || true
			tail -n 15 "$dk/tree/uevt/$modver/build/make.log" 2>/dev/null | comment || true
		fi
	done
	# A kernel the source does not support is skipped (status 77), not failed.
	if [ -n "$modver" ]; then
		rc=0
		unshare -m sh -c 'mount -t tmpfs tmpfs /var/lib/dkms && exec "$@"' sh \
			dkms build --dkmstree "$dk/tree" --sourcetree "$dk/src" -m uevt -v "$modver" \
			-k 5.10.0-99-amd64 >"$dk/build-unsupported.log" 2>&1 || rc=$?
		if [ "$rc" = 77 ]; then ok "dkms build skips an unsupported kernel (5.10) with status 77"; else
			nok "dkms build skips an unsupported kernel (5.10) with status 77 (status $rc)"; fi
	fi
	echo "# host dkms builds: done"
}
host_dkms >"$out/dkms.tap" &
host_dkms_pid=$!

# merge_tap FILE: FILE's TAP lines, numbered on from here.
merge_tap() {
	local line
	while IFS= read -r line; do
		case $line in
		"not ok "*) nok "${line#not ok * deb: }" ;;
		"ok "*"# SKIP"*) n=$((n + 1)); echo "ok $n deb: ${line#ok * deb: }" ;;
		"ok "*) ok "${line#ok * deb: }" ;;
		*) echo "$line" ;;
		esac
	done <"$1"
}

# ---------------------------------------------------------------------------
# 3. The packages in a real Debian 12 userspace.

# boot NAME: one boot of the image under QEMU (TCG), in one of the machine's
# VM slots (the same locks as scripts/vm-run: at most two VMs at once).
boot() {
	local name=$1 slot="" slotfd i status=0 w0
	w0=$(date +%s)
	for _ in $(seq 1 100000); do
		for i in $(seq 0 $((${UEVT_VM_SLOTS:-2} - 1))); do
			exec {slotfd}>"/tmp/uevt-vm-slot$i.lock"
			if flock -n "$slotfd"; then
				slot=$i
				break 2
			fi
			exec {slotfd}>&-
		done
		sleep 1
	done
	[ -n "$slot" ] || return 1
	slot_wait=$(($(date +%s) - w0))
	timeout -k 10 "${UEVT_DEB_VM_TIMEOUT:-1500}" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max -smp 2 -m 2048 \
		-kernel "$img/vmlinuz-$image_kver" -initrd "$img/initrd.img-$image_kver" \
		-append "root=/dev/vda rw console=ttyS0,115200 panic=-1 systemd.show_status=0 loglevel=4" \
		-drive "file=$vm/root.ext4,if=virtio,format=raw" \
		-drive "file=$vm/test.ext4,if=virtio,format=raw" \
		-nodefaults -display none -no-reboot -serial "file:$vm/console-$name.log" \
		</dev/null || status=$?
	exec {slotfd}>&-
	return "$status"
}

# The packaged install path, with the module built natively: apt installs
# the packages into a copy of the image's root file system from a chroot
# on the host, so uevt-dkms's postinst (DKMS's common postinst and ours)
# builds and installs uevt.ko for the image's kernel with the image's own
# dkms.  It loads nothing: ischroot stops its modprobe.
chroot_install() {
	local p f args=() t0
	mkdir -p "$root/tmp/debs"
	for p in uevt-dkms uevtctl libuevt-dev libuevt1 uevt-compat; do
		f=$(cd "$vm/disk/debs" && ls "${p}_"*.deb) || true
		[ -n "$f" ] && cp "$vm/disk/debs/$f" "$root/tmp/debs/" && args+=("/tmp/debs/$f")
	done
	cp "$vm/disk/probe.c" "$root/tmp/probe.c"
	log "deb: apt install in a chroot of the image (the postinst builds uevt with DKMS)"
	t0=$(date +%s)
	if in_chroot "$root" apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 \
		"${args[@]}" >"$vm/chroot-install.log" 2>&1; then
		ok "chroot: apt installs uevt-dkms, uevtctl, libuevt-dev (and libuevt1, uevt-compat) offline ($(($(date +%s) - t0)) s)"
	else
		nok "chroot: apt installs the packages offline (see $vm/chroot-install.log)"
		tail -n 20 "$vm/chroot-install.log" | comment || true
	fi
	for v in $image_kvers; do
		check "chroot: the postinst built and installed uevt with DKMS for $v" dkms_installed "$v"
	done
	check "chroot: the postinst created the group tracing" in_chroot "$root" getent group tracing
	check "chroot: ischroot says chroot, so the postinst's modprobe is skipped (nothing loaded into the host)" \
		in_chroot "$root" ischroot
	in_chroot "$root" adduser --quiet --disabled-password --gecos '' tester >>"$vm/chroot-install.log" 2>&1
	in_chroot "$root" adduser --quiet tester tracing >>"$vm/chroot-install.log" 2>&1
	check "chroot: a program builds with \$(pkg-config --cflags --libs uevt) against the installed libuevt-dev" \
		in_chroot "$root" sh -c 'cc -std=c11 -Wall -Wextra -Werror -o /usr/local/bin/uevt-deb-probe /tmp/probe.c $(pkg-config --cflags --libs uevt)'
	rm -rf "$root/tmp/debs" "$root/tmp/probe.c"
}
dkms_installed() {
	in_chroot "$root" dkms status uevt -k "$1" 2>/dev/null | grep -q ': installed'
}

install=${UEVT_DEB_INSTALL:-chroot}
vm=$out/vm
rm -rf "$vm"
mkdir -p "$vm/disk/debs"
log "deb: the Debian 12 image"
t0=$(date +%s)
if img=$(image); then
	ok "Debian 12 image (debootstrap, $image_kvers, $image_key) ready in $(($(date +%s) - t0)) s"
else
	nok "Debian 12 image (debootstrap; see $image_dir/*.log)"
	img=
fi
if [ -n "$img" ]; then
	cp "$debs"/*.deb "$vm/disk/debs/"
	rm -f "$vm"/disk/debs/*-dbgsym_*.deb
	cp "$UEVT_TOP/scripts/deb-guest.sh" "$vm/disk/run"
	cat >"$vm/disk/probe.c" <<-'EOF'
		/* The guest's probe: one event, its bit's state on every change. */
		#define _DEFAULT_SOURCE	/* usleep() */
		#include <stdio.h>
		#include <stdlib.h>
		#include <unistd.h>
		#include <uevt.h>

		UEVT_EVENT(deb_probe, UEVT_U32(seq), UEVT_STRING(who));

		int main(int argc, char **argv)
		{
			long i, ticks = (argc > 1 ? atol(argv[1]) : 60) * 100;
			unsigned int seq = 0;
			int last = -1;

			printf("backend %d %s\n", (int)uevt_backend(), uevt_backend_reason());
			fflush(stdout);
			for (i = 0; i < ticks; i++) {
				int on = UEVT_ENABLED(deb_probe) ? 1 : 0;

				if (on != last) {
					printf("enabled %d\n", on);
					fflush(stdout);
					last = on;
				}
				UEVT_EMIT(deb_probe, seq++, "deb-test");
				usleep(10000);
			}
			return 0;
		}
	EOF
	root=$vm/rootfs
	rm -rf "$root"
	cp -a "$img/rootfs" "$root"
	if [ "$install" = chroot ]; then
		echo 2 >"$vm/disk/stage"
		chroot_install
		boots="2"
	else
		echo 1 >"$vm/disk/stage"
		boots="1 2"
	fi
	mkfs.ext4 -q -F -L UEVTTEST -d "$vm/disk" "$vm/test.ext4" 64M >/dev/null
	mkfs.ext4 -q -F -L uevt-root -d "$root" "$vm/root.ext4" 4G >/dev/null
	rm -rf "$root"
	for b in $boots; do
		log "deb: VM boot $b ($image_kver)"
		t0=$(date +%s)
		if boot "$b"; then
			ok "VM boot $b ran to its power-off ($(($(date +%s) - t0)) s, of which $slot_wait s waiting for a VM slot)"
		else
			nok "VM boot $b ran to its power-off (status $?; log $vm/console-$b.log)"
			tail -n 20 "$vm/console-$b.log" | comment || true
		fi
	done
	rm -f "$vm/results.txt"
	debugfs -R "dump /results.txt $vm/results.txt" "$vm/test.ext4" >/dev/null 2>&1
	for f in checks.log probe.out list.out record.out record.err dkms-make.log dmesg-1.txt dmesg-2.txt; do
		debugfs -R "dump /$f $vm/$f" "$vm/test.ext4" >/dev/null 2>&1 || true
	done
	if [ -s "$vm/results.txt" ]; then
		while IFS= read -r line; do
			case $line in
			"ok - "*) ok "vm: ${line#ok - }" ;;
			"not ok - "*) nok "vm: ${line#not ok - }" ;;
			*) echo "$line" ;;
			esac
		done <"$vm/results.txt"
		# Every check of every boot ran (a boot that died early is not a pass).
		if grep -q 'dpkg lists no uevt package' "$vm/results.txt"; then
			ok "vm: every check of every boot ran"
		else
			nok "vm: every check of both boots ran (see $vm/console-*.log, $vm/checks.log)"
		fi
	else
		nok "vm: the guest left no results (see $vm/console-1.log)"
	fi
	# Each boot's whole kernel log, as the guest saved it before power-off.
	dmesgs=()
	for b in $boots; do dmesgs+=("$vm/dmesg-$b.txt"); done
	if "$UEVT_TOP/scripts/scan-log.sh" "${dmesgs[@]}" 2>"$vm/scan.txt"; then
		ok "vm: the kernel log of every boot has no splat ($(cat "${dmesgs[@]}" | wc -l) lines)"
	else
		nok "vm: the kernel log of every boot has no splat (see $vm/dmesg-*.txt)"
		head -n 20 "$vm/scan.txt" | comment || true
	fi
	rm -f "$vm/root.ext4"
fi
wait "$host_dkms_pid" || true
merge_tap "$out/dkms.tap"
grep -q '^# host dkms builds: done' "$out/dkms.tap" || nok "the host's dkms builds ended early (see $out/dkms/)"
echo "1..$n"
log "deb-test: $((n - failed)) passed, $failed failed in $(($(date +%s) - test_start)) s"
[ "$failed" = 0 ]
