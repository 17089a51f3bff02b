#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kunit.sh MODULE.ko: load a KUnit test module and put its KTAP on the
# console, framed for the host.
#
# KUnit prints its KTAP through printk.  While the module loads, the
# console takes every level, so that console.log holds the KTAP between
# "vmatest-kunit: begin NAME" and "vmatest-kunit: end NAME"; the host
# parses it with the base tree's kunit.py (scripts/parse-kunit.sh).  A
# module's KTAP has no top-level header: the header ("KTAP version 1",
# "1..1") is written into the log first, so that kunit.py sees a whole
# document.
#
# The module's allocation-failure cases set fail-nth, and make-it-fail to
# fail every allocation from the Nth on: failslab is set to fail only
# tasks that asked (task-filter Y), sleeping allocations too, every time.
# Its probability is 0 whenever the task filter is off, and the knobs are
# put back as they were.  fail_page_alloc counts fail-nth too: its
# min-order is raised past every order, so that the Nth allocation is the
# Nth slab allocation.
ko=$1
name=$(basename "$ko" .ko)
fs=/sys/kernel/debug/failslab
fpa=/sys/kernel/debug/fail_page_alloc
saved=

knob() {
	echo "$2" >"$fs/$1" 2>/dev/null || echo "# cannot set failslab $1 to $2"
}

if [ -d $fs ]; then
	for k in task-filter ignore-gfp-wait verbose interval times space; do
		saved="$saved $k=$(cat $fs/$k)"
	done
	prob=$(cat $fs/probability)
	knob probability 0
	knob task-filter Y
	knob ignore-gfp-wait N
	knob verbose 0
	knob interval 1
	knob times -1
	knob space 0
	if [ "$(cat $fs/task-filter)" = Y ]; then
		knob probability 100
	else
		echo "# failslab's task filter is off: the allocation-failure cases skip"
	fi
else
	echo "# no failslab in debugfs: the allocation-failure cases skip"
fi
if [ -d $fpa ]; then
	min_order=$(cat $fpa/min-order)
	echo 100 >$fpa/min-order
fi

level=$(cut -f1 /proc/sys/kernel/printk)
echo 8 >/proc/sys/kernel/printk
echo "<6>vmatest-kunit: begin $name" >/dev/kmsg
echo "<6>KTAP version 1" >/dev/kmsg
echo "<6>1..1" >/dev/kmsg
insmod "$ko"
rc=$?
echo "<6>vmatest-kunit: end $name" >/dev/kmsg
echo "$level" >/proc/sys/kernel/printk

[ -d $fpa ] && echo "$min_order" >$fpa/min-order
if [ -d $fs ]; then
	knob probability 0
	for kv in $saved; do
		knob "${kv%%=*}" "${kv#*=}"
	done
	knob probability "$prob"
fi
[ $rc -eq 0 ] && rmmod "$name"

# The suite's own result line, for the log of this run.
dmesg | sed -n "/vmatest-kunit: begin $name/,/vmatest-kunit: end $name/p" |
	sed 's/^\[[^]]*\] //' | grep -E '^(ok|not ok) [0-9]+ ' | sed 's/^/# /'
if [ $rc -ne 0 ]; then
	echo "# insmod $ko: exit $rc"
	exit 1
fi
exit 0
