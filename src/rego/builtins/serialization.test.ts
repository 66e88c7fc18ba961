import { call, errorOf, js, rego } from './testkit.js';

describe('json.marshal', () => {
  it('writes compact JSON with sorted keys and sets as sorted arrays', () => {
    expect(call('json.marshal', [{ b: [1, 2.5], a: new Set([3, 1]), c: null }])).toBe('{"a":[1,3],"b":[1,2.5],"c":null}');
  });

  it('escapes HTML characters as Go does', () => {
    expect(call('json.marshal', ['<a href="x">&</a>'])).toBe('"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
  });

  it('keeps big integers exact and writes non-string keys as JSON text', () => {
    expect(call('json.marshal', [[2n ** 70n]])).toBe('[1180591620717411303424]');
    expect(call('json.marshal', [new Map([[1, 'a']])])).toBe('{"1":"a"}');
  });
});

describe('json.marshal_with_options', () => {
  const m = (x: unknown, opts: unknown) => call('json.marshal_with_options', [x, opts]);

  it('is compact without options or with pretty false', () => {
    expect(m({ b: 2, a: 1 }, {})).toBe('{"a":1,"b":2}');
    expect(m({ a: 1 }, { pretty: false, indent: '  ' })).toBe('{"a":1}');
  });

  it('indents with a tab by default, or the indent given', () => {
    expect(m({ a: 1 }, { pretty: true })).toBe('{\n\t"a": 1\n}');
    expect(m({ b: [1, {}], a: [] }, { indent: '  ' })).toBe('{\n  "a": [],\n  "b": [\n    1,\n    {}\n  ]\n}');
  });

  it('starts every line with the prefix', () => {
    expect(m([1, 2], { prefix: '>>' })).toBe('>>[\n>>\t1,\n>>\t2\n>>]');
  });

  it('refuses unknown or mistyped options', () => {
    expect(errorOf('json.marshal_with_options', [1, { bogus: 1 }]).kind).toBe('type');
    expect(errorOf('json.marshal_with_options', [1, { pretty: 'yes' }]).kind).toBe('type');
    expect(errorOf('json.marshal_with_options', [1, 'x']).kind).toBe('type');
  });
});

describe('json.unmarshal and json.is_valid', () => {
  it('reads JSON, keeping big integers exact', () => {
    expect(rego(call('json.unmarshal', [' {"a": [1, 2.5, "x\\u00e9", true, null], "b": {}} ']))).toBe(js({ a: [1, 2.5, 'xé', true, null], b: {} }));
    expect(call('json.unmarshal', ['123456789012345678901234567890'])).toBe(123456789012345678901234567890n);
  });

  it('refuses invalid JSON', () => {
    for (const text of ['', '{', '[1,]', '{"a" 1}', '01', '"a', 'nul', '1 2', "{'a':1}"]) {
      expect(errorOf('json.unmarshal', [text]).kind).toBe('builtin');
      expect(call('json.is_valid', [text])).toBe(false);
    }
  });

  it('says whether a string is JSON, false for non-strings', () => {
    expect(call('json.is_valid', ['{"a":[1]}'])).toBe(true);
    expect(call('json.is_valid', [1])).toBe(false);
  });
});

describe('yaml', () => {
  it('reads YAML documents', () => {
    expect(rego(call('yaml.unmarshal', ['a: 1\nb: [x, 2.5]\nc:\n  d: true\n']))).toBe(js({ a: 1, b: ['x', 2.5], c: { d: true } }));
    expect(call('yaml.unmarshal', ['123456789012345678901234567890'])).toBe(123456789012345678901234567890n);
  });

  it('reads YAML 1.1 booleans as Go does, and leaves dates as strings', () => {
    expect(rego(call('yaml.unmarshal', ['a: yes\nb: off\nc: 2001-12-14\n']))).toBe(js({ a: true, b: false, c: '2001-12-14' }));
  });

  it('writes block YAML with sorted keys', () => {
    expect(call('yaml.marshal', [{ b: [1, 2], a: { c: 'x' } }])).toBe('a:\n  c: x\nb:\n- 1\n- 2\n');
  });

  it('quotes strings that would read back as other types', () => {
    expect(call('yaml.marshal', [{ a: 'yes', b: '12', c: 'plain' }])).toBe('a: "yes"\nb: "12"\nc: plain\n');
    expect(rego(call('yaml.unmarshal', [call('yaml.marshal', [{ a: 'yes', b: ['on', 1] }])]))).toBe(js({ a: 'yes', b: ['on', 1] }));
  });

  it('refuses invalid YAML', () => {
    expect(errorOf('yaml.unmarshal', ['a: [1']).kind).toBe('builtin');
    expect(call('yaml.is_valid', ['a: [1'])).toBe(false);
    expect(call('yaml.is_valid', ['a: 1'])).toBe(true);
    expect(call('yaml.is_valid', [1])).toBe(false);
  });
});
