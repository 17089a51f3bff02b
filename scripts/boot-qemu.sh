#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# boot-qemu.sh NAME KERNEL INITRD OUTDIR SUITES [TIMEOUT]
#
# Boot KERNEL with INITRD in QEMU, running the comma-separated SUITES.
# The console goes to OUTDIR/console.log and the suites' TAP to
# OUTDIR/results.tap (a second serial port).  A guest that does not
# finish within TIMEOUT seconds (default 1800) is killed and reported.
# ACCEL=tcg (default), kvm, auto (kvm only if scripts/probe-kvm.sh
# succeeded for this kernel), or icount: TCG with instruction counting,
# where guest time advances with the instructions the guest executes and
# not with the host's clock, so that a busy host does not change what a
# benchmark in the guest measures (one vCPU: with two, 6.1 does not boot
# under QEMU 7.2's icount).  CMDLINE_EXTRA is appended to the kernel
# command line, QEMU_EXTRA (split at spaces) to QEMU's arguments.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 5 ] || die "usage: $0 NAME KERNEL INITRD OUTDIR SUITES [TIMEOUT]"
name=$1 kernel=$2 initrd=$3 out=$4 suites=$5 tmo=${6:-1800}
ARCH=${ARCH:-x86_64}
MEM=${MEM:-4G}
accel=${ACCEL:-tcg}
smp=2
if [ "$accel" = auto ]; then
	accel=tcg
	"$(dirname "$0")/probe-kvm.sh" "$kernel" "$initrd" && accel=kvm
fi
case $accel in
tcg) accel_opt="-accel tcg,thread=multi" ;;
kvm) accel_opt="-accel kvm" ;;
icount) accel_opt="-accel tcg -icount shift=2,sleep=off" smp=1 ;;
*) die "ACCEL must be tcg, kvm, icount or auto" ;;
esac

# The results channel: a second serial port on x86_64; -M virt has one
# UART only, so on arm64 a virtio console (hvc0) writes to the file.
case $ARCH in
x86_64)
	qemu=qemu-system-x86_64
	machine="-M pc -cpu max"
	[ "$accel" = kvm ] && machine="-M pc -cpu host"
	console=ttyS0 out_dev=/dev/ttyS1
	results=(-serial file:"$out/results.tap")
	;;
arm64)
	qemu=qemu-system-aarch64
	# mte=on: PROT_MTE mappings for the merge tests of arm64's VMA flags
	machine="-M virt,mte=on -cpu max"
	[ "$accel" = kvm ] && die "ACCEL=kvm is for x86_64 hosts running x86_64 guests"
	console=ttyAMA0 out_dev=/dev/hvc0
	results=(-device virtio-serial-device -chardev file,id=results,path="$out/results.tap"
		 -device virtconsole,chardev=results)
	;;
*) die "unsupported ARCH=$ARCH (x86_64, arm64)" ;;
esac

mkdir -p "$out"
rm -f "$out/console.log" "$out/results.tap"
cmdline="console=$console panic=-1 oops=panic loglevel=5 vmatest.suites=$suites vmatest.out=$out_dev ${CMDLINE_EXTRA:-}"
# shellcheck disable=SC2206 # QEMU_EXTRA is a list of arguments
qemu_extra=(${QEMU_EXTRA:-})
echo "$qemu $machine $accel_opt -smp $smp -m $MEM ${qemu_extra[*]} ${results[*]} -kernel $kernel -initrd $initrd -append \"$cmdline\"" >"$out/qemu.cmd"

msg "boot $name kernel ($accel) and run: $suites"
s=$(date +%s)
timeout -k 10 "$tmo" $qemu $machine $accel_opt -smp $smp -m "$MEM" \
	-display none -monitor none -no-reboot "${qemu_extra[@]}" \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	-serial file:"$out/console.log" "${results[@]}" \
	>"$out/qemu.log" 2>&1 &
qpid=$!

# Follow the guest: one line per test program as it starts.
seen=0
while kill -0 $qpid 2>/dev/null; do
	sleep 2
	[ -f "$out/console.log" ] || continue
	grep -a '^vmatest: ' "$out/console.log" | tr -d '\r' | tail -n +$((seen + 1)) |
		while read -r line; do msg "  $name: ${line#vmatest: }"; done
	seen=$(grep -ac '^vmatest: ' "$out/console.log")
done
wait $qpid
rc=$?
d=$(($(date +%s) - s))
echo "boot-$name $d" >>"$LOGS/timings"

if ! grep -aq VMA-GUEST-DONE "$out/results.tap" 2>/dev/null; then
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		msg "boot $name FAILED: the guest did not finish within ${tmo}s"
	else
		msg "boot $name FAILED: the guest stopped before finishing (qemu exit $rc)"
	fi
	show_tail "$out/qemu.log" 10
	show_tail "$out/results.tap" 20
	show_tail "$out/console.log" 50
	exit 1
fi
msg "boot $name done in ${d}s"
