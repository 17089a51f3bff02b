#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-bench.sh OUTDIR: build tools/bench/vma-bench, statically (the
# initramfs has no shared libraries), into OUTDIR.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
build_static "$1/vma-bench" "$TOP/tools/bench/vma-bench.c"
