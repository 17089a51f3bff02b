#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of report.py: what counts as passed, failed and skipped."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

GOOD = """VMA-GUEST-BEGIN 6.1.192 x86_64
VMA-SUITE-BEGIN vm-selftests
KTAP version 1
1..3
    ok 1 nested result that is not counted
ok 1 mremap_test
not ok 2 mlock2-tests # exit 1
ok 3 khugepaged # SKIP slow under TCG
VMA-SUITE-END vm-selftests
VMA-GUEST-DONE
"""


def rundir(tap, console):
    """A guest run directory holding @tap and @console."""
    d = tempfile.mkdtemp()
    with open(os.path.join(d, 'results.tap'), 'w') as f:
        f.write(tap)
    with open(os.path.join(d, 'console.log'), 'w') as f:
        f.write(console)
    return d


class ReportTest(unittest.TestCase):
    def run_report(self, tap, console):
        d = rundir(tap, console)
        p = subprocess.run([sys.executable, report.__file__, 'k=' + d],
                           capture_output=True, text=True)
        return p.returncode, p.stdout.strip().splitlines()[-1]

    def test_counts_top_level_results(self):
        s = report.parse_tap('k', GOOD)[0]
        self.assertEqual(s.passed, ['mremap_test'])
        self.assertEqual(s.failed, [('mlock2-tests', 'exit 1')])
        self.assertEqual(s.skipped, [('khugepaged', 'slow under TCG')])

    def test_failure_fails_the_run(self):
        rc, last = self.run_report(GOOD, 'clean boot\n')
        self.assertEqual(rc, 1)
        self.assertEqual(last, '1 passed, 1 failed, 1 skipped')

    def test_clean_run_passes(self):
        tap = GOOD.replace('not ok 2 mlock2-tests # exit 1', 'ok 2 mlock2-tests')
        rc, last = self.run_report(tap, 'clean boot\n')
        self.assertEqual(rc, 0)
        self.assertEqual(last, '2 passed, 0 failed, 1 skipped')

    def test_console_warning_fails_a_passing_run(self):
        tap = GOOD.replace('not ok 2 mlock2-tests # exit 1', 'ok 2 mlock2-tests')
        for line in ('[ 1.0] WARNING: CPU: 0 PID: 1 at mm/vma.c:100 vma_merge+0x1',
                     '[ 1.0] BUG: Bad rss-counter state mm:0000 type:MM_ANONPAGES val:1',
                     '[ 1.0] kernel BUG at mm/mmap.c:600!'):
            rc, last = self.run_report(tap, 'VMA-DMESG-BEGIN\n%s\nVMA-DMESG-END\n' % line)
            self.assertEqual(rc, 1, line)
            self.assertEqual(last, '2 passed, 1 failed, 1 skipped')

    def test_truncated_suite_is_a_failure(self):
        tap = GOOD.split('ok 3')[0]
        rc, last = self.run_report(tap, '')
        self.assertEqual(rc, 1)
        self.assertIn('failed', last)
        s = report.parse_tap('k', tap)[0]
        self.assertIn(('(suite)', 'output ended before the suite did'), s.failed)

    def test_missing_planned_results_are_failures(self):
        tap = GOOD.replace('ok 3 khugepaged # SKIP slow under TCG\n', '')
        s = report.parse_tap('k', tap)[0]
        self.assertIn(('(suite)', '1 of 3 planned results missing'), s.failed)

    def test_no_guest_output(self):
        rc, last = self.run_report('', '')
        self.assertEqual(rc, 1)
        self.assertEqual(last, '0 passed, 1 failed, 0 skipped')

    def test_host_tap(self):
        tap = 'TAP version 13\n1..2\nok 1 - a\nnot ok 2 - b\n1 passed, 1 failed\n'
        s = report.parse_tap('host', tap, default_suite='vma-harness')[0]
        self.assertEqual(s.passed, ['a'])
        self.assertEqual(s.failed, [('b', '')])

    CASES = """VMA-SUITE-BEGIN merge
KTAP version 1
# mode: cases
1..3
    TAP version 13
    1..3
    ok 1 merge.a
    not ok 2 merge.new_b
    ok 3 merge.c # SKIP no uffd
# merge: exit 1, 2.0s
not ok 1 merge # exit 1
    1..1
    ok 1 crash.a
not ok 2 crash # exit 139
ok 3 other # SKIP not built
VMA-SUITE-END merge
"""

    def test_cases_mode_counts_cases(self):
        s = report.parse_tap('stock', self.CASES)[0]
        self.assertEqual(s.passed, ['merge.a', 'crash.a'])
        self.assertEqual(s.failed, [('merge.new_b', ''), ('crash', 'exit 139')])
        self.assertEqual(s.skipped, [('merge.c', 'no uffd'), ('other', 'not built')])

    def test_xfail_is_a_negative_control(self):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'xfail')
        with open(path, 'w') as f:
            f.write('# comment\nstock,patched merge/merge.new_b new behaviour\n'
                    'stock merge/merge.a cannot fail\n')
        s = report.parse_tap('stock', self.CASES)[0]
        report.apply_xfail([s], path)
        self.assertEqual(s.xfailed, [('merge.new_b', 'new behaviour')])
        self.assertEqual(s.passed, ['crash.a'])
        self.assertEqual([n for n, _ in s.failed], ['crash', 'merge.a'])

    def test_xfail_holds_for_another_architecture(self):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'xfail')
        with open(path, 'w') as f:
            f.write('stock merge/merge.new_b new behaviour\n')
        arm, other = (report.parse_tap(k, self.CASES)[0]
                      for k in ('stock-arm64', 'patched-arm64'))
        report.apply_xfail([arm, other], path)
        self.assertEqual(arm.xfailed, [('merge.new_b', 'new behaviour')])
        self.assertEqual(other.xfailed, [])

    def test_fault_injection_totals_are_printed(self):
        d = tempfile.mkdtemp()
        tap = GOOD.replace(
            'VMA-GUEST-DONE',
            '    # failinject: syscall brk: 12 faults\n'
            '    # failinject total: 12 faults injected, 10 calls failed '
            'cleanly, 2 survived, 0 console splats\nVMA-GUEST-DONE')
        with open(os.path.join(d, 'results.tap'), 'w') as f:
            f.write(tap)
        self.assertEqual(report.fault_injection_summaries([('k', d)]),
                         {'k': ['failinject: syscall brk: 12 faults',
                                'failinject total: 12 faults injected, 10 '
                                'calls failed cleanly, 2 survived, 0 console '
                                'splats']})

    def test_page_allocation_failure_stack_is_not_a_problem(self):
        path = os.path.join(tempfile.mkdtemp(), 'console.log')
        report_ = ('[ 5.0] failinject: page allocation failure: order:0, '
                   'mode:0xcc0(GFP_KERNEL), nodemask=(null)\n'
                   '[ 5.0] CPU: 1 PID: 90 Comm: failinject Not tainted\n'
                   '[ 5.0] Hardware name: QEMU Standard PC\n'
                   '[ 5.0] Call Trace:\n'
                   '[ 5.0]  <TASK>\n')
        cases = (
            # warn_alloc()'s dump is expected ...
            (report_, [], 1),
            # ... but a warning right after it is not,
            (report_ + '[ 5.1] WARNING: CPU: 1 PID: 90 at mm/vma.c:1\n',
             ['WARNING: CPU: 1 PID: 90 at mm/vma.c:1'], 1),
            # nor a stack dump far from any allocation failure.
            (report_ + '[ 6.0] x\n' * 12 + '[ 7.0] Call Trace:\n',
             ['Call Trace:'], 1))
        for console, bad, n in cases:
            with open(path, 'w') as f:
                f.write('VMA-DMESG-BEGIN\n%sVMA-DMESG-END\n' % console)
            scan = report.scan_console(path)
            self.assertEqual(scan.bad, bad)
            self.assertEqual(scan.alloc_failures, n)

    def test_console_line_inside_negative_control(self):
        d = tempfile.mkdtemp()
        xfail = os.path.join(d, 'xfail')
        with open(xfail, 'w') as f:
            f.write('stock merge/merge.new_b leaks on stock\n')
        bug = '[ 1.1] BUG: Bad rss-counter state mm:0000 type:MM_ANONPAGES val:1'
        window = ('[ 1.0] vmatest-expect: begin merge/merge.new_b\n%s\n'
                  '[ 1.2] vmatest-expect: end merge/merge.new_b\n' % bug)
        tap = self.CASES.replace('not ok 2 crash # exit 139', 'ok 2 crash')
        # On patched the test passes, and fails only by the console line.
        passing = tap.replace('not ok 2 merge.new_b', 'ok 2 merge.new_b')
        passing = passing.replace('not ok 1 merge # exit 1', 'ok 1 merge')
        for kernel, console, rc in (
                # The negative control's own line is expected ...
                ('stock', window, 0),
                # ... but not on a kernel where the test must pass,
                ('patched', window, 1),
                # nor outside the window.
                ('stock', window + bug.replace('1.1', '2.0') + '\n', 1),
                ('stock', bug + '\n' + window.replace(bug + '\n', ''), 1)):
            run = os.path.join(d, kernel)
            os.makedirs(run, exist_ok=True)
            with open(os.path.join(run, 'results.tap'), 'w') as f:
                f.write(tap if kernel == 'stock' else passing)
            with open(os.path.join(run, 'console.log'), 'w') as f:
                f.write('VMA-DMESG-BEGIN\n%sVMA-DMESG-END\n' % console)
            p = subprocess.run([sys.executable, report.__file__, '--xfail',
                                xfail, '%s=%s' % (kernel, run)],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, rc, (kernel, console, p.stdout))


