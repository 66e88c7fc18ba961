/**
 * The policy bundle: every `.rego` file under the policies folder (tests excluded), its
 * revision (a hash of the sources), compiled once, and the two entrypoints of the policy
 * contract. Evaluation fails closed: an error or a malformed result is a denial.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RegoEngine, type PreparedQuery } from '../rego/index.js';

export const DECISION_QUERY = 'data.enigm.trust.decision.result';
export const ENROLLMENT_QUERY = 'data.enigm.trust.enrollment.result';
export const ENROLLMENT_OUTCOMES = ['pending', 'trusted', 'restricted', 'denied'] as const;

export interface DecisionResult {
  allow: boolean;
  reasons: string[];
  obligations: string[];
}

export interface EnrollmentResult {
  outcome: (typeof ENROLLMENT_OUTCOMES)[number];
  requirements: string[];
  reasons: string[];
}

export interface PolicyBundle {
  /** `sha256:` + hash of every policy file's path and text. */
  readonly revision: string;
  readonly files: readonly string[];
  decide(input: unknown): DecisionResult;
  enroll(input: unknown): EnrollmentResult;
}

/** Lists the policy files of a folder, recursively, sorted; `*_test.rego` only when asked. */
export function listRegoFiles(dir: string, includeTests = false): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.rego')) continue;
    if (!includeTests && entry.name.endsWith('_test.rego')) continue;
    out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function single(q: PreparedQuery, input: unknown): unknown {
  const rows = q.eval(input);
  return rows.length === 1 ? rows[0].expressions[0] : undefined;
}

/** Turns whatever the policy produced into a decision; anything unexpected denies. */
export function toDecision(value: unknown): DecisionResult {
  const v = value as Partial<DecisionResult> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return { allow: false, reasons: ['policy_undefined'], obligations: [] };
  if (typeof v.allow !== 'boolean' || !isStringArray(v.reasons) || !isStringArray(v.obligations ?? [])) {
    return { allow: false, reasons: ['policy_result_invalid'], obligations: [] };
  }
  return { allow: v.allow, reasons: v.reasons, obligations: v.obligations ?? [] };
}

export function toEnrollment(value: unknown): EnrollmentResult {
  const v = value as Partial<EnrollmentResult> | undefined;
  if (v === undefined || v === null || typeof v !== 'object') return { outcome: 'pending', requirements: [], reasons: ['policy_undefined'] };
  if (!(ENROLLMENT_OUTCOMES as readonly unknown[]).includes(v.outcome) || !isStringArray(v.requirements ?? []) || !isStringArray(v.reasons ?? [])) {
    return { outcome: 'pending', requirements: [], reasons: ['policy_result_invalid'] };
  }
  return { outcome: v.outcome as EnrollmentResult['outcome'], requirements: v.requirements ?? [], reasons: v.reasons ?? [] };
}

/**
 * Loads and compiles the bundle. Throws (a RegoError with the file and position) when a
 * policy does not parse or compile, so a broken bundle never starts serving.
 */
export function loadBundle(dir: string): PolicyBundle {
  const files = listRegoFiles(dir);
  if (files.length === 0) throw new Error(`no policies (*.rego) in ${dir}`);
  const engine = new RegoEngine({ strict: true });
  const hash = createHash('sha256');
  for (const file of files) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    hash.update(file).update('\u0000').update(source).update('\u0000');
    engine.addModule(file, source);
  }
  const decision = engine.prepare(DECISION_QUERY);
  const enrollment = engine.prepare(ENROLLMENT_QUERY);
  const revision = `sha256:${hash.digest('hex')}`;
  return {
    revision,
    files,
    decide(input) {
      try {
        return toDecision(single(decision, input));
      } catch {
        return { allow: false, reasons: ['policy_error'], obligations: [] };
      }
    },
    enroll(input) {
      try {
        return toEnrollment(single(enrollment, input));
      } catch {
        return { outcome: 'pending', requirements: [], reasons: ['policy_error'] };
      }
    },
  };
}
