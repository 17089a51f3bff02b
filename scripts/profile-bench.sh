#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profile-bench.sh: say where the kernel instructions of each vma-bench
# micro-benchmark go, stock against patched (make bench-profile).
#
# Builds the benchmark kernels as make bench does (the same objects), and
# tools/kprof, a QEMU TCG plugin that counts the kernel instructions the
# guest executes per translation block.  Each kernel boots once under
# icount with the plugin and runs "vma-bench -n OPS -p": -p brackets each
# timed loop with sched_get_priority_max(-1), at whose entry the plugin
# opens and closes a counting window.  tools/kprof-report.py adds the blocks up by function
# (System.map) and prints, per benchmark, the instructions per operation
# of each kernel and the functions that differ most.
#
# OPS (default 4000) operations per benchmark; BENCHES (comma-separated,
# default all) the benchmarks; FUNCS (default 20) functions per benchmark;
# VMAS (default 0) one-page VMAs mapped before the benchmarks, to see
# whether a cost grows with the size of the process's maple tree.
# Output: build/bench-profile/report.txt.
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

OPS=${OPS:-4000}
FUNCS=${FUNCS:-20}
[[ $OPS =~ ^[1-9][0-9]*$ ]] || die "OPS must be a positive number"
[[ $FUNCS =~ ^[1-9][0-9]*$ ]] || die "FUNCS must be a positive number"
B=$BUILD/bench-profile
VMAS=${VMAS:-0}
[[ $VMAS =~ ^[0-9]+$ ]] || die "VMAS must be a number"
bflag=(-m "$VMAS")
[ -n "${BENCHES:-}" ] && bflag+=(-b "$BENCHES")

msg "profile: stock against patched Linux $BASE_VERSION ($(series | wc -l) patches), $OPS operations per benchmark, $VMAS extra VMAs"
"$S"/build-bench-kernels.sh || exit 1

build_plugin() {
	gcc -O2 -Wall -Wextra -Wno-unused-parameter -shared -fPIC \
		-fvisibility=hidden -o "$B/kprof.so" "$TOP/tools/kprof/kprof.c"
}
stage_suite() {
	rm -rf "$B/suite" &&
	"$S"/build-bench.sh "$B/suite" &&
	echo "run vma-bench 1800 ./vma-bench -p -n $OPS ${bflag[*]}" >"$B/profile.list"
}
mkdir -p "$B"
stage "build the kprof QEMU plugin" "$LOGS/kprof-build.log" build_plugin || exit 1
stage "build vma-bench" "$LOGS/bench-profile-suite.log" stage_suite || exit 1
initrd=$B/initramfs.cpio.gz
INITRAMFS_ROOT=$B/initramfs-root stage "make profile initramfs" "$LOGS/bench-profile-initramfs.log" \
	"$S"/make-initramfs.sh "$initrd" "bench=$B/suite:$B/profile.list" || exit 1

specs=()
for kind in stock patched; do
	obj=$BUILD/$kind/bench-obj
	map=$obj/System.map
	toggle=$(awk '$3 == "__x64_sys_sched_get_priority_max" { print $1 }' "$map")
	[ -n "$toggle" ] || die "no __x64_sys_sched_get_priority_max in $map"
	run=$B/run/$kind
	rm -rf "$run" && mkdir -p "$run"
	ACCEL=icount CMDLINE_EXTRA=nokaslr \
	QEMU_EXTRA="-plugin $B/kprof.so,toggle=0x$toggle,out=$run/kprof.out" \
		"$S"/boot-qemu.sh "profile-$kind" "$obj/arch/x86/boot/bzImage" "$initrd" \
		"$run" bench 2400 || exit 1
	[ -s "$run/kprof.out" ] || die "$kind: the kprof plugin wrote nothing (see $run/qemu.log)"
	specs+=("$kind=$map,$run/kprof.out,$run/results.tap")
done

msg "report: ${B#"$TOP"/}/report.txt"
echo
python3 "$TOP/tools/kprof-report.py" --top "$FUNCS" --out "$B/report.txt" "${specs[@]}"
