import { ObjectValue, equals, type Value } from '../value/index.js';
import { resultSetToValues } from './resultValues.js';

const row = (expressions: Value[], bindings: Array<[string, Value]> = []) => ({ expressions, bindings: new Map(bindings) });

describe('resultSetToValues', () => {
  it('gives no value for an empty result set', () => {
    expect(resultSetToValues([])).toEqual([]);
  });

  it('gives each expression value of a single row without bindings', () => {
    expect(resultSetToValues([row([true, 3])])).toEqual([true, 3]);
  });

  it('gives the bindings object of a single row that bound variables', () => {
    const [v] = resultSetToValues([row([true, true], [['a', [1]], ['y', 2]])]);
    expect(equals(v, ObjectValue.from([['a', [1]], ['y', 2]]))).toBe(true);
  });

  it('gives per row the array of expressions, or the bindings object', () => {
    const values = resultSetToValues([row([true, 1]), row([true, 2], [['x', 2]])]);
    expect(values[0]).toEqual([true, 1]);
    expect(equals(values[1], ObjectValue.from([['x', 2]]))).toBe(true);
  });
});
