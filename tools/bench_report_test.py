#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of bench-report.py: the ratios, the rounds, what fails a run."""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
_spec = importlib.util.spec_from_file_location(
    'bench_report', os.path.join(HERE, 'bench-report.py'))
br = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(br)
import report  # noqa: E402  (the module bench-report.py shares the scan with)

CLEAN = 'VMA-DMESG-BEGIN\nclean boot\nVMA-DMESG-END\n'


def tap(release, rate, stress, vmas=3, extra=''):
    return """VMA-GUEST-BEGIN %s x86_64
VMA-SUITE-BEGIN bench
KTAP version 1
1..2
    vma-bench kernel=%s duration=2
    bench brk-expand ops=100 secs=1.0 ops_per_sec=%s cycles_per_op=%s
    frag gc-heap vmas=%d min=3 slab_active=10 slab_total=20 slab_objsize=144
%sok 1 vma-bench
    stress brk bogo_ops=10 secs=1.0 ops_per_sec=%s
ok 2 stress-brk
VMA-SUITE-END bench
VMA-GUEST-DONE
""" % (release, release, rate, 1e6 / rate, vmas, extra, stress)


class BenchReportTest(unittest.TestCase):
    def rounds(self, stock, patched, console=CLEAN, **kw):
        """Run dirs for (rate, stress) pairs, in the order of a real run."""
        top = tempfile.mkdtemp()
        args = []
        for i, (s, p) in enumerate(zip(stock, patched)):
            for kind, (rate, stress), rel in (('stock', s, '6.1.192'),
                                              ('patched', p, '6.1.192-vma-merge')):
                d = os.path.join(top, '%s-%d' % (kind, i + 1))
                os.mkdir(d)
                with open(os.path.join(d, 'results.tap'), 'w') as f:
                    f.write(tap(rel, rate, stress, **kw))
                with open(os.path.join(d, 'console.log'), 'w') as f:
                    f.write(console)
                args.append('%s=%s' % (kind, d))
        return top, args

    def report(self, args, *opts):
        p = subprocess.run([sys.executable, os.path.join(HERE, 'bench-report.py')]
                           + list(opts) + args, capture_output=True, text=True)
        return p.returncode, p.stdout

    def test_ratio_of_medians_and_round_range(self):
        _, args = self.rounds([(100, 10), (110, 10), (90, 10)],
                              [(105, 10), (99, 11), (90, 9)])
        runs = [br.Run(*a.split('=', 1)) for a in args]
        stock = [r for r in runs if r.kind == 'stock']
        patched = [r for r in runs if r.kind == 'patched']
        row = br.collect(stock, patched, 'bench', 'ops_per_sec')[0]
        self.assertEqual(row.name, 'brk-expand')
        self.assertAlmostEqual(row.ratio, 99 / 100)
        self.assertAlmostEqual(row.lo, 0.9)
        self.assertAlmostEqual(row.hi, 1.05)
        self.assertAlmostEqual(row.cycles, 100 / 99)
        self.assertAlmostEqual(br.spread(row.stock), 20 / 100)
        srow = br.collect(stock, patched, 'stress', 'ops_per_sec')[0]
        self.assertAlmostEqual(srow.ratio, 1.0)
        self.assertAlmostEqual(srow.hi, 1.1)

    def test_tcg_reports_ratios_only(self):
        _, args = self.rounds([(100, 10)] * 2, [(100, 10)] * 2)
        rc, out = self.report(args, '--accel', 'tcg')
        self.assertEqual(rc, 0, out)
        self.assertNotIn('stock ops/s', out)
        self.assertIn('| brk-expand', out)
        self.assertIn('1.000', out)
        rc, out = self.report(args, '--accel', 'kvm')
        self.assertIn('stock ops/s', out)

    def test_fragmentation_counts(self):
        _, args = self.rounds([(100, 10)], [(100, 10)], vmas=4)
        runs = [br.Run(*a.split('=', 1)) for a in args]
        rows = br.frag_rows(runs[:1], runs[1:])
        self.assertEqual(rows[0][:4], ('gc-heap', '3', '4', '4'))
        self.assertEqual(rows[0][4], '10 / 20')
        rc, out = self.report(args)
        self.assertIn('Patched above the legal minimum: `gc-heap`', out)
        _, args = self.rounds([(100, 10)], [(100, 10)], vmas=3)
        rc, out = self.report(args)
        self.assertIn('Patched above the legal minimum: none', out)

    def test_error_line_fails_the_run(self):
        _, args = self.rounds([(100, 10)], [(100, 10)],
                              extra='    bench mlock error="2 VMAs after mlock, expected 3"\n')
        rc, out = self.report(args)
        self.assertEqual(rc, 1)
        self.assertIn('mlock: 2 VMAs after mlock, expected 3', out)

    def test_unfinished_guest_and_console_oops_fail(self):
        top, args = self.rounds([(100, 10)], [(100, 10)],
                                console='VMA-DMESG-BEGIN\nOops: 0000\nVMA-DMESG-END\n')
        rc, out = self.report(args)
        self.assertEqual(rc, 1)
        self.assertIn('console: Oops: 0000', out)
        d = args[1].split('=', 1)[1]
        with open(os.path.join(d, 'results.tap'), 'w') as f:
            f.write('VMA-GUEST-BEGIN 6.1.192 x86_64\n')
        with open(os.path.join(d, 'console.log'), 'w') as f:
            f.write(CLEAN)
        runs = br.Run('patched', d)
        self.assertIn('the guest did not finish', runs.problems)

    def test_console_warning_is_a_problem_of_the_run(self):
        # Run.parse() in this process, on the result of report.py's
        # scan_console(): a change of its return type that parse() does
        # not follow fails here (an earlier one raised a TypeError).
        warning = 'WARNING: CPU: 0 PID: 1 at mm/vma.c:100 vma_merge+0x1'
        top, args = self.rounds(
            [(100, 10)], [(100, 10)],
            console='VMA-DMESG-BEGIN\n[    1.0] %s\nVMA-DMESG-END\n' % warning)
        run = br.Run(*args[0].split('=', 1))
        self.assertEqual(run.problems, ['console: ' + warning])
        rc, out = self.report(args)
        self.assertEqual(rc, 1, out)
        self.assertIn('console: ' + warning, out)
        with open(os.path.join(top, 'stock-1', 'console.log'), 'w') as f:
            f.write(CLEAN)
        clean = br.Run('stock', os.path.join(top, 'stock-1'))
        self.assertEqual(clean.problems, [])

    def test_expected_console_line_is_a_problem_too(self):
        # The bench has no negative controls, so nothing excuses a line.
        _, args = self.rounds([(100, 10)], [(100, 10)])
        line = 'BUG: Bad rss-counter state mm:0000 type:MM_ANONPAGES val:1'
        scan = report.ConsoleScan(expected=[('merge/merge.x', line)])
        with mock.patch.object(br, 'scan_console', return_value=scan):
            run = br.Run(*args[0].split('=', 1))
        self.assertEqual(len(run.problems), 1, run.problems)
        self.assertIn(line, run.problems[0])
        self.assertIn('merge/merge.x', run.problems[0])

    def test_missing_console_is_a_problem(self):
        _, args = self.rounds([(100, 10)], [(100, 10)])
        d = args[0].split('=', 1)[1]
        os.remove(os.path.join(d, 'console.log'))
        self.assertEqual(br.Run('stock', d).problems,
                         ['console: console log missing'])


if __name__ == '__main__':
    unittest.main()
