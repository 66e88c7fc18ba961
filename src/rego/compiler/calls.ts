/**
 * Calls: builtins, user functions, and the comparison operators (inlined). The callee is
 * resolved at compile time; a `with` replacement is looked up at run time only when the
 * evaluation has replacements at all.
 */
import type { CallTerm, Location, Term } from '../ast/nodes.js';
import { BuiltinError, type Builtin } from '../builtins/types.js';
import { raise, RegoError } from '../errors.js';
import { compare, equals, ObjectValue, SetValue, type Value } from '../value/index.js';
import type { Ctx, Eval, K, Mock, VK } from './context.js';
import { callWithoutArgs } from './datarefs.js';
import { formatForPrint } from './print.js';
import { markVolatile, type Scope } from './scope.js';
import { applyBinary, BINARY_OPERATORS, member, operandValue, TestSpec } from './operands.js';
import { compilePattern, compileSequence, compileTerm, evalTerm, operandOf, type CTerm } from './terms.js';
import type { TreeNode } from './tree.js';

/** What a call names, resolved at compile time. */
export type Callee =
  | { kind: 'builtin'; key: string; builtin: Builtin }
  | { kind: 'function'; key: string; node: TreeNode };

function memberWithKey(k: Value, x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < coll.length && equals(coll[k], x);
  if (coll instanceof SetValue) return equals(k, x) && coll.has(x);
  if (coll instanceof ObjectValue) { const v = coll.get(k); return v !== undefined && equals(v, x); }
  return false;
}

const inline = (name: string, arity: number, fn: (a: Value[]) => Value): Builtin => ({ name, arity, fn });

/** Operators evaluated without going through the builtin table. */
const INLINE: ReadonlyMap<string, Builtin> = new Map([
  inline('equal', 2, (a) => equals(a[0], a[1])),
  inline('neq', 2, (a) => !equals(a[0], a[1])),
  inline('lt', 2, (a) => compare(a[0], a[1]) < 0),
  inline('lte', 2, (a) => compare(a[0], a[1]) <= 0),
  inline('gt', 2, (a) => compare(a[0], a[1]) > 0),
  inline('gte', 2, (a) => compare(a[0], a[1]) >= 0),
  inline('internal.member_2', 2, (a) => member(a[0], a[1])),
  inline('internal.member_3', 3, (a) => memberWithKey(a[0], a[1], a[2])),
].map((b) => [b.name, b]));

