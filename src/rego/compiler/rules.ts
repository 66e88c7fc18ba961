/**
 * Compiles the rules of one tree node into its `evaluate` (complete, partial set, partial
 * object) or `call` (function) closure. Every clause (a rule body or an `else`) runs in a
 * fresh frame whose slot 0 accumulates results, so conflicts between values are found
 * where they are produced.
 */
import type { Location, Term } from '../ast/nodes.js';
import { RegoError } from '../errors.js';
import { equals, ObjectValue, SetValue, type Value } from '../value/index.js';
import type { Ctx, Eval, Frame, K, VK } from './context.js';
import { genComplete, genSet } from './codegen.js';
import { nodeValue } from './datarefs.js';
import { compileBody } from './exprs.js';
import { renameBody, topLevelVars, varsOf } from './rename.js';
import { FrameLayout, Scope, Unsafe, type CompileEnv } from './scope.js';
import { holds, operandValue, type Operand, type TestSpec } from './operands.js';
import { compilePattern, compileSequence, compileTerm, isConstant, operandOf, type CTerm } from './terms.js';
import type { PlacedRule, TreeNode } from './tree.js';

/** One rule definition: its clauses in order (body, then each `else`). */
interface CompiledDef {
  readonly clauses: K[];
  readonly size: number;
  /** The head value when it is a constant: later solutions cannot change the result. */
  readonly constValue: Value | undefined;
  /**
   * Set for the commonest rule shapes (`p if { tests }`, `s contains "x" if { tests }`,
   * `p := input.x if { tests } else := …`): no arguments, every clause a body of tests
   * only (nothing bound, at most one solution) and a single-valued head value or key.
   * The definition then runs without the clauses' continuation closures.
   */
  readonly fast: FastClause[] | undefined;
}

/** A clause of a fast definition: its value (or set member) when every test holds. */
interface FastClause {
  readonly tests: TestSpec[];
  readonly value: Operand;
}

/** Frame of a fast definition that uses no slot. */
const NO_SLOTS: Frame = [];

/**
 * Runs a fast definition: the value of the first clause whose tests hold and whose value
 * is defined (as `runDef` does), or undefined.
 */
function runFast(d: CompiledDef, c: Ctx): Value | undefined {
  const clauses = d.fast as FastClause[];
  const f: Frame = d.size > 1 ? new Array(d.size) : NO_SLOTS;
  next: for (let j = 0; j < clauses.length; j++) {
    const tests = clauses[j].tests;
    for (let i = 0; i < tests.length; i++) if (!holds(tests[i], f, c)) continue next;
    const v = operandValue(clauses[j].value, f, c);
    if (v !== undefined) return v;
  }
  return undefined;
}

const TRUE_TERM = (loc: Location): Term => ({ type: 'boolean', value: true, loc });

/** Compiles the rules at `node` (environment per rule from `envOf`). */
export function compileNode(node: TreeNode, envOf: (p: PlacedRule) => CompileEnv): void {
  const defs = node.rules.map((p) => compileDef(p, envOf(p)));
  const dflt = node.defaults.length > 0 ? compileDefault(node.defaults[0], envOf(node.defaults[0])) : undefined;
  switch (node.kind) {
    case 'complete':
      if (defs.every((d) => d.fast)) {
        node.evaluate = genComplete(defs, dflt, () => conflict('complete rules must not produce multiple outputs', node), node.id);
      } else if (defs.length === 1 && defs[0].clauses.length === 1 && !dflt) {
        // One rule, no `else`, no default: the common shape, without the general loop.
        const clause = defs[0].clauses[0], size = defs[0].size;
        node.evaluate = (c) => {
          const f: Frame = new Array(size);
          clause(f, c);
          return f[0] as Value | undefined;
        };
      } else node.evaluate = (c) => evalComplete(defs, dflt, c, node);
      break;
    case 'set':
      if (defs.some((d) => d.fast)) {
        node.evaluate = genSet(defs, node.id);
        break;
      }
      node.evaluate = (c) => {
        const acc = new SetValue();
        runAll(defs, acc, c);
        return acc;
      };
      break;
    case 'object': {
      const defaults = node.defaults.map((d) => compileObjectDefault(d, envOf(d)));
      node.evaluate = (c) => {
        const acc = evalObject(node, defs, c);
        for (const d of defaults) d(acc, c);
        return acc;
      };
      break;
    }
    case 'function':
      node.call = (args, c) => callFunction(defs, dflt, args, c, node);
      break;
  }
}

