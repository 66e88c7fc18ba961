import { builtins } from './index.js';
import { call, testContext } from './testkit.js';

function printed(...args: unknown[]): string {
  const ctx = testContext();
  expect(call('print', args, ctx)).toBe(true);
  expect(ctx.printed).toHaveLength(1);
  return ctx.printed[0];
}

describe('print', () => {
  it('is variadic', () => {
    expect(builtins.get('print')?.arity).toBe(-1);
  });

  it('prints strings bare at top level and quoted inside values', () => {
    expect(printed('Hello', ['Hello'], [new Map([[1, 2]]), new Set([2, 1])])).toBe('Hello ["Hello"] [{1: 2}, {1, 2}]');
    expect(printed('hello\nworld')).toBe('hello\nworld');
  });

  it('prints scalars and composites in Rego notation', () => {
    expect(printed(null, true, 1, -1.1, 2n ** 70n)).toBe('null true 1 -1.1 1180591620717411303424');
    expect(printed({ hello: 'world', வணக்கம்: 'ശുഭദിനം' })).toBe('{"hello": "world", "வணக்கம்": "ശുഭദിനം"}');
    expect(printed(new Set(), {}, [])).toBe('set() {} []');
  });

  it('prints an undefined argument as <undefined>', () => {
    expect(printed(undefined, 1)).toBe('<undefined> 1');
  });

  it('prints an empty line for no arguments', () => {
    expect(printed()).toBe('');
  });
});
