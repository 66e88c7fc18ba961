import { call, errorOf } from './testkit.js';

describe('semver', () => {
  it.each<[string, boolean]>([
    ['1.9.10', true], ['1.1.12-rc1+foo', true], ['0.0.0', true], ['1.0.0-alpha.1', true],
    ['1.1', false], ['v1.0.0', false], ['1.0.0-a_b', false], ['1.0.0-a..b', false], ['1.2.3.4', false],
    ['99999999999999999999.0.0', false],
    // OPA's parser is lenient here, unlike the SemVer 2.0.0 grammar.
    ['01.0.0', true], ['1.0.0-01', true], ['1.0.0-', true],
  ])('is_valid(%p) is %p', (v, ok) => {
    expect(call('semver.is_valid', [v])).toBe(ok);
  });

  it('is_valid is false for a non-string', () => {
    expect(call('semver.is_valid', [1])).toBe(false);
  });

  it('orders versions by SemVer precedence', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.8.15', '1.9.10', '10.0.0'];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(call('semver.compare', [ordered[i], ordered[i + 1]])).toBe(-1);
      expect(call('semver.compare', [ordered[i + 1], ordered[i]])).toBe(1);
    }
    expect(call('semver.compare', ['1.0.0+a', '1.0.0+b'])).toBe(0);
  });

  it('refuses invalid versions and non-strings', () => {
    expect(errorOf('semver.compare', ['1.0', '1.0.0']).kind).toBe('builtin');
    expect(errorOf('semver.compare', [1, '']).kind).toBe('type');
  });
});