function conflict(message: string, node: TreeNode): never {
  const loc = (node.rules[0] ?? node.defaults[0])?.rule.loc;
  throw new RegoError('eval_conflict_error', `${message}: ${node.name}`, loc);
}

function evalComplete(defs: CompiledDef[], dflt: Eval | undefined, c: Ctx, node: TreeNode): Value | undefined {
  let val: Value | undefined;
  for (const d of defs) {
    if (val !== undefined && d.constValue !== undefined && equals(val, d.constValue)) continue;
    const v = runDef(d, c, undefined);
    if (v === undefined) continue;
    if (val !== undefined && !equals(val, v)) conflict('complete rules must not produce multiple outputs', node);
    val = v;
  }
  if (val === undefined && dflt) val = dflt([], c);
  return val;
}

/** Runs a definition's clauses until one gives a result. */
function runDef(d: CompiledDef, c: Ctx, args: Value[] | undefined): Value | undefined {
  if (d.fast) return runFast(d, c);
  for (const clause of d.clauses) {
    const f: Frame = new Array(d.size);
    if (args) for (let i = 0; i < args.length; i++) f[1 + i] = args[i];
    clause(f, c);
    if (f[0] !== undefined) return f[0] as Value;
  }
  return undefined;
}

function runAll(defs: CompiledDef[], acc: Value, c: Ctx): void {
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i];
    if (d.fast) {
      const v = runFast(d, c);
      if (v !== undefined) (acc as SetValue).add(v);
      continue;
    }
    const f: Frame = new Array(d.size);
    f[0] = acc;
    d.clauses[0](f, c);
  }
}

function evalObject(node: TreeNode, defs: CompiledDef[], c: Ctx): ObjectValue {
  const acc = new ObjectValue();
  runAll(defs, acc, c);
  for (const [key, child] of node.children) {
    if (child.kind === 'function') continue;
    const v = nodeValue(child, c);
    if (v === undefined) continue;
    const old = acc.get(key);
    if (old !== undefined && !equals(old, v)) conflict('object keys must be unique', node);
    acc.set(key, v);
  }
  return acc;
}

function callFunction(defs: CompiledDef[], dflt: Eval | undefined, args: Value[], c: Ctx, node: TreeNode): Value | undefined {
  c.shared.limiter.step();
  let val: Value | undefined;
  for (const d of defs) {
    const v = runDef(d, c, args);
    if (v === undefined) continue;
    if (val !== undefined && !equals(val, v)) conflict('functions must not produce multiple outputs for same inputs', node);
    val = v;
  }
  if (val === undefined && dflt) val = dflt([], c);
  return val;
}

/** A default rule's value (a constant term). */
function compileDefault(p: PlacedRule, env: CompileEnv): Eval {
  const layout = new FrameLayout();
  const s = new Scope(env, layout, new Set(), new Set(), new Set(), new Set());
  const value = renameBody([], new Set(), [p.rule.head.value ?? TRUE_TERM(p.rule.loc)]).terms[0];
  const ct = compileTerm(value, s);
  const ev = singleValue(ct.eval, p);
  return (_f, c) => ev(new Array(layout.size), c);
}

/** A default rule's value must be one value: no iteration. */
function singleValue(ev: Eval | null, p: PlacedRule): Eval {
  if (!ev) throw new RegoError('rego_compile_error', 'default rule value must be a single value, not an iteration', p.rule.loc);
  return ev;
}

