/**
 * `print(...)`: writes its arguments to the context's print sink. The evaluator passes an
 * undefined argument as the JS value `undefined`, printed as `<undefined>`.
 */
import { formatRego as formatValue, type Value } from '../value/index.js';
import type { Builtin, BuiltinContext } from './types.js';

/** A value in Rego notation: `[1, "a"]`, `{"k": 1}`, `{1, 2}`, `set()`. */
export const formatRego = (v: Value): string => formatValue(v);

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
