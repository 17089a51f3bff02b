#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-distro-warnings.sh [OBJECTS...]: compile the objects the stack
# touches with Debian's own amd64 configuration (linux-config-6.1), on
# the base and on the patched tree, and fail if the patched tree warns
# where the base does not.  A full distribution build is not needed.
#
# Default objects: mm/ fs/exec.o fs/userfaultfd.o kernel/fork.o
set -u
. "$(dirname "$0")/lib.sh"

objs=("$@")
[ ${#objs[@]} -gt 0 ] || objs=(mm/ fs/exec.o fs/userfaultfd.o kernel/fork.o)
cfg=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
if [ ! -f "$cfg" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-config-6.1 >/dev/null ||
			die "cannot install linux-config-6.1"
	fi
	[ -f "$cfg" ] || die "$cfg missing: apt-get install linux-config-6.1"
fi
[ -f "$PATCHED_SRC/Makefile" ] || die "no patched tree: run scripts/apply-stack.sh"
use_ccache

build() {
	local kind=$1 src=$2 obj=$BUILD/distro/$1
	mkdir -p "$obj"
	xz -dc "$cfg" >"$obj/.config"
	# Debian signs modules with a key this machine does not have.
	"$src"/scripts/config --file "$obj/.config" --set-str SYSTEM_TRUSTED_KEYS "" \
		--set-str MODULE_SIG_KEY "" -d MODULE_SIG_ALL -d DEBUG_INFO_BTF
	make -C "$src" O="$obj" CC="$KCC" olddefconfig >/dev/null &&
	make -C "$src" O="$obj" CC="$KCC" -j"$(nproc)" prepare >/dev/null &&
	# Rebuild the objects so that their warnings are printed every time.
	find "$obj" \( -path "$obj/mm/*.o" -o -name exec.o -o -name userfaultfd.o \
		-o -name fork.o \) -delete &&
	make -C "$src" O="$obj" CC="$KCC" -j"$(nproc)" "${objs[@]}" 2>&1 |
		tee "$LOGS/distro-$kind.out" | grep -E 'warning:|error:' |
		sed -e "s|$src/||" -e 's/:[0-9]*:[0-9]*:/:/' | sort -u >"$BUILD/distro/$kind.warnings"
	return "${PIPESTATUS[0]}"
}
stage "compile ${objs[*]} of the base with Debian's config" "$LOGS/distro-stock.log" \
	build stock "$STOCK_SRC" || exit 1
stage "compile ${objs[*]} of the patched tree with Debian's config" "$LOGS/distro-patched.log" \
	build patched "$PATCHED_SRC" || exit 1
new=$(comm -13 "$BUILD/distro/stock.warnings" "$BUILD/distro/patched.warnings")
msg "warnings: base $(wc -l <"$BUILD/distro/stock.warnings"), patched $(wc -l <"$BUILD/distro/patched.warnings")"
if [ -n "$new" ]; then
	echo "new warnings in the patched tree:"
	echo "$new"
	exit 1
fi
msg "no new warnings with Debian's configuration"
