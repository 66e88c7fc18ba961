/**
 * Compiles terms to closures. A term in value position becomes a `CTerm`: `eval` when it
 * has exactly one value (or none) once its variables are bound, and always `gen`, which
 * enumerates its values — binding the variables of generator refs such as `xs[i]` — and
 * passes each to a continuation fixed at compile time, so evaluation allocates no closures.
 */
import type { Body, Term } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import { equals, fromJS, ObjectValue, SetValue, type Value } from '../value/index.js';
import { compileCall } from './calls.js';
import type { Ctx, Eval, Frame, K, VK } from './context.js';
import { compileDataRef, compileInputRef } from './datarefs.js';
import { compileBody } from './exprs.js';
import { Operand, operandValue, type TestSpec } from './operands.js';
import { compilePath } from './paths.js';
import { isWildcard, topLevelVars, varsOf } from './rename.js';
import { Unsafe, type Scope } from './scope.js';

/** A compiled value-position term. */
export interface CTerm {
  /** Present when the term has at most one value and binds nothing. */
  readonly eval: Eval | null;
  /** Enumerates the term's values. */
  gen(next: VK): K;
  /** Present for single-valued terms that can be read as data (see operands.ts). */
  readonly operand?: Operand;
  /** Present when the term has a cheaper way to say whether it is defined and not false. */
  readonly test?: TestSpec;
}

/** A term with one fixed value. */
export function constTerm(v: Value): CTerm {
  const ev: Eval = () => v;
  return { eval: ev, gen: (next) => (f, c) => next(f, c, v), operand: Operand.constant(v) };
}

/** Wraps a single-valued evaluator. */
export function evalTerm(ev: Eval): CTerm {
  return { eval: ev, gen: (next) => (f, c) => { const v = ev(f, c); return v !== undefined && next(f, c, v); } };
}

/** The closure of a sequence of single-valued operands. */
function sequenceEval(ops: Operand[], build: (vs: Value[], c: Ctx) => Value | undefined): Eval {
  if (ops.length === 0) return (_f, c) => build([], c);
  if (ops.length === 1) {
    const only = ops[0];
    return (f, c) => {
      const v = operandValue(only, f, c);
      return v === undefined ? undefined : build([v], c);
    };
  }
  return (f, c) => {
    const vs: Value[] = new Array(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const v = operandValue(ops[i], f, c);
      if (v === undefined) return undefined;
      vs[i] = v;
    }
    return build(vs, c);
  };
}

/** A term that is `build` of single-valued operands, also described as a CALL operand. */
function callTerm(ops: Operand[], build: (vs: Value[], c: Ctx) => Value | undefined, ev: Eval): CTerm {
  return { ...evalTerm(ev), operand: Operand.call(ops, build, ev) };
}

/** A single-valued term read as data (an input path or rule value), with `ev` as its closure. */
export function operandTerm(operand: Operand): CTerm {
  return { ...evalTerm((f, c) => operandValue(operand, f, c)), operand };
}

/** How to read a single-valued term: its data form when it has one, else its closure. */
export function operandOf(ct: CTerm): Operand {
  return ct.operand ?? Operand.closure(ct.eval as Eval);
}

/** The value of a scalar literal, or undefined for other terms. */
export function literalValue(t: Term): Value | undefined {
  switch (t.type) {
    case 'null': return null;
    case 'boolean':
    case 'string': return t.value;
    case 'number': return fromJS(t.value);
    default: return undefined;
  }
}

/** True when the term is a scalar literal or a composite of them only. */
export function isConstant(t: Term): boolean {
  if (literalValue(t) !== undefined) return true;
  if (t.type === 'array' || t.type === 'set') return t.items.every(isConstant);
  if (t.type === 'object') return t.entries.every(([k, v]) => isConstant(k) && isConstant(v));
  return false;
}

