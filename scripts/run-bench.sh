#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-bench.sh: benchmark the stock against the patched 6.1 kernel, side
# by side in one run (make bench).
#
# Both kernels are built from tinyconfig + configs/x86_64-qemu.config +
# configs/bench.config (no debug options) into build/<kind>/bench-obj.
# Each round boots each kernel once, stock then patched, and runs the
# bench suite (tools/guest/suites/bench.list: tools/bench/vma-bench and
# Debian's stress-ng); tools/bench-report.py compares the rounds and
# writes build/bench/report.md and build/bench/report.png.
#
# ROUNDS (default 3) rounds; BENCH_SECS (default 2) seconds per
# vma-bench micro-benchmark; ACCEL as for scripts/boot-qemu.sh, default
# auto: KVM if a probe boot works, else icount (TCG counting
# instructions, so that the numbers do not depend on the host's load;
# plain ACCEL=tcg measures wall-clock time and is as noisy as the host).
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

ROUNDS=${ROUNDS:-3}
BENCH_SECS=${BENCH_SECS:-2}
export ACCEL=${ACCEL:-auto}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
[[ $BENCH_SECS =~ ^[0-9]*\.?[0-9]+$ ]] || die "BENCH_SECS must be a number of seconds"
B=$BUILD/bench
stock_obj=$BUILD/stock/bench-obj
patched_obj=$BUILD/patched/bench-obj

msg "benchmarks: stock against patched Linux $BASE_VERSION ($(series | wc -l) patches), $ROUNDS rounds"
"$S"/install-deps.sh --bench || exit 1
# Debian's interpreter, the one that runs tools/bench-report.py below.
PYTHON=/usr/bin/python3 stage "self-tests of the report tools" "$LOGS/tool-tests.log" \
	"$S"/run-tool-tests.sh || exit 1
"$S"/build-bench-kernels.sh || exit 1

# The guest suite: vma-bench, stress-ng with its libraries, the list.
stage_suite() {
	rm -rf "$B/suite" &&
	"$S"/build-bench.sh "$B/suite" &&
	"$S"/stage-programs.sh "$B/suite" stress-ng &&
	cp "$TOP/tools/bench/stress-ng.sh" "$B/suite/" &&
	sed "s/@SECS@/$BENCH_SECS/g" "$TOP/tools/guest/suites/bench.list" >"$B/bench.list" &&
	"$B/suite/vma-bench" -l >"$B/legend.txt"
}
mkdir -p "$B"
stage "build vma-bench and stage stress-ng" "$LOGS/bench-suite.log" stage_suite || exit 1
initrd=$B/initramfs.cpio.gz
INITRAMFS_ROOT=$B/initramfs-root stage "make benchmark initramfs" "$LOGS/bench-initramfs.log" \
	"$S"/make-initramfs.sh "$initrd" "bench=$B/suite:$B/bench.list" || exit 1

if [ "$ACCEL" = auto ]; then
	if "$S"/probe-kvm.sh "$stock_obj/arch/x86/boot/bzImage" "$initrd"; then
		ACCEL=kvm
	else
		ACCEL=icount
	fi
fi

# Alternate the kernels, so that a change in the machine's load during
# the run weighs on both alike.
rm -rf "$B/run"
runs=()
for ((i = 1; i <= ROUNDS; i++)); do
	for kind in stock patched; do
		obj=$stock_obj
		[ $kind = patched ] && obj=$patched_obj
		"$S"/boot-qemu.sh "$kind-$i" "$obj/arch/x86/boot/bzImage" "$initrd" \
			"$B/run/$kind-$i" bench 1800 || exit 1
		runs+=("$kind=$B/run/$kind-$i")
	done
done

# Debian's interpreter: python3-matplotlib is installed for it.
msg "report (runs in ${B#"$TOP"/}/run)"
echo
/usr/bin/python3 "$TOP/tools/bench-report.py" --accel "$ACCEL" \
	--markdown "$B/report.md" --png "$B/report.png" --legend "$B/legend.txt" \
	--note "configuration: tinyconfig + x86_64-qemu.config + bench.config (no debug options)" \
	--note "vma-bench: $BENCH_SECS s per micro-benchmark; stress-ng $(dpkg-query -W -f='${Version}' stress-ng 2>/dev/null): one instance per stressor, bounded bogo ops" \
	"${runs[@]}"
rc=$?
echo
msg "report: ${B#"$TOP"/}/report.md, chart: ${B#"$TOP"/}/report.png"
exit $rc
