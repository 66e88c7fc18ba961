import { call, errorOf, js, rego } from './testkit.js';

const patch = (doc: unknown, ...ops: unknown[]) => call('json.patch', [doc, ops]);

describe('json.patch', () => {
  it.each<[string, unknown, unknown[], unknown]>([
    ['adds a key', { a: { foo: 1 } }, [{ op: 'add', path: '/a/bar', value: 2 }], { a: { foo: 1, bar: 2 } }],
    ['removes a key', { a: { foo: 1, bar: 2 } }, [{ op: 'remove', path: '/a/bar' }], { a: { foo: 1 } }],
    ['replaces a value', { a: { foo: 1 } }, [{ op: 'replace', path: '/a/foo', value: 42 }], { a: { foo: 42 } }],
    ['moves a value', { a: { foo: 1 }, b: {} }, [{ op: 'move', from: '/a/foo', path: '/b/foo' }], { a: {}, b: { foo: 1 } }],
    ['copies a value', { a: { foo: 1 }, b: {} }, [{ op: 'copy', from: '/a/foo', path: '/b/foo' }], { a: { foo: 1 }, b: { foo: 1 } }],
    ['passes a test', { a: { foo: 1 } }, [{ op: 'test', path: '/a/foo', value: 1 }], { a: { foo: 1 } }],
    ['inserts into an array', { arr: [1, 2, 3] }, [{ op: 'add', path: '/arr/1', value: 'x' }], { arr: [1, 'x', 2, 3] }],
    ['appends with -', { arr: [1, 2, 3] }, [{ op: 'add', path: '/arr/-', value: 4 }], { arr: [1, 2, 3, 4] }],
    ['removes from an array', { arr: [1, 2, 3] }, [{ op: 'remove', path: '/arr/1' }], { arr: [1, 3] }],
    ['unescapes ~1 and ~0', { 'foo/bar': { 'baz~': 1 } }, [{ op: 'add', path: '/foo~1bar/baz~0test', value: 2 }], { 'foo/bar': { 'baz~': 1, 'baz~test': 2 } }],
    ['replaces a null value', { data: null }, [{ op: 'replace', path: '/data', value: { n: 1 } }], { data: { n: 1 } }],
    ['adds a null value', {}, [{ op: 'add', path: '/a', value: null }, { op: 'test', path: '/a', value: null }], { a: null }],
    ['reads a path without its leading slash', { a: {} }, [{ op: 'add', path: 'a/b', value: 1 }], { a: { b: 1 } }],
    ['replaces the root', { a: 1 }, [{ op: 'remove', path: '' }, { op: 'add', path: '', value: { b: 2 } }], { b: 2 }],
    ['adds a set member by value', new Set(['a', 'b']), [{ op: 'add', path: ['c'], value: 'c' }], new Set(['a', 'b', 'c'])],
    ['removes a set member by value', new Set(['a', 'b']), [{ op: 'remove', path: ['b'] }], new Set(['a'])],
    ['copies inside a set member', new Set([{ a: [1] }]), [{ op: 'copy', from: [{ a: [1] }, 'a', 0], path: [{ a: [1] }, 'a', '-'] }], new Set([{ a: [1, 1] }])],
  ])('%s', (_what, doc, ops, want) => {
    expect(rego(patch(doc, ...ops))).toBe(js(want));
  });

  it.each<[string, unknown, unknown[]]>([
    ['replacing a set member with another value', new Set(['a', 'b']), [{ op: 'replace', path: ['a'], value: 'c' }]],
    ['replacing inside a set member', new Set([{ a: [1, 2] }]), [{ op: 'replace', path: [{ a: [1, 2] }, 'a', 1], value: 9 }]],
    ['removing the root', { a: 1 }, [{ op: 'remove', path: '' }]],
    ['a negative index', [1, 2], [{ op: 'remove', path: [-1] }]],
    ['a huge index', [1, 2], [{ op: 'remove', path: [10n ** 36n] }]],
    ['a leading zero', [1, 2], [{ op: 'remove', path: '/01' }]],
    ['removing -', [1, 2], [{ op: 'remove', path: '/-' }]],
    ['no op', {}, [{ path: '/a', value: 1 }]],
    ['no path', {}, [{ op: 'add', value: 1 }]],
    ['no value', {}, [{ op: 'add', path: '/a' }]],
    ['no from', {}, [{ op: 'move', path: '/a' }]],
    ['malformed fields', {}, [{ op: 1, path: {}, value: 1 }]],
    ['moving into a child', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/c' }]],
    ['a failed test', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }]],
    ['a missing key', { a: 1 }, [{ op: 'remove', path: '/b' }]],
  ])('is undefined for %s', (_what, doc, ops) => {
    expect(patch(doc, ...ops)).toBeUndefined();
  });

  it('leaves its input unchanged when a later operation fails', () => {
    const doc = call('object.union', [{ a: [1, 2, 3] }, {}])!;
    const b = call('json.patch', [doc, [{ op: 'remove', path: '/a/0' }, { op: 'remove', path: '/missing' }]]);
    expect(b).toBeUndefined();
    expect(rego(doc)).toBe(js({ a: [1, 2, 3] }));
  });

  it('refuses patches that are not an array', () => {
    expect(errorOf('json.patch', [{}, {}]).kind).toBe('type');
  });
});
