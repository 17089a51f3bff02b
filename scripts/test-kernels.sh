#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# test-kernels.sh KIND...: build the kernels named (stock, patched), boot
# each in QEMU with the test initramfs, and report.
#
# Without LINUX, the base is Debian's linux-source-6.1 (build/stock/linux)
# and the patched tree is a copy of it with patches/ applied by quilt.
# With LINUX=/path/to/linux, the stock kernel is built from that tree as
# it is, and the stack is then applied there (scripts/apply-stack.sh --tree).
#
# SUITES (default: every suite available) names the guest suites to run, ACCEL is
# passed to scripts/boot-qemu.sh (default auto: KVM only if a probe boot
# works, else TCG).
#
# ARCH=arm64 (make check-arm64, and ARM64_KINDS below) builds and boots arm64 kernels
# (configs/arm64-qemu.config), in directories of their own (obj-arm64,
# run/<kernel>-arm64, ...), under TCG, with Debian's arm64 trinity and
# stress-ng (scripts/stage-programs.sh); the userland harness, which
# does not depend on the target, runs with x86_64 only.
#
# VARIANT=kasan (make check-kasan) builds the patched kernel with
# configs/kasan.config on top, in an object directory of its own, and
# boots it alone with every suite; the guest reports what kmemleak found.
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(patched)
want() { [[ " ${kinds[*]} " == *" $1 "* ]]; }
export ACCEL=${ACCEL:-auto}
LINUX=${LINUX:-}
VARIANT=${VARIANT:-}
frags=("$ARCH_CONFIG" "$TOP/configs/debug.config")
# Unmerged slab caches, so that the fault-injection suite can count the
# vm_area_struct and anon_vma objects that each system call leaves.
export CMDLINE_EXTRA=${CMDLINE_EXTRA:-slab_nomerge}
case $VARIANT in
'') ;;
kasan)
	want stock && die "VARIANT=kasan builds the patched kernel only"
	frags+=("$TOP/configs/kasan.config")
	;;
*) die "unknown VARIANT=$VARIANT (kasan)" ;;
esac
vsuffix=${VARIANT:+-$VARIANT}$ASUFFIX
# KCONFIG: the kernels start from the user's configuration (build-kernel.sh),
# in object directories of their own.
KCONFIG=${KCONFIG:-}
osuffix=
if [ -n "$KCONFIG" ]; then
	karch=$(kconfig_arch "$KCONFIG") || exit 1
	[ "$karch" = "$ARCH" ] || die "KCONFIG=$KCONFIG is for $karch, not ARCH=$ARCH"
	KCONFIG=$(cd "$(dirname "$KCONFIG")" && pwd)/$(basename "$KCONFIG")
	[ -z "${DEB:-}" ] ||
		die "KCONFIG is for make run (and make deb, which packages that configuration alone); make check tests the packages of the test configuration"
	export KCONFIG
	osuffix=-kconfig
fi
ird=$BUILD/initramfs$ASUFFIX
[ "$ARCH" = x86_64 ] || ACCEL=tcg

msg "vma-merge stack for Linux $BASE_VERSION: $(series | wc -l) patches; kernels: ${kinds[*]}${VARIANT:+ ($VARIANT)}, $ARCH"
[ -z "$KCONFIG" ] ||
	msg "configuration: $KCONFIG with the test options of ${frags[*]##*/} on top (a distribution's configuration builds for hours on 2 cores)"
"$S"/install-deps.sh || exit 1
if [ "$ARCH" = arm64 ]; then
	"$S"/install-deps.sh --arm64 || exit 1
fi
[ -n "${REPORT_ARGS:-}" ] ||
	stage "self-tests of the report tools" "$LOGS/tool-tests.log" "$S"/run-tool-tests.sh || exit 1

carried=
if [ -n "$LINUX" ]; then
	[ -d "$LINUX" ] || die "LINUX=$LINUX: no such directory"
	LINUX=$(cd "$LINUX" && pwd) || exit 1
	# A tree that carries the stack already is tested as it is; the
	# stock kernel can never be built from it.
	state=$("$S"/apply-stack.sh --state "$LINUX") || exit 1
	case $state in
	full)
		if want stock; then
			echo "error: $LINUX already carries the stack, so the stock kernel cannot be built from it." >&2
			echo "  Test it as it is, patched only:  make run LINUX=$LINUX" >&2
			echo "  or take the stack off first:     $("$S"/apply-stack.sh --undo-hint "$LINUX")" >&2
			exit 1
		fi
		msg "$LINUX already carries the stack: testing it as it is"
		carried=1
		;;
	partial)
		die "$LINUX has part of the stack; take it off with: $("$S"/apply-stack.sh --undo-hint "$LINUX")"
		;;
	esac
	stock_src=$LINUX patched_src=$LINUX
	stock_obj=$BUILD/tree/stock$ASUFFIX$osuffix-obj patched_obj=$BUILD/tree/patched$vsuffix$osuffix-obj
	sel_stock=$BUILD/tree/selftests-stock$ASUFFIX sel_patched=$BUILD/tree/selftests-patched$ASUFFIX
