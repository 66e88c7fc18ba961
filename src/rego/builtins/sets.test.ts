import { call, errorOf, js, rego } from './testkit.js';

describe('intersection and union', () => {
  it('combines a set of sets', () => {
    const sets = new Set([new Set([1, 2, 3]), new Set([2, 3, 4]), new Set([3, 2])]);
    expect(rego(call('intersection', [sets]))).toBe(js(new Set([2, 3])));
    expect(rego(call('union', [sets]))).toBe(js(new Set([1, 2, 3, 4])));
  });

  it('gives the empty set for no sets', () => {
    expect(rego(call('intersection', [new Set()]))).toBe(js(new Set()));
    expect(rego(call('union', [new Set()]))).toBe(js(new Set()));
  });

  it('refuses anything but a set of sets', () => {
    expect(errorOf('union', [[new Set([1])]]).message).toBe('operand 1 must be set but got array');
    expect(errorOf('intersection', [new Set([1])]).kind).toBe('type');
  });
});
