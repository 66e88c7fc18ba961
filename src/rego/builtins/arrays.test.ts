import { call, errorOf, js, rego } from './testkit.js';

describe('array.concat and array.reverse', () => {
  it('joins and reverses arrays', () => {
    expect(rego(call('array.concat', [[1, 2], [3]]))).toBe(js([1, 2, 3]));
    expect(rego(call('array.concat', [[], []]))).toBe(js([]));
    expect(rego(call('array.reverse', [[1, 2, 3]]))).toBe(js([3, 2, 1]));
    expect(rego(call('array.reverse', [[]]))).toBe(js([]));
  });

  it('refuses non-arrays', () => {
    expect(errorOf('array.concat', [1, [2]]).message).toBe('operand 1 must be array but got number');
    expect(errorOf('array.concat', [[2], new Set()]).message).toBe('operand 2 must be array but got set');
    expect(errorOf('array.reverse', ['abc']).kind).toBe('type');
  });
});

describe('array.slice', () => {
  it.each<[number, number, unknown[]]>([
    [0, 1, [1]], [0, 2, [1, 2]], [2, 3, [3]], [0, 5, [1, 2, 3]], [5, 5, []],
    [-5, 5, [1, 2, 3]], [-5, 0, []], [-5, 1, [1]], [2, 1, []],
  ])('clamps [%p:%p] to the array', (from, to, want) => {
    expect(rego(call('array.slice', [[1, 2, 3], from, to]))).toBe(js(want));
  });

  it('is undefined for fractional bounds, as the conformance cases expect', () => {
    expect(call('array.slice', [[5], 1.1, 2])).toBeUndefined();
    expect(call('array.slice', [[5], 1, 2.1])).toBeUndefined();
  });

  it('refuses non-number bounds', () => {
    expect(errorOf('array.slice', [[2], '1', 2]).message).toBe('operand 2 must be number but got string');
    expect(errorOf('array.slice', [1, 2, 3]).kind).toBe('type');
  });
});