else
	"$S"/fetch-base.sh || exit 1
	msg "base: Linux $(kernel_version "$STOCK_SRC") ($(cut -d' ' -f2 "$BUILD/stock/.unpacked") of $BASE_PACKAGE)"
	base_note "$(kernel_version "$STOCK_SRC")"
	stock_src=$STOCK_SRC patched_src=$PATCHED_SRC
	stock_obj=$BUILD/stock/obj$ASUFFIX$osuffix patched_obj=$BUILD/patched/obj$vsuffix$osuffix
	sel_stock=$BUILD/stock/selftests$ASUFFIX sel_patched=$BUILD/patched/selftests$ASUFFIX
	"$S"/apply-stack.sh || exit 1
	if want stock; then
		"$S"/check-git-am.sh || exit 1
	fi
fi

# The stock selftests come from the unpatched tree: with LINUX they must
# be built before the stack is applied there.
if want stock || [ -z "$LINUX" ]; then
	"$S"/build-selftests.sh stock "$stock_src" "$sel_stock" || exit 1
fi
if want stock; then
	"$S"/build-kernel.sh stock$ASUFFIX "$stock_src" "$stock_obj" "${frags[@]}" || exit 1
fi
if [ -n "$LINUX" ]; then
	if want stock && [ ! -d "$sel_stock/vm" ]; then
		die "no stock selftests"
	fi
	[ -n "$carried" ] || "$S"/apply-stack.sh --tree "$LINUX" || exit 1
	[ -d "$sel_stock/vm" ] || "$S"/build-selftests.sh stock "$patched_src" "$sel_stock" || exit 1
fi
# With DEB=1, the patched kernel is built with the build identity its
# packages give it, so that packaging it finds it built.
identity=()
if want patched && [ -n "${DEB:-}" ] && [ -z "$VARIANT" ]; then
	identity=(KBUILD_BUILD_VERSION="$(stack_revision)" KBUILD_BUILD_USER="$DEB_BUILD_USER"
		  KBUILD_BUILD_HOST="$DEB_BUILD_HOST")
fi
if want patched; then
	env LOCALVERSION=-vma-merge "${identity[@]}" \
		"$S"/build-kernel.sh patched$vsuffix "$patched_src" "$patched_obj" "${frags[@]}" || exit 1
fi

# DEB=1 (make check): package the patched kernel as make deb does, and
# test what a user of the packages gets: the kernel booted is the one
# unpacked from the linux-image package, and the KUnit module is built
# against the installed linux-headers package (x86_64; the arm64 one is
# for arm64 machines, whose programs it carries).
patched_image=$patched_obj/$KIMAGE
kdir=$patched_obj
krel=
if want patched && [ -n "${DEB:-}" ] && [ -z "$VARIANT" ]; then
	debs=$BUILD/deb/$ARCH
	stage "package the patched kernel (bindeb-pkg, $ARCH)" "$LOGS/deb$ASUFFIX.log" \
		"$S"/build-deb.sh "$patched_src" "$patched_obj" "$debs" || exit 1
	krel=$(cat "$patched_obj/include/config/kernel.release")
	grep '\.deb: ' "$LOGS/deb$ASUFFIX.log" | sed 's/^\[[^]]*\] /    /'
	rm -rf "$debs/root" && dpkg-deb -x "$debs"/linux-image-"$krel"_*.deb "$debs/root" || exit 1
	patched_image=$debs/root/boot/vmlinuz-$krel
	[ -f "$patched_image" ] || die "the linux-image package has no boot/vmlinuz-$krel"
	if [ "$ARCH" = x86_64 ]; then
		# What apt would do with the two packages on this Debian 12.
		stage "apt-get install --simulate of the packages" "$LOGS/deb-simulate.log" \
			apt-get install -s -q "$debs"/linux-image-"$krel"_*.deb \
			"$debs"/linux-headers-"$krel"_*.deb || exit 1
		if [ "$(id -u)" -eq 0 ]; then
			stage "install the linux-headers package" "$LOGS/deb-install.log" \
				dpkg_locked dpkg -i "$debs"/linux-headers-"$krel"_*.deb || exit 1
			kdir=/usr/src/linux-headers-$krel
		else
			msg "not root: the linux-headers package is unpacked, not installed"
			rm -rf "$debs/headers" &&
			dpkg-deb -x "$debs"/linux-headers-"$krel"_*.deb "$debs/headers" || exit 1
			kdir=$debs/headers/usr/src/linux-headers-$krel
		fi
	fi
