#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# probe-kvm.sh KERNEL INITRD: succeed if KERNEL boots to init and powers
# off under KVM within a short time.  Nested KVM on these machines dies
# with an emulation failure on 6.1 guests, so KVM is only used where
# this probe passes.
set -u
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2
[ -w /dev/kvm ] || { msg "KVM probe: no /dev/kvm, using TCG"; exit 1; }
dir=$BUILD/kvm-probe
mkdir -p "$dir"
rm -f "$dir/out"
timeout -k 5 "${KVM_PROBE_TIMEOUT:-25}" qemu-system-x86_64 -M pc -cpu host -accel kvm \
	-smp 2 -m 1G -display none -monitor none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 vmatest.suites= vmatest.out=/dev/ttyS1" \
	-serial file:"$dir/console.log" -serial file:"$dir/out" >"$dir/qemu.log" 2>&1
if grep -aq VMA-GUEST-DONE "$dir/out" 2>/dev/null; then
	msg "KVM probe: a probe boot succeeded, using KVM"
	exit 0
fi
msg "KVM probe: no probe boot under KVM ($(grep -am1 -i error "$dir/qemu.log" || echo timed out)), using TCG"
exit 1
