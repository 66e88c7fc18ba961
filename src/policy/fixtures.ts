/**
 * Compliance fixtures: named cases `{input, expect}` per policy entrypoint, kept in
 * `fixtures/<entrypoint>/*.json` and read as a checklist of the design ("revoked never
 * receives", "admin deny wins", …).
 *
 * Every file is validated against `schemas/fixture.schema.json`, every case's input
 * (after the file's `base` is deep-merged under it) against the entrypoint's input schema,
 * then evaluated by a policy bundle — the very artefact the service serves — and compared
 * with the expectation. Reasons, obligations and requirements listed in `expect`
 * must be contained in the result; `allow` and `outcome` must be equal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../paths.js';
import { ENTRYPOINTS, type Entrypoint, type PolicyBundle } from './bundle.js';
import { toJUnitXml } from './junit.js';
import { describeErrors, loadSchemas, type SchemaRegistry } from './schemaRegistry.js';

const SCHEMA_BASE = 'https://schemas.enigm.dev/trust/';

/** `$id` of the fixture file schema. */
export const FIXTURE_SCHEMA_ID = `${SCHEMA_BASE}fixture.schema.json`;

/** `$id` of each entrypoint's input schema. */
export const INPUT_SCHEMA_IDS: Readonly<Record<Entrypoint, string>> = {
  decision: `${SCHEMA_BASE}policy-input.schema.json`,
  enrollment: `${SCHEMA_BASE}enrollment-input.schema.json`,
};


/** What a case expects of the result. Lists are "must contain", not "must equal". */
export interface FixtureExpect {
  allow?: boolean;
  outcome?: string;
  reasons?: string[];
  obligations?: string[];
  requirements?: string[];
}

/** One case, its input already merged onto the file's `base`. */
export interface FixtureCase {
  name: string;
  description: string;
  input: unknown;
  expect: FixtureExpect;
}

/** One fixture file. `problems` lists why it cannot be run (then `cases` is empty). */
export interface FixtureFile {
  /** Path relative to the fixtures folder, with `/` separators. */
  file: string;
  entrypoint: Entrypoint | null;
  description?: string;
  cases: FixtureCase[];
  problems: string[];
}

/** pass: as expected; fail: evaluated but differs; invalid: file or input breaks its schema; error: evaluation raised. */
export type FixtureStatus = 'pass' | 'fail' | 'invalid' | 'error';

/** The outcome of one case (or of a whole file that could not be read). */
export interface FixtureCaseResult {
  file: string;
  name: string;
  description: string;
  entrypoint: Entrypoint | null;
  status: FixtureStatus;
  /** For anything but `pass`: what differs, or what is wrong, one line each. */
  differences: string[];
  /** The entrypoint's value, when evaluated. */
  actual?: unknown;
  durationMs: number;
}

/** Everything a fixture run found. */
export interface FixtureReport {
  /** The bundle evaluated: its file and revision. */
  bundle: { file: string; revision: string };
  fixturesDir: string;
  results: FixtureCaseResult[];
  passed: number;
  failed: number;
  invalid: number;
  errored: number;
  durationMs: number;
}

