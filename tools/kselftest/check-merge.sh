#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check-merge.sh [OUTPUT]: run the vma-merge stack's merge selftests
# (../vm/merge) on this machine and judge them against the kernel it
# runs.  With OUTPUT, judge that saved output of ./merge or of
# "run_kselftest.sh -t vm:merge" instead.
#
# On a 6.1.y kernel with the stack (it has vma_modify_flags), every test
# must pass.  On a stock 6.1.y kernel the tests in merge.xfail encode
# behaviour the stack changes on purpose, or 6.1 bugs it fixes: exactly
# those must fail, and all the others pass.  A test that skipped (it
# needs root, lockdep or fault injection the kernel lacks) is not judged.
# VMA_MERGE_KERNEL=stock|patched says which kernel OUTPUT comes from.
#
# Exit 0 when the results are what the kernel should give, 1 when not,
# 2 when nothing could be judged.
for c in awk grep mktemp sed sort tr wc; do
	command -v $c >/dev/null || { echo "check-merge.sh needs $c" >&2; exit 2; }
done
dir=$(cd "$(dirname "$0")" && pwd)
xfail=$dir/merge.xfail
# In the repository, merge.xfail is the guest suite's.
[ -f "$xfail" ] || xfail=$dir/../guest/suites/merge.xfail
[ -f "$xfail" ] || { echo "no merge.xfail beside $0" >&2; exit 2; }

kernel=${VMA_MERGE_KERNEL:-}
case $kernel in
stock | patched) ;;
'')
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
	;;
*)
	echo "VMA_MERGE_KERNEL must be stock or patched, not $kernel" >&2
	exit 2
	;;
esac

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
out=$tmp/output
if [ $# -gt 0 ]; then
	[ -r "$1" ] || { echo "cannot read $1" >&2; exit 2; }
	# run_kselftest.sh prefixes the test's lines with "# ".
	tr -d '\r' <"$1" | sed -E 's/^(# )+//' >"$out"
else
	[ -x "$dir/../vm/merge" ] || { echo "no $dir/../vm/merge" >&2; exit 2; }
	(cd "$dir/../vm" && ./merge) >"$out" 2>&1
fi

# Result lines: "ok N fixture.name", "not ok N fixture.name", and for a
# skip "ok N # SKIP reason", named by the " RUN  fixture.name ..." line
# before.  The fixtures are merge, merge_anon and mremap, and whatever
# group is added next: any "fixture.name" counts.
awk '
	$1 == "RUN" && $2 ~ /^[A-Za-z0-9_]+\./ { name = $2 }
	/^ok [0-9]+ # SKIP/ { print "skip", name; next }
	/^ok [0-9]+ [A-Za-z0-9_]+\./ { print ($0 ~ /# SKIP/ ? "skip" : "pass"), $3; next }
	/^not ok [0-9]+ [A-Za-z0-9_]+\./ { print "fail", $4 }
' "$out" >"$tmp/results"
for r in pass fail skip; do
	sed -n "s/^$r //p" "$tmp/results" | sort >"$tmp/$r"
done
npass=$(wc -l <"$tmp/pass") nfail=$(wc -l <"$tmp/fail") nskip=$(wc -l <"$tmp/skip")
echo "merge: $npass passed, $nfail failed, $nskip skipped"

# The harness's own count must agree: a merge that crashed or was
# stopped by the runner's timeout has fewer results.
totals=$(grep -m 1 'Totals: pass:' "$out" | sed 's/.*Totals: //')
if [ -z "$totals" ]; then
	echo "FAIL: merge did not finish (no Totals line)"
	exit 1
fi
t=$(echo "$totals" | sed -E 's/pass:([0-9]+) fail:([0-9]+) .*skip:([0-9]+).*/\1 \2 \3/')
if [ "$t" != "$((npass)) $((nfail)) $((nskip))" ]; then
	echo "FAIL: merge's own totals ($totals) are not the results read ($npass $nfail $nskip)"
	exit 1
fi

# The negative controls: lines "KERNELS merge/merge.NAME REASON" whose
# comma-separated KERNELS include stock.
awk '$1 !~ /^#/ && $2 ~ /^merge\// {
	n = split($1, k, ",")
	for (i = 1; i <= n; i++) if (k[i] == "stock") { sub(/^merge\//, "", $2); print $2 }
}' "$xfail" | sort -u >"$tmp/expected"

rc=0
if [ "$kernel" = patched ]; then
	echo "kernel ${VMA_MERGE_KERNEL:-$(uname -r)}: the vma-merge stack; every test must pass"
	if [ -s "$tmp/fail" ]; then
		echo "FAIL: these tests failed:"
		sed 's/^/  /' "$tmp/fail"
		rc=1
	fi
else
	echo "kernel ${VMA_MERGE_KERNEL:-$(uname -r)}: stock; exactly the tests in merge.xfail must fail"
	# grep -F -x -f, not comm: busybox may not have comm.
	unexpected=$(grep -vxF -f "$tmp/expected" "$tmp/fail")
	passing=$(grep -xF -f "$tmp/expected" "$tmp/pass")
	skipped=$(grep -xF -f "$tmp/expected" "$tmp/skip")
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
	if [ -n "$skipped" ]; then
		echo "not judged (skipped here; expected to fail on stock 6.1):"
		echo "$skipped" | sed 's/^/  /'
	fi
fi
[ $rc -eq 0 ] && echo "OK: the merge results are those of a $kernel kernel"
exit $rc