/** A default of an object rule: sets its constant key when no rule gave it a value. */
function compileObjectDefault(p: PlacedRule, env: CompileEnv): (acc: ObjectValue, c: Ctx) => void {
  const layout = new FrameLayout();
  const s = new Scope(env, layout, new Set(), new Set(), new Set(), new Set());
  const terms = renameBody([], new Set(), [...p.suffix, p.rule.head.value ?? TRUE_TERM(p.rule.loc)]).terms;
  const evs = terms.map((t) => singleValue(compileTerm(t, s).eval, p));
  return (acc, c) => {
    const f = new Array(layout.size);
    const vs = evs.map((ev) => ev(f, c));
    if (vs.some((v) => v === undefined)) return;
    const keys = vs.slice(0, -1) as Value[];
    let cur: Value | undefined = acc;
    for (const k of keys) cur = cur instanceof ObjectValue ? cur.get(k) : undefined;
    if (cur === undefined) insertAt(acc, keys, vs[vs.length - 1] as Value, false, p.rule.loc);
  };
}

function compileDef(p: PlacedRule, env: CompileEnv): CompiledDef {
  const rule = p.rule;
  const layout = new FrameLayout();
  const args = rule.head.args ?? [];
  for (let i = 0; i < args.length; i++) layout.temp();
  const mainValue = rule.head.value ?? (p.kind === 'set' || (rule.head.key && !rule.head.value) ? undefined : TRUE_TERM(rule.loc));
  const bodies = [{ body: rule.body, value: mainValue }, ...rule.else.map((e) => ({ body: e.body, value: e.value ?? TRUE_TERM(e.loc) }))];
  const fastClauses: FastClause[] = [];
  const onFast = args.length === 0 && (p.kind === 'complete' || p.kind === 'set') ? (fc: FastClause) => fastClauses.push(fc) : undefined;
  const clauses = bodies.map(({ body, value }) => compileClause(p, env, layout, body, value, onFast));
  const constValue = mainValue && p.kind === 'complete' && rule.else.length === 0 && isConstant(mainValue) ? literalOrComposite(mainValue, env) : undefined;
  const fast = fastClauses.length === clauses.length ? fastClauses : undefined;
  return { clauses, size: layout.size, constValue, fast };
}

function literalOrComposite(t: Term, env: CompileEnv): Value | undefined {
  const s = new Scope(env, new FrameLayout(), new Set(), new Set(), new Set(), new Set());
  return compileTerm(t, s).eval?.([], undefined as unknown as Ctx);
}

function compileClause(
  p: PlacedRule, env: CompileEnv, layout: FrameLayout, body: PlacedRule['rule']['body'], value: Term | undefined,
  onFast?: (clause: FastClause) => void,
): K {
  const head = p.rule.head;
  const args = head.args ?? [];
  const argNames = new Set(args.flatMap((a) => varsOf(a).map((v) => v.name)));
  const original = [...p.suffix, head.key, value, ...args];
  const given = original.filter((t): t is Term => t !== undefined);
  const renamed = renameBody(body, argNames, given);
  // Put the renamed head terms back in their places.
  const it = renamed.terms[Symbol.iterator]();
  const [suffix, key, val, rargs] = [
    p.suffix.map(() => it.next().value as Term),
    head.key ? (it.next().value as Term) : undefined,
    value ? (it.next().value as Term) : undefined,
    args.map(() => it.next().value as Term),
  ];
  if (p.module.regoVersion === 'v1') {
    for (const name of ['input', 'data']) {
      if (renamed.declared.has(name)) throw new RegoError('rego_compile_error', `${name} cannot be shadowed`, p.rule.loc);
    }
  }
  const present = topLevelVars(renamed.body);
  for (const t of renamed.terms) for (const v of varsOf(t)) present.add(v.name);
  const locals = new Set([...renamed.declared, ...argNames]);
  const s = new Scope(env, layout, new Set(), locals, present, new Set());
  try {
    const argPats = rargs.map((a) => compilePattern(a, s));
    const bodyB = compileBody(renamed.body, s);
    const tests = bodyB.tests;
    const final = compileHead(p, s, suffix, key, val, (ct) => {
      if (tests && onFast && ct.eval) onFast({ tests, value: operandOf(ct) });
    });
    let k = bodyB(final);
    for (let i = rargs.length - 1; i >= 0; i--) {
      const vk = argPats[i](k), slot = 1 + i;
      k = (f, c) => vk(f, c, f[slot] as Value);
    }
    return k;
  } catch (err) {
    if (err instanceof Unsafe) throw new RegoError('rego_unsafe_var_error', `var ${err.varName.replace(/\$\d+$/, '')} is unsafe`, err.loc);
    throw err;
  }
}