/** The value of a constant term (see `isConstant`), built once when the policy compiles. */
function constantValue(t: Term): Value {
  switch (t.type) {
    case 'array': return t.items.map(constantValue);
    case 'set': return SetValue.from(t.items.map(constantValue));
    case 'object': {
      const o = new ObjectValue();
      for (const [k, v] of t.entries) o.set(constantValue(k), constantValue(v));
      return o;
    }
    default: return literalValue(t) as Value;
  }
}

/** Compiles a term in value position; throws Unsafe when it uses an unbound variable. */
export function compileTerm(t: Term, s: Scope): CTerm {
  switch (t.type) {
    case 'null':
    case 'boolean':
    case 'string':
    case 'number':
      return constTerm(literalValue(t) as Value);
    case 'var':
      return compileVar(t.name, t, s);
    case 'ref':
      return compileRef(t, s);
    case 'array':
    case 'set':
    case 'object':
      if (isConstant(t)) return constTerm(constantValue(t));
      return compileComposite(t, s);
    case 'call':
      return compileCall(t, s);
    case 'arraycomp':
    case 'setcomp':
    case 'objectcomp':
      return compileComprehension(t, s);
  }
}

function compileComposite(t: Term & { type: 'array' | 'set' | 'object' }, s: Scope): CTerm {
  switch (t.type) {
    case 'array':
      return compileSequence(t.items.map((x) => compileTerm(x, s)), s, (vs) => vs);
    case 'set':
      return compileSequence(t.items.map((x) => compileTerm(x, s)), s, (vs) => SetValue.from(vs));
    case 'object':
      return compileObject(t.entries, s);
  }
}

function compileVar(name: string, t: Term, s: Scope): CTerm {
  const g = s.global(name);
  if (g) return compileGlobal(g.root, g.path, s);
  if (!s.isBound(name)) throw new Unsafe(name, t.loc);
  const slot = s.slot(name);
  return evalTerm((f) => f[slot] as Value);
}

function compileGlobal(root: 'input' | 'data', path: Term[], s: Scope): CTerm {
  return root === 'data' ? compileDataRef(path, s) : compileInputRef(path, s);
}

function compileRef(t: Term & { type: 'ref' }, s: Scope): CTerm {
  if (t.head.type === 'var') {
    const g = s.global(t.head.name);
    if (g) return compileGlobal(g.root, [...g.path, ...t.path], s);
  }
  const head = compileTerm(t.head, s);
  return compilePath(head, t.path, s);
}

/**
 * Evaluates several terms left to right and combines their values with `build`
 * (undefined when any is undefined). Generators among them are enumerated in order.
 */
export function compileSequence(items: CTerm[], s: Scope, build: (vs: Value[], c: Ctx) => Value | undefined): CTerm {
  if (items.every((x) => x.eval !== null)) {
    const ops = items.map(operandOf);
    return callTerm(ops, build, sequenceEval(ops, build));
  }
  const temps = items.map(() => s.layout.temp());
  return {
    eval: null,
    gen(next: VK): K {
      const last: K = (f, c) => {
        const r = build(temps.map((t) => f[t] as Value), c);
        return r !== undefined && next(f, c, r);
      };
      let k = last;
      for (let i = items.length - 1; i >= 0; i--) {
        const after = k, t = temps[i];
        k = items[i].gen((f, c, v) => { f[t] = v; return after(f, c); });
      }
      return k;
    },
  };
}

function compileObject(entries: Array<[Term, Term]>, s: Scope): CTerm {
  const parts: CTerm[] = [];
  for (const [k, v] of entries) {
    parts.push(compileTerm(k, s));
    parts.push(compileTerm(v, s));
  }
  return compileSequence(parts, s, (vs) => {
    const o = new ObjectValue();
    for (let i = 0; i < vs.length; i += 2) o.set(vs[i], vs[i + 1]);
    return o;
  });
}

