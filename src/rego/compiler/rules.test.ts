import { RegoEngine } from '../engine.js';

/** The value of `query` (its first expression), or undefined when the query is undefined. */
function valueOf(source: string | string[], query: string, input?: unknown, data: unknown = {}): unknown {
  const e = new RegoEngine({ strict: true });
  [source].flat().forEach((s, i) => e.addModule(`m${i}.rego`, s));
  e.setData(data);
  const rows = e.prepare(query).eval(input);
  return rows.length === 0 ? undefined : rows[0].expressions[0];
}

function errorOf(source: string | string[], query: string, input?: unknown): string | undefined {
  try {
    valueOf(source, query, input);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('complete rules', () => {
  it('uses the default when no definition applies', () => {
    expect(valueOf('package p\ndefault allow := false\nallow if input.ok', 'data.p.allow', {})).toBe(false);
    expect(valueOf('package p\ndefault allow := false\nallow if input.ok', 'data.p.allow', { ok: true })).toBe(true);
  });

  it('accepts several definitions that agree', () => {
    expect(valueOf('package p\nx := 1 if true\nx := 1 if input.a', 'data.p.x', { a: true })).toBe(1);
  });

  it('raises eval_conflict_error when definitions give different values', () => {
    expect(errorOf('package p\nx := 1 if true\nx := 2 if true', 'data.p.x')).toBe('eval_conflict_error');
  });

  it('raises eval_conflict_error when one body yields two values', () => {
    expect(errorOf('package p\nx := v if some v in [1, 2]', 'data.p.x')).toBe('eval_conflict_error');
  });

  it('tries else clauses in order when the body is undefined', () => {
    const src = 'package p\nlevel := "high" if input.n > 10\nelse := "mid" if input.n > 5\nelse := "low"';
    expect(valueOf(src, 'data.p.level', { n: 11 })).toBe('high');
    expect(valueOf(src, 'data.p.level', { n: 7 })).toBe('mid');
    expect(valueOf(src, 'data.p.level', { n: 1 })).toBe('low');
  });

  it('rejects two defaults for one rule', () => {
    expect(errorOf('package p\ndefault a := 1\ndefault a := 2', 'data.p.a')).toBe('rego_type_error');
  });

  it('rejects rules of different kinds at one path', () => {
    expect(errorOf('package p\na := 1\na contains 2', 'data.p.a')).toBe('rego_type_error');
  });
});

describe('partial rules', () => {
  it('collects a partial set from every definition', () => {
    const src = 'package p\ns contains x if some x in [1, 2]\ns contains 3';
    expect(valueOf(src, 'data.p.s')).toEqual([1, 2, 3]);
  });

  it('defines an empty set when no body succeeds', () => {
    expect(valueOf('package p\ns contains x if { some x in []; x > 0 }', 'data.p.s')).toEqual([]);
  });

  it('builds a partial object and rejects a key given two values', () => {
    expect(valueOf('package p\no[k] := v if some k, v in {"a": 1, "b": 2}', 'data.p.o')).toEqual({ a: 1, b: 2 });
    expect(errorOf('package p\no["a"] := 1\no[k] := 2 if k := "a"', 'data.p.o')).toBe('eval_conflict_error');
  });

  it('merges ref-head rules into nested objects', () => {
    const src = 'package p\na.b[x] := 1 if some x in ["k"]\na.c := 2';
    expect(valueOf(src, 'data.p.a')).toEqual({ b: { k: 1 }, c: 2 });
  });

  it('iterates a partial set with a variable', () => {
    const e = new RegoEngine();
    e.addModule('p.rego', 'package p\ns contains x if some x in [3, 4]');
    expect(e.prepare('data.p.s[x]').eval().map((r) => r.bindings.x)).toEqual([3, 4]);
  });
});

describe('functions', () => {
  it('calls a function and matches its arguments as patterns', () => {
    const src = 'package p\nf(1) := "one"\nf(x) := "other" if x != 1\ng([a, b]) := a + b';
    expect(valueOf(src, 'data.p.f(1)')).toBe('one');
    expect(valueOf(src, 'data.p.f(2)')).toBe('other');
    expect(valueOf(src, 'data.p.g([2, 3])')).toBe(5);
  });

  it('raises eval_conflict_error when definitions give different outputs', () => {
    expect(errorOf('package p\nf(x) := 1\nf(x) := 2', 'data.p.f(0)')).toBe('eval_conflict_error');
  });

  it('is undefined when no definition applies, unless a default exists', () => {
    expect(valueOf('package p\nf(x) := 1 if x > 5', 'data.p.f(1)')).toBeUndefined();
    expect(valueOf('package p\ndefault f(_) := 0\nf(x) := 1 if x > 5', 'data.p.f(1)')).toBe(0);
  });

  it('reports undefined functions and wrong arities as type errors', () => {
    expect(errorOf('package p\nx := nope(1)', 'data.p.x')).toBe('rego_type_error');
    expect(errorOf('package p\nx := count(1, 2, 3)', 'data.p.x')).toBe('rego_type_error');
  });

  it('accepts an output argument for a builtin', () => {
    expect(valueOf('package p\nx := y if plus(1, 2, y)', 'data.p.x')).toBe(3);
  });
});

describe('memoisation', () => {
  it('evaluates a complete rule and a function without arguments once per evaluation', () => {
    const printed: string[] = [];
    const e = new RegoEngine({ print: (m) => printed.push(m) });
    e.addModule('p.rego', 'package p\nx := 1 if print("x")\nf() := 2 if print("f")\nr := [x, x, f(), f()]');
    const q = e.prepare('data.p.r');
    expect(q.eval()[0].expressions[0]).toEqual([1, 1, 2, 2]);
    expect(printed).toEqual(['x', 'f']);
    q.eval();
    expect(printed).toEqual(['x', 'f', 'x', 'f']);
  });
});

describe('recursion', () => {
  it('rejects rules that depend on themselves', () => {
    expect(errorOf('package p\na if b\nb if a', 'data.p.a')).toBe('rego_recursion_error');
    expect(errorOf('package p\nf(x) := f(x - 1) if x > 0', 'data.p.f(1)')).toBe('rego_recursion_error');
  });
});
