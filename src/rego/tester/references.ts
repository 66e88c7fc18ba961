/**
 * The rule paths a rule refers to, read from its AST: `data.…` refs, names of rules of its
 * own package (plain or as the head of a ref or call) and names brought in by imports.
 * This over-approximates (a local variable named like a rule counts as a reference),
 * which errs towards calling a rule covered, never towards hiding a reference.
 */
import type { Body, Expr, Import, Module, Rule, Term } from '../ast/nodes.js';

/** Maps import aliases of a module to the data paths they stand for. */
export function importAliases(module: Module): Map<string, string[]> {
  const aliases = new Map<string, string[]>();
  for (const imp of module.imports) {
    const path = importPath(imp);
    if (path && path[0] === 'data' && path.length > 1) aliases.set(imp.alias ?? path[path.length - 1], path.slice(1));
  }
  return aliases;
}

function importPath(imp: Import): string[] | undefined {
  const p = imp.path;
  if (p.type === 'var') return [p.name];
  if (p.head.type !== 'var') return undefined;
  const out = [p.head.name];
  for (const t of p.path) {
    if (t.type !== 'string') return undefined;
    out.push(t.value);
  }
  return out;
}

/** Resolves names of a module to data paths. */
interface Scope {
  package: string[];
  aliases: Map<string, string[]>;
}

/** Every data path (below `data`) that `rule` mentions. */
export function ruleReferences(module: Module, rule: Rule): string[][] {
  const scope: Scope = { package: module.package, aliases: importAliases(module) };
  const out: string[][] = [];
  const visit = (t: Term) => termRefs(t, scope, out);
  rule.head.ref.slice(1).forEach(visit);
  rule.head.args?.forEach(visit);
  if (rule.head.key) visit(rule.head.key);
  if (rule.head.value) visit(rule.head.value);
  bodyRefs(rule.body, scope, out);
  for (const e of rule.else) {
    if (e.value) visit(e.value);
    bodyRefs(e.body, scope, out);
  }
  return out;
}

function bodyRefs(body: Body, scope: Scope, out: string[][]): void {
  for (const expr of body) exprRefs(expr, scope, out);
}

function exprRefs(expr: Expr, scope: Scope, out: string[][]): void {
  const visit = (t: Term) => termRefs(t, scope, out);
  for (const w of expr.with) visit(w.value);
  switch (expr.type) {
    case 'term': return visit(expr.term);
    case 'assign':
    case 'unify': visit(expr.left); return visit(expr.right);
    case 'some': return;
    case 'somein':
      if (expr.key) visit(expr.key);
      visit(expr.value);
      return visit(expr.collection);
    case 'every':
      visit(expr.domain);
      return bodyRefs(expr.body, scope, out);
  }
}

function termRefs(t: Term, scope: Scope, out: string[][]): void {
  const visit = (x: Term) => termRefs(x, scope, out);
  switch (t.type) {
    case 'var': return pushName(t.name, [], scope, out);
    case 'ref': return refRefs(t.head, t.path, scope, out);
    case 'call':
      termRefs(t.fn, scope, out);
      return t.args.forEach(visit);
    case 'array':
    case 'set': return t.items.forEach(visit);
    case 'object': return t.entries.forEach(([k, v]) => { visit(k); visit(v); });
    case 'arraycomp':
    case 'setcomp': visit(t.term); return bodyRefs(t.body, scope, out);
    case 'objectcomp': visit(t.key); visit(t.value); return bodyRefs(t.body, scope, out);
    default: return;
  }
}

function refRefs(head: Term, path: Term[], scope: Scope, out: string[][]): void {
  path.forEach((p) => termRefs(p, scope, out));
  if (head.type !== 'var') return termRefs(head, scope, out);
  pushName(head.name, constantPrefix(path), scope, out);
}

/** The leading string segments of a ref path, up to the first non-constant one. */
function constantPrefix(path: Term[]): string[] {
  const out: string[] = [];
  for (const t of path) {
    if (t.type !== 'string') break;
    out.push(t.value);
  }
  return out;
}

function pushName(name: string, rest: string[], scope: Scope, out: string[][]): void {
  if (name === 'data') out.push(rest);
  else if (name === 'input' || name === '_') return;
  else if (scope.aliases.has(name)) out.push([...(scope.aliases.get(name) as string[]), ...rest]);
  else out.push([...scope.package, name, ...rest]);
}
