/**
 * `policy eval`: evaluate one query against a policy folder.
 */
import { createRegoEngine, type JsonRow, type PolicyEngineFactory } from './engine.js';
import { loadPolicies } from './load.js';

/** Options of `evalPolicy`. */
export interface EvalPolicyOptions {
  /** Makes the engine; default the real `RegoEngine`. */
  createEngine?: PolicyEngineFactory;
  /** Syntax of modules without `import rego.v1`; default v1. */
  regoVersion?: 'v0' | 'v1';
  strict?: boolean;
  timeoutMs?: number;
  /** Receives `print` output. */
  print?: (message: string) => void;
}

/**
 * Loads `dir` and evaluates `query` with `input`. Returns the result set as plain JSON
 * (empty when undefined). Throws PolicyLoadError when the folder does not load, and the
 * engine's RegoError when the query does not compile or its evaluation fails.
 */
export function evalPolicy(dir: string, query: string, input?: unknown, options: EvalPolicyOptions = {}): JsonRow[] {
  const { engine } = loadPolicies(dir, options.createEngine ?? createRegoEngine, {
    strict: options.strict ?? false,
    regoVersion: options.regoVersion ?? 'v1',
    ...(options.print ? { print: options.print } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return engine.prepare(query).eval(input);
}
