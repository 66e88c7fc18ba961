/**
 * The value of a `default` rule must be a constant: no variables (except inside
 * comprehensions, where they are local), no references, no calls or operators.
 */
import type { Term } from '../ast/nodes.js';
import type { ParserState } from './state.js';

/** Fails with a parse error when `value` cannot be the value of a default rule. */
export function checkDefaultValue(p: ParserState, value: Term): void {
  const bad = findNonConstant(value);
  if (bad) p.fail(`default rule value cannot contain ${bad.what}`, bad.term.loc);
}

function findNonConstant(term: Term): { what: string; term: Term } | undefined {
  switch (term.type) {
    case 'var': return { what: `variable \`${term.name}\``, term };
    case 'ref': return { what: 'a reference', term };
    case 'call': return { what: term.operator ? `operator \`${term.operator}\`` : 'a call', term };
    case 'array':
    case 'set': return firstOf(term.items);
    case 'object': return firstOf(term.entries.flat());
    default: return undefined; // scalars and comprehensions
  }
}

function firstOf(terms: Term[]): { what: string; term: Term } | undefined {
  for (const t of terms) {
    const bad = findNonConstant(t);
    if (bad) return bad;
  }
  return undefined;
}

/** The arguments of a default function must be distinct variables (or `_`). */
export function checkDefaultArgs(p: ParserState, args: Term[]): void {
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg.type !== 'var') p.fail('default function arguments must be variables', arg.loc);
    if (arg.name !== '_' && seen.has(arg.name)) p.fail(`default function argument \`${arg.name}\` is repeated`, arg.loc);
    seen.add(arg.name);
  }
}