/** The dotted name a callee was written as (`count`, `data.lib.f`, `time.now_ns`). */
export function calleeSegments(fn: Term): string[] | undefined {
  if (fn.type === 'var') return [fn.name];
  if (fn.type !== 'ref' || fn.head.type !== 'var') return undefined;
  const out = [fn.head.name];
  for (const p of fn.path) {
    if (p.type !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

function findNode(root: TreeNode, path: readonly string[]): TreeNode | undefined {
  let n: TreeNode | undefined = root;
  for (const p of path) {
    n = n.children.get(p);
    if (!n) return undefined;
  }
  return n;
}

/** Resolves a callee name to a user function or builtin; undefined when unknown. */
export function resolveCallee(segs: string[], s: Scope): Callee | undefined {
  const env = s.env;
  let node: TreeNode | undefined;
  if (segs[0] === 'data') node = findNode(env.tree, segs.slice(1));
  else {
    const imp = env.imports.get(segs[0]);
    if (imp && imp.root === 'data') {
      const base = imp.path.map((t) => (t.type === 'string' ? t.value : ''));
      node = findNode(env.tree, [...base, ...segs.slice(1)]);
    } else if (env.pkg) node = findNode(env.pkg, segs);
  }
  if (node && node.kind === 'function') return { kind: 'function', key: node.name, node };
  const name = segs.join('.');
  const b = INLINE.get(name) ?? env.builtins.get(name);
  if (b) return { kind: 'builtin', key: name, builtin: b };
  return undefined;
}

/**
 * Compiles a call term. A call written as a whole expression may pass one argument more
 * than the callee takes: the last is then an output, unified with the result.
 */
export function compileCall(t: CallTerm, s: Scope, statement = false): CTerm {
  const segs = calleeSegments(t.fn);
  const name = segs?.join('.') ?? '?';
  const callee = segs ? resolveCallee(segs, s) : undefined;
  // `print` is the evaluator's own: it must see undefined arguments, which builtins never do.
  if (name === 'print' && callee?.kind !== 'function') {
    markVolatile(s);
    return compilePrint(t, s);
  }
  if (!callee) return raise('rego_type_error', `undefined function ${name}`, t.loc);
  if (callee.kind === 'builtin' && callee.builtin.nondeterministic === true) markVolatile(s);
  const arity = callee.kind === 'function' ? callee.node.arity : callee.builtin.arity;
  if (callee.kind === 'function') s.env.deps.add(callee.node);
  if (arity >= 0 && t.args.length !== arity && !(statement && t.args.length === arity + 1)) {
    raise('rego_type_error', `${name}: arity mismatch: expected ${arity} arguments, got ${t.args.length}`, t.loc);
  }
  const inputs = arity >= 0 ? t.args.slice(0, arity) : t.args;
  const args = inputs.map((a) => compileTerm(a, s));
  const invoke = makeInvoker(callee, name, t.loc);
  const binary = BINARY_OPERATORS.indexOf(name);
  if (binary >= 0 && callee.kind === 'builtin' && t.args.length === 2 && args[0].eval && args[1].eval) {
    return binaryCall(binary, args[0], args[1], invoke);
  }
  const relation = callee.kind === 'builtin' && callee.builtin.relation === true;
  const call = relation ? relationCall(args, s, invoke) : compileSequence(args, s, invoke);
  if (arity >= 0 && t.args.length === arity + 1) return withOutput(call, compilePattern(t.args[arity], s));
  return call;
}

/** The function that performs the call on evaluated arguments. */
function makeInvoker(callee: Callee, name: string, loc: Location): (vs: Value[], c: Ctx) => Value | undefined {
  const key = callee.key;
  if (callee.kind === 'function') {
    const node = callee.node;
    if (node.arity === 0) {
      return (vs, c) => {
        const m = c.mocks === null ? undefined : c.mocks.get(key);
        return m ? callMock(m, vs, c, name, loc) : callWithoutArgs(node, c);
      };
    }
    return (vs, c) => {
      if (c.mocks !== null) {
        const m = c.mocks.get(key);
        if (m) return callMock(m, vs, c, name, loc);
      }
      return (node.call as (a: Value[], c: Ctx) => Value | undefined)(vs, c);
    };
  }
  const b = callee.builtin;
  return (vs, c) => {
    if (c.mocks !== null) {
      const m = c.mocks.get(key);
      if (m) return callMock(m, vs, c, name, loc);
    }
    return callBuiltin(b, vs, c, name, loc);
  };
}

/**
 * Runs a builtin, turning its errors into RegoErrors (strict) or undefined (non-strict).
 * An unexpected exception from a builtin counts as a builtin error, not a crash.
 */
function callBuiltin(b: Builtin, vs: Value[], c: Ctx, name: string, loc: Location): Value | undefined {
  try {
    return b.fn(vs, c.shared.builtinCtx);
  } catch (e) {
    if (e instanceof RegoError || e instanceof RangeError) throw e;
    if (!c.shared.strict) return undefined;
    const kind = e instanceof BuiltinError && e.kind === 'type' ? 'eval_type_error' : 'eval_builtin_error';
    throw new RegoError(kind, `${name}: ${e instanceof Error ? e.message : String(e)}`, loc);
  }
}

function callMock(m: Mock, vs: Value[], c: Ctx, name: string, loc: Location): Value | undefined {
  switch (m.kind) {
    case 'value': return m.value;
    case 'builtin': return callBuiltin(m.builtin, vs, c, name, loc);
    case 'function': return (m.node.call as (a: Value[], c: Ctx) => Value | undefined)(vs, c);
  }
}

type Invoke = (vs: Value[], c: Ctx) => Value | undefined;

/**
 * A comparison or `in` of two single-valued operands: the hot path of most policies. The
 * operands are read as data where they can be (see operands.ts); as a statement it is a
 * test that never boxes its result.
 */
function binaryCall(kind: number, leftTerm: CTerm, rightTerm: CTerm, invoke: Invoke): CTerm {
  const left = operandOf(leftTerm), right = operandOf(rightTerm);
  const ev: Eval = (f, c) => {
    const a = operandValue(left, f, c);
    if (a === undefined) return undefined;
    const b = operandValue(right, f, c);
    if (b === undefined) return undefined;
    return c.mocks === null ? applyBinary(kind, a, b) : invoke([a, b], c);
  };
  return { ...evalTerm(ev), test: TestSpec.binary(kind, left, right, invoke) };
}

/** A relation builtin: each of its results is one value of the call. */
function relationCall(args: CTerm[], s: Scope, invoke: (vs: Value[], c: Ctx) => Value | undefined): CTerm {
  const all = compileSequence(args, s, invoke);
  return {
    eval: null,
    gen(next: VK): K {
      return all.gen((f, c, results) => {
        for (const r of results as Value[]) {
          c.shared.limiter.step();
          if (next(f, c, r)) return true;
        }
        return false;
      });
    },
  };
}

/** A call with an output argument: its value is `true` once the output is unified. */
function withOutput(call: CTerm, pattern: (next: K) => VK): CTerm {
  return {
    eval: null,
    gen(next: VK): K {
      return call.gen(pattern((f, c) => next(f, c, true)));
    },
  };
}

/**
 * `print(a, b…)`: every argument is collected over all its values (none prints
 * `<undefined>`), the message goes to the print hook and the call is true.
 */
function compilePrint(t: CallTerm, s: Scope): CTerm {
  const temps = t.args.map(() => s.layout.temp());
  const collectors: K[] = t.args.map((a, i) => {
    const ct = compileTerm(a, s.fork());
    const slot = temps[i];
    return ct.gen((f, _c, v) => { (f[slot] as Value[]).push(v); return false; });
  });
  return {
    eval: (f, c) => {
      const parts: string[] = [];
      for (let i = 0; i < collectors.length; i++) {
        f[temps[i]] = [];
        collectors[i](f, c);
        const vs = f[temps[i]] as Value[];
        parts.push(vs.length === 0 ? '<undefined>' : vs.map(formatForPrint).join(' '));
        f[temps[i]] = undefined;
      }
      c.shared.print(parts.join(' '));
      return true;
    },
    gen(next: VK): K {
      const ev = this.eval as (f: unknown[], c: Ctx) => Value;
      return (f, c) => next(f, c, ev(f, c));
    },
  };
}
