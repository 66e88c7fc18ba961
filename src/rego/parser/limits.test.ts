import { RegoError } from '../errors.js';
import { MAX_DEPTH, parseModule, parseQuery } from './index.js';

function queryError(src: string): RegoError {
  try {
    parseQuery(src, { regoVersion: 'v1' }, 'deep.rego');
  } catch (e) {
    if (e instanceof RegoError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('nesting limits', () => {
  it('parses nesting up to the limit', () => {
    const n = MAX_DEPTH - 1;
    expect(() => parseQuery('['.repeat(n) + '1' + ']'.repeat(n), { regoVersion: 'v1' })).not.toThrow();
  });

  it.each([
    ['parentheses', (n: number) => '('.repeat(n) + '1' + ')'.repeat(n)],
    ['arrays', (n: number) => '['.repeat(n) + '1' + ']'.repeat(n)],
    ['objects', (n: number) => '{"a": '.repeat(n) + '1' + '}'.repeat(n)],
    ['comprehensions', (n: number) => '[x | x := '.repeat(n) + '1' + ']'.repeat(n)],
    ['unary minus', (n: number) => '-'.repeat(n) + 'x'],
  ])('refuses deep %s with a parse error, not a stack overflow', (_name, make) => {
    const e = queryError(make(100_000));
    expect(e.code).toBe('rego_parse_error');
    expect(e.message).toContain('nesting too deep');
    expect(e.location?.file).toBe('deep.rego');
  });

  it('fails fast on nested speculative parses that keep failing at commas', () => {
    const started = Date.now();
    const e = queryError('x := ' + '[a | '.repeat(250) + 'a,,');
    expect(e.code).toBe('rego_parse_error');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('parses very long refs, arrays and operator chains', () => {
    const n = 100_000;
    const [ref] = parseQuery('input' + '.a'.repeat(n), { regoVersion: 'v1' });
    expect(ref).toMatchObject({ type: 'term', term: { type: 'ref' } });
    if (ref.type !== 'term' || ref.term.type !== 'ref') throw new Error('ref expected');
    expect(ref.term.path).toHaveLength(n);
    expect(() => parseQuery(`x := [${'1,'.repeat(n)}]`, { regoVersion: 'v1' })).not.toThrow();
    expect(() => parseQuery(`x := 1${' + 1'.repeat(n)}`, { regoVersion: 'v1' })).not.toThrow();
  });

  it('parses a large module in linear time', () => {
    const rules = Array.from({ length: 5000 }, (_, i) => `r${i} if { input.x[${i}] == "v"; some y in input.z; y > ${i} }`);
    const m = parseModule('big.rego', `package big\n${rules.join('\n')}`, { regoVersion: 'v1' });
    expect(m.rules).toHaveLength(5000);
    expect(m.rules[4999].loc.line).toBe(5001);
  });
});

describe('error reports', () => {
  it('turn a failure inside a speculative parse into a full RegoError', () => {
    const e = queryError('x := [a | b c]');
    expect(e).toBeInstanceOf(RegoError);
    expect(e.location).toMatchObject({ file: 'deep.rego', line: 1, col: 13 });
    expect(e.message).toContain('\n\tx := [a | b c]\n\t            ^');
  });

  it('point at file:line:column and show the line with a caret', () => {
    let error: unknown;
    try {
      parseModule('policy.rego', 'package p\n\nallow if {\n  input.x ==\n}\n', { regoVersion: 'v1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegoError);
    const e = error as RegoError;
    expect(e.location).toMatchObject({ file: 'policy.rego', line: 5, col: 1 });
    expect(e.message).toMatch(/^policy\.rego:5:1: rego_parse_error: unexpected `}`/);
    expect(e.message).toContain('\n\t}\n\t^');
  });
});
