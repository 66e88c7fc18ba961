import { RegoEngine } from '../engine.js';

function valueOf(sources: string[], query: string, data: unknown = {}): unknown {
  const e = new RegoEngine({ strict: true });
  sources.forEach((s, i) => e.addModule(`m${i}.rego`, s));
  e.setData(data);
  const rows = e.prepare(query).eval();
  return rows.length === 0 ? undefined : rows[0].expressions[0];
}

describe('data references', () => {
  it('builds a package as an object of its rules, leaving undefined rules out', () => {
    expect(valueOf(['package a.b\nx := 1\ny if false\nf(z) := z'], 'data.a.b')).toEqual({ x: 1 });
  });

  it('merges rules and base documents below a common prefix', () => {
    const got = valueOf(['package a.b\nx := 1'], 'data.a', { a: { c: 2, b: { base: true } } });
    expect(got).toEqual({ b: { x: 1, base: true }, c: 2 });
  });

  it('reads base documents below the rule tree directly', () => {
    expect(valueOf(['package a\nx := 1'], 'data.a.cfg.k', { a: { cfg: { k: 'v' } } })).toBe('v');
  });

  it('iterates over packages with a variable', () => {
    const e = new RegoEngine();
    e.addModule('a.rego', 'package pkgs.one\nname := "one"');
    e.addModule('b.rego', 'package pkgs.two\nname := "two"');
    expect(e.prepare('data.pkgs[k].name = n').eval().map((r) => r.bindings)).toEqual([{ k: 'one', n: 'one' }, { k: 'two', n: 'two' }]);
  });

  it('resolves imports of other packages', () => {
    const lib = 'package lib\nadmins := {"amy"}\nis_admin(u) if u in admins';
    const main = 'package main\nimport data.lib\nimport data.lib.admins as adm\nr if { lib.is_admin("amy"); "amy" in adm }';
    expect(valueOf([lib, main], 'data.main.r')).toBe(true);
  });

  it('queries the whole data document', () => {
    expect(valueOf(['package a\nx := 1'], 'data', { b: 2 })).toEqual({ a: { x: 1 }, b: 2 });
  });
});

describe('base document lookups', () => {
  it('indexes arrays of the base document by number', () => {
    expect(valueOf(['package a\nx := 1'], 'data.cfg.list[1]', { cfg: { list: ['a', 'b'] } })).toBe('b');
  });

  it('finds a string key written as a number', () => {
    expect(valueOf(['package a\nx := 1'], 'data.cfg[2]', { cfg: { 2: 'two' } })).toBe('two');
  });
});
