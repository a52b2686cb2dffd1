#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sdk_abi_check.sh: libuevt's exported ABI is exactly what sdk/lib/libuevt.map
# lists, as TAP on stdout (scripts/check.sh, host section).
#
#   1. the dynamic symbols libuevt.so.1 defines are the map's names, each
#      at the map's version, and its soname is libuevt.so.1;
#   2. the map names every global symbol: no wildcard;
#   3. <uevt.h> marks exactly those functions UEVT_API;
#   4. libuevt.a defines exactly those with default visibility (the rest
#      is hidden: -fvisibility=hidden);
#   5. every public function (not __uevt_*) has a page doc/man/NAME.3, a
#      page of its own or a ".so" link to an existing one.
#
# Usage: sdk_abi_check.sh [BUILD]  (default: the repository's build/)
set -f -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${BUILD:-$top/build}}
so=$build/sdk/libuevt.so.1
ar=$build/sdk/libuevt.a
map=$top/sdk/lib/libuevt.map
hdr=$top/sdk/include/uevt.h
n=0
failed=0
result() { # result STATUS DESCRIPTION [DETAIL...]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
	shift 2
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed '/^$/d; s/^/# /'
	return 0
}
# The lines of $1 not in $2 and of $2 not in $1, both sorted.
differ() {
	comm -3 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed 's/^\t/+ /; /^[^+]/s/^/- /'
}

echo "TAP version 13"
# The map without comments: "NODE {", then names, "local:", "};".
map_text=$(sed -e 's#/\*.*\*/##g' -e '/\/\*/,/\*\//d' "$map")
nodes=$(printf '%s\n' "$map_text" | sed -nE 's/^[[:space:]]*([A-Za-z0-9_.]+)[[:space:]]*\{.*/\1/p')
# name@NODE for every global name, by the node it is in.
map_syms=$(printf '%s\n' "$map_text" | awk '
	/\{/ { node = $1; sub(/\{.*/, "", node); global = 0; next }
	/global:/ { global = 1; sub(/.*global:/, "") }
	/local:/ { global = 0 }
	global { gsub(/[;[:space:]]+/, " "); for (i = 1; i <= NF; i++) print $i "@" node }
' | sort)
map_names=$(printf '%s\n' "$map_syms" | sed 's/@.*//' | sort)

if [ ! -f "$so" ] || [ ! -f "$ar" ]; then
	result 1 "sdk abi: libuevt.so.1 and libuevt.a are built (run: make sdk)"
	echo "1..$n"
	exit 1
fi

so_syms=$(nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@@?/, "@", $3); print $3 }' | sort)
soname=$(readelf -d "$so" | sed -nE 's/.*\(SONAME\).*\[(.*)\]/\1/p')
d=$(differ "$map_syms" "$so_syms")
[ -n "$map_syms" ] && [ -z "$d" ] && [ "$soname" = libuevt.so.1 ]
result $? "sdk abi: libuevt.so.1 (soname $soname) exports exactly the $(printf '%s\n' "$map_syms" | wc -l) symbols of libuevt.map at version ${nodes//$'\n'/ }" \
	"${d:+- only in the map, + only in the library:}" "$d"

wild=$(printf '%s\n' "$map_syms" | grep '[][*?]')
[ -n "$map_syms" ] && [ -z "$wild" ]
result $? "sdk abi: libuevt.map names every global symbol (no wildcard)" "$wild"

# UEVT_API RET NAME( ... possibly with the return type's "*" on the name.
api=$(sed -nE 's/^UEVT_API[^(]*[[:space:]*]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/p' "$hdr" | sort)
d=$(differ "$map_names" "$api")
[ -n "$api" ] && [ -z "$d" ]
result $? "sdk abi: <uevt.h> marks UEVT_API exactly the functions of libuevt.map" \
	"${d:+- only in the map, + only UEVT_API:}" "$d"

ar_syms=$(readelf -sW "$ar" | awk '($5 == "GLOBAL" || $5 == "WEAK") && $6 == "DEFAULT" && $7 != "UND" { print $8 }' | sort -u)
d=$(differ "$map_names" "$ar_syms")
[ -z "$d" ]
result $? "sdk abi: libuevt.a gives default visibility to exactly the functions of libuevt.map" \
	"${d:+- only in the map, + only in libuevt.a:}" "$d"

missing=
for f in $(printf '%s\n' "$map_names" | grep -v '^__'); do
	page=$top/doc/man/$f.3
	target=$(sed -nE '1s/^\.so[[:space:]]+(.*)/\1/p' "$page" 2>/dev/null)
	if [ ! -f "$page" ] || { [ -n "$target" ] && [ ! -f "$top/doc/man/${target##*/}" ]; }; then
		missing="$missing $f"
	fi
done
[ -z "$missing" ]
result $? "sdk abi: every public function has a man page doc/man/NAME.3" "${missing:+missing:$missing}"

echo "1..$n"
exit $failed