/** The continuation at the end of a clause: records the head's value in slot 0. */
function compileHead(
  p: PlacedRule, s: Scope, suffix: Term[], headKey: Term | undefined, value: Term | undefined,
  onTerm: (ct: CTerm) => void,
): K {
  const head = p.rule.head;
  const isSetLeaf = head.contains || (head.key !== undefined && head.value === undefined);
  if (p.kind === 'set') {
    const key = compileTerm(headKey as Term, s);
    onTerm(key);
    // A constant member cannot change with further solutions: stop at the first.
    const once = isConstant(headKey as Term);
    return key.gen((f, _c, v) => { (f[0] as SetValue).add(v); return once; });
  }
  if (p.kind === 'object') {
    const parts = suffix.map((t) => compileTerm(t, s));
    parts.push(compileTerm((isSetLeaf ? headKey : value) as Term, s));
    const loc = p.rule.loc;
    const seq = compileSequence(parts, s, (vs) => vs);
    const once = [...suffix, (isSetLeaf ? headKey : value) as Term].every(isConstant);
    return seq.gen((f, _c, vs) => {
      const all = vs as Value[];
      insertAt(f[0] as ObjectValue, all.slice(0, -1), all[all.length - 1], isSetLeaf, loc);
      return once;
    });
  }
  const ct = compileTerm(value as Term, s);
  onTerm(ct);
  const what = p.kind === 'function' ? 'functions must not produce multiple outputs for same inputs' : 'complete rules must not produce multiple outputs';
  if (value !== undefined && isConstant(value)) {
    // A constant value (`p if …`, `p := "x" if …`): the first solution settles it.
    const v = ct.eval?.([], undefined as unknown as Ctx) as Value;
    return (f) => {
      const prev = f[0] as Value | undefined;
      if (prev === undefined) f[0] = v;
      else if (!equals(prev, v)) throw new RegoError('eval_conflict_error', what, p.rule.loc);
      return true;
    };
  }
  const record: VK = (f, _c, v) => {
    const prev = f[0] as Value | undefined;
    if (prev === undefined) f[0] = v;
    else if (!equals(prev, v)) throw new RegoError('eval_conflict_error', what, p.rule.loc);
    return false;
  };
  return ct.gen(record);
}

/** Objects this module built (safe to extend in place). */
const owned = new WeakSet<ObjectValue>();

/** Places `v` at `keys` in a partial object, raising on a key given two values. */
function insertAt(root: ObjectValue, keys: Value[], v: Value, setLeaf: boolean, loc: Location): void {
  let cur = root;
  const last = keys.length - 1;
  for (let i = 0; i < last; i++) {
    let next = cur.get(keys[i]);
    if (next === undefined || (next instanceof ObjectValue && !owned.has(next))) {
      const fresh = new ObjectValue();
      if (next instanceof ObjectValue) next.forEach((x, k) => fresh.set(k, x));
      owned.add(fresh);
      cur.set(keys[i], fresh);
      next = fresh;
    } else if (!(next instanceof ObjectValue)) {
      throw new RegoError('eval_conflict_error', 'object keys must be unique', loc);
    }
    cur = next;
  }
  const key = keys[last];
  if (setLeaf) {
    let set = cur.get(key);
    if (set === undefined) cur.set(key, (set = new SetValue()));
    if (!(set instanceof SetValue)) throw new RegoError('eval_conflict_error', 'object keys must be unique', loc);
    set.add(v);
    return;
  }
  const old = cur.get(key);
  if (old !== undefined && !equals(old, v)) throw new RegoError('eval_conflict_error', 'object keys must be unique', loc);
  cur.set(key, v);
}
