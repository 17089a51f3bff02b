#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-merge.sh [OUTPUT]: run the vma-merge stack's merge selftests
# (../vm/merge) on this machine and judge them against the kernel it
# runs.  With OUTPUT, judge that saved output of ./merge or of
# "run_kselftest.sh -t vm:merge" instead.
#
# On a kernel with the stack (it exports vma_modify_flags), every test
# must pass.  On a stock 6.1 kernel the tests in merge.xfail encode
# behaviour the stack changes on purpose, or 6.1 bugs it fixes: exactly
# those must fail, and all the others pass.  Exit 0 when the results are
# what the kernel should give.
dir=$(cd "$(dirname "$0")" && pwd)
merge=$dir/../vm/merge
xfail=$dir/merge.xfail
# In the repository, merge.xfail is the guest suite's.
[ -f "$xfail" ] || xfail=$dir/../guest/suites/merge.xfail
out=${TMPDIR:-/tmp}/vma-merge-merge.$$

[ -f "$xfail" ] || { echo "no merge.xfail beside $0" >&2; exit 2; }
# VMA_MERGE_KERNEL=stock|patched says which kernel the output is from.
kernel=${VMA_MERGE_KERNEL:-}
if [ -z "$kernel" ]; then
	case $(uname -r) in
	6.1.*) ;;
	*)
		echo "kernel $(uname -r) is not 6.1.y: the expectations are those of 6.1" >&2
		exit 2
		;;
	esac
	if grep -qw vma_modify_flags /proc/kallsyms 2>/dev/null; then
		kernel=patched
	else
		kernel=stock
	fi
fi
if [ $# -gt 0 ]; then
	tr -d '\r' <"$1" | sed -E 's/^(# )+//' >"$out" || exit 2
else
	[ -x "$merge" ] || { echo "no $merge" >&2; exit 2; }
	(cd "$dir/../vm" && ./merge) >"$out" 2>&1
fi
sed -n 's/^not ok [0-9]* \(merge[._][^ #]*\).*/\1/p' "$out" | sort >"$out.failed"
grep -E '^ok [0-9]+ merge[._]' "$out" | grep -vc '# SKIP' | sed 's/^/passed: /'
echo "failed: $(wc -l <"$out.failed")"
grep -E '^ok [0-9]+ (merge[._][^ ]* )?# SKIP' "$out" | wc -l | sed 's/^/skipped: /'
sed -n 's|^stock merge/\([^ ]*\) .*|\1|p' "$xfail" | sort >"$out.expected"

rc=0
if ! grep -qE '^(not )?ok [0-9]+ merge[._]' "$out"; then
	echo "FAIL: no merge test results in the output"
	kernel=none rc=1
fi
if [ $kernel = patched ]; then
	echo "kernel ${VMA_MERGE_KERNEL:-$(uname -r)}: the vma-merge stack; every test must pass"
	if [ -s "$out.failed" ]; then
		echo "FAIL: these tests failed:"
		sed 's/^/  /' "$out.failed"
		rc=1
	fi
elif [ $kernel = stock ]; then
	echo "kernel ${VMA_MERGE_KERNEL:-$(uname -r)}: stock; exactly the tests in merge.xfail must fail"
	unexpected=$(comm -23 "$out.failed" "$out.expected")
	passing=$(comm -13 "$out.failed" "$out.expected")
	if [ -n "$unexpected" ]; then
		echo "FAIL: failed, and not expected to:"
		echo "$unexpected" | sed 's/^/  /'
		rc=1
	fi
	if [ -n "$passing" ]; then
		echo "FAIL: passed, but expected to fail on stock 6.1:"
		echo "$passing" | sed 's/^/  /'
		rc=1
	fi
fi
[ $rc -eq 0 ] && echo "OK: the merge results are those of a $kernel kernel"
echo "full output: $out"
rm -f "$out.failed" "$out.expected"
exit $rc
