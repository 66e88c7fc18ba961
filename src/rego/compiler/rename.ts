/**
 * Scoping pass. Gives every `_` a fresh name, renames variables declared in nested bodies
 * (comprehensions, `every`) apart so they cannot clash with outer ones, and checks `:=`:
 * a variable may be assigned once, and not after it was referenced or when an outer
 * scope already has it. The output is a renamed copy of the body; declared names of the
 * top-level body keep their names and are reported so they can shadow rule names.
 */
import type { Body, Expr, Term, VarTerm, WithModifier } from '../ast/nodes.js';
import { raise } from '../errors.js';

let counter = 0;

/** A fresh internal name; `$` cannot appear in source names. */
export function freshName(base: string): string {
  return `${base}$${++counter}`;
}

/** True for names the compiler made up for `_` wildcards. */
export function isWildcard(name: string): boolean {
  return name.startsWith('_$');
}

/** The source name of a (possibly renamed) variable. */
export function sourceName(name: string): string {
  const i = name.indexOf('$');
  return i < 0 ? name : name.slice(0, i);
}

interface Scope {
  readonly declared: Map<string, string>;
  /** Names occurring anywhere in this body (outside nested bodies). */
  readonly present: Set<string>;
  readonly parent: Scope | undefined;
  readonly nested: boolean;
  /** Names of the enclosing rule's arguments (they cannot be reassigned). */
  readonly args: ReadonlySet<string>;
}

/** Result of renaming a top-level body. */
export interface RenamedBody {
  body: Body;
  /** Names declared by `:=`, `some` or `some … in` at the top level. */
  declared: Set<string>;
  /** The head terms given, renamed in the body's scope. */
  terms: Term[];
}

/**
 * Renames a rule or query body. `args` are names bound by the rule head's arguments,
 * `outer` names visible from an enclosing scope (none for rules and queries).
 */
export function renameBody(body: Body, args: ReadonlySet<string> = new Set(), headTerms: Term[] = []): RenamedBody {
  const scope: Scope = { declared: new Map(), present: topLevelVars(body), parent: undefined, nested: false, args };
  const out = renameExprs(body, scope);
  const used = new Set<string>();
  const terms = headTerms.map((t) => renameTerm(t, scope, used));
  return { body: out, declared: new Set(scope.declared.keys()), terms };
}

function renameExprs(body: Body, scope: Scope): Body {
  const used = new Set<string>();
  return body.map((e) => renameExpr(e, scope, used));
}

function renameExpr(e: Expr, scope: Scope, used: Set<string>): Expr {
  const withs = e.with.map((w): WithModifier => ({ ...w, value: renameTerm(w.value, scope, used) }));
  switch (e.type) {
    case 'term':
      return { ...e, with: withs, term: renameTerm(e.term, scope, used) };
    case 'unify':
      checkShapes(e.left, e.right);
      return { ...e, with: withs, left: renameTerm(e.left, scope, used), right: renameTerm(e.right, scope, used) };
    case 'assign': {
      if (e.left.type !== 'var' && e.left.type !== 'array' && e.left.type !== 'object') {
        raise('rego_compile_error', 'cannot assign to ' + e.left.type + ': := needs a variable or a composite of variables on its left', e.left.loc);
      }
      checkShapes(e.left, e.right);
      const right = renameTerm(e.right, scope, used);
      for (const v of varsOf(e.left)) declare(v, scope, used, true);
      return { ...e, with: withs, right, left: renameTerm(e.left, scope, used) };
    }
    case 'some':
      for (const v of e.vars) declare(v, scope, used, false);
      return { ...e, with: withs, vars: e.vars.map((v) => renameTerm(v, scope, used) as VarTerm) };
    case 'somein': {
      const collection = renameTerm(e.collection, scope, used);
      for (const t of [e.key, e.value]) if (t) for (const v of varsOf(t)) declare(v, scope, used, false);
      const key = e.key ? renameTerm(e.key, scope, used) : undefined;
      return { ...e, with: withs, collection, key, value: renameTerm(e.value, scope, used) };
    }
    case 'every': {
      const domain = renameTerm(e.domain, scope, used);
      const inner = childScope(scope, e.body);
      const innerUsed = new Set<string>();
      for (const t of [e.key, e.value]) if (t) for (const v of varsOf(t)) declare(v, inner, innerUsed, false);
      const key = e.key ? (renameTerm(e.key, inner, innerUsed) as VarTerm) : undefined;
      const value = renameTerm(e.value, inner, innerUsed);
      return { ...e, with: withs, domain, key, value, body: renameExprs(e.body, inner) };
    }
  }
}

function childScope(parent: Scope, body: Body, extra: Term[] = []): Scope {
  const present = topLevelVars(body);
  for (const t of extra) for (const v of varsOf(t)) present.add(v.name);
  return { declared: new Map(), present, parent, nested: true, args: parent.args };
}

