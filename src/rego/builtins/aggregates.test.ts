import { call, errorOf, js, rego } from './testkit.js';

describe('count', () => {
  it.each<[unknown, number]>([
    [[], 0], [[1, 2, 3], 3], [{}, 0], [{ a: 1, b: 2 }, 2], [new Set(), 0], [new Set([1, 2]), 2],
    ['', 0], ['abc', 3], ['héllo', 5], ['😀x', 2],
  ])('count(%p) is %p (strings by code point)', (x, n) => {
    expect(call('count', [x])).toBe(n);
  });

  it('refuses scalars other than strings', () => {
    for (const x of [null, true, 5]) {
      expect(errorOf('count', [x])).toMatchObject({ kind: 'type', argIndex: 0 });
    }
    expect(errorOf('count', [5]).message).toBe('operand 1 must be one of {array, object, set, string} but got number');
  });
});

describe('sum and product', () => {
  it.each<[string, unknown, unknown]>([
    ['sum', [-1, 3, 2], 4], ['sum', [], 0], ['sum', new Set([3, 2, 1]), 6], ['sum', new Set(), 0],
    ['sum', [0.1, 0.2], 0.30000000000000004], ['sum', [2n ** 60n, 1], 2n ** 60n + 1n],
    ['product', [-1, 3, 2], -6], ['product', [], 1], ['product', new Set([3, 2, 1]), 6], ['product', [0], 0],
    ['product', [2n ** 40n, 2n ** 40n], 2n ** 80n],
  ])('%s(%p) is %p', (name, x, want) => {
    expect(rego(call(name, [x]))).toBe(js(want));
  });

  it('refuses non-collections and non-number elements', () => {
    for (const x of [null, true, 5, 'abc', {}]) expect(errorOf('sum', [x]).kind).toBe('type');
    expect(errorOf('product', [[1, 'a']]).kind).toBe('type');
  });
});

describe('max, min and sort', () => {
  it('picks by Rego order across types', () => {
    expect(call('max', [[-1, 3, 2]])).toBe(3);
    expect(call('min', [new Set([1, 2, -1])])).toBe(-1);
    expect(call('max', [[1, 'a', null]])).toBe('a');
    expect(call('min', [[1, 'a', null]])).toBe(null);
  });

  it('is undefined for an empty collection', () => {
    expect(call('max', [[]])).toBeUndefined();
    expect(call('min', [new Set()])).toBeUndefined();
  });

  it('sorts arrays and sets into arrays', () => {
    expect(rego(call('sort', [[1, -1, 2, -1]]))).toBe(js([-1, -1, 1, 2]));
    expect(rego(call('sort', [new Set([3, 2, 1])]))).toBe(js([1, 2, 3]));
    expect(rego(call('sort', [['b', 1, null, [0]]]))).toBe(js([null, 1, 'b', [0]]));
  });

  it('does not reorder its argument', () => {
    const arr = [3, 1, 2];
    const sorted = call('sort', [arr]);
    expect(rego(sorted)).toBe(js([1, 2, 3]));
    expect(arr).toEqual([3, 1, 2]);
  });

  it('refuses objects and scalars', () => {
    for (const name of ['max', 'min', 'sort']) {
      expect(errorOf(name, [{}]).message).toBe(`operand 1 must be one of {array, set} but got object`);
      expect(errorOf(name, ['abc']).kind).toBe('type');
    }
  });
});
