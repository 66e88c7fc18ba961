import { formatReport, summarise } from './report.js';
import type { CaseResult } from './runCase.js';

const result = (over: Partial<CaseResult>): CaseResult => ({
  file: 'a/x.yaml', folder: 'a', index: 0, note: 'n', kind: 'value', v0: false, status: 'passed', durationMs: 1, ...over,
});

describe('summarise', () => {
  it('counts value and error cases apart, per folder and in total, with a v0 column', () => {
    const report = summarise('dir', [
      result({}),
      result({ v0: true, status: 'failed', reason: 'r' }),
      result({ kind: 'error', status: 'passed' }),
      result({ folder: 'b', file: 'b/y.yaml', status: 'skipped', v0: true }),
    ], [{ file: 'b/z.yaml', folder: 'b', message: 'bad' }], 5);
    expect(report.folders.map((f) => f.folder)).toEqual(['a', 'b']);
    expect(report.folders[0].value).toEqual({ passed: 1, failed: 1, skipped: 0 });
    expect(report.folders[0].error).toEqual({ passed: 1, failed: 0, skipped: 0 });
    expect(report.folders[1].v0Value).toEqual({ passed: 0, failed: 0, skipped: 1 });
    expect(report.total.v0Value).toEqual({ passed: 0, failed: 1, skipped: 1 });
    expect(report.total.unreadableFiles).toBe(1);
  });
});

describe('formatReport', () => {
  it('shows totals, unreadable files and each failure with file, note and reason', () => {
    const report = summarise('dir', [
      result({}),
      result({ index: 3, note: 'sets', status: 'failed', reason: 'expected {1}, got [1]' }),
      result({ kind: 'error', note: 'e', errorSeen: 'rego_parse_error: x' }),
    ], [{ file: 'b/z.yaml', folder: 'b', message: 'bad indent' }], 1500);
    const text = formatReport(report, { showErrorsSeen: true });
    expect(text).toContain('value cases: 1 passed, 1 failed, 0 skipped (50.0% of those run)');
    expect(text).toContain('error cases: 1 passed, 0 failed');
    expect(text).toContain('UNREADABLE b/z.yaml: bad indent');
    expect(text).toContain('FAIL [value] a/x.yaml #3 "sets": expected {1}, got [1]');
    expect(text).toContain('ok   a/x.yaml #0 "e": rego_parse_error: x');
  });
});
