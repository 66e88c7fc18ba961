/**
 * Rego-syntax text of a value for failure messages: sets as `{1, 2}` (or `set()`),
 * so that a set and an array never look alike.
 */
import { formatRego, type Value } from '../value/index.js';

/** Formats `v` as Rego source would write it, with set members and object keys sorted. */
export const formatValue = (v: Value): string => formatRego(v);

/** Formats a list of result values, one per line when there are several. */
export function formatValueList(values: Value[]): string {
  if (values.length === 0) return '(no value)';
  if (values.length === 1) return formatValue(values[0]);
  return values.map((v, i) => `#${i + 1} ${formatValue(v)}`).join('; ');
}
