#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# parse-kunit.sh RUNDIR SRC: take the KUnit KTAP that tools/guest/kunit.sh
# framed on the guest's console (RUNDIR/console.log) and parse it with
# SRC's tools/testing/kunit/kunit.py: RUNDIR/kunit.ktap is the KTAP,
# RUNDIR/kunit.txt kunit.py's report, RUNDIR/kunit.json its results, which
# tools/report.py reads.  Prints kunit.py's summary line.
set -u
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 RUNDIR SRC"
run=$(cd "$1" && pwd) || exit 1
kunit_py=$(cd "$2" && pwd)/tools/testing/kunit/kunit.py
[ -f "$kunit_py" ] || die "no $kunit_py"
rm -f "$run/kunit.ktap" "$run/kunit.txt" "$run/kunit.json"
# The first framed block: the console as the module ran (the dmesg dump
# at the end of the run repeats it).
awk '/vmatest-kunit: begin /{p = 1} p {print} /vmatest-kunit: end /{if (p) exit}' \
	"$run/console.log" | tr -d '\r' >"$run/kunit.ktap"
if ! grep -q 'vmatest-kunit: end ' "$run/kunit.ktap"; then
	msg "KUnit: no complete KTAP on the console of ${run#"$TOP"/}"
	show_tail "$run/kunit.ktap" 20
	exit 1
fi
# kunit.py changes to the kernel tree's root: absolute paths only.
python3 "$kunit_py" parse --json="$run/kunit.json" "$run/kunit.ktap" >"$run/kunit.txt" 2>&1
rc=$?
msg "KUnit (kunit.py parse): $(grep -a 'Testing complete' "$run/kunit.txt" |
	sed 's/^\[[^]]*\] //' | tail -1)"
if [ ! -s "$run/kunit.json" ]; then
	show_tail "$run/kunit.txt" 20
	exit 1
fi
exit $rc
