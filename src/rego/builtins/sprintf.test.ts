import { ObjectValue, SetValue, type Value } from '../value/index.js';
import { formatValue, goQuote, sprintf, sprintfBuiltins } from './sprintf.js';
import { BuiltinError, type BuiltinContext } from './types.js';

const ctx: BuiltinContext = { strict: true, nowNs: 0n, cache: new Map(), print: () => undefined };
const builtin = new Map(sprintfBuiltins.map((b) => [b.name, b])).get('sprintf');

describe('sprintf', () => {
  it('substitutes strings and integers', () => {
    expect(sprintf('User %s from %s has access', ['alice', 'engineering'])).toBe('User alice from engineering has access');
    expect(sprintf('Number: %d, Percent: %%', [42])).toBe('Number: 42, Percent: %');
    expect(sprintf('%d', [123456789012345678901234567890n])).toBe('123456789012345678901234567890');
  });

  it('formats integers in other bases with Go flags', () => {
    expect(sprintf('%x %X %o %O %b', [255, 255, 64, 64, 15])).toBe('ff FF 100 0o100 1111');
    expect(sprintf('%#x %#o %#b', [255, 8, 5])).toBe('0xff 010 0b101');
    expect(sprintf('%5d|%-5d|%05d|%+d|% d', [42, 42, 42, 42, 42])).toBe('   42|42   |00042|+42| 42');
    expect(sprintf('%05d|%.3d|%8.3d', [-42, 7, -7])).toBe('-0042|007|    -007');
    expect(sprintf('%c|%q|%U', [65, 65, 0x1f600])).toBe("A|'A'|U+1F600");
  });

  it('formats floats as Go does, rounding half to even', () => {
    expect(sprintf('%f', [3.14])).toBe('3.140000');
    expect(sprintf('%.2f', [3.14159])).toBe('3.14');
    expect(sprintf('%.0f|%.0f|%.1f', [2.5, 3.5, 0.25])).toBe('2|4|0.2');
    expect(sprintf('%v|%v|%v', [3.14, 0.000001, 1234567.5])).toBe('3.14|1e-06|1.2345675e+06');
    expect(sprintf('%e|%E|%.2e', [1234.5678, 0.5, 9.999])).toBe('1.234568e+03|5.000000E-01|1.00e+01');
    expect(sprintf('%g|%.3g|%G', [100000.5, 3.14159, 1e-7])).toBe('100000.5|3.14|1E-07');
    expect(sprintf('%8.3f|%-8.2f|%08.3f|%+.1f', [3.14159, 2.5, -3.14159, 2.25])).toBe('   3.142|2.50    |-003.142|+2.2');
  });

  it('formats composite values in Rego notation', () => {
    const object = ObjectValue.from([['b', [1, 'x']], ['a', null]]);
    expect(sprintf('%v', [object])).toBe('{"a": null, "b": [1, "x"]}');
    expect(sprintf('%v %v', [SetValue.from([3, 1, 2]), new SetValue()])).toBe('{1, 2, 3} set()');
    expect(sprintf('%s', [[true, false]])).toBe('[true, false]');
    expect(sprintf('%v', [true])).toBe('true');
  });

  it('quotes strings as Go does', () => {
    expect(sprintf('%q', ['a"b\n\u0001é'])).toBe('"a\\"b\\n\\x01é"');
    expect(sprintf('%+q', ['é'])).toBe('"\\u00e9"');
    expect(sprintf('%#q', ['ab'])).toBe('`ab`');
    expect(sprintf('%#v|%#v', ['a"b', 7])).toBe('"a\\"b"|7');
    expect(sprintf('%x|% X', ['hi', 'hi'])).toBe('6869|68 69');
    expect(sprintf('%.2s|%5s|%-5s|', ['abc', 'ab', 'ab'])).toBe('ab|   ab|ab   |');
  });

  it('writes Go notes for mismatched verbs, missing and extra arguments', () => {
    expect(sprintf('%d', ['x'])).toBe('%!d(string=x)');
    expect(sprintf('%s', [42])).toBe('%!s(int=42)');
    expect(sprintf('%d', [1.5])).toBe('%!d(float64=1.5)');
    expect(sprintf('%t', [true])).toBe('%!t(string=true)');
    expect(sprintf('Value: %s %d', ['only_one'])).toBe('Value: only_one %!d(MISSING)');
    expect(sprintf('%s', ['a', 1])).toBe('a%!(EXTRA int=1)');
    expect(sprintf('50%', [])).toBe('50%!(NOVERB)');
  });

  it('treats big integers as Go treats *big.Int', () => {
    const big = 2n ** 70n;
    expect(sprintf('%d|%s|%x', [big, big, big])).toBe(`${big}|${big}|400000000000000000`);
    expect(sprintf('%c|%T|%T|%T|%T', [big, big, 1, 1.5, 'x'])).toBe(`%!c(big.Int=${big})|*big.Int|int|float64|string`);
  });

  it('prints invalid runes as U+FFFD instead of failing', () => {
    expect(sprintf('%c|%c|%q', [0xd800, 0x110000, -1])).toBe("\ufffd|\ufffd|'\ufffd'");
  });

  it('refuses absurd widths as Go does, without allocating them', () => {
    expect(sprintf('%999999999d', [1])).toBe('%!(NOVERB)%!(EXTRA int=1)');
    expect(sprintf('%*d', [2000000, 1])).toBe('%!(BADWIDTH)1');
  });

  it('backquotes with %#q only when Go can', () => {
    expect(sprintf('%#q|%#q', ['a\tb', 'a`b'])).toBe('`a\tb`|"a`b"');
  });

  it('supports * widths and explicit argument indexes', () => {
    expect(sprintf('%*d|%-*d|', [4, 7, 3, 7])).toBe('   7|7  |');
    expect(sprintf('%[2]s %[1]s', ['world', 'hello'])).toBe('hello world');
  });

  it('refuses a non-string format or a non-array of values', () => {
    const errorOf = (args: Value[]): BuiltinError => {
      try {
        builtin?.fn(args, ctx);
      } catch (e) {
        if (e instanceof BuiltinError) return e;
      }
      throw new Error('sprintf did not fail');
    };
    expect(errorOf([1, []]).kind).toBe('type');
    expect(errorOf(['%s', 'x']).kind).toBe('type');
    expect(builtin?.fn(['%s-%d', ['a', 1]], ctx)).toBe('a-1');
  });
});

describe('formatValue and goQuote', () => {
  it('write nested values and escapes as OPA prints them', () => {
    expect(formatValue(ObjectValue.from([[1, SetValue.from(['z'])]]))).toBe('{1: {"z"}}');
    expect(goQuote('tab\there\u2028')).toBe('"tab\\there\\u2028"');
    expect(goQuote('😀\u{e0001}')).toBe('"😀\\U000e0001"');
  });
});
