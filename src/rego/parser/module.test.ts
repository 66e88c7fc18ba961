import { RegoError } from '../errors.js';
import { parseModule } from './index.js';

function parseError(source: string, regoVersion: 'v0' | 'v1' = 'v1'): RegoError {
  try {
    parseModule('m.rego', source, { regoVersion });
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('package', () => {
  it('stores the package path without data', () => {
    const m = parseModule('m.rego', 'package enigm.trust["decision"]', { regoVersion: 'v1' });
    expect(m).toMatchObject({ type: 'module', file: 'm.rego', package: ['enigm', 'trust', 'decision'], imports: [], rules: [] });
  });

  it('refuses a module without a package, pointing at the first token', () => {
    const e = parseError('# header\np := 1');
    expect(e.message).toContain('expected `package`');
    expect(e.location).toMatchObject({ file: 'm.rego', line: 2, col: 1 });
  });

  it('refuses a second package clause', () => {
    expect(parseError('package a\npackage b').message).toContain('one package clause');
  });
});

describe('imports', () => {
  it('parses data and input imports with aliases', () => {
    const m = parseModule('m.rego', 'package a\nimport data.lib.util as u\nimport input.user\nimport data.x["y"]', { regoVersion: 'v1' });
    expect(m.imports).toHaveLength(3);
    expect(m.imports[0]).toMatchObject({ alias: 'u', path: { type: 'ref', head: { name: 'data' }, path: [{ value: 'lib' }, { value: 'util' }] } });
    expect(m.imports[1]).not.toHaveProperty('alias');
    expect(m.imports[2].path).toMatchObject({ path: [{ value: 'x' }, { value: 'y' }] });
  });

  it('refuses imports from other roots and imports after rules', () => {
    expect(parseError('package a\nimport foo.bar').message).toContain('invalid import path');
    const e = parseError('package a\np := 1\nimport data.x');
    expect(e.message).toContain('import must come before rules');
    expect(e.location).toMatchObject({ line: 3, col: 1 });
  });

  it('refuses unknown future keywords and aliases of keyword imports', () => {
    expect(parseError('package a\nimport future.keywords.when', 'v0').message).toContain('unknown future keyword');
    expect(parseError('package a\nimport rego.v1 as r', 'v0').message).toContain('cannot be aliased');
  });

  it('refuses rego.v1 together with future keywords or twice', () => {
    expect(parseError('package a\nimport rego.v1\nimport future.keywords.in', 'v0').message).toContain('shadows previous import');
    expect(parseError('package a\nimport future.keywords\nimport rego.v1', 'v0').message).toContain('shadows previous import');
    expect(parseError('package a\nimport rego.v1\nimport rego.v1', 'v0').message).toContain('shadows previous import');
    expect(() => parseModule('m', 'package a\nimport future.keywords\nimport future.keywords', { regoVersion: 'v0' })).not.toThrow();
  });
});

describe('rego versions', () => {
  it('records the version the module was parsed as', () => {
    expect(parseModule('m', 'package a', { regoVersion: 'v1' }).regoVersion).toBe('v1');
    expect(parseModule('m', 'package a', { regoVersion: 'v0' }).regoVersion).toBe('v0');
  });

  it('parses a v0 module that imports rego.v1 as v1', () => {
    const m = parseModule('m', 'package a\nimport rego.v1\np if true', { regoVersion: 'v0' });
    expect(m.regoVersion).toBe('v1');
    expect(parseError('package a\nimport rego.v1\np { true }', 'v0').message).toContain('`if` keyword is required');
  });

  it('makes future keywords reserved in v0 only once imported', () => {
    expect(() => parseModule('m', 'package a\np { in := 1 }', { regoVersion: 'v0' })).not.toThrow();
    expect(parseError('package a\nimport future.keywords.in\np { in := 1 }', 'v0').message).toContain('keyword `in`');
    expect(parseError('package a\nimport future.keywords\np { if := 1 }', 'v0').message).toContain('keyword `if`');
    expect(() => parseModule('m', 'package a\nimport future.keywords.in\np { if := 1 }', { regoVersion: 'v0' })).not.toThrow();
  });
});
