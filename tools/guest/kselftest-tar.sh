#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kselftest-tar.sh ARCHIVE: what a user of a real machine does with the
# kselftest archive (make kselftest-tar): unpack it, run
# "run_kselftest.sh -t vm:merge", and judge the result against the
# running kernel with vma-merge/check-merge.sh (on stock, exactly the
# tests of merge.xfail fail).
d=/tmp/kselftest
rm -rf $d && mkdir -p $d && tar xzf "$1" -C $d || exit 1
cd $d || exit 1
# Through a pipe: the runner also writes to /dev/stdout, which, opened
# again on a file, would write over the start of the output.
./run_kselftest.sh -t vm:merge 2>&1 | cat >$d/merge.out
tail -n 3 $d/merge.out
./vma-merge/check-merge.sh $d/merge.out
