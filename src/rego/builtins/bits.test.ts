import { call, errorOf, js, rego } from './testkit.js';

describe('bits', () => {
  it.each<[string, unknown[], unknown]>([
    ['bits.and', [1, 0], 0], ['bits.and', [12, 10], 8], ['bits.or', [12, 10], 14], ['bits.xor', [12, 10], 6],
    ['bits.negate', [1], -2], ['bits.negate', [0], -1], ['bits.negate', [-50], 49],
    ['bits.lsh', [9, 2], 36], ['bits.rsh', [9, 2], 2], ['bits.rsh', [-9, 1], -5],
    ['bits.lsh', [1, 64], 2n ** 64n], ['bits.and', [2n ** 64n + 5n, 7], 5],
  ])('%s(%p) is %p', (name, args, want) => {
    expect(rego(call(name, args))).toBe(js(want));
  });

  it('refuses non-integers and negative shifts', () => {
    expect(errorOf('bits.and', [1, 'str']).message).toBe('operand 2 must be number but got string');
    expect(errorOf('bits.or', [1.5, 1]).kind).toBe('type');
    expect(errorOf('bits.lsh', [1, -1]).kind).toBe('type');
  });
});
