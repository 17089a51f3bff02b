#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-bisect.sh [FIRST]: check that the stack is bisectable.  Patches
# are pushed one at a time onto a copy of the base (build/bisect/linux);
# after each one the x86_64 test kernel and an allnoconfig kernel are
# built, mm/ is built for riscv's nommu_virt_defconfig (mm/nommu.c
# shares declarations with the MMU code), and the userland VMA harness
# is run where the tree has one.
# FIRST (default 1) skips the patches before it, which are only applied.
#
# Not part of "make check": with a warm ccache it takes a few minutes
# per patch.  Run it with "make bisect-check".
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

first=${1:-1}
mapfile -t SERIES < <(series)
[ ${#SERIES[@]} -gt 0 ] || die "patches/series is empty"
[ -f "$STOCK_SRC/Makefile" ] || die "no base tree: run scripts/fetch-base.sh"

tree=$BUILD/bisect/linux
if [ -d "$tree" ]; then
	stage "reset bisect tree to the base" "$LOGS/bisect-reset.log" \
		rsync -rlpD --checksum --delete "$STOCK_SRC"/ "$tree"/ || exit 1
else
	mkdir -p "$BUILD/bisect"
	stage "copy base to bisect tree" "$LOGS/bisect-reset.log" \
		cp -a "$STOCK_SRC" "$tree" || exit 1
fi

allno() {
	local obj=$BUILD/bisect/allno
	mkdir -p "$obj"
	use_ccache
	make -C "$tree" O="$obj" CC="$KCC" allnoconfig &&
	make -C "$tree" O="$obj" CC="$KCC" -j"$(nproc)" W=1 mm/ &&
	make -C "$tree" O="$obj" CC="$KCC" -j"$(nproc)" bzImage
}

nommu() {
	local obj=$BUILD/bisect/nommu
	mkdir -p "$obj"
	use_ccache
	local cc=riscv64-linux-gnu-gcc
	[ "$KCC" = gcc ] || cc="ccache $cc"
	make -C "$tree" O="$obj" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- \
		CC="$cc" nommu_virt_defconfig &&
	make -C "$tree" O="$obj" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- \
		CC="$cc" -j"$(nproc)" W=1 mm/
}

fail=0
i=0
for p in "${SERIES[@]}"; do
	i=$((i + 1))
	(cd "$tree" && patch -p1 -F0 -s --no-backup-if-mismatch <"$PATCHES/$p") \
		>"$LOGS/bisect-apply.log" 2>&1 || {
		msg "[$i] $p does not apply"
		show_tail "$LOGS/bisect-apply.log"
		exit 1
	}
	[ $i -lt "$first" ] && continue
	msg "[$i/${#SERIES[@]}] $p"
	"$S"/build-kernel.sh bisect "$tree" "$BUILD/bisect/obj" \
		"$TOP/configs/x86_64-qemu.config" "$TOP/configs/debug.config" || { fail=1; continue; }
	stage "  allnoconfig build" "$LOGS/bisect-allno.log" allno || { fail=1; continue; }
	stage "  riscv nommu build of mm/" "$LOGS/bisect-nommu.log" nommu || { fail=1; continue; }
	if [ -f "$tree/tools/testing/vma/Makefile" ]; then
		"$S"/run-harness.sh "$tree" bisect >/dev/null || { fail=1; continue; }
		msg "  harness: $(tail -n 1 "$LOGS/harness-bisect.log")"
	fi
done
[ $fail -eq 0 ] && msg "every patch from $first on builds and passes the harness"
exit $fail