/** Variables anywhere in a term, nested bodies included. */
export function deepVars(t: Term, out: Set<string> = new Set()): Set<string> {
  switch (t.type) {
    case 'var': out.add(t.name); break;
    case 'ref': deepVars(t.head, out); for (const p of t.path) deepVars(p, out); break;
    case 'array':
    case 'set': for (const x of t.items) deepVars(x, out); break;
    case 'object': for (const [k, v] of t.entries) { deepVars(k, out); deepVars(v, out); } break;
    case 'call': for (const a of t.args) deepVars(a, out); break;
    case 'arraycomp':
    case 'setcomp': deepVars(t.term, out); bodyVars(t.body, out); break;
    case 'objectcomp': deepVars(t.key, out); deepVars(t.value, out); bodyVars(t.body, out); break;
    default: break;
  }
  return out;
}

/** Variables anywhere in a body, nested bodies included. */
export function bodyVars(body: Body, out: Set<string> = new Set()): Set<string> {
  for (const e of body) {
    for (const w of e.with) deepVars(w.value, out);
    switch (e.type) {
      case 'term': deepVars(e.term, out); break;
      case 'unify':
      case 'assign': deepVars(e.left, out); deepVars(e.right, out); break;
      case 'some': for (const v of e.vars) out.add(v.name); break;
      case 'somein': if (e.key) deepVars(e.key, out); deepVars(e.value, out); deepVars(e.collection, out); break;
      case 'every': if (e.key) deepVars(e.key, out); deepVars(e.value, out); deepVars(e.domain, out); bodyVars(e.body, out); break;
    }
  }
  return out;
}

/**
 * Checks that the variables a nested body shares with its enclosing scope are bound
 * already, so the nested body runs after the expressions that bind them.
 */
export function requireClosure(vars: Set<string>, s: Scope, t: { loc: Term['loc'] }): void {
  for (const v of vars) {
    if (isWildcard(v) || v.includes('$') || s.isBound(v)) continue;
    if ((s.present.has(v) || s.outer.has(v)) && !s.global(v)) throw new Unsafe(v, t.loc);
  }
}

type Comprehension = Term & { type: 'arraycomp' | 'setcomp' | 'objectcomp' };

function compileComprehension(t: Comprehension, s: Scope): CTerm {
  requireClosure(deepVars(t), s, t);
  const inner = s.nested(innerPresent(t));
  const body = compileBody(t.body, inner);
  const acc = s.layout.temp();
  let final: K;
  let fresh: () => Value;
  if (t.type === 'objectcomp') {
    const key = compileTerm(t.key, inner), value = compileTerm(t.value, inner);
    const pair = compileSequence([key, value], inner, (vs) => vs);
    final = pair.gen((f, _c, kv) => {
      const [k, v] = kv as Value[];
      const o = f[acc] as ObjectValue;
      const old = o.get(k);
      if (old !== undefined && !equals(old, v)) {
        throw new RegoError('eval_conflict_error', 'object keys must be unique', t.loc);
      }
      o.set(k, v);
      return false;
    });
    fresh = () => new ObjectValue();
  } else {
    const head = compileTerm(t.term, inner);
    const isSet = t.type === 'setcomp';
    final = head.gen((f, _c, v) => {
      if (isSet) (f[acc] as SetValue).add(v);
      else (f[acc] as Value[]).push(v);
      return false;
    });
    fresh = isSet ? () => new SetValue() : () => [];
  }
  const run = body(final);
  return evalTerm((f: Frame, c) => {
    const saved = f[acc];
    const out = fresh();
    f[acc] = out;
    run(f, c);
    f[acc] = saved;
    return out;
  });
}

function innerPresent(t: Comprehension): Set<string> {
  // Names of the comprehension's own body and head (not of bodies nested deeper).
  const names = topLevelVars(t.body);
  const heads = t.type === 'objectcomp' ? [t.key, t.value] : [t.term];
  for (const h of heads) for (const v of varsOf(h)) names.add(v.name);
  return names;
}

/**
 * Compiles a term as a unification pattern: unbound variables in it are bound to the
 * matching parts of the value; anything else must equal the value.
 */
