import { ConfigError, parseConfig } from '../config.js';

describe('fan-out configuration', () => {
  it('has defaults that run the fan-out in the service, signing as the service origin', () => {
    const { fanout } = parseConfig({});
    expect(fanout).toEqual({
      inProcess: true, prefix: 'enigm-trust', attempts: 10, backoffMs: 1000, backoffMaxMs: 300_000, timeoutMs: 5000,
      concurrency: 16, lockMs: 30_000, pollMs: 200, reconcileMs: 30_000, issuer: 'http://localhost:8080', signingKey: undefined,
    });
  });

  it('reads every setting', () => {
    const { fanout } = parseConfig({
      FANOUT_IN_PROCESS: 'false', FANOUT_PREFIX: 'trust-eu', FANOUT_ATTEMPTS: '3', FANOUT_BACKOFF_MS: '50', FANOUT_BACKOFF_MAX_MS: '60',
      FANOUT_TIMEOUT_MS: '900', FANOUT_CONCURRENCY: '2', FANOUT_LOCK_MS: '1500', FANOUT_POLL_MS: '25', FANOUT_RECONCILE_MS: '5000', SET_ISSUER: 'https://trust.enigm.dev', SET_SIGNING_KEY: '{"kty":"EC"}',
    });
    expect(fanout).toEqual({
      inProcess: false, prefix: 'trust-eu', attempts: 3, backoffMs: 50, backoffMaxMs: 60, timeoutMs: 900,
      concurrency: 2, lockMs: 1500, pollMs: 25, reconcileMs: 5000, issuer: 'https://trust.enigm.dev', signingKey: '{"kty":"EC"}',
    });
  });

  it.each([
    ['FANOUT_IN_PROCESS', 'maybe'],
    ['FANOUT_PREFIX', 'has:colon'],
    ['FANOUT_ATTEMPTS', '0'],
    ['FANOUT_ATTEMPTS', 'ten'],
    ['FANOUT_TIMEOUT_MS', '-5'],
    ['FANOUT_BACKOFF_MAX_MS', '10'],
    ['FANOUT_RECONCILE_MS', '50'],
    ['SET_ISSUER', 'not a url'],
    ['SET_ISSUER', 'ftp://trust.enigm.dev'],
    ['SET_SIGNING_KEY', '{not json'],
  ])('stops on %s=%s with an error naming the variable', (variable, value) => {
    let error: unknown;
    try {
      parseConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(new RegExp(`^${variable}: `));
  });

  it('never prints a configured signing key in an error', () => {
    expect(() => parseConfig({ SET_SIGNING_KEY: '{"d":"SECRET-MATERIAL"' })).toThrow(/^SET_SIGNING_KEY: must be a private JWK in JSON$/);
  });
});