KUNIT_JSON = {
    'name': 'KUnit Test Group', 'test_cases': [],
    'sub_groups': [{'name': 'vma_merge', 'sub_groups': [], 'test_cases': [
        {'name': 'vma_merge_new_prev', 'status': 'PASS'},
        {'name': 'vma_merge_new_next', 'status': 'FAIL'},
        {'name': 'vma_merge_uffd_equal', 'status': 'SKIP'},
        {'name': 'vma_merge_nomem_brk', 'status': 'ERROR'},
        {'name': 'vma_merge_nomem_mmap', 'status': 'PASS'}]}]}

LOADER = """VMA-GUEST-BEGIN 6.1.192-vma-merge x86_64
VMA-SUITE-BEGIN kunit
KTAP version 1
1..1
# mode: kunit
%s 1 vma_merge_test%s
VMA-SUITE-END kunit
VMA-GUEST-DONE
"""

# The console as tools/guest/kunit.sh frames a module's KTAP.
KUNIT_CONSOLE = """[    1.700000] vmatest-kunit: begin vma_merge_test
[    1.700100] KTAP version 1
[    1.700200] 1..1
[    1.710000]     KTAP version 1
[    1.710100]     # Subtest: vma_merge
[    1.710200]     1..3
[    1.720000]     ok 1 vma_merge_new_prev
[    1.721000]     # vma_merge_new_next: EXPECTATION FAILED at mm/vma_merge_test.c:1
[    1.722000] input: ImExPS/2 Generic Explorer Mouse as /devices/platform/i8042
[    1.723000]     not ok 2 vma_merge_new_next
[    1.724000]     ok 3 vma_merge_uffd_equal # SKIP CONFIG_USERFAULTFD is off
[    1.730000] not ok 1 vma_merge
[    1.740000] vmatest-kunit: end vma_merge_test
"""


