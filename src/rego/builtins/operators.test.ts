import { call, errorOf, js, rego } from './testkit.js';

const big = 10n ** 21n;

describe('arithmetic operators', () => {
  it.each<[string, unknown[], unknown]>([
    ['plus', [3, -1], 2],
    ['plus', [3, 4.5], 7.5],
    ['plus', [0.1, 0.2], 0.30000000000000004],
    ['plus', [big, 1], big + 1n],
    ['minus', [3, 4.5], -1.5],
    ['minus', [big, big], 0],
    ['mul', [2, big], 2n * big],
    ['mul', [0.1, 0.2], 0.020000000000000004],
    ['div', [3, 2], 1.5],
    ['div', [4, 2], 2],
    ['div', [13, 4], 3.25],
    ['div', [2, 1e18], 2e-18],
    ['div', [2n * big, big], 2],
    ['rem', [10, 3], 1],
    ['rem', [-7, 3], -1],
    ['rem', [big + 1n, 10], 1],
  ])('%s(%p) is exact where integers allow', (name, args, want) => {
    expect(rego(call(name, args))).toBe(js(want));
  });

  it('divides exactly to an integer when there is no remainder', () => {
    expect(call('div', [4, 2])).toBe(2);
    expect(Number.isInteger(call('div', [16, 2]))).toBe(true);
  });

  it('refuses division and remainder by zero as builtin errors', () => {
    expect(errorOf('div', [1, 0])).toMatchObject({ kind: 'builtin', message: 'divide by zero' });
    expect(errorOf('div', [1, 0.0])).toMatchObject({ kind: 'builtin' });
    expect(errorOf('rem', [1, 0])).toMatchObject({ kind: 'builtin', message: 'modulo by zero' });
  });

  it('takes remainders of integers only', () => {
    expect(errorOf('rem', [1.1, 1])).toMatchObject({ kind: 'builtin', message: 'modulo on floating-point number' });
    expect(errorOf('rem', [1, 1.1]).kind).toBe('builtin');
  });

  it('keeps results in normal form and refuses an overflowing double', () => {
    expect(call('mul', [2n ** 60n, 0.5])).toBe(2n ** 59n);
    expect(errorOf('mul', [1e308, 10.5])).toMatchObject({ kind: 'builtin', message: 'arithmetic result out of range' });
  });

  it('reports a non-number operand as a type error naming its position', () => {
    expect(errorOf('plus', ['1', 9])).toMatchObject({ kind: 'type', message: 'operand 1 must be number but got string', argIndex: 0 });
    expect(errorOf('mul', [1, null])).toMatchObject({ kind: 'type', message: 'operand 2 must be number but got null', argIndex: 1 });
    expect(errorOf('div', [[], 1]).kind).toBe('type');
  });
});

describe('set operators', () => {
  it('subtracts, intersects and unites sets', () => {
    expect(rego(call('minus', [new Set([1, 2, 3]), new Set([2])]))).toBe(js(new Set([1, 3])));
    expect(rego(call('and', [new Set([1, 2, 3]), new Set([2, 3, 4])]))).toBe(js(new Set([2, 3])));
    expect(rego(call('or', [new Set([1]), new Set([[1], 2])]))).toBe(js(new Set([1, [1], 2])));
  });

  it('refuses to mix sets and numbers', () => {
    expect(errorOf('minus', [new Set([1]), 1]).message).toBe('operand 2 must be set but got number');
    expect(errorOf('minus', [1, new Set([1])]).message).toBe('operand 2 must be number but got set');
    expect(errorOf('minus', ['a', 1]).message).toBe('operand 1 must be one of {number, set} but got string');
    expect(errorOf('and', [[1], new Set([1])]).kind).toBe('type');
  });
});

describe('comparison operators', () => {
  it('compares integers and floats by value', () => {
    expect(call('equal', [1, 1.0])).toBe(true);
    expect(call('neq', [1, 1.0001])).toBe(true);
    expect(call('lt', [1, 1.0001])).toBe(true);
    expect(call('gte', [big, 1e20])).toBe(true);
  });

  it('orders values of different types as OPA does', () => {
    const ordered = [null, false, 0, '', [], {}, new Set()];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(call('lt', [ordered[i], ordered[i + 1]])).toBe(true);
      expect(call('gt', [ordered[i], ordered[i + 1]])).toBe(false);
      expect(call('lte', [ordered[i], ordered[i]])).toBe(true);
    }
  });

  it('compares composites structurally', () => {
    expect(call('equal', [{ a: [1, new Set([2])] }, { a: [1, new Set([2])] }])).toBe(true);
    expect(call('equal', [[1], new Set([1])])).toBe(false);
    expect(call('lt', [[1, 2], [1, 2, 0]])).toBe(true);
  });
});

describe('membership', () => {
  it('finds array elements, set members and object values', () => {
    expect(call('internal.member_2', [2, [1, 2]])).toBe(true);
    expect(call('internal.member_2', [2.0, new Set([2])])).toBe(true);
    expect(call('internal.member_2', ['v', { k: 'v' }])).toBe(true);
    expect(call('internal.member_2', ['k', { k: 'v' }])).toBe(false);
  });

  it('is false for a scalar collection', () => {
    expect(call('internal.member_2', ['a', 'abc'])).toBe(false);
    expect(call('internal.member_2', [1, 1])).toBe(false);
  });

  it('matches key and value pairs', () => {
    expect(call('internal.member_3', [1, 'b', ['a', 'b']])).toBe(true);
    expect(call('internal.member_3', [2, 'b', ['a', 'b']])).toBe(false);
    expect(call('internal.member_3', [1.5, 'b', ['a', 'b']])).toBe(false);
    expect(call('internal.member_3', ['k', 'v', { k: 'v' }])).toBe(true);
    expect(call('internal.member_3', ['k', 'w', { k: 'v' }])).toBe(false);
    expect(call('internal.member_3', ['x', 'x', new Set(['x'])])).toBe(true);
    expect(call('internal.member_3', [0, 'a', 'abc'])).toBe(false);
  });
});
