import { call, errorOf, js, rego } from './testkit.js';

describe('base64 and base64url', () => {
  it('encodes UTF-8 text', () => {
    expect(call('base64.encode', ['hello?>'])).toBe('aGVsbG8/Pg==');
    expect(call('base64url.encode', ['hello?>'])).toBe('aGVsbG8_Pg==');
    expect(call('base64url.encode_no_pad', ['hello?>'])).toBe('aGVsbG8_Pg');
    expect(call('base64.encode', ['é'])).toBe('w6k=');
  });

  it('decodes padded standard base64 strictly', () => {
    expect(call('base64.decode', ['aGVsbG8/Pg=='])).toBe('hello?>');
    expect(call('base64.decode', ['w6k='])).toBe('é');
    expect(errorOf('base64.decode', ['aGVsbG8/Pg']).kind).toBe('builtin');
    expect(errorOf('base64.decode', ['a$=='])).toMatchObject({ kind: 'builtin' });
  });

  it('tells valid base64 apart', () => {
    expect(call('base64.is_valid', ['aGVsbG8='])).toBe(true);
    expect(call('base64.is_valid', ['aGVsbG8'])).toBe(false);
    expect(call('base64.is_valid', ['aGV_bG8='])).toBe(false);
  });

  it('decodes base64url with or without padding', () => {
    expect(call('base64url.decode', ['aGVsbG8_Pg=='])).toBe('hello?>');
    expect(call('base64url.decode', ['aGVsbG8_Pg'])).toBe('hello?>');
    expect(errorOf('base64url.decode', ['a']).kind).toBe('builtin');
    expect(errorOf('base64url.decode', ['aGVs+G8='])).toMatchObject({ kind: 'builtin' });
  });

  it('refuses non-strings', () => {
    expect(errorOf('base64.encode', [1]).message).toBe('operand 1 must be string but got number');
  });
});

describe('hex', () => {
  it('encodes and decodes bytes of UTF-8 text', () => {
    expect(call('hex.encode', ['a/é'])).toBe('612fc3a9');
    expect(call('hex.decode', ['612FC3A9'])).toBe('a/é');
  });

  it('refuses odd lengths and non-hex digits', () => {
    expect(errorOf('hex.decode', ['abc']).message).toBe('encoding/hex: odd length hex string');
    expect(errorOf('hex.decode', ['zz']).kind).toBe('builtin');
  });
});

describe('urlquery', () => {
  it('escapes as Go query escaping does', () => {
    expect(call('urlquery.encode', ['a b&c=d/é~*'])).toBe('a+b%26c%3Dd%2F%C3%A9~%2A');
    expect(call('urlquery.decode', ['a+b%26c%3Dd%2F%C3%A9~%2a'])).toBe('a b&c=d/é~*');
    expect(call('urlquery.decode', ['😀'])).toBe('😀');
  });

  it('refuses malformed escapes', () => {
    expect(errorOf('urlquery.decode', ['%zz']).kind).toBe('builtin');
    expect(errorOf('urlquery.decode', ['%4']).kind).toBe('builtin');
  });

  it('encodes an object with keys sorted and repeated values in order', () => {
    const obj = { b: ['2', '1'], a: 'x y', c: new Set(['z', 'q']) };
    expect(call('urlquery.encode_object', [obj])).toBe('a=x+y&b=2&b=1&c=q&c=z');
    expect(errorOf('urlquery.encode_object', [{ a: 1 }])).toMatchObject({ kind: 'type', message: 'operand 1 values must be string, array[string], or set[string]' });
    expect(call('urlquery.encode_object', [new Map([[1, 'a']])])).toBe('1=a');
  });

  it('decodes a query into arrays of values', () => {
    expect(rego(call('urlquery.decode_object', ['a=1&b=2&a=3&c&d=x+y']))).toBe(js({ a: ['1', '3'], b: ['2'], c: [''], d: ['x y'] }));
    expect(rego(call('urlquery.decode_object', ['']))).toBe(js({}));
    expect(errorOf('urlquery.decode_object', ['a=%zz']).kind).toBe('builtin');
  });
});
