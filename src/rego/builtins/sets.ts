/**
 * Set builtins over sets of sets. The binary `&` and `|` are the `and`/`or` operators.
 */
import { SetValue, type Value } from '../value/index.js';
import { ensureSet, operandError, typeName } from './args.js';
import type { Builtin } from './types.js';

/** The member sets of a set-of-sets argument. */
function setsOf(args: Value[], name: string): SetValue[] {
  const members = ensureSet(args, 0, name).values();
  for (const m of members) {
    if (!(m instanceof SetValue)) throw operandError(name, 0, `must be set of sets but got set containing ${typeName(m)}`);
  }
  return members as SetValue[];
}

function intersection(args: Value[]): Value {
  const sets = setsOf(args, 'intersection');
  if (sets.length === 0) return new SetValue();
  const [first, ...rest] = sets.sort((a, b) => a.size - b.size);
  return SetValue.from(first.values().filter((x) => rest.every((s) => s.has(x))));
}

function union(args: Value[]): Value {
  const out = new SetValue();
  for (const s of setsOf(args, 'union')) s.forEach((x) => out.add(x));
  return out;
}

/** The set family. */
export const setBuiltins: Builtin[] = [
  { name: 'intersection', arity: 1, fn: intersection },
  { name: 'union', arity: 1, fn: union },
];
