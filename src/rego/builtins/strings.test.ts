import { ObjectValue, SetValue, type Value } from '../value/index.js';
import { stringsBuiltins } from './strings.js';
import { familyCaller } from './testkit.js';

const { call, errorOf } = familyCaller(stringsBuiltins);

const NON_STRINGS: Value[] = [null, true, 1, [], new SetValue(), new ObjectValue()];

describe('concat', () => {
  it('joins arrays in order and sets in sorted order', () => {
    expect(call('concat', ', ', ['Hello', 'world'])).toBe('Hello, world');
    expect(call('concat', ', ', SetValue.from(['world', 'Hello']))).toBe('Hello, world');
    expect(call('concat', ',', [])).toBe('');
    expect(call('concat', '', new SetValue())).toBe('');
  });

  it('refuses a non-string delimiter or a collection with non-strings', () => {
    for (const bad of NON_STRINGS) expect(errorOf('concat', bad, []).kind).toBe('type');
    for (const bad of [null, true, 1, '', new ObjectValue(), [1]]) expect(errorOf('concat', '', bad).kind).toBe('type');
  });
});

describe('contains, startswith, endswith', () => {
  it('test substrings, empty ones included', () => {
    expect(call('contains', 'Hello, world', ', ')).toBe(true);
    expect(call('contains', 'Hello', '')).toBe(true);
    expect(call('contains', '', ',')).toBe(false);
    expect(call('startswith', 'Hello', 'He')).toBe(true);
    expect(call('endswith', 'Hello, world', 'ld')).toBe(true);
    expect(call('endswith', '', 'ld')).toBe(false);
  });

  it('refuse non-string arguments in either position', () => {
    for (const name of ['contains', 'startswith', 'endswith']) {
      for (const bad of NON_STRINGS) {
        expect(errorOf(name, bad, '').kind).toBe('type');
        expect(errorOf(name, '', bad).kind).toBe('type');
      }
    }
  });
});

describe('lower and upper', () => {
  it('map each code point on its own, as Go does', () => {
    expect(call('lower', 'aBcD109')).toBe('abcd109');
    expect(call('lower', 'ὈΔΥΣΣΕΎΣ')).toBe('ὀδυσσεύς');
    expect(call('lower', 'LONG\u2C6FSTRING')).toBe('long\u0250string');
    expect(call('upper', 'straße')).toBe('STRAßE');
    expect(call('upper', 'abc')).toBe('ABC');
  });

  it('refuse non-strings', () => {
    for (const bad of NON_STRINGS) expect(errorOf('lower', bad).kind).toBe('type');
  });
});

