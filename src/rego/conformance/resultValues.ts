/**
 * The README's rule for turning a result set into the list of values a case compares.
 */
import { ObjectValue, type Value } from '../value/index.js';
import type { ValueRow } from './engine.js';

/**
 * One row: its bindings object if it bound any variable, else each expression value.
 * Several rows: per row its bindings object, or the array of its expression values.
 * No rows (undefined): no values.
 */
export function resultSetToValues(rows: ValueRow[]): Value[] {
  if (rows.length === 1) {
    const [row] = rows;
    return row.bindings.size > 0 ? [bindingsObject(row.bindings)] : [...row.expressions];
  }
  return rows.map((row) => (row.bindings.size > 0 ? bindingsObject(row.bindings) : [...row.expressions]));
}

function bindingsObject(bindings: Map<string, Value>): ObjectValue {
  return ObjectValue.from(bindings);
}
