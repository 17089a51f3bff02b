# SPDX-License-Identifier: GPL-2.0
# vma-merge: the modern VMA-merge architecture for Linux 6.1.y.
# "make help" lists the targets.  Everything is built under build/.

SHELL := /bin/bash
S := scripts
# LINUX=/path/to/linux-6.1.y applies the stack to that tree instead of
# Debian's linux-source-6.1.
LINUX ?=
export LINUX

.PHONY: all run check check-arm64 check-kasan help deps base version apply stack-check worktree \
	export deb kselftest-tar kernels kernel-stock kernel-patched selftests bisect-check distro-check \
	bench bench-profile kunit clean distclean

all: run

help:
	@echo 'vma-merge for Linux 6.1.y: targets'
	@echo
	@echo '  make run          apply the stack to 6.1, build the patched kernel,'
	@echo '                    boot it in QEMU, run the tests and print a report'
	@echo '  make check        the full test suite: the stack applies with quilt and'
	@echo '                    git am, stock and patched kernels are built, booted'
	@echo '                    and tested; ends with "N passed, N failed"'
	@echo '  make check-arm64  make check for arm64: cross-built kernels booted in'
	@echo '                    qemu-system-aarch64 (TCG); not in make check'
	@echo '  make kunit        build the KUnit module (mm/) against the patched kernel,'
	@echo '                    load it in QEMU and print the kunit.py summary'
	@echo '  make deb          .deb packages (linux-image, linux-headers) of the patched'
	@echo '                    kernel and the kselftest archive (vm, with merge and the'
	@echo '                    KUnit module), x86_64 and arm64, in build/deb/<arch>;'
	@echo '                    KCONFIG=/boot/config-... for your own configuration'
	@echo '  make kselftest-tar  the same as make deb'
	@echo '  make check-kasan  every guest suite on the patched kernel built with'
	@echo '                    KASAN, kmemleak and lockdep (slow; not in make check)'
	@echo
	@echo '  make deps         install the Debian packages the project needs'
	@echo '  make base         unpack Debian'"'"'s linux-source-6.1 into build/stock/linux'
	@echo '  make version      print the base version the stack is written against'
	@echo '  make apply        build/patched/linux = base + patches/ (quilt, no fuzz)'
	@echo '  make stack-check  check that quilt and git am both apply patches/'
	@echo '  make worktree     expand base + patches/ into a git tree, build/work/linux'
	@echo '  make export       write that tree'"'"'s commits back to patches/'
	@echo '  make kernels      build the stock and the patched kernel'
	@echo '  make selftests    build the base tree'"'"'s selftests/vm programs'
	@echo '  make bisect-check build every patch of the stack in turn (slow)'
	@echo '  make checkpatch   checkpatch.pl --strict on every patch, fed on stdin'
	@echo '  make distro-check compile the touched objects with Debian'"'"'s config,'
	@echo '                    base against patched, and fail on new warnings'
	@echo '  make bench        benchmark stock against patched: non-debug kernels'
	@echo '                    booted in turn (ROUNDS=3 each), vma-bench and'
	@echo '                    stress-ng; writes build/bench/report.{md,png}'
	@echo '  make bench-profile  where each benchmark'"'"'s kernel instructions go,'
	@echo '                    per function, stock against patched (QEMU plugin'
	@echo '                    tools/kprof); OPS=4000 BENCHES=a,b FUNCS=20;'
	@echo '                    writes build/bench-profile/report.txt'
	@echo '  make clean        remove build output but keep the unpacked base'
	@echo '  make distclean    remove build/ entirely'
	@echo
	@echo 'Variables: LINUX=/path/to/6.1.y tree, ACCEL=tcg|kvm|auto,'
	@echo '           ARCHES="x86_64 arm64", KCONFIG=/path/to/.config (make run:'
	@echo '           that configuration plus the test options; make deb: alone),'
	@echo '           ARM64_KINDS=patched (make check; empty for none),'
	@echo '           SUITES="vm-selftests merge bench-smoke failinject stress kunit"'
	@echo '           (guest suites; kunit runs on the patched kernel only),'
	@echo '           ROUNDS=3, BENCH_SECS=2 (make bench)'

run: deps
	@$(S)/test-kernels.sh patched

# DEB=1: the patched kernels are booted from their .deb packages, and
# the KUnit module is built against the installed linux-headers package.
# ARM64_KINDS: the arm64 kernels in the same run (ARM64_KINDS= for none).
check: deps
	@DEB=1 ARM64_KINDS="$${ARM64_KINDS-patched}" $(S)/test-kernels.sh stock patched

check-arm64: deps
	@ARCH=arm64 $(S)/test-kernels.sh stock patched

kunit: deps
	@$(S)/run-kunit.sh

deb: deps
	@$(S)/make-deb.sh

kselftest-tar: deb

check-kasan: deps
	@VARIANT=kasan BOOT_TIMEOUT=$${BOOT_TIMEOUT:-5400} $(S)/test-kernels.sh patched

deps:
	@$(S)/install-deps.sh

base: deps
	@$(S)/fetch-base.sh

version:
	@bash -c '. $(S)/lib.sh; echo "$$BASE_VERSION ($$BASE_PACKAGE)"'

# With LINUX, only git or patch is needed: no packages, no Debian base.
ifneq ($(LINUX),)
apply:
	@$(S)/apply-stack.sh --tree "$(LINUX)"
else
apply: base
	@$(S)/apply-stack.sh
endif

stack-check: base
	@$(S)/apply-stack.sh && $(S)/check-git-am.sh

checkpatch: base
	@$(S)/checkpatch-stack.sh

worktree: base
	@$(S)/expand-stack.sh

export:
	@$(S)/export-stack.sh

kernel-stock: base
	@$(S)/build-kernel.sh stock build/stock/linux build/stock/obj \
		configs/x86_64-qemu.config configs/debug.config

kernel-patched: apply
	@LOCALVERSION=-vma-merge $(S)/build-kernel.sh patched build/patched/linux build/patched/obj \
		configs/x86_64-qemu.config configs/debug.config

kernels: kernel-stock kernel-patched

bisect-check: base
	@$(S)/install-deps.sh --bisect
	@$(S)/check-bisect.sh

distro-check: apply
	@$(S)/check-distro-warnings.sh

bench: deps
	@$(S)/run-bench.sh

bench-profile: deps
	@$(S)/profile-bench.sh

selftests: base
	@$(S)/build-selftests.sh stock build/stock/linux build/stock/selftests

clean:
	rm -rf build/patched build/stock/obj build/stock/bench-obj build/stock/selftests build/run \
		build/stock/obj-arm64 build/stock/selftests-arm64 build/initramfs-arm64 build/arm64 \
		build/initramfs build/logs build/git-am-check build/tree \
		build/kvm-probe build/report.md build/bisect build/harness build/distro \
		build/bench build/bench-profile build/kunit build/deb build/kselftest

distclean:
	rm -rf build