describe('split', () => {
  it('splits on a separator, or into code points on an empty one', () => {
    expect(call('split', 'a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(call('split', 'test', '')).toEqual(['t', 'e', 's', 't']);
    expect(call('split', '', '')).toEqual([]);
    expect(call('split', '', ',')).toEqual(['']);
    expect(call('split', 'a😀b', '')).toEqual(['a', '😀', 'b']);
  });
});

describe('format_int', () => {
  it('truncates toward zero and formats in bases 2, 8, 10, 16', () => {
    expect(call('format_int', 10, 2)).toBe('1010');
    expect(call('format_int', 10.7, 8)).toBe('12');
    expect(call('format_int', -10.999999999, 10)).toBe('-10');
    expect(call('format_int', -10, 16)).toBe('-a');
    expect(call('format_int', 2n ** 64n, 16)).toBe('10000000000000000');
  });

  it('refuses other bases and non-numbers', () => {
    expect(errorOf('format_int', 10, 4).kind).toBe('type');
    expect(errorOf('format_int', '10', 2).kind).toBe('type');
    expect(errorOf('format_int', 10, '2').kind).toBe('type');
  });
});

describe('indexof and indexof_n', () => {
  it('count code points, and give -1 for an empty needle', () => {
    expect(call('indexof', 'Hello world', 'llo')).toBe(2);
    expect(call('indexof', 'Hello world', 'hel')).toBe(-1);
    expect(call('indexof', 'μx', 'x')).toBe(1);
    expect(call('indexof', 'skön var våren', 'vår')).toBe(9);
    expect(call('indexof', '😀x', 'x')).toBe(1);
    expect(call('indexof', '', '')).toBe(-1);
  });

  it('lists every (overlapping) occurrence', () => {
    expect(call('indexof_n', 'dog cat dog', 'dog')).toEqual([0, 8]);
    expect(call('indexof_n', 'aaa', 'aa')).toEqual([0, 1]);
    expect(call('indexof_n', 'é😀é', 'é')).toEqual([0, 2]);
    expect(call('indexof_n', 'abc', 'z')).toEqual([]);
    expect(errorOf('indexof_n', 'abc', '').kind).toBe('builtin');
  });
});

describe('replace and strings.replace_n', () => {
  it('replaces every occurrence', () => {
    expect(call('replace', 'a-b-c', '-', '+')).toBe('a+b+c');
    expect(call('replace', 'ab', '', '.')).toBe('.a.b.');
  });

  it('replaces pairs in one pass, earlier keys first', () => {
    const patterns = ObjectValue.from([['ab', 'X'], ['a', 'Y'], ['b', 'a']]);
    expect(call('strings.replace_n', patterns, 'abab b')).toBe('YaYa a');
    expect(call('strings.replace_n', ObjectValue.from([['aa', '2'], ['a', '1']]), 'aaa')).toBe('111');
    expect(errorOf('strings.replace_n', ObjectValue.from([['a', 1]]), 'a').kind).toBe('type');
  });
});

describe('substring', () => {
  it('counts code points; a negative length means to the end', () => {
    expect(call('substring', 'abcdef', 1, 3)).toBe('bcd');
    expect(call('substring', 'abcdef', 2, -1)).toBe('cdef');
    expect(call('substring', 'abc', 5, 1)).toBe('');
    expect(call('substring', '😀bc', 0, 2)).toBe('😀b');
    expect(call('substring', 'abc', 1, 100)).toBe('bc');
  });

  it('refuses a negative offset and non-integers', () => {
    expect(errorOf('substring', 'abc', -1, 1).kind).toBe('builtin');
    expect(errorOf('substring', 'abc', 1.5, 1).kind).toBe('type');
  });
});

describe('trimming', () => {
  it('trims code points of a cutset, prefixes, suffixes and Go spaces', () => {
    expect(call('trim', '¡¡Hello!!', '!¡')).toBe('Hello');
    expect(call('trim_left', 'xxhixx', 'x')).toBe('hixx');
    expect(call('trim_right', 'xxhixx', 'x')).toBe('xxhi');
    expect(call('trim_prefix', 'prefix-x', 'prefix-')).toBe('x');
    expect(call('trim_prefix', 'x', 'y')).toBe('x');
    expect(call('trim_suffix', 'x.rego', '.rego')).toBe('x');
    expect(call('trim_space', '\t\n x \u00a0\u3000')).toBe('x');
    expect(call('trim_space', '\ufeffx')).toBe('\ufeffx');
  });
});

describe('other string builtins', () => {
  it('reverses by code point', () => {
    expect(call('strings.reverse', 'a😀b')).toBe('b😀a');
  });

  it('matches any prefix or suffix between strings and collections', () => {
    expect(call('strings.any_prefix_match', 'foo.bar', 'foo')).toBe(true);
    expect(call('strings.any_prefix_match', ['x', 'foo.bar'], SetValue.from(['baz', 'foo']))).toBe(true);
    expect(call('strings.any_suffix_match', 'foo.bar', ['baz'])).toBe(false);
    expect(errorOf('strings.any_prefix_match', 1, 'x').kind).toBe('type');
    expect(errorOf('strings.any_suffix_match', 'x', [1]).kind).toBe('type');
  });

  it('counts non-overlapping occurrences', () => {
    expect(call('strings.count', 'cheese', 'e')).toBe(3);
    expect(call('strings.count', 'aaaa', 'aa')).toBe(2);
    expect(call('strings.count', 'five', '')).toBe(5);
  });
});

describe('to_number', () => {
  it('converts null, booleans, numbers and numeric strings', () => {
    expect(call('to_number', null)).toBe(0);
    expect(call('to_number', true)).toBe(1);
    expect(call('to_number', false)).toBe(0);
    expect(call('to_number', 3.5)).toBe(3.5);
    expect(call('to_number', '-12')).toBe(-12);
    expect(call('to_number', '1e3')).toBe(1000);
    expect(call('to_number', '0.25')).toBe(0.25);
    expect(call('to_number', '123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it('refuses unparsable strings and other types', () => {
    expect(errorOf('to_number', 'abc').kind).toBe('builtin');
    expect(errorOf('to_number', 'Inf').kind).toBe('builtin');
    expect(errorOf('to_number', '').kind).toBe('builtin');
    expect(errorOf('to_number', []).kind).toBe('type');
  });
});