def kunit_py():
    """The base tree's kunit.py, if the base has been unpacked."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(top, 'build/stock/linux/tools/testing/kunit/kunit.py')
    return path if os.path.exists(path) else None


class KunitReportTest(unittest.TestCase):
    def report(self, loader, json_text):
        d = rundir(loader, 'clean boot\n')
        path = os.path.join(d, 'kunit.json')
        if json_text is not None:
            with open(path, 'w') as f:
                f.write(json_text)
        p = subprocess.run([sys.executable, report.__file__, 'patched=' + d,
                            '--kunit', 'patched=' + path],
                           capture_output=True, text=True)
        return p.returncode, p.stdout

    def test_cases_are_counted_by_name(self):
        s = report.kunit_suite('patched', self.write(KUNIT_JSON))
        self.assertEqual(s.passed, ['vma_merge:vma_merge_new_prev',
                                    'vma_merge:vma_merge_nomem_mmap'])
        self.assertEqual(s.failed, [('vma_merge:vma_merge_new_next', 'FAIL'),
                                    ('vma_merge:vma_merge_nomem_brk', 'ERROR')])
        self.assertEqual(s.skipped, [('vma_merge:vma_merge_uffd_equal', '')])

    def write(self, obj):
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'kunit.json')
        with open(path, 'w') as f:
            json.dump(obj, f)
        return path

    def test_loader_entry_is_replaced(self):
        rc, out = self.report(LOADER % ('ok', ''), json.dumps(KUNIT_JSON))
        self.assertEqual(rc, 1)
        self.assertEqual(out.strip().splitlines()[-1],
                         '2 passed, 2 failed, 1 skipped')
        self.assertNotIn('vma_merge_test', out)

    def test_module_that_did_not_load_fails(self):
        rc, out = self.report(LOADER % ('not ok', ' # exit 1'),
                              json.dumps(KUNIT_JSON))
        self.assertIn('patched/kunit vma_merge_test: exit 1', out)
        self.assertEqual(out.strip().splitlines()[-1],
                         '2 passed, 3 failed, 1 skipped')

    def test_no_json_is_a_failure(self):
        rc, out = self.report(LOADER % ('ok', ''), None)
        self.assertEqual(rc, 1)
        self.assertIn('no results from kunit.py', out)

    def test_empty_json_is_a_failure(self):
        rc, out = self.report(LOADER % ('ok', ''), json.dumps(
            {'name': 'KUnit Test Group', 'sub_groups': [], 'test_cases': []}))
        self.assertEqual(rc, 1)
        self.assertIn('kunit.py found no KUnit cases', out)

    def test_kernel_without_kunit_is_named(self):
        d = rundir('', '')
        p = subprocess.run([sys.executable, report.__file__, 'stock=' + d,
                            'patched=' + d, '--kunit',
                            'patched=' + self.write(KUNIT_JSON)],
                           capture_output=True, text=True)
        self.assertIn('kunit: not run on the stock kernel', p.stdout)

    @unittest.skipUnless(kunit_py(), 'the base tree is not unpacked')
    def test_kunit_py_and_report_agree(self):
        d = tempfile.mkdtemp()
        ktap, out = os.path.join(d, 'kunit.ktap'), os.path.join(d, 'k.json')
        with open(ktap, 'w') as f:
            f.write(KUNIT_CONSOLE)
        p = subprocess.run([sys.executable, kunit_py(), 'parse',
                            '--json=' + out, ktap],
                           capture_output=True, text=True)
        self.assertIn('Ran 3 tests: passed: 1, failed: 1, skipped: 1',
                      p.stdout)
        self.assertNotIn('[ERROR]', p.stdout)
        s = report.kunit_suite('patched', out)
        self.assertEqual((len(s.passed), len(s.failed), len(s.skipped)),
                         (1, 1, 1))


if __name__ == '__main__':
    unittest.main()
