import { call, errorOf, js, rego, testContext } from './testkit.js';

describe('rounding', () => {
  it.each<[string, number, number]>([
    ['round', -9.4, -9], ['round', -9.5, -10], ['round', -9.6, -10],
    ['round', 9.4, 9], ['round', 9.5, 10], ['round', 2.5, 3], ['round', 8, 8],
    ['round', 0.49999999999999994, 0],
    ['ceil', 9.1, 10], ['ceil', -9.1, -9], ['ceil', -9, -9],
    ['floor', 9.1, 9], ['floor', -9.1, -10], ['floor', 9, 9],
    ['abs', -9, 9], ['abs', -9.1, 9.1], ['abs', 9.1, 9.1],
  ])('%s(%p) is %p', (name, x, want) => {
    expect(call(name, [x])).toBe(want);
  });

  it('rounds half away from zero and never yields -0', () => {
    expect(Object.is(call('round', [-0.4]), 0)).toBe(true);
    expect(Object.is(call('ceil', [-0.5]), 0)).toBe(true);
  });

  it('leaves big integers exact', () => {
    expect(call('abs', [-(10n ** 30n)])).toBe(10n ** 30n);
    expect(call('floor', [10n ** 30n])).toBe(10n ** 30n);
  });

  it('refuses non-numbers', () => {
    expect(errorOf('abs', ['-9'])).toMatchObject({ kind: 'type', message: 'operand 1 must be number but got string' });
    expect(errorOf('round', [null]).kind).toBe('type');
  });
});

describe('numbers.range', () => {
  it('counts up or down, both ends included', () => {
    expect(rego(call('numbers.range', [1, 5]))).toBe(js([1, 2, 3, 4, 5]));
    expect(rego(call('numbers.range', [5, 1]))).toBe(js([5, 4, 3, 2, 1]));
    expect(rego(call('numbers.range', [-1, -3]))).toBe(js([-1, -2, -3]));
    expect(rego(call('numbers.range', [8, 8]))).toBe(js([8]));
  });

  it('crosses 2^53 exactly', () => {
    const top = 2n ** 53n;
    expect(rego(call('numbers.range', [top - 1n, top + 1n]))).toBe(js([top - 1n, top, top + 1n]));
  });

  it('steps by the given amount without passing the end', () => {
    expect(rego(call('numbers.range_step', [0, 10, 3]))).toBe(js([0, 3, 6, 9]));
    expect(rego(call('numbers.range_step', [10, 0, 5]))).toBe(js([10, 5, 0]));
  });

  it('refuses non-integers and non-positive steps', () => {
    expect(errorOf('numbers.range', [1.01, 5])).toMatchObject({ kind: 'type', message: 'operand 1 must be integer number but got floating-point number' });
    expect(errorOf('numbers.range', [1, '2']).kind).toBe('type');
    expect(errorOf('numbers.range_step', [1, 5, 0])).toMatchObject({ kind: 'builtin' });
    expect(errorOf('numbers.range_step', [1, 5, -1]).kind).toBe('builtin');
  });
});

describe('rand.intn', () => {
  it('returns one value per key and bound within an evaluation', () => {
    const ctx = testContext();
    const x = call('rand.intn', ['x', 50000], ctx);
    expect(call('rand.intn', ['x', 50000], ctx)).toBe(x);
    expect(typeof x).toBe('number');
    expect(x as number).toBeGreaterThanOrEqual(0);
    expect(x as number).toBeLessThan(50000);
    expect(ctx.cache.size).toBe(1);
    call('rand.intn', ['x', 25000], ctx);
    expect(ctx.cache.size).toBe(2);
  });

  it('is 0 for a zero bound and uses |n| for a negative one', () => {
    expect(call('rand.intn', ['b', 0])).toBe(0);
    const v = call('rand.intn', ['c', -3]) as number;
    expect(v >= 0 && v < 3).toBe(true);
  });

  it('is undefined for a fractional bound, as the conformance cases expect', () => {
    expect(call('rand.intn', ['a', 10.3])).toBeUndefined();
  });

  it('refuses wrong types', () => {
    expect(errorOf('rand.intn', [1, 2]).message).toBe('operand 1 must be string but got number');
    expect(errorOf('rand.intn', ['a', 'b']).message).toBe('operand 2 must be number but got string');
  });
});
