/**
 * `walk(x)`: a relation yielding `[path, value]` for x and every value nested in it.
 */
import { ObjectValue, SetValue, sortValues, type Value } from '../value/index.js';
import type { Builtin } from './types.js';

/** Pre-order: a value before its children; object keys and set members in Rego order. */
function visit(v: Value, path: Value[], out: Value[]): void {
  out.push([path, v]);
  if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i], out));
  else if (v instanceof SetValue) for (const x of sortValues(v.values())) visit(x, [...path, x], out);
  else if (v instanceof ObjectValue) for (const k of sortValues(v.keys())) visit(v.get(k) as Value, [...path, k], out);
}

/** Every `[path, value]` pair of `x`, the root (path `[]`) first. */
export function walkValue(x: Value): Value[] {
  const out: Value[] = [];
  visit(x, [], out);
  return out;
}

/** The walk relation. */
export const walkBuiltins: Builtin[] = [
  { name: 'walk', arity: 1, relation: true, fn: (args) => walkValue(args[0]) },
];
