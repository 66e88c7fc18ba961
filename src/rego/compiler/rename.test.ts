import type { Body } from '../ast/nodes.js';
import { parseQuery } from '../parser/index.js';
import { isWildcard, renameBody, sourceName } from './rename.js';

const q = (src: string): Body => parseQuery(src, { regoVersion: 'v1' });

describe('renameBody', () => {
  it('gives every wildcard its own name', () => {
    const { body } = renameBody(q('x := [1][_]; y := [2][_]'));
    const names = JSON.stringify(body).match(/"_\$\d+"/g) ?? [];
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    expect(names.every((n) => isWildcard(JSON.parse(n) as string))).toBe(true);
  });

  it('reports top-level declarations and renames nested ones apart', () => {
    const { body, declared } = renameBody(q('x := 1; y := [x | some x in [1]]'));
    expect([...declared].sort()).toEqual(['x', 'y']);
    const inner = JSON.stringify(body).match(/"x\$\d+"/g) ?? [];
    expect(inner.length).toBeGreaterThan(0);
    expect(sourceName(JSON.parse(inner[0] ?? "null") as string)).toBe('x');
  });

  it('rejects unifying array literals of different lengths', () => {
    expect(() => renameBody(q('[a, b] = [1, 2, 3]'))).toThrow(expect.objectContaining({ code: 'rego_type_error' }));
  });

  it('rejects := of a literal', () => {
    expect(() => renameBody(q('1 := x'))).toThrow(expect.objectContaining({ code: 'rego_compile_error' }));
  });

  it('rejects a some declaration after the variable was used', () => {
    expect(() => renameBody(q('v = 0; some v in [1]'))).toThrow(expect.objectContaining({ code: 'rego_compile_error' }));
  });
});
