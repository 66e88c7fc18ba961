import { formatCoverage, formatDuration, formatTestReport } from './format.js';
import type { TestReport, TestResult } from './runTests.js';

const result = (over: Partial<TestResult>): TestResult => ({
  package: 'data.app', name: 'test_a', file: 'p/app_test.rego', line: 3, status: 'pass', durationMs: 2.25, prints: [], ...over,
});

function report(results: TestResult[]): TestReport {
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  return { dir: 'p', results, passed: count('pass'), failed: count('fail'), errored: count('error'), skipped: count('skip'), durationMs: 12 };
}

describe('formatTestReport', () => {
  const r = report([
    result({ prints: ['hello'] }),
    result({ name: 'test_b', line: 7, status: 'fail', durationMs: 0.2 }),
    result({ name: 'test_c', line: 9, status: 'error', error: { code: 'eval_conflict_error', message: 'p/app.rego:4:1: eval_conflict_error: complete rules must not produce multiple outputs' } }),
  ]);

  it('shows only failures and errors by default, with location and duration', () => {
    const text = formatTestReport(r);
    expect(text).not.toContain('test_a');
    expect(text).toContain('FAIL  data.app.test_b  p/app_test.rego:7  (200µs)');
    expect(text).toContain('ERROR data.app.test_c  p/app_test.rego:9');
    expect(text).toContain('      p/app.rego:4:1: eval_conflict_error: complete rules must not produce multiple outputs');
    expect(text).toContain('PASS: 1/3\nFAIL: 1/3\nERROR: 1/3\n');
  });

  it('lists passing tests and their prints when verbose', () => {
    const text = formatTestReport(r, { verbose: true });
    expect(text).toContain('PASS  data.app.test_a  p/app_test.rego:3  (2.3ms)\n      print: hello');
  });

  it('says so when there are no tests', () => {
    expect(formatTestReport(report([]))).toContain('PASS: 0/0\nno tests found');
  });
});

describe('formatDuration', () => {
  it('picks a unit by size', () => {
    expect([formatDuration(0.0004), formatDuration(15), formatDuration(2500)]).toEqual(['0µs', '15.0ms', '2.50s']);
  });
});

describe('formatCoverage', () => {
  it('names the rules no test references and says coverage is by reference', () => {
    const text = formatCoverage({
      files: [{ file: 'p/app.rego', rules: [{ path: 'data.app.allow', line: 3, referenced: true }, { path: 'data.app.x', line: 8, referenced: false }], referenced: 1, total: 2, percent: 50 }],
      referenced: 1, total: 2, percent: 50,
    });
    expect(text).toContain('p/app.rego  1/2 rules referenced by tests (50.0%)');
    expect(text).toContain('not referenced by tests: data.app.x  p/app.rego:8');
    expect(text).not.toContain('data.app.allow');
    expect(text).toContain('Total: 1/2 rules referenced by tests (50.0%)');
  });
});
