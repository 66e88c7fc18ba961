/**
 * Reads what `opa test --format json` and `opa test --coverage --format json` print, and
 * turns it into the readable report, the coverage of the policy files (tests excluded) and
 * JUnit XML that `make policy-test` gives.
 */
import { toJUnitXml } from './junit.js';

/** One test as `opa test --format json` lists it. */
export interface OpaTestResult {
  location: { file: string; row: number; col: number };
  package: string;
  name: string;
  /** Nanoseconds. */
  duration: number;
  fail?: boolean;
  skip?: boolean;
  error?: { code?: string; message?: string };
  /** What the test printed, base64. */
  output?: string;
}

/** What `opa test --coverage --format json` prints. */
export interface OpaCoverageReport {
  files: Record<string, { covered_lines?: number; not_covered_lines?: number; not_covered?: Array<{ start: { row: number }; end: { row: number } }> }>;
}

export interface OpaTestSummary {
  results: OpaTestResult[];
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  coverage: {
    /** False when OPA gave no coverage report (it gives one only when every test passes). */
    measured: boolean;
    /** Share of the policy files' lines that the tests evaluated, 0–100. */
    percent: number;
    coveredLines: number;
    totalLines: number;
    uncovered: Array<{ file: string; rows: number[] }>;
  };
}

const isTestFile = (file: string) => file.endsWith('_test.rego');

/**
 * Counts the results and measures coverage over the policy files. `coverage` is undefined
 * when OPA gave no report (it prints one only when every test passes): then it is 0%.
 */
export function summariseOpaTests(results: OpaTestResult[], coverage: OpaCoverageReport | undefined): OpaTestSummary {
  let coveredLines = 0;
  let totalLines = 0;
  const uncovered: OpaTestSummary['coverage']['uncovered'] = [];
  for (const [file, c] of Object.entries(coverage?.files ?? {})) {
    if (isTestFile(file)) continue;
    coveredLines += c.covered_lines ?? 0;
    totalLines += (c.covered_lines ?? 0) + (c.not_covered_lines ?? 0);
    const rows = (c.not_covered ?? []).flatMap((r) => Array.from({ length: r.end.row - r.start.row + 1 }, (_, i) => r.start.row + i));
    if (rows.length > 0) uncovered.push({ file, rows: [...new Set(rows)].sort((a, b) => a - b) });
  }
  const count = (p: (r: OpaTestResult) => boolean) => results.filter(p).length;
  return {
    results,
    passed: count((r) => !r.fail && !r.error && !r.skip),
    failed: count((r) => r.fail === true && !r.error),
    errored: count((r) => r.error !== undefined),
    skipped: count((r) => r.skip === true),
    coverage: { measured: coverage !== undefined, percent: totalLines === 0 ? 0 : (100 * coveredLines) / totalLines, coveredLines, totalLines, uncovered },
  };
}

/** True when every test passed, none was skipped, there was one, and coverage reaches `threshold` percent. */
export function opaTestsPassed(summary: OpaTestSummary, threshold: number): boolean {
  return summary.results.length > 0 && summary.passed === summary.results.length && summary.coverage.percent >= threshold;
}

function problem(r: OpaTestResult): string[] {
  const lines: string[] = [];
  if (r.error) lines.push(...`${r.error.code ?? 'error'}: ${r.error.message ?? ''}`.trim().split('\n'));
  if (r.output) lines.push(...Buffer.from(r.output, 'base64').toString('utf8').trimEnd().split('\n'));
  return lines;
}

const status = (r: OpaTestResult) => (r.error ? 'ERROR' : r.fail ? 'FAIL' : r.skip ? 'SKIP' : 'PASS');

/** The report: failing tests with what they printed (every test with `verbose`), counts, coverage. */
export function formatOpaTestReport(summary: OpaTestSummary, options: { threshold: number; verbose?: boolean }): string {
  const lines: string[] = [];
  for (const r of summary.results) {
    const s = status(r);
    if (s === 'PASS' && !options.verbose) continue;
    lines.push(`${s.padEnd(7)} ${r.location.file}:${r.location.row}  ${r.package.replace(/^data\./, '')}.${r.name}`);
    if (s !== 'PASS') lines.push(...problem(r).map((l) => `          ${l}`));
  }
  const { coverage } = summary;
  lines.push('-'.repeat(80));
  lines.push(`rego tests: ${summary.passed}/${summary.results.length} passed` +
    (summary.failed > 0 ? `, ${summary.failed} failed` : '') +
    (summary.errored > 0 ? `, ${summary.errored} errors` : '') +
    (summary.skipped > 0 ? `, ${summary.skipped} skipped` : ''));
  const verdict = coverage.percent >= options.threshold ? 'at least' : 'BELOW';
  if (!coverage.measured) lines.push(`coverage of the policies: not measured (OPA measures it only when every test passes), BELOW the ${options.threshold}% required`);
  else lines.push(`coverage of the policies: ${coverage.percent.toFixed(2)}% (${coverage.coveredLines}/${coverage.totalLines} lines), ${verdict} the ${options.threshold}% required`);
  for (const u of coverage.uncovered) lines.push(`  not evaluated by any test: ${u.file} lines ${u.rows.join(', ')}`);
  return lines.join('\n') + '\n';
}

/** JUnit XML: one `<testsuite>` per Rego package, one `<testcase>` per test rule. */
export function opaTestsToJUnitXml(summary: OpaTestSummary): string {
  const totalMs = summary.results.reduce((t, r) => t + r.duration / 1e6, 0);
  return toJUnitXml('rego', summary.results.map((r) => {
    const s = status(r);
    const detail = problem(r);
    const failed = s === 'FAIL' || s === 'ERROR' || s === 'SKIP';
    return {
      suite: r.package,
      name: r.name,
      classname: r.package.replace(/^data\./, ''),
      file: r.location.file,
      durationMs: r.duration / 1e6,
      ...(failed ? {
        problem: {
          kind: s === 'FAIL' ? 'failure' as const : 'error' as const,
          type: s.toLowerCase(),
          message: detail[0] ?? (s === 'SKIP' ? 'skipped' : 'test failed'),
          detail: [`${r.location.file}:${r.location.row}`, ...detail].join('\n'),
        },
      } : {}),
    };
  }), totalMs);
}
