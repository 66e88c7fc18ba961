import { SETTING_DEFAULTS } from '../../src/trust/organisations/settings.js';
import { parseSignalKeys, effectiveMaxAgeSeconds, type SignalSource } from '../../src/trust/signals/signalSources.js';
import { SignalRejectedError } from '../../src/trust/signals/signalRejectedError.js';
import { CLOCK_TOLERANCE_SECONDS, verifySignedStatement } from '../../src/trust/signals/verifySignedStatement.js';
import { postureSignal } from '../../src/trust/signals/posture.js';
import { AUDIENCE, MDM_ISSUER, testSigner, type TestSigner } from '../helpers/signals.js';

/** The pure parts of signal verification, at their boundaries. */
describe('verifySignedStatement', () => {
  let signer: TestSigner;
  let source: SignalSource;
  const deviceId = 'dev_unit';
  const now = new Date('2026-11-25T10:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  beforeAll(async () => {
    signer = await testSigner('ES256', 'k1');
    source = { orgId: 'o', kind: 'managed', issuer: MDM_ISSUER, audience: null, keys: await parseSignalKeys({ keys: [signer.publicJwk] }), maxAgeSeconds: null, version: 1, updatedAt: now };
  });

  const verify = async (claims: Record<string, unknown>, maxAgeSeconds = 3600) =>
    verifySignedStatement({ field: 'managedStatement', token: await signer.sign({ iss: MDM_ISSUER, aud: AUDIENCE, sub: deviceId, ...claims }), source, audience: AUDIENCE, deviceId, maxAgeSeconds, now });
  const reason = async (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof SignalRejectedError ? e.reason : `threw ${String(e)}`));

  it('accepts a statement exactly at its maximum age, and refuses one a second older', async () => {
    expect(await reason(verify({ iat: t - 3600, exp: t + 60 }))).toBe('accepted');
    expect(await reason(verify({ iat: t - 3601, exp: t + 60 }))).toBe('too_old');
  });

  it('tolerates the stated clock skew on exp and iat, and no more', async () => {
    expect(await reason(verify({ iat: t - 100, exp: t - CLOCK_TOLERANCE_SECONDS + 1 }))).toBe('accepted');
    expect(await reason(verify({ iat: t - 100, exp: t - CLOCK_TOLERANCE_SECONDS - 1 }))).toBe('expired');
    expect(await reason(verify({ iat: t + CLOCK_TOLERANCE_SECONDS, exp: t + 600 }))).toBe('accepted');
    expect(await reason(verify({ iat: t + CLOCK_TOLERANCE_SECONDS + 5, exp: t + 600 }))).toBe('issued_in_future');
  });

  it('accepts an audience list that names this service, and requires sub, iat and exp', async () => {
    expect(await reason(verify({ iat: t, exp: t + 60, aud: ['urn:other', AUDIENCE] }))).toBe('accepted');
    expect(await reason(verify({ iat: t, exp: t + 60, sub: undefined }))).toBe('missing_claim');
    expect(await reason(verify({ iat: undefined, exp: t + 60 }))).toBe('missing_claim');
  });

  it('returns the dates and the key it verified with', async () => {
    const v = await verify({ iat: t - 10, exp: t + 50 });
    expect(v).toMatchObject({ kid: 'k1', alg: 'ES256', issuedAt: new Date((t - 10) * 1000), expiresAt: new Date((t + 50) * 1000) });
  });
});

describe('signal source configuration helpers', () => {
  it('takes the source max age, else the organisation setting, else the default', () => {
    const chosen = { ...SETTING_DEFAULTS, managed_max_age_seconds: 120 };
    expect(effectiveMaxAgeSeconds('managed', 60, chosen)).toBe(60);
    expect(effectiveMaxAgeSeconds('managed', null, chosen)).toBe(120);
    expect(effectiveMaxAgeSeconds('managed', null, SETTING_DEFAULTS)).toBe(30 * 86400);
    expect(effectiveMaxAgeSeconds('os_integrity', null, SETTING_DEFAULTS)).toBe(3600);
  });

  it('keeps only the public members of each key', async () => {
    const k = await testSigner('EdDSA', 'ed');
    expect(await parseSignalKeys({ keys: [{ ...k.publicJwk, use: 'sig', key_ops: ['verify'], ext: true }] })).toEqual([{ kid: 'ed', kty: 'OKP', crv: 'Ed25519', x: k.publicJwk.x, use: 'sig' }]);
  });
});

describe('postureSignal', () => {
  it('is never verified and is dated by its arrival', () => {
    const at = new Date('2026-11-25T10:00:00Z');
    expect(postureSignal({ screenLock: false, osName: 'ios' }, at)).toEqual({ kind: 'posture', verified: false, status: null, issuer: null, issuedAt: at, payload: { screen_lock: false, os_name: 'ios' } });
  });
});
