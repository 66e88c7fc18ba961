/**
 * The unauthenticated routes: rate-limited per client address and per account handle in
 * Redis, and answering alike whether or not an account handle exists.
 */
import { audits, authenticator, enrollmentHarness, newAccount, post, start, submit, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';

describe('anonymous routes', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  /** The shape of a body: keys and value types, recursively (values themselves differ). */
  const shape = (v: unknown): unknown => (Array.isArray(v) ? v.map(shape) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v);

  it('answers an enrollment for an unknown handle exactly like one for an existing account with devices', async () => {
    const known = await trustedFirstDevice(h);
    const real = await post(h, '/v1/enrollments', { accountHandle: known.handle, label: 'Phone', platform: 'android' });
    const decoy = await post(h, '/v1/enrollments', { accountHandle: 'nobody-by-this-name', label: 'Phone', platform: 'android' });
    expect([real.status, decoy.status]).toEqual([201, 201]);
    expect(shape(decoy.body)).toEqual(shape(real.body));
    const realCred = await submit(h, real.body, authenticator());
    const decoyCred = await submit(h, decoy.body, authenticator());
    expect([realCred.status, decoyCred.status]).toEqual([200, 200]);
    expect({ ...decoyCred.body, deviceId: 'x' }).toEqual({ ...realCred.body, deviceId: 'x' });
    const withCode = await submit(h, await start(h, 'nobody-by-this-name'), authenticator(), { bootstrapCode: `ebc_${'A'.repeat(43)}` });
    const realWrongCode = await submit(h, await start(h, known.handle), authenticator(), { bootstrapCode: `ebc_${'A'.repeat(43)}` });
    expect([withCode.status, withCode.body.code]).toEqual([realWrongCode.status, realWrongCode.body.code]);
    expect((await h.db.query('SELECT 1 FROM devices WHERE id = $1', [decoy.body.deviceId])).rowCount).toBe(0);
    expect((await audits(h, 'enrollment.started', 'refused')).some((a) => a.details.handle === 'nobody-by-this-name')).toBe(true);
  });

  it('answers session options alike for existing and unknown handles, listing no credential', async () => {
    const { handle } = await newAccount(h);
    const real = await post(h, '/v1/sessions/options', { accountHandle: handle });
    const unknown = await post(h, '/v1/sessions/options', { accountHandle: 'no-such-user' });
    expect(shape(unknown.body)).toEqual(shape(real.body));
    expect(real.body.authenticationOptions.challenge).not.toBe(unknown.body.authenticationOptions.challenge);
  });

  it('refuses a session challenge issued for another handle', async () => {
    const device = await trustedFirstDevice(h);
    const options = await post(h, '/v1/sessions/options', { accountHandle: 'someone-else' });
    const res = await post(h, '/v1/sessions', { authenticationResponse: device.auth.assert(options.body.authenticationOptions) });
    expect([res.status, res.body.code]).toEqual([400, 'challenge_foreign']);
    expect((await audits(h, 'session.created', 'refused')).at(-1)?.details.refusal).toBe('challenge_foreign');
  });

  it('limits requests per account handle and per client address, with Retry-After', async () => {
    const limited = await enrollmentHarness({ rateLimitPerHandle: 3, rateLimitPerAddress: 6, rateLimitWindowSeconds: 30 });
    try {
      const ask = (accountHandle: string) => post(limited, '/v1/sessions/options', { accountHandle });
      const perHandle = [];
      for (let i = 0; i < 4; i++) perHandle.push((await ask('Target.User')).status);
      expect(perHandle).toEqual([200, 200, 200, 429]);
      const blocked = await ask('target.user');
      expect(blocked.status).toBe(429);
      expect(blocked.body.code).toBe('rate_limited');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Other handles still pass until the address budget (6) is spent.
      expect((await ask('other-user')).status).toBe(200);
      expect((await post(limited, '/v1/enrollments', { accountHandle: 'third-user', label: 'x', platform: 'web' })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
