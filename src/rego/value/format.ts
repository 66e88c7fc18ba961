/**
 * Values in Rego notation — `[1, "a"]`, `{"k": 1}`, `{1, 2}`, `set()` — with set members
 * and object keys in Rego order, so a set never looks like an array. `print`, `sprintf`'s
 * `%v` and the conformance report all write values this way; only how strings are quoted
 * differs between them.
 */
import { sortValues } from './compare.js';
import { formatNumber } from './number.js';
import { SetValue, type ObjectValue, type Value } from './types.js';

export function formatRego(v: Value, quote: (s: string) => string = JSON.stringify): string {
  const format = (x: Value): string => formatRego(x, quote);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return String(v);
    case 'number':
    case 'bigint': return formatNumber(v);
    case 'string': return quote(v);
  }
  if (Array.isArray(v)) return `[${v.map(format).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${sortValues(v.values()).map(format).join(', ')}}`;
  const o = v as ObjectValue;
  return `{${sortValues(o.keys()).map((k) => `${format(k)}: ${format(o.get(k) as Value)}`).join(', ')}}`;
}
