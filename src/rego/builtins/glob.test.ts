import type { Value } from '../value/index.js';
import { globBuiltins } from './glob.js';
import { familyCaller } from './testkit.js';

const { call, errorOf } = familyCaller(globBuiltins, { checkArity: false });

const match = (pattern: string, delimiters: Value, subject: string): Value | undefined => call('glob.match', pattern, delimiters, subject);

describe('glob.match', () => {
  it('stops * at the default delimiter "." when delimiters is an empty array', () => {
    expect(match('*.github.com', [], 'api.github.com')).toBe(true);
    expect(match('*.github.com', [], 'api.cdn.github.com')).toBe(false);
  });

  it('lets * cross everything when delimiters is null', () => {
    expect(match('*hub.com', null, 'api.cdn.github.com')).toBe(true);
    expect(match('api://*/appId', null, 'api://foo.com/appId')).toBe(true);
  });

  it('uses the given delimiters', () => {
    expect(match('*:github:com', [':'], 'api:github:com')).toBe(true);
    expect(match('*:com', [':'], 'api:github:com')).toBe(false);
    expect(match('*.com', [':'], 'api.github.com')).toBe(true);
  });

  it('lets ** cross delimiters', () => {
    expect(match('api.**.com', [], 'api.github.com')).toBe(true);
    expect(match('api.**.com', [], 'api.cdn.github.com')).toBe(true);
    expect(match('**', ['.'], 'a.b\nc')).toBe(true);
  });

  it('matches single characters, classes and negated classes', () => {
    expect(match('?at', [], 'cat')).toBe(true);
    expect(match('?at', [], 'at')).toBe(false);
    expect(match('?at', [], '.at')).toBe(false);
    expect(match('[abc]at', [], 'bat')).toBe(true);
    expect(match('[abc]at', [], 'lat')).toBe(false);
    expect(match('[!abc]at', [], 'cat')).toBe(false);
    expect(match('[!a-c]at', [], 'lat')).toBe(true);
    expect(match('[a-c]at', [], 'dat')).toBe(false);
    expect(match('[\\]x]', [], ']')).toBe(true);
    expect(match('[]a', [], 'a')).toBe(false);
    expect(match('[^a]', [], '^')).toBe(true);
    expect(match('[z-a]', [], 'm')).toBe(false);
    expect(match('[!z-a]', [], 'm')).toBe(true);
  });

  it('matches alternatives, which may hold patterns', () => {
    expect(match('{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(match('{cat,bat,[fr]at}', [], 'at')).toBe(false);
    expect(match('x.{a*,b}', [], 'x.abc')).toBe(true);
    expect(match('x.{a*,b}', [], 'x.a.c')).toBe(false);
  });

  it('treats escaped and regex-special characters literally', () => {
    expect(match('\\*.com', [], '*.com')).toBe(true);
    expect(match('\\*.com', [], 'a.com')).toBe(false);
    expect(match('a+b(c)|$', [], 'a+b(c)|$')).toBe(true);
    expect(match('a+b', [], 'aab')).toBe(false);
  });

  it.each([
    ['?', null, '', false],
    ['[!0-9]', null, '', false],
    ['a/*/b', null, 'a/b', false],
    ['a/*/b', null, 'a/x/b', true],
    ['a/**/b', null, 'a/b', false],
    ['a/**/b', null, 'a//b', true],
    ['**/x', null, 'x', false],
    ['{**/,}x', null, 'x', true],
    ['***', ['.'], '', true],
    ['*?*', ['.', '/'], 'api.github.com', false],
    ['*?*', ['.', '/'], 'abc', true],
    ['*', ['.', '/'], 'a/b', false],
  ] as Array<[string, Value, string, boolean]>)('matches %j with delimiters %j against %j as gobwas does', (pattern, delimiters, subject, want) => {
    expect(match(pattern, delimiters, subject)).toBe(want);
  });

  it('runs in linear time on patterns that make backtrackers explode', () => {
    const started = Date.now();
    expect(match('*a*a*a*a*a*a*a*a*a*a*b', null, 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses malformed patterns and bad arguments', () => {
    expect(errorOf('glob.match', '[abc', [], 'a').kind).toBe('builtin');
    expect(errorOf('glob.match', '{a,b', [], 'a').kind).toBe('builtin');
    expect(errorOf('glob.match', 1, [], 'a').kind).toBe('type');
    expect(errorOf('glob.match', '*', 'x', 'a').kind).toBe('type');
    expect(errorOf('glob.match', '*', [1], 'a').kind).toBe('type');
    expect(errorOf('glob.match', '*', ['ab'], 'a').kind).toBe('type');
    expect(errorOf('glob.match', '[a-cx]', [], 'a').kind).toBe('builtin');
    expect(errorOf('glob.match', 'a\\', [], 'a').kind).toBe('builtin');
    expect(errorOf('glob.match', '*', [], 1).kind).toBe('type');
  });
});

describe('glob.quote_meta', () => {
  it('escapes glob metacharacters so the result matches literally', () => {
    const quoted = call('glob.quote_meta', '*.git{hub,lab}[x]?\\') as string;
    expect(quoted).toBe('\\*.git\\{hub,lab\\}\\[x\\]\\?\\\\');
    expect(match(quoted, [], '*.git{hub,lab}[x]?\\')).toBe(true);
  });
});
