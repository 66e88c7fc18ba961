/**
 * How `print` shows values: strings as they are at the top level, everything else in
 * Rego syntax (`[1, 2]`, `{1, 2}`, `{"a": 1}`).
 */
import { formatRego, type Value } from '../value/index.js';

/** Text `print` writes for one argument value. */
export function formatForPrint(v: Value): string {
  return typeof v === 'string' ? v : formatValue(v);
}

/** Rego text of a value. */
export const formatValue = (v: Value): string => formatRego(v);
