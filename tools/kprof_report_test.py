#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of kprof-report.py: attribution to functions, per-op counts, bad input."""

import importlib.util
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'kprof_report', os.path.join(HERE, 'kprof-report.py'))
kr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(kr)

MAP = """ffffffff81000000 T _stext
ffffffff81000100 t vma_merge
ffffffff81000200 T find_vma
ffffffff81000300 D some_data
ffffffff81000400 T mas_walk
"""

TAP = """    vma-bench kernel=6.1.192 ops=10
    bench brk-expand ops=10 secs=1 ops_per_sec=1 cycles_per_op=1
    bench mmap-apart ops=20 secs=1 ops_per_sec=1 cycles_per_op=1
"""


class KprofReportTest(unittest.TestCase):
    def files(self, kprof, tap=TAP):
        d = tempfile.mkdtemp()
        paths = []
        for name, text in (('System.map', MAP), ('kprof.out', kprof),
                           ('results.tap', tap)):
            p = os.path.join(d, name)
            with open(p, 'w') as f:
                f.write(text)
            paths.append(p)
        return ','.join(paths)

    def test_attribution_and_per_op(self):
        # Window 0 (brk-expand, 10 ops): a block of 5 insns in vma_merge
        # run 20 times, one of 3 insns inside find_vma run 10 times.
        # Window 1 (mmap-apart, 20 ops): 4 insns in mas_walk (past the
        # data symbol, which is not text) 40 times.
        spec = self.files('windows 2\n0 ffffffff81000100 5 20\n'
                          '0 ffffffff81000250 3 10\n1 ffffffff81000480 4 40\n')
        order, prof = kr.load(spec)
        self.assertEqual(order, ['brk-expand', 'mmap-apart'])
        self.assertEqual(prof['brk-expand'], (10, {'vma_merge': 10.0,
                                                   'find_vma': 3.0}))
        self.assertEqual(prof['mmap-apart'], (20, {'mas_walk': 8.0}))

    def test_report_ratio_and_delta(self):
        stock = self.files('windows 2\n0 ffffffff81000100 5 20\n'
                           '1 ffffffff81000480 4 40\n')
        patched = self.files('windows 2\n0 ffffffff81000100 5 20\n'
                             '0 ffffffff81000250 3 10\n1 ffffffff81000480 4 40\n')
        text = kr.report(kr.load(stock), kr.load(patched), 10)
        self.assertRegex(text, r'brk-expand +10\.0 +13\.0 +0\.769')
        self.assertRegex(text, r'mmap-apart +8\.0 +8\.0 +1\.000')
        self.assertRegex(text, r'find_vma +0\.0 +3\.0 +\+3\.0')
        # An unchanged function is not listed as a difference.
        self.assertNotRegex(text, r'  vma_merge ')

    def test_window_count_must_match(self):
        spec = self.files('windows 3\n0 ffffffff81000100 5 20\n')
        with self.assertRaisesRegex(kr.InputError, '3 windows for 2'):
            kr.load(spec)

    def test_overflow_and_errors_refused(self):
        with self.assertRaisesRegex(kr.InputError, 'more windows'):
            kr.load(self.files('windows 64 overflow\n'))
        tap = TAP + '    bench mlock error="mlock: Cannot allocate memory"\n'
        with self.assertRaisesRegex(kr.InputError, 'mlock failed'):
            kr.load(self.files('windows 2\n', tap))

    def test_different_benchmarks_refused(self):
        a = self.files('windows 2\n')
        b = self.files('windows 1\n', TAP.replace(
            '    bench mmap-apart ops=20 secs=1 ops_per_sec=1 cycles_per_op=1\n', ''))
        with self.assertRaisesRegex(kr.InputError, 'different benchmarks'):
            kr.report(kr.load(a), kr.load(b), 5)

    def test_cli_exit_status(self):
        self.assertEqual(kr.main(['stock=x', 'patched=y']), 1)


if __name__ == '__main__':
    unittest.main()