export function compilePattern(t: Term, s: Scope): (next: K) => VK {
  if (t.type === 'var' && !s.global(t.name)) {
    if (isWildcard(t.name) && !s.isBound(t.name)) return (next) => (f, c) => next(f, c);
    if (!s.isBound(t.name)) {
      const slot = s.bind(t.name);
      return (next) => (f, c, v) => {
        f[slot] = v;
        const r = next(f, c);
        f[slot] = undefined;
        return r;
      };
    }
  }
  if (t.type === 'array' && !isGround(t, s)) return compileArrayPattern(t.items, s);
  if (t.type === 'object' && !isGround(t, s)) return compileObjectPattern(t.entries, s);
  return compareWith(compileTerm(t, s), s);
}

function compareWith(ct: CTerm, s: Scope): (next: K) => VK {
  const ev = ct.eval;
  if (ev) return (next) => (f, c, v) => { const w = ev(f, c); return w !== undefined && equals(v, w) && next(f, c); };
  const t = s.layout.temp();
  return (next) => {
    const g = ct.gen((f, c, w) => equals(f[t] as Value, w) && next(f, c));
    return (f, c, v) => { f[t] = v; return g(f, c); };
  };
}

function compileArrayPattern(items: Term[], s: Scope): (next: K) => VK {
  const pats = items.map((x) => compilePattern(x, s));
  const t = s.layout.temp();
  const n = items.length;
  return (next) => {
    let k: K = next;
    for (let i = n - 1; i >= 0; i--) {
      const vk = pats[i](k);
      k = (f, c) => vk(f, c, (f[t] as Value[])[i]);
    }
    const first = k;
    return (f, c, v) => {
      if (!Array.isArray(v) || v.length !== n) return false;
      const saved = f[t];
      f[t] = v;
      const r = first(f, c);
      f[t] = saved;
      return r;
    };
  };
}

function compileObjectPattern(entries: Array<[Term, Term]>, s: Scope): (next: K) => VK {
  const keys = entries.map(([k]) => {
    const ct = compileTerm(k, s);
    if (!ct.eval) throw new Unsafe(firstUnbound(k, s) ?? '_', k.loc);
    return ct.eval;
  });
  const pats = entries.map(([, v]) => compilePattern(v, s));
  const t = s.layout.temp();
  const n = entries.length;
  return (next) => {
    let k: K = next;
    for (let i = n - 1; i >= 0; i--) {
      const vk = pats[i](k), key = keys[i];
      k = (f, c) => {
        const kv = key(f, c);
        if (kv === undefined) return false;
        const x = (f[t] as ObjectValue).get(kv);
        return x !== undefined && vk(f, c, x);
      };
    }
    const first = k;
    return (f, c, v) => {
      if (!(v instanceof ObjectValue) || v.size !== n) return false;
      const saved = f[t];
      f[t] = v;
      const r = first(f, c);
      f[t] = saved;
      return r;
    };
  };
}

/** True when every variable of the term (outside nested bodies) is bound or global. */
export function isGround(t: Term, s: Scope): boolean {
  return firstUnbound(t, s) === undefined;
}

/** The first variable of a term that is neither bound nor global. */
export function firstUnbound(t: Term, s: Scope): string | undefined {
  switch (t.type) {
    case 'var': return s.isBound(t.name) || s.global(t.name) ? undefined : t.name;
    case 'ref': {
      const h = firstUnbound(t.head, s);
      if (h !== undefined) return h;
      for (const p of t.path) { const x = firstUnbound(p, s); if (x !== undefined) return x; }
      return undefined;
    }
    case 'array':
    case 'set':
      for (const x of t.items) { const y = firstUnbound(x, s); if (y !== undefined) return y; }
      return undefined;
    case 'object':
      for (const [k, v] of t.entries) {
        const y = firstUnbound(k, s) ?? firstUnbound(v, s);
        if (y !== undefined) return y;
      }
      return undefined;
    case 'call':
      for (const a of t.args) { const y = firstUnbound(a, s); if (y !== undefined) return y; }
      return undefined;
    default: return undefined;
  }
}
