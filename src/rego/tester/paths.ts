/**
 * Rule and package paths: from the AST to `string[]`, and back to Rego ref text.
 */
import type { Module, Rule, Term } from '../ast/nodes.js';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Ref text for `data` followed by `path`, quoting segments that are not identifiers. */
export function dataRef(path: string[]): string {
  return 'data' + path.map((s) => (identifier.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/**
 * The constant part of a rule head's path: the rule name, then the string segments that
 * follow it up to the first variable key (`p.q[x]` → `p.q`).
 */
export function ruleHeadPath(rule: Rule): string[] {
  const [first, ...rest] = rule.head.ref;
  const out = [nameOf(first)];
  for (const t of rest) {
    if (t.type !== 'string') break;
    out.push(t.value);
  }
  return out;
}

function nameOf(t: Term | undefined): string {
  if (t?.type === 'var') return t.name;
  if (t?.type === 'string') return t.value;
  return '?';
}

/** The full path of a rule below `data`: package then head path. */
export function rulePath(module: Module, rule: Rule): string[] {
  return [...module.package, ...ruleHeadPath(rule)];
}

/** True when one path is a prefix of the other (a reference to `a.b` reaches rules at `a.b.c`, and `a.b.c.d` reaches `a.b.c`). */
export function pathsOverlap(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