/** Options of `loadFixtures` and `runFixtures`. */
export interface FixtureOptions {
  /** Where the JSON Schemas are; default the package's `schemas/`. */
  schemasDir?: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep merge for readable fixtures: objects merge key by key, anything else in `over`
 * (arrays, scalars, null) replaces what `base` had.
 */
export function mergeInput(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeInput(base[k], v) : v;
  return out;
}

function listJsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

function readFixture(dir: string, file: string, registry: SchemaRegistry): FixtureFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  } catch (e) {
    return { file, entrypoint: null, cases: [], problems: [`not readable JSON: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const entrypoint = isObject(doc) && (doc.entrypoint === 'decision' || doc.entrypoint === 'enrollment') ? doc.entrypoint : null;
  const validate = registry.validator(FIXTURE_SCHEMA_ID);
  if (!validate(doc)) {
    return { file, entrypoint, cases: [], problems: describeErrors(validate.errors).map((e) => `fixture schema: ${e}`) };
  }
  const raw = doc as { entrypoint: Entrypoint; description?: string; base?: Json; cases: FixtureCase[] };
  const cases = raw.cases.map((c) => ({ ...c, input: raw.base === undefined ? c.input : mergeInput(raw.base, c.input) }));
  const problems = duplicates(cases.map((c) => c.name)).map((name) => `duplicate case name "${name}"`);
  return {
    file, entrypoint: raw.entrypoint, cases: problems.length > 0 ? [] : cases, problems,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
  };
}

/**
 * Reads every `*.json` under `dir` (recursively, sorted) as a fixture file, validated
 * against the fixture schema, each case's input merged onto the file's `base`. Files that
 * do not validate come back with `problems` and no cases; nothing throws for them.
 */
export function loadFixtures(dir: string, options: FixtureOptions = {}): FixtureFile[] {
  const registry = loadSchemas(options.schemasDir ?? SCHEMAS_DIR);
  return listJsonFiles(dir).map((file) => readFixture(dir, file, registry));
}

const show = (v: unknown) => JSON.stringify(v);

function missing(label: string, expected: string[] | undefined, actual: unknown): string[] {
  if (expected === undefined) return [];
  const got = Array.isArray(actual) ? actual : [];
  return expected.filter((x) => !got.includes(x)).map((x) => `${label}: expected to contain ${show(x)}, got ${show(actual)}`);
}

/** What differs between a result and a case's expectation, one line each; empty when it matches. */
export function compareResult(entrypoint: Entrypoint, expect: FixtureExpect, actual: unknown): string[] {
  if (!isObject(actual)) return [`result: expected an object from ${ENTRYPOINTS[entrypoint]}, got ${actual === undefined ? 'undefined' : show(actual)}`];
  const diffs: string[] = [];
  if (expect.allow !== undefined && actual.allow !== expect.allow) diffs.push(`allow: expected ${show(expect.allow)}, got ${show(actual.allow)}`);
  if (expect.outcome !== undefined && actual.outcome !== expect.outcome) diffs.push(`outcome: expected ${show(expect.outcome)}, got ${show(actual.outcome)}`);
  diffs.push(...missing('reasons', expect.reasons, actual.reasons));
  diffs.push(...missing('obligations', expect.obligations, actual.obligations));
  diffs.push(...missing('requirements', expect.requirements, actual.requirements));
  return diffs;
}

function runCase(file: FixtureFile, c: FixtureCase, bundle: PolicyBundle, registry: SchemaRegistry): FixtureCaseResult {
  const entrypoint = file.entrypoint as Entrypoint;
  const base = { file: file.file, name: c.name, description: c.description, entrypoint };
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const validate = registry.validator(INPUT_SCHEMA_IDS[entrypoint]);
  if (!validate(c.input)) {
    return { ...base, status: 'invalid', differences: describeErrors(validate.errors).map((e) => `input schema: ${e}`), durationMs: elapsed() };
  }
  let actual: unknown;
  try {
    actual = bundle.evaluate(entrypoint, c.input);
  } catch (e) {
    // The Wasm SDK throws bare strings for what the policy aborted on.
    const message = e instanceof Error ? e.message : String(e);
    return { ...base, status: 'error', differences: message.split('\n'), durationMs: elapsed() };
  }
  const differences = compareResult(entrypoint, c.expect, actual);
  return { ...base, status: differences.length === 0 ? 'pass' : 'fail', differences, actual, durationMs: elapsed() };
}

/**
 * Runs every fixture under `fixturesDir` against `bundle`; every problem of a fixture file
 * or case is a result in the report.
 */
export function runFixtures(bundle: PolicyBundle, fixturesDir: string, options: FixtureOptions = {}): FixtureReport {
  const started = performance.now();
  const registry = loadSchemas(options.schemasDir ?? SCHEMAS_DIR);
  const results: FixtureCaseResult[] = [];
  for (const file of listJsonFiles(fixturesDir).map((f) => readFixture(fixturesDir, f, registry))) {
    if (file.problems.length > 0) {
      results.push({ file: file.file, name: '(file)', description: file.description ?? '', entrypoint: file.entrypoint, status: 'invalid', differences: file.problems, durationMs: 0 });
      continue;
    }
    for (const c of file.cases) results.push(runCase(file, c, bundle, registry));
  }
  const count = (s: FixtureStatus) => results.filter((r) => r.status === s).length;
  return {
    bundle: { file: bundle.file, revision: bundle.revision }, fixturesDir, results,
    passed: count('pass'), failed: count('fail'), invalid: count('invalid'), errored: count('error'),
    durationMs: performance.now() - started,
  };
}

/** True when every case passed (and there was at least one). */
export function fixturesPassed(report: FixtureReport): boolean {
  return report.results.length > 0 && report.passed === report.results.length;
}

const labels: Record<FixtureStatus, string> = { pass: 'PASS', fail: 'FAIL', invalid: 'INVALID', error: 'ERROR' };

/** Formatting choices of `formatFixtureReport`. */
export interface FixtureFormatOptions {
  /** Also show each failing case's description and full result. */
  verbose?: boolean;
}

/** The readable report: one line per case, PASS or FAIL, with what differs below a failure. */
export function formatFixtureReport(report: FixtureReport, options: FixtureFormatOptions = {}): string {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(`${labels[r.status].padEnd(7)} ${r.file}  ${r.name}`);
    if (r.status === 'pass') continue;
    if (options.verbose && r.description) lines.push(`          ${r.description}`);
    lines.push(...r.differences.map((d) => `          ${d}`));
    if (options.verbose && r.actual !== undefined) lines.push(`          result: ${show(r.actual)}`);
  }
  const total = report.results.length;
  lines.push('-'.repeat(80));
  lines.push(`fixtures: ${report.passed}/${total} passed` +
    (report.failed > 0 ? `, ${report.failed} failed` : '') +
    (report.invalid > 0 ? `, ${report.invalid} invalid` : '') +
    (report.errored > 0 ? `, ${report.errored} errors` : ''));
  if (total === 0) lines.push(`no fixtures found (*.json under ${report.fixturesDir})`);
  return lines.join('\n') + '\n';
}

/** JUnit XML of a fixture report: one `<testsuite>` per fixture file, one `<testcase>` per case. */
export function fixturesToJUnitXml(report: FixtureReport): string {
  return toJUnitXml('fixtures', report.results.map((r) => ({
    suite: r.file,
    name: r.name,
    classname: `fixtures.${r.file.replace(/\.json$/, '').replace(/\//g, '.')}`,
    file: r.file,
    durationMs: r.durationMs,
    ...(r.status === 'pass' ? {} : {
      problem: { kind: r.status === 'fail' ? 'failure' as const : 'error' as const, type: r.status, message: r.differences[0] ?? r.status, detail: r.differences.join('\n') },
    }),
  })), report.durationMs);
}
