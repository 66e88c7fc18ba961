/**
 * The conformance report: counts per folder, value and error cases apart, a v0-syntax
 * column, and every failure with its reason.
 */
import type { CaseFileError } from './cases.js';
import type { CaseResult } from './runCase.js';

/** Passed, failed and skipped counts. */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts for one folder (or, named `total`, for the whole run). */
export interface FolderSummary {
  folder: string;
  /** Cases with `want_result` or `no_result`: the figure that counts. */
  value: Tally;
  /** Cases that expect an error. */
  error: Tally;
  /** Value cases written in v0 syntax (no `import rego.v1`). */
  v0Value: Tally;
  /** Files of the folder that could not be read. */
  unreadableFiles: number;
}

/** Everything a conformance run found. */
export interface Report {
  dir: string;
  cases: CaseResult[];
  fileErrors: CaseFileError[];
  folders: FolderSummary[];
  total: FolderSummary;
  durationMs: number;
}

function emptyTally(): Tally {
  return { passed: 0, failed: 0, skipped: 0 };
}

function emptySummary(folder: string): FolderSummary {
  return { folder, value: emptyTally(), error: emptyTally(), v0Value: emptyTally(), unreadableFiles: 0 };
}

function count(summary: FolderSummary, r: CaseResult): void {
  summary[r.kind][r.status]++;
  if (r.kind === 'value' && r.v0) summary.v0Value[r.status]++;
}

/** Builds the report of a run from its case results and unreadable files. */
export function summarise(dir: string, cases: CaseResult[], fileErrors: CaseFileError[], durationMs: number): Report {
  const byFolder = new Map<string, FolderSummary>();
  const total = emptySummary('total');
  const summaryOf = (folder: string) => {
    let s = byFolder.get(folder);
    if (!s) byFolder.set(folder, (s = emptySummary(folder)));
    return s;
  };
  for (const r of cases) {
    count(summaryOf(r.folder), r);
    count(total, r);
  }
  for (const f of fileErrors) {
    summaryOf(f.folder).unreadableFiles++;
    total.unreadableFiles++;
  }
  const folders = [...byFolder.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
  return { dir, cases, fileErrors, folders, total, durationMs };
}

function percent(t: Tally): string {
  const run = t.passed + t.failed;
  return run === 0 ? '-' : `${((100 * t.passed) / run).toFixed(1)}%`;
}

/** Column groups of the table: value cases, error cases, v0-syntax value cases. */
const groups = [
  { title: 'value cases', pick: (s: FolderSummary) => s.value, skip: true },
  { title: 'error cases', pick: (s: FolderSummary) => s.error, skip: true },
  { title: 'v0 value', pick: (s: FolderSummary) => s.v0Value, skip: false },
];

function cells(t: Tally, withSkip: boolean): string {
  const nums = withSkip ? [t.passed, t.failed, t.skipped] : [t.passed, t.failed];
  return nums.map((n) => String(n).padStart(5)).join('');
}

function row(s: FolderSummary, width: number): string {
  const parts = groups.map((g) => cells(g.pick(s), g.skip));
  return [s.folder.padEnd(width), ...parts].join('  |') + (s.unreadableFiles > 0 ? `  (${s.unreadableFiles} unreadable file(s))` : '');
}

function tableHeader(width: number): string[] {
  const titles = groups.map((g) => g.title.padStart(g.skip ? 15 : 10)).join('  |');
  const columns = groups.map((g) => (g.skip ? ' pass fail skip' : ' pass fail')).join('  |');
  return [`${''.padEnd(width)}  |${titles}`, `${'folder'.padEnd(width)}  |${columns}`];
}

/** Formatting choices. */
export interface FormatOptions {
  /** Also list every passed error case with the message seen. */
  showErrorsSeen?: boolean;
}

/** The readable report: table, totals, unreadable files, failures. */
export function formatReport(report: Report, options: FormatOptions = {}): string {
  const width = Math.max(6, ...report.folders.map((f) => f.folder.length));
  const lines = [`Rego conformance: ${report.dir}`, '', ...tableHeader(width), ...report.folders.map((f) => row(f, width)), row(report.total, width), ''];
  const t = report.total;
  lines.push(
    `value cases: ${t.value.passed} passed, ${t.value.failed} failed, ${t.value.skipped} skipped (${percent(t.value)} of those run)`,
    `  of which v0 syntax: ${t.v0Value.passed} passed, ${t.v0Value.failed} failed (${percent(t.v0Value)})`,
    `error cases: ${t.error.passed} passed, ${t.error.failed} failed, ${t.error.skipped} skipped (an engine that fails everything passes these)`,
    `time: ${(report.durationMs / 1000).toFixed(2)}s`,
  );
  for (const f of report.fileErrors) lines.push('', `UNREADABLE ${f.file}: ${f.message}`);
  const failures = report.cases.filter((r) => r.status === 'failed');
  if (failures.length > 0) lines.push('', `failures (${failures.length}):`);
  for (const r of failures) lines.push(`FAIL [${r.kind}] ${r.file} #${r.index} "${r.note}": ${r.reason ?? ''}`);
  const printDiffs = report.cases.filter((r) => r.printDifference);
  if (printDiffs.length > 0) lines.push('', 'print output differences (want_prints is optional; not counted):');
  for (const r of printDiffs) lines.push(`NOTE ${r.file} #${r.index} "${r.note}": ${r.printDifference ?? ''}`);
  if (options.showErrorsSeen) {
    const seen = report.cases.filter((r) => r.kind === 'error' && r.status === 'passed');
    if (seen.length > 0) lines.push('', 'error cases passed (message seen):');
    for (const r of seen) lines.push(`ok   ${r.file} #${r.index} "${r.note}": ${r.errorSeen ?? ''}`);
  }
  return lines.join('\n') + '\n';
}
