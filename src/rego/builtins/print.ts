/**
 * `print(...)`: writes its arguments to the context's print sink. The evaluator passes an
 * undefined argument as the JS value `undefined`, printed as `<undefined>`.
 */
import { SetValue, num, sortValues, type ObjectValue, type Value } from '../value/index.js';
import type { Builtin, BuiltinContext } from './types.js';

/** A value in Rego notation: `[1, "a"]`, `{"k": 1}`, `{1, 2}`, `set()`. */
export function formatRego(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return String(v);
    case 'number':
    case 'bigint': return num.formatNumber(v);
    case 'string': return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(formatRego).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${sortValues(v.values()).map(formatRego).join(', ')}}`;
  const o = v as ObjectValue;
  return `{${sortValues(o.keys()).map((k) => `${formatRego(k)}: ${formatRego(o.get(k) as Value)}`).join(', ')}}`;
}

/** One print argument: a string bare, anything else in Rego notation. */
export function formatPrintArg(v: Value | undefined): string {
  if (v === undefined) return '<undefined>';
  return typeof v === 'string' ? v : formatRego(v);
}

/** Prints its arguments joined by a space; always succeeds (returns true). */
function print(args: Array<Value | undefined>, ctx: BuiltinContext): Value {
  ctx.print(args.map(formatPrintArg).join(' '));
  return true;
}

/** The print builtin (variadic). */
export const printBuiltins: Builtin[] = [{ name: 'print', arity: -1, fn: print as Builtin['fn'] }];
