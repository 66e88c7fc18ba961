/**
 * The policy test runner: load a folder, run each `test_*` rule, time it, keep its prints
 * and, when asked, compute static coverage.
 */
import { RegoError } from '../errors.js';
import type { Location } from '../ast/nodes.js';
import { staticCoverage, type CoverageReport } from './coverage.js';
import { discoverTests, filterTests, type PolicyTest } from './discover.js';
import { createRegoEngine, type PolicyEngine, type PolicyEngineFactory } from './engine.js';
import { loadPolicies } from './load.js';

/** pass: defined and true; fail: false, undefined or not true; error: evaluation raised; skip: a todo test. */
export type TestStatus = 'pass' | 'fail' | 'error' | 'skip';

/** The outcome of one test. */
export interface TestResult {
  /** `data.pkg`, the package as a ref. */
  package: string;
  name: string;
  file: string;
  line: number;
  status: TestStatus;
  durationMs: number;
  /** For `error`: what evaluation raised, with its location when known. */
  error?: { code: string; message: string; location?: Location };
  /** What the test printed. */
  prints: string[];
}

/** Everything a run found. */
export interface TestReport {
  dir: string;
  results: TestResult[];
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  durationMs: number;
  /** Present when coverage was asked for. */
  coverage?: CoverageReport;
}

/** Options of `runPolicyTests`. */
export interface PolicyTestOptions {
  /** Makes the engine; default the real `RegoEngine`. */
  createEngine?: PolicyEngineFactory;
  /** Only run tests whose `data.pkg.test_name` matches. */
  filter?: RegExp;
  /** Compute which policy rules tests reference. */
  coverage?: boolean;
  /** Syntax of modules without `import rego.v1`; default v1, as OPA 1.x. */
  regoVersion?: 'v0' | 'v1';
  /** Deadline per test evaluation. */
  timeoutMs?: number;
}

/**
 * Runs the tests under `dir`. Throws PolicyLoadError when the folder does not load (a
 * parse or compile error); failures and errors of single tests are in the report.
 */
export function runPolicyTests(dir: string, options: PolicyTestOptions = {}): TestReport {
  const started = performance.now();
  let prints: string[] = [];
  const { engine } = loadPolicies(dir, options.createEngine ?? createRegoEngine, {
    strict: true,
    regoVersion: options.regoVersion ?? 'v1',
    print: (m) => prints.push(m),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const modules = engine.modules();
  const results = filterTests(discoverTests(modules), options.filter).map((test) => {
    prints = [];
    const result = runOne(engine, test);
    result.prints = prints;
    return result;
  });
  const count = (s: TestStatus) => results.filter((r) => r.status === s).length;
  return {
    dir, results,
    passed: count('pass'), failed: count('fail'), errored: count('error'), skipped: count('skip'),
    durationMs: performance.now() - started,
    ...(options.coverage ? { coverage: staticCoverage(modules) } : {}),
  };
}

function runOne(engine: PolicyEngine, test: PolicyTest): TestResult {
  const base = { package: test.query.slice(0, test.query.length - test.name.length - 1), name: test.name, file: test.file, line: test.line, prints: [] };
  if (test.todo) return { ...base, status: 'skip', durationMs: 0 };
  const started = performance.now();
  try {
    const rows = engine.prepare(test.query).eval();
    const passed = rows.length > 0 && rows[0].expressions[0] === true;
    return { ...base, status: passed ? 'pass' : 'fail', durationMs: performance.now() - started };
  } catch (e) {
    return { ...base, status: 'error', durationMs: performance.now() - started, error: errorInfo(e) };
  }
}

function errorInfo(e: unknown): NonNullable<TestResult['error']> {
  if (e instanceof RegoError) return { code: e.code, message: e.message, ...(e.location ? { location: e.location } : {}) };
  return { code: 'internal_error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
}
