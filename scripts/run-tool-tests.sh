#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-tool-tests.sh: run the self-tests of the host tools, every
# tools/*_test.py in name order, each with python3 (PYTHON overrides the
# interpreter; make bench uses Debian's /usr/bin/python3).
#
# Prints one line per test file, PASS or FAIL, and for a failing one the
# end of its output (all of it is in build/logs/tool-tests/NAME.log).
# Exits 1 if any test file fails, or if there is none to run.
set -u
. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-python3}
out=$LOGS/tool-tests
mkdir -p "$out"

mapfile -t tests < <(printf '%s\n' "$TOP"/tools/*_test.py | LC_ALL=C sort)
[ -f "${tests[0]}" ] || die "no tools/*_test.py in $TOP"

failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .py)
	log=$out/$name.log
	if "$PYTHON" "$t" >"$log" 2>&1; then
		printf 'PASS %s\n' "${t#"$TOP"/}"
	else
		printf 'FAIL %s\n' "${t#"$TOP"/}"
		show_tail "$log" 30 2>&1
		failed=$((failed + 1))
	fi
done
if [ $failed -ne 0 ]; then
	printf '%d of %d tool test files failed\n' $failed ${#tests[@]}
	exit 1
fi
printf 'all %d tool test files passed\n' ${#tests[@]}
