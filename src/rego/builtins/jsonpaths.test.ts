import { call, errorOf, js, rego } from './testkit.js';

const doc = { a: 5, b: { c: { d: 6 }, d: 7 }, c: 8 };
const s = { a: [[1, [7, 8, 9], 2], { a: 1, b: 2, c: 3 }] };
const t = { a: new Set([1, 2, new Set(['x']), new Set([8, 9, 10])]) };

describe('json.filter', () => {
  it.each<[unknown, unknown, unknown]>([
    [doc, ['a', 'b/c'], { a: 5, b: { c: { d: 6 } } }],
    [doc, new Set(['c', ['b', 'd']]), { b: { d: 7 }, c: 8 }],
    [doc, ['/a'], { a: 5 }],
    [doc, ['b', 'b/c'], { b: { c: { d: 6 }, d: 7 } }],
    [doc, ['b/c', 'b'], { b: { c: { d: 6 }, d: 7 } }],
    [doc, [], {}],
    [s, [['a', 1]], { a: [] }],
    [s, ['a/0/1/2', ['a', '0', '2'], 'a/0/1/1'], { a: [[[8, 9], 2]] }],
    [t, [['a', 1]], { a: new Set([1]) }],
    [t, [['a', new Set(['x'])]], { a: new Set([new Set(['x'])]) }],
    [t, [['a', new Set([8, 9, 10]), 9]], { a: new Set([new Set([9])]) }],
    [{ 'x/y': 1, 'a~b': 2 }, ['x~1y', 'a~0b'], { 'x/y': 1, 'a~b': 2 }],
    [{ a: 5 }, ['a/b/c'], { a: 5 }],
  ])('filters %p by %p', (value, paths, want) => {
    expect(rego(call('json.filter', [value, paths]))).toBe(js(want));
  });

  it('refuses bad arguments', () => {
    expect(errorOf('json.filter', [[], ['a']]).message).toBe('operand 1 must be object but got array');
    expect(errorOf('json.filter', [{}, 'a']).kind).toBe('type');
    expect(errorOf('json.filter', [{}, [1]]).kind).toBe('type');
  });
});

describe('json.remove', () => {
  it.each<[unknown, unknown, unknown]>([
    [doc, ['a', 'b/c'], { b: { d: 7 }, c: 8 }],
    [doc, new Set([['b', 'd']]), { a: 5, b: { c: { d: 6 } }, c: 8 }],
    [{ a: [1, 2, 3] }, ['a/1'], { a: [1, 3] }],
    [{ a: new Set([1, 2]) }, [['a', 2]], { a: new Set([1]) }],
    [doc, ['zz', 'a/b'], doc],
    [doc, [], doc],
  ])('removes from %p the paths %p', (value, paths, want) => {
    expect(rego(call('json.remove', [value, paths]))).toBe(js(want));
  });
});
