/**
 * `expr with target as value`. The expression runs in a child context where `input` or
 * part of `data` is replaced, or a function/builtin is mocked; the rest of the body
 * continues in the original context. The child context has its own memo, since rule
 * values computed under the replacement must not leak out of it (nor in).
 */
import type { Expr, Term, WithModifier } from '../ast/nodes.js';
import { raise } from '../errors.js';
import type { Value } from '../value/index.js';
import { calleeSegments, resolveCallee } from './calls.js';
import { Ctx, type Eval, type Frame, type Mock } from './context.js';
import type { Builder } from './exprs.js';
import { markVolatile, type Scope } from './scope.js';
import { compileTerm } from './terms.js';
import type { TreeNode } from './tree.js';
import { replaceAtPath } from './values.js';

type Modifier =
  | { kind: 'input'; path: string[]; value: Eval }
  | { kind: 'data'; path: string[]; value: Eval; masked: TreeNode[] }
  | { kind: 'mock'; key: string; mock: Mock | { kind: 'eval'; value: Eval } };

/** Wraps the expression compiled by `compileInner` in its `with` modifiers. */
export function compileWith(e: Expr, s: Scope, compileInner: (s: Scope) => Builder): Builder {
  const mods = e.with.map((w) => compileModifier(w, s));
  const inner = compileInner(s);
  const saved = s.layout.temp();
  return (next) => {
    const body = inner((f, _c) => next(f, f[saved] as Ctx));
    return (f, c) => {
      const child = applyModifiers(mods, f, c);
      if (!child) return false;
      f[saved] = c;
      return body(f, child);
    };
  };
}

function staticPath(terms: Term[], w: WithModifier): string[] {
  return terms.map((t) => (t.type === 'string' ? t.value : raise('rego_compile_error', 'with target path must be static', w.loc)));
}

function compileModifier(w: WithModifier, s: Scope): Modifier {
  const target = w.target;
  const headName = target.type === 'var' ? target.name : target.head.type === 'var' ? target.head.name : undefined;
  const rest = target.type === 'ref' ? target.path : [];
  const global = headName === undefined ? undefined : s.global(headName);
  if (global?.root === 'input') {
    return { kind: 'input', path: staticPath([...global.path, ...rest], w), value: valueOf(w.value, s) };
  }
  const segs = calleeSegments(target);
  const callee = segs ? resolveCallee(segs, s) : undefined;
  if (callee && (callee.kind === 'function' || headName !== 'data')) {
    const mock = mockOf(w.value, s);
    const arity = callee.kind === 'function' ? callee.node.arity : callee.builtin.arity;
    const mockArity = mock.kind === 'function' ? mock.node.arity : mock.kind === 'builtin' ? mock.builtin.arity : arity;
    if (mockArity !== arity && mockArity >= 0 && arity >= 0) {
      raise('rego_type_error', `with: ${callee.key} takes ${arity} arguments, its replacement ${mockArity}`, w.loc);
    }
    return { kind: 'mock', key: callee.key, mock };
  }
  if (global?.root === 'data') {
    const path = staticPath([...global.path, ...rest], w);
    return { kind: 'data', path, value: valueOf(w.value, s), masked: maskedBy(s.env.tree, path) };
  }
  return raise('rego_compile_error', 'with keyword target must reference existing input, data, or a function', w.loc);
}

function valueOf(t: Term, s: Scope): Eval {
  const ct = compileTerm(t, s);
  if (ct.eval) return ct.eval;
  return (f, c) => {
    let first: Value | undefined;
    ct.gen((_f, _c, v) => { first = v; return true; })(f, c);
    return first;
  };
}

function mockOf(t: Term, s: Scope): Mock | { kind: 'eval'; value: Eval } {
  const segs = t.type === 'var' && s.isBound(t.name) ? undefined : calleeSegments(t);
  const callee = segs ? resolveCallee(segs, s) : undefined;
  if (callee?.kind === 'function') {
    s.env.deps.add(callee.node);
    return { kind: 'function', node: callee.node };
  }
  if (callee && !(t.type === 'var' && s.global(t.name))) {
    if (callee.builtin.nondeterministic === true || callee.builtin.name === 'print') markVolatile(s);
    return { kind: 'builtin', builtin: callee.builtin };
  }
  return { kind: 'eval', value: valueOf(t, s) };
}

/** Rule nodes whose values a `with data.path` replaces. */
function maskedBy(root: TreeNode, path: string[]): TreeNode[] {
  let n: TreeNode | undefined = root;
  for (const p of path) {
    const next: TreeNode | undefined = n.children.get(p);
    if (!next) return n.hasRules ? [n] : [];
    n = next;
  }
  return [...n.walk()];
}

function applyModifiers(mods: Modifier[], f: Frame, c: Ctx): Ctx | undefined {
  let input = c.input;
  let data = c.data;
  let masked: Set<TreeNode> | null = c.masked ? new Set(c.masked) : null;
  let mocks: Map<string, Mock> | null = c.mocks ? new Map(c.mocks) : null;
  for (const m of mods) {
    if (m.kind === 'mock') {
      let mock: Mock;
      if (m.mock.kind === 'eval') {
        const v = m.mock.value(f, c);
        if (v === undefined) return undefined;
        mock = { kind: 'value', value: v };
      } else mock = m.mock;
      (mocks ??= new Map()).set(m.key, mock);
      continue;
    }
    const v = m.value(f, c);
    if (v === undefined) return undefined;
    if (m.kind === 'input') input = replaceAtPath(input, m.path, v);
    else {
      data = replaceAtPath(data, m.path, v);
      masked ??= new Set();
      for (const n of m.masked) masked.add(n);
    }
  }
  return new Ctx(input, data, c.shared, masked, mocks);
}
