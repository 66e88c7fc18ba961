import { RegoEngine } from '../engine.js';

function valueOf(source: string, query: string, input?: unknown, data: unknown = {}): unknown {
  const e = new RegoEngine({ strict: true });
  e.addModule('p.rego', source);
  e.setData(data);
  const rows = e.prepare(query).eval(input);
  return rows.length === 0 ? undefined : rows[0].expressions[0];
}

describe('with', () => {
  it('replaces input, or one path of it, for one expression', () => {
    const src = 'package p\nu := input.user\nname := input.user.name';
    expect(valueOf(src, 'data.p.u with input as {"user": "bob"}')).toBe('bob');
    expect(valueOf(src, 'data.p.name with input.user.name as "eve"', { user: { name: 'amy' } })).toBe('eve');
  });

  it('does not leak the replacement into the rest of the body', () => {
    const src = 'package p\nu := input.user\nboth := [a, b] if { a := u with input.user as "x"; b := u }';
    expect(valueOf(src, 'data.p.both', { user: 'y' })).toEqual(['x', 'y']);
  });

  it('replaces base data and rules under a data path', () => {
    const src = 'package p\nlimit := data.cfg.limit\nallow if limit > 5\ncheck if allow with limit as 10';
    expect(valueOf(src, 'data.p.allow', undefined, { cfg: { limit: 1 } })).toBeUndefined();
    expect(valueOf(src, 'data.p.allow with data.cfg.limit as 9', undefined, { cfg: { limit: 1 } })).toBe(true);
    expect(valueOf(src, 'data.p.allow with data.p.limit as 6', undefined, { cfg: { limit: 1 } })).toBe(true);
  });

  it('mocks a function or builtin with a value or another function', () => {
    const src = 'package p\nf(x) := x + 1\ng(x) := x * 10\nr := f(1)\nn := count([1, 2])';
    expect(valueOf(src, 'data.p.r with data.p.f as 7')).toBe(7);
    expect(valueOf(src, 'data.p.r with data.p.f as data.p.g')).toBe(10);
    expect(valueOf(src, 'data.p.n with count as 99')).toBe(99);
  });

  it('does not reuse rule values cached outside the with scope', () => {
    const src = 'package p\nu := input.user\nr := [a, b] if { a := u; b := u with input.user as "z" }';
    expect(valueOf(src, 'data.p.r', { user: 'y' })).toEqual(['y', 'z']);
  });
});

describe('with checks', () => {
  it('rejects a replacement function of another arity', () => {
    const e = new RegoEngine();
    e.addModule('p.rego', 'package p\nf(x) := x\ng(x, y) := x + y\nr := f(1)');
    expect(() => e.prepare('data.p.r with data.p.f as data.p.g')).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
  });
});
