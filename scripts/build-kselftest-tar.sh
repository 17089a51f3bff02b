#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-kselftest-tar.sh SRC KO OUT: the installable kselftest archive of
# SRC's TARGETS=vm for ARCH, made by the kernel's own gen_tar, as OUT
# (a .tar.gz).  Unpacked anywhere on a machine, run_kselftest.sh -t
# vm:merge runs the stack's merge selftests.  The programs are static, so
# that the machine needs no libnuma or libcap.
#
# The archive carries also vma-merge/: the merge suite's expected
# failures on a stock kernel (merge.xfail) and check-merge.sh, which
# judges a run against them, and the KUnit module KO (- for none: a
# kernel without KUnit) with its loader (run-kunit.sh), and the tree's
# kunit.py to parse its KTAP.  KO must be built for the kernel the
# archive is for.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 SRC KO OUT"
src=$(cd "$1" && pwd) ko=$2 out=$3
[ -f "$src/tools/testing/selftests/vm/merge.c" ] || die "$src has no merge selftests: is it patched?"
[ "$ko" = - ] || [ -f "$ko" ] || die "no KUnit module $ko"
w=$BUILD/kselftest/$ARCH
rm -rf "$w" && mkdir -p "$w" || exit 1
inst=$w/install

make -C "$src" O="$w/hdr" ARCH="$ARCH" headers_install INSTALL_HDR_PATH="$w/usr" || exit 1
ksmake() {
	make -C "$src/tools/testing/selftests" O="$w" TARGETS=vm ARCH="$ARCH" \
		MACHINE="$ARCH" CROSS_COMPILE="$CROSS" EXTRA_CFLAGS=-static \
		KSFT_INSTALL_PATH="$inst" FORMAT=.gz "$@"
}
ksmake -j"$(nproc)" install || exit 1
grep -qx 'vm:merge' "$inst/kselftest-list.txt" || die "no vm:merge in kselftest-list.txt"

mkdir -p "$inst/vma-merge"
cp "$TOP/tools/guest/suites/merge.xfail" "$TOP/tools/kselftest/check-merge.sh" \
	"$inst/vma-merge/" || exit 1
if [ "$ko" != - ]; then
	cp "$TOP/tools/kselftest/run-kunit.sh" "$TOP/tools/guest/kunit.sh" "$ko" \
		"$inst/vma-merge/" || exit 1
fi
# kunit.py, to read the module's KTAP on a machine without a kernel
# tree; it wants to be in a tools/testing/kunit directory.
k=$inst/vma-merge/tools/testing/kunit
mkdir -p "$k" && cp "$src"/tools/testing/kunit/*.py "$k/" || exit 1
rm -f "$k"/*_test.py "$k/run_checks.py"
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: t\n    1..1\n    ok 1 c\nok 1 t\n' |
	python3 "$k/kunit.py" parse | grep -q 'Ran 1 tests: passed: 1' ||
	die "the archive's kunit.py does not parse KTAP"
ksmake gen_tar || exit 1
mkdir -p "$(dirname "$out")"
mv "$inst/kselftest-packages/kselftest.tar.gz" "$out" || exit 1
msg "$(basename "$out"): $(tar tzf "$out" | grep -c -v '/$') files, $(du -k "$out" | cut -f1) KiB"
