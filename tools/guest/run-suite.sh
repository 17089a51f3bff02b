#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# run-suite.sh SUITE: run the programs listed in /tests/SUITE/list and
# print one KTAP result per program.  A program's own output is kept as
# an indented subtest, so that nested KTAP from kselftest stays readable.
#
# list lines:  run NAME TIMEOUT COMMAND...   (run from /tests/SUITE)
#              skip NAME REASON...
#              setup COMMAND...               (run once, output kept)
#              mode cases                     (the report counts each
#                                              program's own KTAP cases)
#              only MACHINE...                (the next run line runs only
#                                              where uname -m is one of them)
suite=$1
dir=/tests/$suite
list=$dir/list

if [ ! -f "$list" ]; then
	echo "VMA-SUITE-BEGIN $suite"
	echo "KTAP version 1"
	echo "1..0 # SKIP no such suite in this initramfs"
	echo "VMA-SUITE-END $suite"
	exit 0
fi

n=$(grep -cE '^(run|skip) ' "$list")
echo "VMA-SUITE-BEGIN $suite"
echo "KTAP version 1"
echo "# suite: $suite on $(uname -r)"
echo "1..$n"
cd "$dir" || exit 1
i=0
only=
machine=$(uname -m)
while read -r kind name rest; do
	case $kind in
	only)
		only="$name $rest"
		continue
		;;
	esac
	if [ "$kind" = run ] && [ -n "$only" ] &&
	   ! echo " $only " | grep -q " $machine "; then
		i=$((i + 1))
		echo "ok $i $name # SKIP only on $only"
		only=
		continue
	fi
	only=
	case $kind in
	mode)
		echo "# mode: $name"
		;;
	setup)
		echo "# setup: $name $rest"
		sh -c "$name $rest" 2>&1 | sed 's/^/# /'
		;;
	skip)
		i=$((i + 1))
		echo "ok $i $name # SKIP $rest"
		;;
	run)
		i=$((i + 1))
		tmo=${rest%% *}
		cmd=${rest#* }
		echo "vmatest: $suite: $name" >/dev/console
		t0=$(cut -d' ' -f1 /proc/uptime)
		# A new file for each program: a straggler of an earlier program
		# still holding the old one open cannot write into this output.
		out=/tmp/out.$suite.$i
		timeout -s KILL "$tmo" sh -c "$cmd" </dev/null >"$out" 2>&1
		rc=$?
		t1=$(cut -d' ' -f1 /proc/uptime)
		sed 's/^/    /' "$out"
		echo "# $name: exit $rc, $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')s"
		case $rc in
		0) echo "ok $i $name" ;;
		4) echo "ok $i $name # SKIP $(grep -m1 -iE 'skip' "$out" | tr -d '#')" ;;
		137) echo "not ok $i $name # TIMEOUT after ${tmo}s" ;;
		*) echo "not ok $i $name # exit $rc" ;;
		esac
		rm -f "$out"
		;;
	esac
done <"$list"
echo "VMA-SUITE-END $suite"
