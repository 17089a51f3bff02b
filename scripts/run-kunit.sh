#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-kunit.sh (make kunit): the KUnit module alone.  Build the patched
# kernel if needed (the same build as make check's), build the module
# (mm/) against it, boot it in QEMU with an initramfs that only loads the
# module, and print what the base tree's kunit.py makes of the KTAP.
#
# LINUX=/path/to/linux-6.1.y applies the stack to that tree, as make run
# does; ACCEL as for make check.  Exits 1 if a case failed or the console
# shows a problem.
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

export CMDLINE_EXTRA=${CMDLINE_EXTRA:-slab_nomerge}
"$S"/install-deps.sh || exit 1
if [ -n "${LINUX:-}" ]; then
	src=$(cd "$LINUX" && pwd) || exit 1
	obj=$BUILD/tree/patched-obj
	"$S"/apply-stack.sh --tree "$src" || exit 1
else
	"$S"/fetch-base.sh || exit 1
	"$S"/apply-stack.sh || exit 1
	src=$PATCHED_SRC obj=$BUILD/patched/obj
fi
LOCALVERSION=-vma-merge "$S"/build-kernel.sh patched "$src" "$obj" \
	"$TOP/configs/x86_64-qemu.config" "$TOP/configs/debug.config" || exit 1
stage "build the KUnit module" "$LOGS/stage-kunit.log" \
	"$S"/build-kunit.sh "$obj" "$BUILD/kunit/stage" || exit 1
initrd=$BUILD/kunit/tests.cpio.gz
stage "make initramfs" "$LOGS/initramfs-kunit.log" env INITRAMFS_ROOT="$BUILD/kunit/root" \
	"$S"/make-initramfs.sh "$initrd" \
	"kunit=$BUILD/kunit/stage:$TOP/tools/guest/suites/kunit.list" || exit 1
run=$BUILD/run/kunit
"$S"/boot-qemu.sh patched "$obj/arch/x86/boot/bzImage" "$initrd" "$run" kunit 900 ||
	exit 1
"$S"/parse-kunit.sh "$run" "$src"
rc=$?
echo
sed 's/^\[[^]]*\] //' "$run/kunit.txt"
echo
python3 "$TOP/tools/report.py" "patched=$run" --kunit "patched=$run/kunit.json" || rc=1
exit $rc
