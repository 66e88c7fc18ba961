/**
 * Rego-syntax text of a value for failure messages: sets as `{1, 2}` (or `set()`),
 * so that a set and an array never look alike.
 */
import { SetValue, num, sortValues, type ObjectValue, type Value } from '../value/index.js';

/** Formats `v` as Rego source would write it, with set members and object keys sorted. */
export function formatValue(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return String(v);
    case 'number':
    case 'bigint': return num.formatNumber(v);
    case 'string': return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${sortValues(v.values()).map(formatValue).join(', ')}}`;
  return formatObject(v);
}

function formatObject(o: ObjectValue): string {
  const parts = sortValues(o.keys()).map((k) => `${formatValue(k)}: ${formatValue(o.get(k) as Value)}`);
  return `{${parts.join(', ')}}`;
}

/** Formats a list of result values, one per line when there are several. */
export function formatValueList(values: Value[]): string {
  if (values.length === 0) return '(no value)';
  if (values.length === 1) return formatValue(values[0]);
  return values.map((v, i) => `#${i + 1} ${formatValue(v)}`).join('; ');
}
