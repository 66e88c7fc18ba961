import { BoundedCache, regexBuiltins } from './regex.js';
import { familyCaller } from './testkit.js';

const { call, errorOf } = familyCaller(regexBuiltins);

describe('regex.match', () => {
  it('finds the pattern anywhere unless anchored', () => {
    expect(call('regex.match', 'b+', 'abbbc')).toBe(true);
    expect(call('regex.match', '^b+$', 'abbbc')).toBe(false);
    expect(call('regex.match', '(?i)^HELLO', 'hello world')).toBe(true);
    expect(call('regex.match', '^\\p{Greek}+$', 'αβγ')).toBe(true);
  });

  it('finishes fast on a pattern that makes backtracking engines explode', () => {
    const started = Date.now();
    expect(call('regex.match', '(a+)+$', 'a'.repeat(50_000) + '!')).toBe(false);
    expect(call('regex.match', '^(a|aa)*b$', 'a'.repeat(50_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses invalid patterns and non-strings', () => {
    expect(errorOf('regex.match', '(', 'x').kind).toBe('builtin');
    expect(errorOf('regex.match', '(?<=a)b', 'ab').kind).toBe('builtin'); // no lookbehind in RE2
    expect(errorOf('regex.match', 1, 'x').kind).toBe('type');
    expect(errorOf('regex.match', 'x', null).kind).toBe('type');
  });
});

describe('regex.is_valid', () => {
  it('tells valid RE2 patterns from invalid ones and non-strings', () => {
    expect(call('regex.is_valid', '^[a-z]+$')).toBe(true);
    expect(call('regex.is_valid', '[a-')).toBe(false);
    expect(call('regex.is_valid', '(a)\\1')).toBe(false);
    expect(call('regex.is_valid', 1)).toBe(false);
  });
});

describe('regex.find_n and regex.find_all_string_submatch_n', () => {
  it('returns up to n matches, all when n is negative', () => {
    expect(call('regex.find_n', 'a.', 'paranormal', -1)).toEqual(['ar', 'an', 'al']);
    expect(call('regex.find_n', 'a.', 'paranormal', 2)).toEqual(['ar', 'an']);
    expect(call('regex.find_n', 'a.', 'paranormal', 0)).toEqual([]);
    expect(call('regex.find_n', 'x*', 'axb', -1)).toEqual(['', 'x', '']);
  });

  it('returns groups, with "" for groups that did not take part', () => {
    expect(call('regex.find_all_string_submatch_n', 'a(x*)b(y)?', '-ab-axxb-aby-', -1)).toEqual([
      ['ab', '', ''], ['axxb', 'xx', ''], ['aby', '', 'y'],
    ]);
    expect(call('regex.find_all_string_submatch_n', '(é)(😀)?', 'é😀é', 1)).toEqual([['é😀', 'é', '😀']]);
  });

  it('refuses a non-integer n', () => {
    expect(errorOf('regex.find_n', 'a', 'a', 1.5).kind).toBe('type');
  });
});

describe('regex.split', () => {
  it('splits as Go does', () => {
    expect(call('regex.split', ',\\s*', 'a, b,c')).toEqual(['a', 'b', 'c']);
    expect(call('regex.split', 'a*', 'abaabaccadaaae')).toEqual(['', 'b', 'b', 'c', 'c', 'd', 'e']);
    expect(call('regex.split', ',', '')).toEqual(['']);
    expect(call('regex.split', ',', 'a,')).toEqual(['a', '']);
    expect(call('regex.split', '/', 'foo//bar/baz')).toEqual(['foo', '', 'bar', 'baz']);
    expect(call('regex.split', '/', 'foo-bar')).toEqual(['foo-bar']);
  });
});

describe('regex.replace', () => {
  it('replaces every match, expanding $ references', () => {
    expect(call('regex.replace', '-ab-axxb-', 'a(x*)b', 'T')).toBe('-T-T-');
    expect(call('regex.replace', '-ab-axxb-', 'a(x*)b', '$1')).toBe('--xx-');
    expect(call('regex.replace', '-ab-axxb-', 'a(x*)b', '$1W')).toBe('---');
    expect(call('regex.replace', '-ab-axxb-', 'a(x*)b', '${1}W')).toBe('-W-xxW-');
    expect(call('regex.replace', 'john smith', '(?P<first>\\w+) (?P<last>\\w+)', '$last, $first')).toBe('smith, john');
    expect(call('regex.replace', 'a', 'a', '$$')).toBe('$');
  });
});

describe('regex.template_match', () => {
  it('matches templates whose delimited parts are patterns', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar:{[a-z]+}', 'urn:foo.bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.bar:{[a-z]+}', 'urn:fooXbar:baz', '{', '}')).toBe(false);
    expect(call('regex.template_match', 'urn:<[0-9]{2}>', 'urn:12', '<', '>')).toBe(true);
    expect(call('regex.template_match', 'urn:<[0-9]{2}>', 'urn:123', '<', '>')).toBe(false);
    expect(call('regex.template_match', '/users/id-{[0-9]{1,4}}/update', '/users/id-123/update', '{', '}')).toBe(true);
    expect(call('regex.template_match', '/users/id-{[0-9]{1,4}}/update', '/users/id-123123/update', '{', '}')).toBe(false);
    expect(call('regex.template_match', 't-(10+)-235', 't-10000-235', '(', ')')).toBe(true);
  });

  it('refuses unbalanced templates', () => {
    expect(errorOf('regex.template_match', 'urn:{.*', 'urn:x', '{', '}').kind).toBe('builtin');
    expect(errorOf('regex.template_match', 'urn:}x{.*}', 'urn:}x', '{', '}').kind).toBe('builtin');
    expect(errorOf('regex.template_match', 'urn:{.*}', 'urn:x', '{{', '}').kind).toBe('builtin');
  });
});

describe('BoundedCache', () => {
  it('forgets the least recently used entry beyond its limit', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });
});
