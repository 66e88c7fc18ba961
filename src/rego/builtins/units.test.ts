import { call, errorOf, js, rego } from './testkit.js';

describe('units.parse', () => {
  it.each<[string, unknown]>([
    ['1', 1], ['"1"', 1], ['1E', 10n ** 18n], ['1e', 10n ** 18n], ['1P', 10n ** 15n], ['1t', 10n ** 12n],
    ['1G', 1e9], ['1M', 1e6], ['1K', 1000], ['1k', 1000], ['1m', 0.001], ['1.5m', 0.0015], ['2.5k', 2500],
    ['1Ki', 1024], ['1kI', 1024], ['1MI', 1048576], ['1mi', 1048576], ['1.5Gi', 1610612736], ['1Ei', 2n ** 60n],
    ['1Zi', 2n ** 70n], ['1yi', 2n ** 80n], ['1Q', 1e30], ['1da', 10], ['1μ', 1e-6], ['1q', 1e-30], ['.5k', 500],
    ['1e3', 1000], ['1.5e3k', 1500000], ['1e-3', 0.001], ['1e+2Ki', 102400],
  ])('reads %p as %p', (text, want) => {
    expect(rego(call('units.parse', [text]))).toBe(js(want));
  });

  it('is undefined for an unknown unit, as the conformance cases expect', () => {
    expect(call('units.parse', ['1mb'])).toBeUndefined();
  });

  it('refuses spaces, missing amounts and non-strings', () => {
    expect(errorOf('units.parse', ['1 m']).message).toBe('spaces not allowed in resource strings');
    expect(errorOf('units.parse', ['k']).kind).toBe('builtin');
    expect(errorOf('units.parse', ['1.2.3k']).kind).toBe('builtin');
    expect(errorOf('units.parse', [['1']]).kind).toBe('type');
    expect(errorOf('units.parse', ['1e9999']).message).toBe('exponent too large');
  });
});

describe('units.parse_bytes', () => {
  it.each<[string, unknown]>([
    ['1', 1], ['1b', 1], ['1KB', 1000], ['1k', 1000], ['1Ki', 1024], ['1KiB', 1024], ['1MiB', 1048576],
    ['1.5kb', 1500], ['1.5KiB', 1536], ['0.3kib', 307], ['1yib', 2n ** 80n], ['1QB', 1e30], ['1eb', 10n ** 18n],
    ['1e3kb', 10n ** 6n], ['2.5e-1kib', 256],
  ])('reads %p as %p', (text, want) => {
    expect(rego(call('units.parse_bytes', [text]))).toBe(js(want));
  });

  it('refuses unknown units and spaces', () => {
    expect(errorOf('units.parse_bytes', ['1x']).kind).toBe('builtin');
    expect(errorOf('units.parse_bytes', ['1 m']).message).toBe('spaces not allowed in resource strings');
  });
});
