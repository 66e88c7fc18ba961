import { jsonValueProblem, MAX_BODY_DEPTH, refuseDeepJson } from './requestInput.js';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const verify = refuseDeepJson();
const verdict = (text: string) => {
  try {
    verify(undefined, undefined, Buffer.from(text));
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('the request body checks', () => {
  it('refuses from the raw bytes a body nested deeper than the limit, and no shallower one', () => {
    expect(verdict(nested(MAX_BODY_DEPTH))).toBe('accepted');
    expect(verdict(nested(MAX_BODY_DEPTH + 1))).toMatch(/nested deeper than 32 levels/);
    expect(verdict(nested(100_000))).toMatch(/nested deeper/);
  });

  it('counts no bracket inside a string, escaped quotes included', () => {
    expect(verdict(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[' }))).toBe('accepted');
  });

  it('finds NUL and unpaired surrogates in keys and strings at any depth, without recursion', () => {
    expect(jsonValueProblem({ a: [{ b: 'fine \u{1F600}' }] })).toBeUndefined();
    expect(jsonValueProblem({ a: [{ b: 'x\u0000' }] })).toMatch(/NUL/);
    expect(jsonValueProblem({ ['k\uDC00']: 1 })).toMatch(/unpaired surrogate/);
    expect(jsonValueProblem(JSON.parse(nested(50_000)))).toMatch(/nested deeper/);
    expect(jsonValueProblem(JSON.parse('{"n":[1e400]}'))).toMatch(/beyond what a double can hold/);
  });
});