function declare(v: VarTerm, scope: Scope, used: Set<string>, assign: boolean): void {
  if (v.name === '_') return;
  if (scope.declared.has(v.name)) raise('rego_compile_error', `var ${v.name} assigned above`, v.loc);
  if (!assign && used.has(v.name)) raise('rego_compile_error', `var ${v.name} referenced above`, v.loc);
  if (assign) {
    if (used.has(v.name) || scope.args.has(v.name) || visibleOutside(v.name, scope)) {
      raise('rego_compile_error', `var ${v.name} referenced above`, v.loc);
    }
  }
  scope.declared.set(v.name, scope.nested ? freshName(v.name) : v.name);
}

/** Whether an enclosing body already has a variable of this name. */
function visibleOutside(name: string, scope: Scope): boolean {
  for (let s = scope.parent; s; s = s.parent) if (s.declared.has(name) || s.present.has(name)) return true;
  return false;
}

function resolve(name: string, scope: Scope): string {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const d = s.declared.get(name);
    if (d !== undefined) return d;
  }
  return name;
}

function renameTerm(t: Term, scope: Scope, used: Set<string>): Term {
  switch (t.type) {
    case 'var':
      if (t.name === '_') return { ...t, name: freshName('_') };
      used.add(t.name);
      return { ...t, name: resolve(t.name, scope) };
    case 'ref':
      return { ...t, head: renameTerm(t.head, scope, used), path: t.path.map((p) => renameTerm(p, scope, used)) };
    case 'array':
    case 'set':
      return { ...t, items: t.items.map((x) => renameTerm(x, scope, used)) };
    case 'object':
      return { ...t, entries: t.entries.map(([k, v]) => [renameTerm(k, scope, used), renameTerm(v, scope, used)]) };
    case 'call':
      return { ...t, fn: t.fn.type === 'ref' ? { ...t.fn, path: t.fn.path.map((p) => renameTerm(p, scope, used)) } : t.fn, args: t.args.map((a) => renameTerm(a, scope, used)) };
    case 'arraycomp':
    case 'setcomp': {
      const inner = childScope(scope, t.body, [t.term]);
      const body = renameExprs(t.body, inner);
      return { ...t, body, term: renameTerm(t.term, inner, new Set()) };
    }
    case 'objectcomp': {
      const inner = childScope(scope, t.body, [t.key, t.value]);
      const body = renameExprs(t.body, inner);
      return { ...t, body, key: renameTerm(t.key, inner, new Set()), value: renameTerm(t.value, inner, new Set()) };
    }
    default:
      return t;
  }
}

/** Variables of a term, not descending into comprehensions. */
export function varsOf(t: Term, out: VarTerm[] = []): VarTerm[] {
  switch (t.type) {
    case 'var': out.push(t); break;
    case 'ref': varsOf(t.head, out); for (const p of t.path) varsOf(p, out); break;
    case 'array':
    case 'set': for (const x of t.items) varsOf(x, out); break;
    case 'object': for (const [k, v] of t.entries) { varsOf(k, out); varsOf(v, out); } break;
    case 'call': for (const a of t.args) varsOf(a, out); break;
    default: break;
  }
  return out;
}

/** Names of variables occurring in a body's expressions, outside nested bodies. */
export function topLevelVars(body: Body): Set<string> {
  const names = new Set<string>();
  const add = (t: Term | undefined): void => { if (t) for (const v of varsOf(t)) names.add(v.name); };
  for (const e of body) {
    for (const w of e.with) add(w.value);
    switch (e.type) {
      case 'term': add(e.term); break;
      case 'unify':
      case 'assign': add(e.left); add(e.right); break;
      case 'some': for (const v of e.vars) names.add(v.name); break;
      case 'somein': add(e.key); add(e.value); add(e.collection); break;
      case 'every': add(e.domain); break;
    }
  }
  return names;
}

/** Rejects unifying two literals that can never match (array lengths, object keys, kinds). */
function checkShapes(a: Term, b: Term): void {
  if (a.type === 'array' && b.type === 'array') {
    if (a.items.length !== b.items.length) raise('rego_type_error', 'mismatch in number of array elements', a.loc);
    a.items.forEach((x, i) => checkShapes(x, b.items[i]));
    return;
  }
  if (a.type === 'object' && b.type === 'object') {
    const keysOf = (t: typeof a): string[] | undefined => {
      const ks = t.entries.map(([k]) => (k.type === 'string' ? k.value : undefined));
      return ks.every((k) => k !== undefined) ? (ks as string[]).sort() : undefined;
    };
    const ka = keysOf(a), kb = keysOf(b);
    if (ka && kb && ka.join('\u0000') !== kb.join('\u0000')) raise('rego_type_error', 'object literal keys mismatch', a.loc);
    return;
  }
  const shape = (t: Term): string | undefined => (t.type === 'array' || t.type === 'object' || t.type === 'set' ? t.type : undefined);
  const sa = shape(a), sb = shape(b);
  if (sa && sb && sa !== sb) raise('rego_type_error', `cannot unify ${sa} with ${sb}`, a.loc);
}
