#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kunit.sh OBJ OUTDIR: build the vma_merge KUnit module (mm/)
# against the kernel build directory OBJ, with W=1, and stage it with its
# loader (tools/guest/kunit.sh) into OUTDIR.
#
# The sources are copied to build/kunit/<name of OBJ's parent>, so that
# kbuild's output stays out of mm/.  By hand, against any build
# directory or headers package of a patched kernel:
#   make -C <kernel build dir> M=$PWD/mm
# ARCH and CROSS_COMPILE are passed on (arm64: aarch64-linux-gnu-).
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 OBJ OUTDIR"
obj=$(cd "$1" && pwd) || exit 1
out=$2
[ -f "$obj/Module.symvers" ] ||
	die "no Module.symvers in $obj: build the kernel with its modules first"
grep -q 'EXPORTED_FOR_KUNIT_TESTING' "$obj/Module.symvers" ||
	die "$obj exports nothing for KUnit: is it the patched kernel, with CONFIG_KUNIT?"

src=$BUILD/kunit/$(basename "$(dirname "$obj")")-$(basename "$obj")
rm -rf "$src"
mkdir -p "$src" "$out"
cp "$TOP"/mm/Kbuild "$TOP"/mm/*.c "$src/"
log=$LOGS/build-kunit.log
make -C "$obj" M="$src" ARCH="$ARCH" CROSS_COMPILE="$CROSS" W=1 >"$log" 2>&1 || {
	show_tail "$log" 30
	die "the KUnit module did not build (log: ${log#"$TOP"/})"
}
if grep -q 'warning:' "$log"; then
	grep -A3 'warning:' "$log" | head -30
	die "the KUnit module builds with warnings (log: ${log#"$TOP"/})"
fi
cp "$src"/*.ko "$TOP/tools/guest/kunit.sh" "$out/"
msg "KUnit module: $(cd "$out" && ls ./*.ko | sed 's|^\./||' | tr '\n' ' ')($(du -k "$src"/*.ko | awk '{s += $1} END {print s}') KiB)"
