#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-harness.sh TREE NAME [coverage]
#
# Build and run the userland VMA harness (tools/testing/vma) of the
# kernel tree TREE.  The harness compiles TREE's mm/vma.c and
# lib/maple_tree.c in userspace; it builds in place, so it runs in a
# copy of the parts of TREE it reads (build/harness/NAME/src) and TREE
# is never written to.  The TAP goes to build/harness/NAME/results.tap.
# With "coverage", gcov line coverage of mm/vma.c is reported as well,
# in total and per function (build/harness/NAME/functions.txt).
set -u
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 TREE NAME [coverage]"
tree=$(cd "$1" && pwd) name=$2 mode=${3:-}
out=$BUILD/harness/$name
src=$out/src
log=$LOGS/harness-$name.log

if [ ! -f "$tree/tools/testing/vma/Makefile" ]; then
	msg "harness: $tree has no tools/testing/vma"
	exit 0
fi
mkdir -p "$src"
# rsync keeps mtimes, so a rerun rebuilds only what changed in TREE.
sync_tree() {
	rsync -a --delete --exclude='*.o' --exclude=/tools/testing/vma/vma \
		"$tree"/tools "$tree"/lib "$tree"/mm "$tree"/include "$src"/
}
build() {
	local d=$src/tools/testing/vma
	if [ -n "$mode" ]; then
		make -C "$d" clean && make -C "$d" -j"$(nproc)" COVERAGE=1 vma
	else
		make -C "$d" -j"$(nproc)" vma
	fi
}
stage "copy the harness sources of $name" "$LOGS/harness-sync-$name.log" sync_tree || exit 1
stage "build the $name VMA harness" "$LOGS/harness-build-$name.log" build || exit 1

s=$(date +%s)
(cd "$src/tools/testing/vma" && ./vma) >"$out/results.tap" 2>"$log"
rc=$?
cat "$out/results.tap" >>"$log"
last=$(tail -n 1 "$out/results.tap")
msg "harness ($name): $last in $(($(date +%s) - s))s"
if [ $rc -ne 0 ]; then
	grep -E '^not ok' "$out/results.tap" | head -n 20 >&2
	show_tail "$log" 30
fi
if [ -n "$mode" ]; then
	(cd "$src/tools/testing/vma" &&
	 gcov -p -o vma.o vma.c >gcov.log 2>&1 &&
	 mv '^#^#^#mm#vma.c.gcov' "$out/mm-vma.c.gcov" &&
	 pct=$(grep -A1 "^File '../../../mm/vma.c'" gcov.log | sed -n 's/^Lines executed://p') &&
	 msg "harness ($name): mm/vma.c line coverage $pct; unexecuted lines marked ##### in ${out#"$TOP"/}/mm-vma.c.gcov")
	# Per function, for mm/vma.c and the helpers of mm/vma.h that the
	# harness instantiates: the full table goes to a file, the summary
	# and every function not fully covered to the output.
	if (cd "$src/tools/testing/vma" &&
	    gcov --json-format -p -o vma.o vma.c >/dev/null 2>&1) &&
	   [ -f "$src/tools/testing/vma/vma.gcov.json.gz" ]; then
		python3 "$TOP/tools/gcov-functions.py" \
			"$src/tools/testing/vma/vma.gcov.json.gz" mm/vma.c mm/vma.h \
			--table "$out/functions.txt" | {
			read -r summary
			msg "harness ($name): $summary (table in ${out#"$TOP"/}/functions.txt)"
			cat
		}
	fi
fi
exit $rc
