/**
 * Operands read without a closure call. Compiled closures calling other closures make
 * every call site see many targets, which V8 cannot inline. The commonest operands — a
 * constant, a constant-key path into the raw input, a rule's value — are therefore also
 * described as data, and `operandValue` reads them with a switch of direct calls that the
 * JIT can inline into the comparison or test using them. Anything else is a closure call.
 */
import { compare, equals, ObjectValue, SetValue, type Value } from '../value/index.js';
import { NO_RAW, type Ctx, type Eval, type Frame } from './context.js';
import { ruleValue } from './datarefs.js';
import { readerOf } from './codegen.js';
import { leafValue, NOT_PLAIN, type InputPath } from './rawinput.js';
import type { TreeNode } from './tree.js';

/** Kinds of operand (exported for the code generator, codegen.ts). */
export const CONSTANT = 0, INPUT = 1, RULE = 2, CLOSURE = 3, CALL = 4;

/** One operand (all kinds share one object shape, so reading it stays monomorphic). */
export class Operand {
  private constructor(
    readonly kind: number,
    readonly value: Value | undefined,
    readonly input: InputPath | undefined,
    readonly node: TreeNode | undefined,
    /** Evaluates the operand in full (the only way for CLOSURE and CALL; the fallback for INPUT). */
    readonly ev: Eval,
    /** CALL: the operands whose values `build` combines (undefined if any is undefined). */
    readonly args: readonly Operand[] | undefined = undefined,
    /** CALL: makes the value from the arguments' values (a call, or a composite literal). */
    readonly build: ((vs: Value[], c: Ctx) => Value | undefined) | undefined = undefined,
  ) {}

  static constant(value: Value): Operand {
    return new Operand(CONSTANT, value, undefined, undefined, () => value);
  }

  /** A constant-key input path; `slow` reads it from the converted input. */
  static input(node: InputPath, slow: Eval): Operand {
    return new Operand(INPUT, undefined, node, undefined, slow);
  }

  /** The value of a rule node (complete, partial set or object). */
  static rule(node: TreeNode): Operand {
    return new Operand(RULE, undefined, undefined, node, (_f, c) => ruleValue(node, c));
  }

  static closure(ev: Eval): Operand {
    return new Operand(CLOSURE, undefined, undefined, undefined, ev);
  }

  /**
   * `build` applied to the values of `args` (a call or a composite literal of single
   * values); `ev` does the same as a closure, which is how `operandValue` reads it. Only
   * the code generator (codegen.ts) looks inside.
   */
  static call(args: readonly Operand[], build: (vs: Value[], c: Ctx) => Value | undefined, ev: Eval): Operand {
    return new Operand(CALL, undefined, undefined, undefined, ev, args, build);
  }
}

/** The operand's value; undefined when it is undefined. */
export function operandValue(o: Operand, f: Frame, c: Ctx): Value | undefined {
  switch (o.kind) {
    case CONSTANT:
      return o.value;
    case INPUT: {
      if (c.rawInput === NO_RAW) return o.ev(f, c);
      const node = o.input as InputPath;
      const leaf = c.reads[node.id] ?? readerOf(node)(c);
      return leaf === NOT_PLAIN ? o.ev(f, c) : leafValue(leaf);
    }
    case RULE:
      return ruleValue(o.node as TreeNode, c);
    default:
      return o.ev(f, c);
  }
}

/** `x in coll`: an array element, a set member or an object value. */
export function member(x: Value, coll: Value): boolean {
  if (coll instanceof SetValue) return coll.has(x);
  if (Array.isArray(coll)) return coll.some((v) => equals(v, x));
  if (coll instanceof ObjectValue) return coll.entries().some(([, v]) => equals(v, x));
  return false;
}

/** Applies binary operator number `kind` of `BINARY_OPERATORS` (a static switch, no closure call). */
export function applyBinary(kind: number, a: Value, b: Value): boolean {
  switch (kind) {
    case 0: return a === b || equals(a, b);
    case 1: return a !== b && !equals(a, b);
    case 2: return compare(a, b) < 0;
    case 3: return compare(a, b) <= 0;
    case 4: return compare(a, b) > 0;
    case 5: return compare(a, b) >= 0;
    default: return member(a, b);
  }
}

/** The operators `applyBinary` evaluates, by number. */
export const BINARY_OPERATORS = ['equal', 'neq', 'lt', 'lte', 'gt', 'gte', 'internal.member_2'];

/** Kinds of test (exported for the code generator, codegen.ts). */
export const TRUTHY = 0, BINARY = 1, NOT = 2, TEST_CLOSURE = 3;

type Invoke = (vs: Value[], c: Ctx) => Value | undefined;

/**
 * An expression that binds nothing and has at most one solution, as data: `holds` says
 * whether it holds. Bodies made of such tests run them in a loop of `holds` calls, which
 * V8 can inline, instead of a closure call each.
 */
export class TestSpec {
  private constructor(
    readonly kind: number,
    readonly left: Operand | undefined,
    readonly right: Operand | undefined,
    readonly op: number,
    readonly inner: TestSpec | undefined,
    /** The call for `with`-replaced operators (BINARY), or the test itself (TEST_CLOSURE). */
    readonly fn: Invoke | ((f: Frame, c: Ctx) => boolean) | undefined,
  ) {}

  /** The operand is defined and not false. */
  static truthy(o: Operand): TestSpec {
    return new TestSpec(TRUTHY, o, undefined, 0, undefined, undefined);
  }

  /** `applyBinary(op, left, right)`, or `invoke` when functions are replaced by `with`. */
  static binary(op: number, left: Operand, right: Operand, invoke: Invoke): TestSpec {
    return new TestSpec(BINARY, left, right, op, undefined, invoke);
  }

  static not(inner: TestSpec): TestSpec {
    return new TestSpec(NOT, undefined, undefined, 0, inner, undefined);
  }

  static closure(test: (f: Frame, c: Ctx) => boolean): TestSpec {
    return new TestSpec(TEST_CLOSURE, undefined, undefined, 0, undefined, test);
  }
}

/** Whether the test holds. */
export function holds(t: TestSpec, f: Frame, c: Ctx): boolean {
  switch (t.kind) {
    case TRUTHY: {
      const v = operandValue(t.left as Operand, f, c);
      return v !== undefined && v !== false;
    }
    case BINARY: {
      const a = operandValue(t.left as Operand, f, c);
      if (a === undefined) return false;
      const b = operandValue(t.right as Operand, f, c);
      if (b === undefined) return false;
      if (c.mocks === null) return applyBinary(t.op, a, b);
      const v = (t.fn as Invoke)([a, b], c);
      return v !== undefined && v !== false;
    }
    case NOT:
      return !holds(t.inner as TestSpec, f, c);
    default:
      return (t.fn as (f: Frame, c: Ctx) => boolean)(f, c);
  }
}