fi

# The KUnit module (mm/) is built against the patched kernel, and runs
# there only: stock 6.1 has none of the functions it calls.
kunit=
if want patched && [ -f "$patched_src/include/linux/vma_kunit.h" ]; then
	stage "build the KUnit module (against ${kdir#"$TOP"/})" "$LOGS/stage-kunit.log" \
		"$S"/build-kunit.sh "$kdir" "$ird/kunit" || exit 1
	kunit=1
fi

# The userland VMA harness runs on the host against the patched tree.
taps=()
if want patched && [ "$ARCH" = x86_64 ] &&
   [ -f "$patched_src/tools/testing/vma/Makefile" ]; then
	"$S"/run-harness.sh "$patched_src" patched coverage
	taps+=(--tap "vma-harness=$BUILD/harness/patched/results.tap")
fi

# The stack's own selftests (merge) come from the patched tree and run on
# both kernels: on stock, the tests of intended changes must fail.
specs=("vm-selftests=$sel_stock/vm:$TOP/tools/guest/suites/vm-selftests.list")
suites=(vm-selftests)
if [ -f "$patched_src/tools/testing/selftests/vm/merge.c" ]; then
	"$S"/build-selftests.sh patched "$patched_src" "$sel_patched" || exit 1
	mkdir -p "$ird/merge"
	cp "$sel_patched/vm/merge" "$ird/merge/"
	specs+=("merge=$ird/merge:$TOP/tools/guest/suites/merge.list")
	suites+=(merge)
	# The same binary on the host, whatever kernel it runs: informative
	# only, it never fails the run.
	if [ "$ARCH" = x86_64 ]; then
		(cd "$ird/merge" && timeout 300 ./merge) >"$LOGS/merge-host.tap" 2>&1
		msg "host kernel $(uname -r): merge selftests $(grep -a '^# Totals' "$LOGS/merge-host.tap" |
			sed 's/^# Totals: //') (not counted; ${LOGS#"$TOP"/}/merge-host.tap)"
	fi
fi
# DEB=1: the kselftest archive for real machines (make kselftest-tar),
# unpacked and run in the guest as a user would, on both kernels.
if [ -n "${DEB:-}" ] && [ -n "$kunit" ] && [ -z "$VARIANT" ]; then
	tarball=$BUILD/deb/$ARCH/kselftest-vm-vma-merge-$ARCH.tar.gz
	stage "kselftest archive (gen_tar, TARGETS=vm, $ARCH)" "$LOGS/kselftest-tar$ASUFFIX.log" \
		"$S"/build-kselftest-tar.sh "$patched_src" "$ird/kunit/vma_merge_test.ko" \
		"$tarball" || exit 1
	rm -rf "$ird/kselftest-tar" && mkdir -p "$ird/kselftest-tar" &&
	cp "$tarball" "$ird/kselftest-tar/kselftest.tar.gz" &&
	cp "$TOP/tools/guest/kselftest-tar.sh" "$ird/kselftest-tar/" || exit 1
	specs+=("kselftest-tar=$ird/kselftest-tar:$TOP/tools/guest/suites/kselftest-tar.list")
	suites+=(kselftest-tar)
fi
# One tiny round of the benchmark program, so that it keeps working
# (make bench measures; nothing is timed here).
stage "build vma-bench" "$LOGS/build-bench.log" "$S"/build-bench.sh "$ird/bench" || exit 1
specs+=("bench-smoke=$ird/bench:$TOP/tools/guest/suites/bench-smoke.list")
suites+=(bench-smoke)
# Fault injection into every system call that merges or splits VMAs,
# before stress, whose programs may still be exiting when it ends.
stage "build failinject" "$LOGS/build-failinject.log" \
	"$S"/build-failinject.sh "$ird/failinject" || exit 1
specs+=("failinject=$ird/failinject:$TOP/tools/guest/suites/failinject.list")
suites+=(failinject)
# The KUnit module, before stress, as failinject.
if [ -n "$kunit" ]; then
	specs+=("kunit=$ird/kunit:$TOP/tools/guest/suites/kunit.list")
	suites+=(kunit)
fi
# Debian's trinity and stress-ng on the VMA system calls.
stage_stress() {
	rm -rf "$ird/stress" &&
	"$S"/stage-programs.sh "$ird/stress" trinity stress-ng &&
	cp "$TOP/tools/guest/trinity.sh" "$TOP/tools/bench/stress-ng.sh" \
		"$ird/stress/"
}
stage "stage trinity and stress-ng ($ARCH)" "$LOGS/stage-stress$ASUFFIX.log" stage_stress || exit 1
specs+=("stress=$ird/stress:$TOP/tools/guest/suites/stress.list")
suites+=(stress)
SUITES=${SUITES:-${suites[*]}}

initrd=$ird/tests.cpio.gz
stage "make initramfs" "$LOGS/initramfs$ASUFFIX.log" env INITRAMFS_ROOT="$ird/root" \
	"$S"/make-initramfs.sh "$initrd" "${specs[@]}" || exit 1

if [ "$ACCEL" = auto ]; then
	k=$patched_obj
	want stock && k=$stock_obj
	if "$S"/probe-kvm.sh "$k/$KIMAGE" "$initrd"; then
		ACCEL=kvm
	else
		ACCEL=tcg
	fi
fi

runs=()
rc=0
for kind in stock patched; do
	want $kind || continue
	image=$stock_obj/$KIMAGE
	[ $kind = patched ] && image=$patched_image
	run=$BUILD/run/$kind$vsuffix
	ksuites=$SUITES
	[ $kind = stock ] && ksuites=$(echo " $SUITES " | sed 's/ kunit / /g')
	"$S"/boot-qemu.sh $kind$vsuffix "$image" "$initrd" \
		"$run" "$(echo $ksuites | tr ' ' ,)" ${BOOT_TIMEOUT:-} || rc=1
	runs+=("$kind$vsuffix=$run")
	# The packaged kernel says which build of the stack it is.
	if [ $kind = patched ] && [ -n "$krel" ]; then
		banner=$(grep -a -m1 'Linux version ' "$run/console.log" | sed 's/^\[[^]]*\] //')
		if [[ "$banner" == *"Linux version $krel (vma-merge@debian)"*"#vmamerge"* ]]; then
			msg "booted the packaged kernel: $krel #${banner##*#}"
		else
			echo "error: the patched guest did not boot the packaged kernel: $banner" >&2
			rc=1
		fi
	fi
	if [ $kind = patched ] && [[ " $SUITES " == *" kunit "* ]]; then
		"$S"/parse-kunit.sh "$run" "$patched_src"
		taps+=(--kunit "$kind$vsuffix=$run/kunit.json")
	fi
done

# ARM64_KINDS (make check: patched): the arm64 kernels named, in the
# same report; run by this script with ARCH=arm64, which hands back its
# runs through REPORT_ARGS instead of reporting.
if [ -n "${REPORT_ARGS:-}" ]; then
	{
		for a in "${runs[@]}"; do echo "run $a"; done
		for a in "${taps[@]}"; do echo "arg $a"; done
	} >"$REPORT_ARGS"
	exit $rc
fi
if [ -n "${ARM64_KINDS:-}" ] && [ "$ARCH" = x86_64 ]; then
	args=$BUILD/run/arm64-report-args
	rm -f "$args"
	ARCH=arm64 REPORT_ARGS=$args ARM64_KINDS= "$0" $ARM64_KINDS || rc=1
	if [ -f "$args" ]; then
		while read -r what a; do
			case $what in
			run) runs+=("$a") ;;
			arg) taps+=("$a") ;;
			esac
		done <"$args"
	else
		echo "error: the arm64 kernels ($ARM64_KINDS) stopped before they were tested; the report has x86_64 only" >&2
		rc=1
	fi
fi

msg "report (logs in ${BUILD#"$TOP"/}/logs and ${BUILD#"$TOP"/}/run)"
echo
xfails=()
for f in "$TOP"/tools/guest/suites/*.xfail; do
	[ -f "$f" ] && xfails+=(--xfail "$f")
done
python3 "$TOP/tools/report.py" --markdown "$BUILD/report.md" "${xfails[@]}" \
	"${runs[@]}" "${taps[@]}" || rc=1
exit $rc
