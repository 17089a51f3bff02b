#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run-kunit.sh: load the vma-merge KUnit module (vma_merge_test.ko, built
# for the running kernel) and print its KTAP on stdout, for
#   ./run-kunit.sh | python3 tools/testing/kunit/kunit.py parse
# Progress and the suite's result go to stderr.  Run as root on a kernel
# with the vma-merge stack and KUnit (built in or as a module).  With
# failslab in debugfs, the allocation-failure cases run too.
dir=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run-kunit.sh: run as root" >&2; exit 2; }
modprobe -q kunit 2>/dev/null
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null
sh "$dir/kunit.sh" "$dir/vma_merge_test.ko" >&2
rc=$?
# The KTAP of this load: the last block between kunit.sh's markers.
dmesg | sed 's/^\[[^]]*\] //' | awk '
	/^vmatest-kunit: begin vma_merge_test/ { n = 0; on = 1; next }
	/^vmatest-kunit: end vma_merge_test/ { on = 0; next }
	on { l[n++] = $0 }
	END { for (i = 0; i < n; i++) print l[i] }'
exit $rc
