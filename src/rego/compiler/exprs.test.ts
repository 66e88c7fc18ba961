import { RegoEngine } from '../engine.js';

function rows(source: string, query: string, input?: unknown): Array<{ expressions: unknown[]; bindings: Record<string, unknown> }> {
  const e = new RegoEngine({ strict: true });
  e.addModule('p.rego', source);
  return e.prepare(query).eval(input);
}

function valueOf(source: string, query: string, input?: unknown): unknown {
  const r = rows(source, query, input);
  return r.length === 0 ? undefined : r[0].expressions[0];
}

function errorOf(source: string, query: string): string | undefined {
  try {
    rows(source, query);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('iteration and unification', () => {
  it('backtracks over nested generators', () => {
    const src = 'package p\npairs contains [x, y] if { some x in [1, 2]; some y in ["a", "b"] }';
    expect(valueOf(src, 'data.p.pairs')).toEqual([[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]);
  });

  it('joins two refs through a shared variable', () => {
    const src = 'package p\nusers := [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]\nroles := [{"uid": 2, "r": "admin"}]\nadmins contains u.n if { u := users[_]; roles[_].uid == u.id }';
    expect(valueOf(src, 'data.p.admins')).toEqual(['b']);
  });

  it('unifies composite terms in both directions', () => {
    expect(valueOf('package p\nr := [a, b] if [a, 2] = [1, b]', 'data.p.r')).toEqual([1, 2]);
    expect(valueOf('package p\nr := v if {"k": v} = {"k": 5}', 'data.p.r')).toBe(5);
  });

  it('fails unification of mismatched values without error', () => {
    expect(valueOf('package p\nr if [1, x] = input.v', 'data.p.r', { v: [2, 3] })).toBeUndefined();
  });

  it('iterates object keys and values with some … in', () => {
    const src = 'package p\nks contains k if some k, _ in {"a": 1, "b": 2}\nvs contains v if some v in {"a": 1, "b": 2}';
    expect(valueOf(src, 'data.p.ks')).toEqual(['a', 'b']);
    expect(valueOf(src, 'data.p.vs')).toEqual([1, 2]);
  });

  it('reorders an expression after the one that binds its variable', () => {
    expect(valueOf('package p\nr := x if { x > 1; x = 5 }', 'data.p.r')).toBe(5);
  });
});

describe('negation and every', () => {
  it('negates an expression and leaves it undefined-safe', () => {
    const src = 'package p\nr if not input.blocked\ns if not input.x == 1';
    expect(valueOf(src, 'data.p.r', {})).toBe(true);
    expect(valueOf(src, 'data.p.r', { blocked: true })).toBeUndefined();
    expect(valueOf(src, 'data.p.s', { x: 2 })).toBe(true);
  });

  it('holds every only when the body holds for each element', () => {
    const src = 'package p\nall_pos if every x in input.xs { x > 0 }';
    expect(valueOf(src, 'data.p.all_pos', { xs: [1, 2] })).toBe(true);
    expect(valueOf(src, 'data.p.all_pos', { xs: [1, -2] })).toBeUndefined();
    expect(valueOf(src, 'data.p.all_pos', { xs: [] })).toBe(true);
  });

  it('lets every see variables bound before it', () => {
    expect(valueOf('package p\nr if { m := 3; every x in [1, 2] { x < m } }', 'data.p.r')).toBe(true);
  });
});

describe('comprehensions', () => {
  it('builds arrays, sets and objects', () => {
    const src = 'package p\na := [y | some x in [1, 2, 2]; y := x * 2]\ns := {x | some x in [1, 2, 2]}\no := {k: v | some k, v in ["x", "y"]}';
    expect(valueOf(src, 'data.p.a')).toEqual([2, 4, 4]);
    expect(valueOf(src, 'data.p.s')).toEqual([1, 2]);
    expect(valueOf(src, 'data.p.o')).toEqual({ 0: 'x', 1: 'y' });
  });

  it('closes over variables of the enclosing body', () => {
    expect(valueOf('package p\nr := c if { n := 2; c := [x | some x in [1, 2, 3]; x > n] }', 'data.p.r')).toEqual([3]);
  });

  it('raises eval_conflict_error for an object comprehension key with two values', () => {
    expect(errorOf('package p\no := {k: v | some v in [1, 2]; k := "a"}', 'data.p.o')).toBe('eval_conflict_error');
  });
});

describe('compile checks', () => {
  it('reports a variable that nothing binds as unsafe', () => {
    expect(errorOf('package p\nr if x > 1', 'data.p.r')).toBe('rego_unsafe_var_error');
    expect(errorOf('package p\nr := y if true', 'data.p.r')).toBe('rego_unsafe_var_error');
  });

  it('reports a variable bound only inside a negation as unsafe', () => {
    expect(errorOf('package p\nr if not input.xs[i]', 'data.p.r')).toBe('rego_unsafe_var_error');
  });

  it('rejects := to a variable already assigned or referenced', () => {
    expect(errorOf('package p\nr if { x := 1; x := 2 }', 'data.p.r')).toBe('rego_compile_error');
    expect(errorOf('package p\nr if { x := 1; y := [x | x := 2] }', 'data.p.r')).toBe('rego_compile_error');
  });

  it('lets a local variable shadow a rule name', () => {
    expect(valueOf('package p\nlimit := 10\nr := limit if { limit := 3 }', 'data.p.r')).toBe(3);
  });
});
