#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-bench-kernels.sh: build the stock and the patched benchmark
# kernels, from tinyconfig + configs/x86_64-qemu.config +
# configs/bench.config (no debug options), into build/stock/bench-obj and
# build/patched/bench-obj.  Shared by make bench and make bench-profile,
# so that a profile is of the very kernels the benchmarks measure.
set -u
. "$(dirname "$0")/lib.sh"
S=$(dirname "$0")

frags=("$TOP/configs/x86_64-qemu.config" "$TOP/configs/bench.config")
"$S"/fetch-base.sh || exit 1
"$S"/apply-stack.sh || exit 1
"$S"/build-kernel.sh bench-stock "$STOCK_SRC" "$BUILD/stock/bench-obj" "${frags[@]}" || exit 1
LOCALVERSION=-vma-merge \
	"$S"/build-kernel.sh bench-patched "$PATCHED_SRC" "$BUILD/patched/bench-obj" "${frags[@]}"
