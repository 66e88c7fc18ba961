/**
 * Running one conformance case: a fresh engine, the case's modules and data, the query
 * evaluated per input, and the outcome judged against the case's expectation.
 */
import { RegoError } from '../errors.js';
import { compare, equals, type Value } from '../value/index.js';
import type { ConformanceCase } from './cases.js';
import { createRegoEngine, type EngineFactory } from './engine.js';
import { isRightKind } from './errorKind.js';
import { expectedValues, yamlToValue } from './expected.js';
import { formatValueList } from './formatValue.js';
import { resultSetToValues } from './resultValues.js';

/** Value cases expect a result (`want_result`, `no_result`); error cases expect a failure. */
export type CaseKind = 'value' | 'error';
/** How a case ended. */
export type CaseStatus = 'passed' | 'failed' | 'skipped';

/** The outcome of one case. */
export interface CaseResult {
  file: string;
  folder: string;
  index: number;
  note: string;
  /** Value cases expect a result (`want_result`, `no_result`); error cases expect failure. */
  kind: CaseKind;
  /** Some module is written in v0 syntax (does not import `rego.v1`). */
  v0: boolean;
  status: CaseStatus;
  /** Why it failed: expected vs got, or the error seen. */
  reason?: string;
  /** For error cases, the error the engine raised. */
  errorSeen?: string;
  /** How `print` output differed from `want_prints`: reported, not counted (prints are optional to check). */
  printDifference?: string;
  durationMs: number;
}

/** Options of a run. */
export interface RunOptions {
  /** Makes the engine of each case; default the real `RegoEngine`. */
  createEngine?: EngineFactory;
  /** Per-evaluation deadline handed to the engine. */
  timeoutMs?: number;
}

/** What evaluating a case produced: values and prints, or the error raised. */
type Outcome = { values: Value[]; prints: string[] } | { error: unknown };

/** Runs one case and judges it. Never throws. */
export function runCase(c: ConformanceCase, options: RunOptions = {}): CaseResult {
  const base = {
    file: c.file, folder: c.folder, index: c.index, note: c.note,
    kind: (c.expectation.kind === 'error' ? 'error' : 'value') as CaseKind,
    v0: isV0Case(c),
  };
  if (c.skip) return { ...base, status: 'skipped', durationMs: 0 };
  const started = performance.now();
  const outcome = evaluate(c, options);
  const verdict = judge(c, outcome);
  return { ...base, ...verdict, durationMs: performance.now() - started };
}

const importsRegoV1 = /^\s*import\s+rego\.v1\b/m;

/** A case exercises v0 syntax when one of its modules does not import `rego.v1`. */
export function isV0Case(c: ConformanceCase): boolean {
  return regoVersionOf(c) === 'v0' && c.modules.some((m) => !importsRegoV1.test(m));
}

/** Every case runs v0-compatible, except the bindings file, which is plain v1. */
export function regoVersionOf(c: ConformanceCase): 'v0' | 'v1' {
  return c.file === 'binding/bindings.yaml' ? 'v1' : 'v0';
}

function evaluate(c: ConformanceCase, options: RunOptions): Outcome {
  const prints: string[] = [];
  try {
    const engine = (options.createEngine ?? createRegoEngine)({
      strict: c.strict,
      regoVersion: regoVersionOf(c),
      print: (m) => prints.push(m),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    // Module names follow the other engine's (`rego_0`, …), which its print lines show.
    c.modules.forEach((source, i) => engine.addModule(`rego_${i}`, source));
    engine.setData(c.data === undefined || c.data === null ? {} : yamlToValue(c.data));
    const query = engine.prepare(c.query);
    const values: Value[] = [];
    for (const input of c.inputs) {
      values.push(...resultSetToValues(query.evalValues(input === undefined ? undefined : yamlToValue(input))));
    }
    return { values, prints };
  } catch (error) {
    return { error };
  }
}

type Verdict = Pick<CaseResult, 'status' | 'reason' | 'errorSeen' | 'printDifference'>;

function judge(c: ConformanceCase, outcome: Outcome): Verdict {
  const e = c.expectation;
  if (e.kind === 'none') return failed('case states no expectation (want_result, no_result or error)');
  if ('error' in outcome) return e.kind === 'error' ? judgeError(e.text, outcome.error) : failed(`error: ${describeError(outcome.error)}`);
  if (e.kind === 'error') return failed(`expected an error like "${e.text}", got ${formatValueList(outcome.values)}`);
  if (e.kind === 'no_result') {
    return outcome.values.length === 0 ? passed() : failed(`expected no result, got ${formatValueList(outcome.values)}`);
  }
  let want: Value[];
  try {
    want = expectedValues(e.want);
  } catch (err) {
    return failed(`bad want_result: ${describeError(err)}`);
  }
  const mismatch = compareValueLists(want, outcome.values, c.sortBindings);
  if (mismatch) return failed(mismatch);
  const printDifference = c.wantPrints ? comparePrints(c.wantPrints, outcome.prints) : undefined;
  return printDifference ? { status: 'passed', printDifference } : passed();
}

function judgeError(text: string, error: unknown): Verdict {
  const seen = describeError(error);
  const code = error instanceof RegoError ? error.code : undefined;
  if (isRightKind(text, code)) return { status: 'passed', errorSeen: seen };
  return { status: 'failed', errorSeen: seen, reason: `expected an error like "${text}", got ${seen}` };
}

/** Compares expected and computed value lists; returns why they differ, or undefined. */
export function compareValueLists(want: Value[], got: Value[], sort: boolean): string | undefined {
  const w = sort ? [...want].sort(compare) : want;
  const g = sort ? [...got].sort(compare) : got;
  if (w.length === g.length && w.every((v, i) => equals(v, g[i]))) return undefined;
  return `expected ${formatValueList(w)}, got ${formatValueList(g)}`;
}

const printLocation = /^[^\s:]+:\d+: /;

/**
 * Compares print lines, leaving out a leading `file:line: ` (the other engine's printer adds
 * one; OPA's print hook gets the location apart from the message). Returns the difference.
 */
export function comparePrints(want: string[], got: string[]): string | undefined {
  const w = want.map((l) => l.replace(printLocation, ''));
  const g = got.map((l) => l.replace(printLocation, ''));
  if (w.length === g.length && w.every((line, i) => line === g[i])) return undefined;
  const i = w.findIndex((line, k) => line !== g[k]);
  const at = i === -1 ? w.length : i;
  return `print line ${at + 1}: expected ${JSON.stringify(w[at] ?? '(none)')}, got ${JSON.stringify(g[at] ?? '(none)')}`;
}

/** One-line description of an error: RegoErrors by their message, crashes marked as such. */
export function describeError(error: unknown): string {
  if (error instanceof RegoError) return error.message.split('\n')[0];
  if (error instanceof Error) return `internal ${error.name}: ${error.message.split('\n')[0]}`;
  return `internal error: ${String(error)}`;
}

function passed(): Pick<CaseResult, 'status'> {
  return { status: 'passed' };
}

function failed(reason: string): Pick<CaseResult, 'status' | 'reason'> {
  return { status: 'failed', reason };
}
