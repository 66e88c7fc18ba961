/**
 * The contract between the evaluator and builtin functions. Builtins know values, not
 * the evaluator: they receive evaluated arguments and a small context.
 */
import type { Value } from '../value/index.js';

/** What a builtin may know of the evaluation that calls it. */
export interface BuiltinContext {
  /** Strict builtin errors: an error fails the query instead of making the call undefined. */
  readonly strict: boolean;
  /** `time.now_ns()` for this evaluation: fixed for its whole duration. */
  readonly nowNs: bigint;
  /** Per-evaluation memo, e.g. so `uuid.rfc4122(k)` returns one value per key per evaluation. */
  readonly cache: Map<string, Value>;
  /** Receives `print` output. */
  readonly print: (message: string) => void;
}

/**
 * A builtin. `fn` gets exactly `arity` evaluated arguments and returns the result, or
 * `undefined` when the result is undefined. It throws BuiltinError on bad arguments.
 */
export interface Builtin {
  readonly name: string;
  readonly arity: number;
  /** Variadic builtins (e.g. `print`) accept any number of arguments; `arity` is then -1. */
  readonly fn: (args: Value[], ctx: BuiltinContext) => Value | undefined;
  /** Results differ between evaluations (time, random): never constant-folded. */
  readonly nondeterministic?: boolean;
  /**
   * A relation (e.g. `walk`) yields several results: `fn` returns an array of them and the
   * evaluator binds the output to each in turn.
   */
  readonly relation?: boolean;
}

/**
 * A builtin's refusal of its arguments. `type` errors become `eval_type_error`, others
 * `eval_builtin_error`; `argIndex` (0-based) says which argument was wrong.
 */
export class BuiltinError extends Error {
  override name = 'BuiltinError';
  constructor(
    readonly kind: 'type' | 'builtin',
    message: string,
    readonly argIndex?: number,
  ) {
    super(message);
  }
}

export type BuiltinTable = ReadonlyMap<string, Builtin>;
