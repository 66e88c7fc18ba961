/**
 * The readable test report, in the manner of `opa test -v`, and the coverage summary.
 */
import type { CoverageReport } from './coverage.js';
import type { TestReport, TestResult } from './runTests.js';

/** Formatting choices. */
export interface TestFormatOptions {
  /** List passing tests and every test's prints too, not only the failures. */
  verbose?: boolean;
}

/** Human-friendly duration: µs, ms or s. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

const labels: Record<TestResult['status'], string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'SKIP' };

function resultLines(r: TestResult, verbose: boolean): string[] {
  const lines = [`${labels[r.status].padEnd(5)} ${r.package}.${r.name}  ${r.file}:${r.line}  (${formatDuration(r.durationMs)})`];
  if (r.error) lines.push(...r.error.message.split('\n').map((l) => `      ${l}`));
  if (verbose || r.status !== 'pass') lines.push(...r.prints.map((p) => `      print: ${p}`));
  return lines;
}

/** Formats a test report: one line per test shown, then the summary counts. */
export function formatTestReport(report: TestReport, options: TestFormatOptions = {}): string {
  const verbose = options.verbose ?? false;
  const shown = report.results.filter((r) => verbose || r.status === 'fail' || r.status === 'error');
  const lines = shown.flatMap((r) => resultLines(r, verbose));
  const total = report.results.length;
  if (lines.length > 0) lines.push('-'.repeat(80));
  lines.push(`PASS: ${report.passed}/${total}`);
  if (report.failed > 0) lines.push(`FAIL: ${report.failed}/${total}`);
  if (report.errored > 0) lines.push(`ERROR: ${report.errored}/${total}`);
  if (report.skipped > 0) lines.push(`SKIPPED: ${report.skipped}/${total}`);
  if (total === 0) lines.push('no tests found (rules named test_* in *.rego files)');
  lines.push(`time: ${formatDuration(report.durationMs)}`);
  return lines.join('\n') + '\n';
}

/** Formats static coverage, per file, naming the rules no test references. */
export function formatCoverage(coverage: CoverageReport): string {
  const lines = ['Coverage (static): policy rules referenced by tests, directly or through other rules.'];
  for (const f of coverage.files) {
    lines.push(`  ${f.file}  ${f.referenced}/${f.total} rules referenced by tests (${f.percent.toFixed(1)}%)`);
    for (const r of f.rules.filter((x) => !x.referenced)) lines.push(`    not referenced by tests: ${r.path}  ${f.file}:${r.line}`);
  }
  lines.push(`Total: ${coverage.referenced}/${coverage.total} rules referenced by tests (${coverage.percent.toFixed(1)}%)`);
  return lines.join('\n') + '\n';
}
