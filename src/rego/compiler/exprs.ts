/**
 * Compiles bodies and expressions. A body is scheduled first: expressions run in written
 * order except that one needing a variable bound by a later expression waits for it (as
 * OPA's safety reordering does). Each expression becomes a builder that, given the
 * continuation, returns the closure evaluating it.
 */
import type { Body, Expr, Term } from '../ast/nodes.js';
import { raise } from '../errors.js';
import type { Value } from '../value/index.js';
import { compileCall } from './calls.js';
import type { K, VK } from './context.js';
import { forEachElement } from './paths.js';
import { isWildcard, topLevelVars, varsOf } from './rename.js';
import { Unsafe, type Scope } from './scope.js';
import { holds, TestSpec } from './operands.js';
import { bodyVars, compilePattern, compileTerm, operandOf, requireClosure, type CTerm } from './terms.js';
import { compileWith } from './with.js';

/**
 * Turns a continuation into the closure that evaluates something before it. `test` is set
 * when the expression binds nothing and has at most one solution: it then says whether
 * the expression holds, so that a run of such expressions runs as one loop.
 */
export type Builder = ((next: K) => K) & { test?: TestSpec };

/** A compiled body; `tests` is set when every expression of it is a test. */
export type BodyBuilder = Builder & { tests?: TestSpec[] };

/** A builder for a test expression. */
function testBuilder(test: TestSpec): Builder {
  const b: Builder = (next) => (f, c) => holds(test, f, c) && next(f, c);
  b.test = test;
  return b;
}

/** Chains builders; consecutive tests run in one loop instead of a closure each. */
function chain(builders: readonly Builder[], next: K): K {
  let k = next;
  let i = builders.length - 1;
  while (i >= 0) {
    let j = i;
    while (j >= 0 && builders[j].test) j--;
    if (i - j >= 2) {
      const tests = builders.slice(j + 1, i + 1).map((b) => b.test as TestSpec);
      const after = k, n = tests.length;
      k = (f, c) => {
        for (let t = 0; t < n; t++) if (!holds(tests[t], f, c)) return false;
        return after(f, c);
      };
      i = j;
    } else {
      k = builders[i](k);
      i--;
    }
  }
  return k;
}

/** Options for the query body: where term expressions leave their values. */
export interface BodyHooks {
  /** Slot per expression index receiving a term expression's value. */
  valueSlots?: number[];
  /** A query of one term expression reports a `false` value instead of failing. */
  keepFalse?: boolean;
}

const STOP: K = () => true;

/** Compiles a body in `s`, leaving in `s` the variables it binds. */
export function compileBody(body: Body, s: Scope, hooks: BodyHooks = {}): BodyBuilder {
  const pending = body.map((e, i) => ({ e, i }));
  const builders: Builder[] = [];
  while (pending.length > 0) {
    let firstError: Unsafe | undefined;
    let chosen = -1;
    for (let j = 0; j < pending.length; j++) {
      const trial = s.fork();
      try {
        builders.push(compileExpr(pending[j].e, trial, hooks.valueSlots?.[pending[j].i], hooks.keepFalse));
        s.bound = trial.bound;
        chosen = j;
        break;
      } catch (err) {
        if (!(err instanceof Unsafe)) throw err;
        firstError ??= err;
      }
    }
    if (chosen < 0) {
      const err = firstError as Unsafe;
      raise('rego_unsafe_var_error', `var ${sourceOf(err.varName)} is unsafe`, err.loc);
    }
    pending.splice(chosen, 1);
  }
  const built: BodyBuilder = (next) => chain(builders, next);
  if (builders.every((b) => b.test)) built.tests = builders.map((b) => b.test as TestSpec);
  return built;
}

function sourceOf(name: string): string {
  return isWildcard(name) ? '_' : name.replace(/\$\d+$/, '');
}

/** Compiles one expression (with its negation and `with` modifiers). */
export function compileExpr(e: Expr, s: Scope, valueSlot?: number, keepFalse = false): Builder {
  if (e.with.length > 0) return compileWith(e, s, (inner) => compilePlain(e, inner, valueSlot, keepFalse));
  return compilePlain(e, s, valueSlot, keepFalse);
}

function compilePlain(e: Expr, s: Scope, valueSlot: number | undefined, keepFalse: boolean): Builder {
  if (!e.negated) return compileCore(e, s, valueSlot, keepFalse);
  const inner = s.fork();
  const core = compileCore(e, inner, undefined, false);
  for (const v of inner.bound) {
    if (!s.isBound(v) && !isWildcard(v)) throw new Unsafe(v, e.loc);
  }
  if (core.test) return testBuilder(TestSpec.not(core.test));
  return (next) => {
    const test = core(STOP);
    return (f, c) => (test(f, c) ? false : next(f, c));
  };
}

