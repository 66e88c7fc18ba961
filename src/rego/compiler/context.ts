/**
 * Runtime state of one evaluation. A `Ctx` is what compiled closures receive besides their
 * frame: the input, the base data, the per-evaluation memo and the limiter. `with`
 * makes a child context with its own memo, since cached rule values may depend on what
 * it replaces.
 */
import type { Builtin, BuiltinContext } from '../builtins/types.js';
import type { Limiter } from '../limits.js';
import { RegoError } from '../errors.js';
import { fromJS, ValueConversionError, type Value } from '../value/index.js';
import type { TreeNode } from './tree.js';

/**
 * Variable slots of one body evaluation. Slot 0 collects the rule's results; the other
 * slots hold variable bindings (a `Value`, or `undefined` when unbound) and compiler
 * temporaries.
 */
export type Frame = unknown[];

/** Continues an evaluation; returns true to stop enumerating further solutions. */
export type K = (f: Frame, c: Ctx) => boolean;
/** Continues an evaluation with a produced value; true stops enumeration. */
export type VK = (f: Frame, c: Ctx, v: Value) => boolean;
/** Evaluates a single-valued term; `undefined` means the term is undefined. */
export type Eval = (f: Frame, c: Ctx) => Value | undefined;

/** What a `with … as` on a function or builtin replaces it by. */
export type Mock =
  | { kind: 'value'; value: Value }
  | { kind: 'builtin'; builtin: Builtin }
  | { kind: 'function'; node: TreeNode };

/** State shared by an evaluation and every `with` context made from it. */
export interface EvalShared {
  readonly limiter: Limiter;
  readonly builtinCtx: BuiltinContext;
  readonly strict: boolean;
  readonly print: (message: string) => void;
}

/** Memo marker for a rule that was evaluated and found undefined. */
export const UNDEFINED_MEMO = Symbol('undefined');

/** Marks a context whose input is already a Rego value (no raw JS input pending). */
export const NO_RAW = Symbol('no raw input');

/** Converts caller-supplied JS to a Rego value, as an evaluation error when impossible. */
export function convertInput(raw: unknown): Value {
  try {
    return fromJS(raw);
  } catch (err) {
    if (err instanceof ValueConversionError) throw new RegoError('eval_type_error', `input: ${err.message}`);
    throw err;
  }
}

/** Per-evaluation arrays of a context, all slots undefined. */
export interface Scratch {
  readonly memo: Array<Value | typeof UNDEFINED_MEMO | undefined>;
  readonly reads: unknown[];
}

/** The context one evaluation (or one `with` scope of it) runs in. */
export class Ctx {
  /** Values of rules and data-tree nodes already computed in this context, by node id. */
  readonly memo: Array<Value | typeof UNDEFINED_MEMO | undefined>;
  /** What the raw input holds at each input path read so far (see rawinput.ts). */
  readonly reads: unknown[];
  private inputValue: Value | undefined;
  private raw: unknown;

  /**
   * `input` is the input document; or pass `raw` (the caller's plain JS input) to have it
   * converted only when a rule needs more than the parts refs read directly.
   */
  constructor(
    input: Value | undefined,
    readonly data: Value,
    readonly shared: EvalShared,
    /** Rule nodes replaced by `with data…` (their value comes from `data`). */
    readonly masked: ReadonlySet<TreeNode> | null = null,
    /** Functions and builtins replaced by `with`, keyed by full name. */
    readonly mocks: ReadonlyMap<string, Mock> | null = null,
    raw: unknown = NO_RAW,
    /** Empty arrays to use as `memo` and `reads` (the engine reuses them between evaluations). */
    scratch?: Scratch,
  ) {
    this.inputValue = input;
    this.raw = raw;
    this.memo = scratch?.memo ?? [];
    this.reads = scratch?.reads ?? [];
  }

  /** The input document (undefined when there is none). */
  get input(): Value | undefined {
    if (this.raw !== NO_RAW) {
      this.inputValue = this.raw === undefined ? undefined : convertInput(this.raw);
      this.raw = NO_RAW;
    }
    return this.inputValue;
  }

  /** The caller's JS input while it has not been converted, else NO_RAW. */
  get rawInput(): unknown {
    return this.raw;
  }
}
