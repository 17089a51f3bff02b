#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# stress-ng.sh STRESSOR OPS [OPTION...]: run one instance of a stress-ng
# stressor for OPS bogo operations, with the shared libraries staged
# beside it in lib/ (the initramfs has no /lib), and print
#
#	stress STRESSOR bogo_ops=N secs=S ops_per_sec=R
#
# from its YAML metrics (ops_per_sec is per second of wall-clock time).
cd "$(dirname "$0")" || exit 1
s=$1 ops=$2
shift 2
yaml=/tmp/stress-$s.yaml
rm -f "$yaml"
./lib/ld-linux-*.so.* --library-path ./lib ./stress-ng \
	--"$s" 1 --"$s"-ops "$ops" --timeout 300 --temp-path /tmp \
	--metrics-brief --yaml "$yaml" "$@" 2>&1
rc=$?
[ $rc -eq 0 ] || exit $rc
awk -v s="$s" '
	$1 == "-" && $2 == "stressor:" { cur = $3 }
	cur == s && $1 == "bogo-ops:" { ops = $2 }
	cur == s && $1 == "wall-clock-time:" { secs = $2 }
	cur == s && $1 == "bogo-ops-per-second-real-time:" { rate = $2 }
	END {
		if (ops == "" || rate == "") { print "stress " s " error=\"no metrics\""; exit 1 }
		printf "stress %s bogo_ops=%s secs=%s ops_per_sec=%s\n", s, ops, secs, rate
	}' "$yaml"
