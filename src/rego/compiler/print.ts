/**
 * How `print` shows values: strings as they are at the top level, everything else in
 * Rego syntax (`[1, 2]`, `{1, 2}`, `{"a": 1}`).
 */
import type { ObjectValue} from '../value/index.js';
import { SetValue, sortValues, stringifyJSON, toJS, type Value } from '../value/index.js';

/** Text `print` writes for one argument value. */
export function formatForPrint(v: Value): string {
  return typeof v === 'string' ? v : formatValue(v);
}

/** Rego text of a value. */
export function formatValue(v: Value): string {
  if (v === null || typeof v !== 'object') return stringifyJSON(toJS(v));
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${sortValues(v.values()).map(formatValue).join(', ')}}`;
  const o = v as ObjectValue;
  return `{${sortValues(o.keys()).map((k) => `${formatValue(k)}: ${formatValue(o.get(k) as Value)}`).join(', ')}}`;
}
