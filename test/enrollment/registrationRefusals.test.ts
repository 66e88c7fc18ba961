/**
 * Registration responses that must not enroll anything: wrong origin or RP ID, replayed,
 * expired or foreign challenges, malformed or truncated attestation, no user presence.
 * Each is a problem+json error and leaves an audited refusal. A response that spent its
 * enrollment's challenge also closes that enrollment (it could never finish without it); nothing
 * else changes.
 */
import {
  audits, authenticator, enrollmentHarness, expectClosed, newAccount, post, start, stateSnapshot, type Harness, type Started,
} from '../helpers/enrollmentHarness.js';

describe('refused registrations', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  const credential = (started: Started, registrationResponse: object, extra: object = {}) =>
    post(h, `/v1/enrollments/${started.enrollmentId}/credential`, { registrationResponse, ...extra });

  /** Refused with `code`; `closed` is the enrollment whose spent challenge the refusal closed, if any. */
  async function expectRefused(res: { status: number; body: { code: string }; headers: Record<string, string> }, status: number, code: string, snapshot: string, closed?: Started) {
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await stateSnapshot(h, ...(closed ? [closed] : []))).toBe(snapshot);
    if (closed) await expectClosed(h, closed, code);
    expect((await audits(h, 'enrollment.credential', 'refused')).at(-1)?.details.refusal).toBe(code);
  }

  it.each([
    ['a wrong origin', { origin: 'https://evil.example' }, 'registration_invalid'],
    ['a wrong RP ID', { rpId: 'evil.example' }, 'registration_invalid'],
    ['an assertion type', { type: 'webauthn.get' }, 'registration_invalid'],
    ['a challenge never issued', { challenge: 'A'.repeat(43) }, 'challenge_invalid'],
  ])('refuses a registration with %s', async (_what, override, code) => {
    const account = await newAccount(h);
    const started = await start(h, account.handle);
    const spent = code !== 'challenge_invalid';
    const snapshot = await stateSnapshot(h, ...(spent ? [started] : []));
    await expectRefused(await credential(started, authenticator().register(started.registrationOptions, override), { bootstrapCode: account.bootstrapCode }), 400, code, snapshot, spent ? started : undefined);
    if (!spent) expect((await h.db.query('SELECT state FROM enrollments WHERE id = $1', [started.enrollmentId])).rows[0].state).toBe('started');
  });

  it('refuses a registration without user presence', async () => {
    const account = await newAccount(h);
    const started = await start(h, account.handle);
    const snapshot = await stateSnapshot(h, started);
    await expectRefused(await credential(started, authenticator({ up: false }).register(started.registrationOptions)), 400, 'registration_invalid', snapshot, started);
  });

  it('refuses a replayed registration: the challenge was single-use', async () => {
    const account = await newAccount(h);
    const started = await start(h, account.handle);
    const response = authenticator().register(started.registrationOptions);
    expect((await credential(started, response)).body.state).toBe('pending');
    const snapshot = await stateSnapshot(h);
    await expectRefused(await credential(started, response, { bootstrapCode: account.bootstrapCode }), 400, 'challenge_invalid', snapshot);
  });

  it("refuses another enrollment's challenge", async () => {
    const account = await newAccount(h);
    const mine = await start(h, account.handle);
    const theirs = await start(h, account.handle);
    // The challenge spent was the other enrollment's: that one can no longer finish and is closed; mine still can.
    const snapshot = await stateSnapshot(h, theirs);
    await expectRefused(await credential(mine, authenticator().register(theirs.registrationOptions)), 400, 'challenge_foreign', snapshot, theirs);
    expect((await credential(mine, authenticator().register(mine.registrationOptions))).body.state).toBe('pending');
  });

  it('refuses an expired challenge', async () => {
    const short = await enrollmentHarness({ challengeTtlSeconds: 1 });
    try {
      const account = await newAccount(short);
      const started = await start(short, account.handle);
      await new Promise((r) => setTimeout(r, 1500));
      const res = await post(short, `/v1/enrollments/${started.enrollmentId}/credential`, { registrationResponse: authenticator().register(started.registrationOptions), bootstrapCode: account.bootstrapCode });
      expect([res.status, res.body.code]).toEqual([400, 'challenge_invalid']);
      expect((await short.db.query('SELECT count(*)::int AS n FROM credentials')).rows[0].n).toBe(0);
      expect((await short.db.query('SELECT used_at FROM account_codes')).rows[0].used_at).toBeNull();
      expect((await audits(short, 'enrollment.credential', 'refused')).at(-1)?.details.refusal).toBe('challenge_invalid');
    } finally {
      await short.close();
    }
  });

  it('refuses malformed and truncated attestation objects', async () => {
    const account = await newAccount(h);
    const a = await start(h, account.handle);
    const good = authenticator().register(a.registrationOptions);
    const snapshot = await stateSnapshot(h, a);
    const truncated = { ...good, response: { ...good.response, attestationObject: good.response.attestationObject.slice(0, 60) } };
    await expectRefused(await credential(a, truncated), 400, 'registration_invalid', snapshot, a);
    const b = await start(h, account.handle);
    const good2 = authenticator().register(b.registrationOptions);
    const snapshot2 = await stateSnapshot(h, b);
    const garbage = { ...good2, response: { ...good2.response, attestationObject: Buffer.from('not cbor at all').toString('base64url') } };
    await expectRefused(await credential(b, garbage), 400, 'registration_invalid', snapshot2, b);
    const c = await start(h, account.handle);
    const good3 = authenticator().register(c.registrationOptions);
    const noClientData = { ...good3, response: { ...good3.response, clientDataJSON: 'e30' } };
    const snapshot3 = await stateSnapshot(h);
    // Client data without a challenge spends none: the enrollment stays open, untouched.
    await expectRefused(await credential(c, noClientData), 400, 'registration_malformed', snapshot3);
    const shapeless = await post(h, `/v1/enrollments/${c.enrollmentId}/credential`, { registrationResponse: { id: 'x' }, extra: 1 });
    expect([shapeless.status, shapeless.body.code]).toEqual([400, 'invalid_request']);
  });

  it('refuses a credential already registered to another device', async () => {
    const account = await newAccount(h);
    const auth = authenticator();
    const first = await start(h, account.handle);
    expect((await credential(first, auth.register(first.registrationOptions))).status).toBe(200);
    const second = await start(h, account.handle);
    const snapshot = await stateSnapshot(h, second);
    await expectRefused(await credential(second, auth.register(second.registrationOptions)), 409, 'credential_already_registered', snapshot, second);
  });
});