function compileCore(e: Expr, s: Scope, valueSlot: number | undefined, keepFalse: boolean): Builder {
  switch (e.type) {
    case 'term': {
      const ct = e.term.type === 'call' ? compileCall(e.term, s, true) : compileTerm(e.term, s);
      return compileTermExpr(ct, valueSlot, keepFalse);
    }
    case 'assign': return compileUnify(e.right, e.left, s, true);
    case 'unify': return compileUnify(e.left, e.right, s, false);
    case 'some': return (next) => next;
    case 'somein': return compileSomeIn(e, s);
    case 'every': return compileEvery(e, s);
  }
}

function compileTermExpr(ct: CTerm, valueSlot: number | undefined, keepFalse: boolean): Builder {
  if (valueSlot === undefined) {
    if (ct.test) return testBuilder(ct.test);
    if (ct.eval) return testBuilder(TestSpec.truthy(operandOf(ct)));
    return (next) => ct.gen((f, c, v) => v !== false && next(f, c));
  }
  return (next) => ct.gen((f, c, v) => {
    if (v === false && !keepFalse) return false;
    f[valueSlot] = v;
    return next(f, c);
  });
}

/**
 * `a = b` / `b := a`: one side is evaluated and the other unified with its values. The
 * side that can be evaluated is chosen; two arrays of the same length unify element-wise.
 */
function compileUnify(a: Term, b: Term, s: Scope, assign: boolean): Builder {
  const attempt = (value: Term, pattern: Term): Builder | undefined => {
    const trial = s.fork();
    try {
      const ct = compileTerm(value, trial);
      const pat = compilePattern(pattern, trial);
      s.bound = trial.bound;
      return (next) => ct.gen(pat(next));
    } catch (err) {
      if (err instanceof Unsafe) return undefined;
      throw err;
    }
  };
  const first = attempt(a, b);
  if (first) return first;
  if (!assign) {
    const second = attempt(b, a);
    if (second) return second;
    if (a.type === 'array' && b.type === 'array' && a.items.length === b.items.length) {
      return unifyElements(a.items, b.items, s);
    }
  }
  // Report the variable that blocks evaluation.
  compileTerm(a, s.fork());
  compileTerm(b, s.fork());
  throw new Unsafe('_', a.loc);
}

function unifyElements(xs: Term[], ys: Term[], s: Scope): Builder {
  const pending = xs.map((x, i) => ({ x, y: ys[i] }));
  const builders: Builder[] = [];
  while (pending.length > 0) {
    let progressed = false;
    for (let j = 0; j < pending.length; j++) {
      try {
        const trial = s.fork();
        builders.push(compileUnify(pending[j].x, pending[j].y, trial, false));
        s.bound = trial.bound;
        pending.splice(j, 1);
        progressed = true;
        break;
      } catch (err) {
        if (!(err instanceof Unsafe)) throw err;
      }
    }
    if (!progressed) return compileUnify(pending[0].x, pending[0].y, s, false);
  }
  return (next) => builders.reduceRight((k, b) => b(k), next);
}

/** `some k, v in coll`: iterate the collection, unifying key and value with each element. */
function compileSomeIn(e: Expr & { type: 'somein' }, s: Scope): Builder {
  const coll = compileTerm(e.collection, s);
  const keyPat = e.key ? compilePattern(e.key, s) : undefined;
  const valPat = compilePattern(e.value, s);
  const t = s.layout.temp();
  return (next) => {
    const onValue = valPat(next);
    const afterKey: K = (f, c) => onValue(f, c, f[t] as Value);
    const onKey: VK = keyPat ? keyPat(afterKey) : (f, c) => afterKey(f, c);
    return coll.gen((f, c, v) => forEachElement(v, f, c, t, onKey));
  };
}

/** `every k, v in dom { body }`: true when the body holds for every element. */
function compileEvery(e: Expr & { type: 'every' }, s: Scope): Builder {
  const domain = compileTerm(e.domain, s);
  const vars = topLevelVars(e.body);
  for (const t of [e.key, e.value]) if (t) for (const v of varsOf(t)) vars.add(v.name);
  requireClosure(bodyVars(e.body), s, e);
  const inner = s.nested(vars);
  const keyPat = e.key ? compilePattern(e.key, inner) : undefined;
  const valPat = compilePattern(e.value, inner);
  const body = compileBody(e.body, inner)(STOP);
  const t = s.layout.temp();
  const onValue = valPat(body);
  const afterKey: K = (f, c) => onValue(f, c, f[t] as Value);
  const onKey: VK = keyPat ? keyPat(afterKey) : (f, c) => afterKey(f, c);
  // The iteration stops at the first element for which the body fails.
  const failing: VK = (f, c, k) => !onKey(f, c, k);
  // A domain that is not a collection leaves `every` undefined.
  return (next) => domain.gen((f, c, d) => d !== null && typeof d === 'object' && !forEachElement(d, f, c, t, failing) && next(f, c));
}
