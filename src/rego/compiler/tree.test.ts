import { parseModule } from '../parser/index.js';
import { buildTree } from './tree.js';

const parse = (src: string, version: 'v0' | 'v1' = 'v1') => parseModule('m.rego', src, { regoVersion: version });

describe('rule tree', () => {
  it('places rules at package path plus the static part of their ref', () => {
    const tree = buildTree([parse('package a.b\nx.y := 1\nz[k] := 2 if k := "q"\ns contains 1\nf(v) := v')]);
    const b = tree.children.get('a')?.children.get('b');
    expect(b?.children.get('x')?.children.get('y')?.kind).toBe('complete');
    expect(b?.children.get('z')?.kind).toBe('object');
    expect(b?.children.get('s')?.kind).toBe('set');
    expect(b?.children.get('f')?.kind).toBe('function');
    expect(b?.children.get('f')?.arity).toBe(1);
  });

  it('rejects a complete rule with rules below it', () => {
    expect(() => buildTree([parse('package a\nx := 1\nx.y := 2')])).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
  });

  it('rejects functions of different arities at one path', () => {
    expect(() => buildTree([parse('package a\nf(x) := 1\nf(x, y) := 2')])).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
  });

  it('rejects rules named input or data in v1 modules only', () => {
    expect(() => buildTree([parse('package a\ninput := 1')])).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
    expect(() => buildTree([parse('package a\ninput = 1', 'v0')])).not.toThrow();
  });
});
