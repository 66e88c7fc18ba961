/**
 * Linking a device people can check: one stable, opaque WebAuthn user handle per account (so a
 * browser's new passkey replaces its older one), enrollments that a failed or abandoned step
 * closes, the verification code both screens show, approvals counted only when their person
 * confirmed it, short single-use replacement codes, and the account's activity.
 */
import { verificationCode } from '../../src/trust/enrollment/verificationCode.js';
import {
  adminToken, audits, authenticator, enroll, enrollmentHarness, get, newAccount, post, signIn, start, stateSnapshot, submit, trustedFirstDevice, type Harness,
} from '../helpers/enrollmentHarness.js';

describe('device linking', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  const problemJson = (res: { headers: Record<string, string> }) => expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);

  describe('one WebAuthn user per account', () => {
    it('gives every enrollment of an account the same opaque user handle, and each account its own', async () => {
      const a = await newAccount(h);
      const b = await newAccount(h);
      const [a1, a2, b1] = [await start(h, a.handle), await start(h, a.handle.toUpperCase()), await start(h, b.handle)];
      expect(a1.registrationOptions.user.id).toBe(a2.registrationOptions.user.id);
      expect(a1.registrationOptions.user.id).not.toBe(b1.registrationOptions.user.id);
      const bytes = Buffer.from(a1.registrationOptions.user.id, 'base64url');
      expect(bytes).toHaveLength(32);
      expect(bytes.includes(Buffer.from(a.handle))).toBe(false);
      expect(bytes.includes(Buffer.from(a.accountId))).toBe(false);
    });

    it("gives an unknown handle's decoy a stable handle too, of the same form", async () => {
      const d1 = await start(h, 'nobody-here-at-all');
      const d2 = await start(h, 'nobody-here-at-all');
      const other = await start(h, 'nobody-else-either');
      expect(d1.registrationOptions.user.id).toBe(d2.registrationOptions.user.id);
      expect(d1.registrationOptions.user.id).not.toBe(other.registrationOptions.user.id);
      expect(Buffer.from(d1.registrationOptions.user.id, 'base64url')).toHaveLength(32);
    });

    it('after a refused bootstrap code, a retry with the right one trusts the device and signs it in', async () => {
      const account = await newAccount(h);
      const typo = await start(h, account.handle);
      const refused = await submit(h, typo, authenticator(), { bootstrapCode: `ebc_${'B'.repeat(43)}` });
      expect([refused.status, refused.body.code]).toEqual([403, 'bootstrap_code_invalid']);
      const auth = authenticator();
      const retry = await enroll(h, account.handle, auth, { bootstrapCode: account.bootstrapCode });
      expect(retry.state).toBe('trusted');
      const token = await signIn(h, account.handle, auth);
      const list = await get(h, `/v1/accounts/${account.accountId}/devices`, token);
      // The refused attempt is closed, not left pending for anyone to approve.
      expect(list.body.devices.map((d: { state: string; enrollment: { state: string } }) => [d.state, d.enrollment.state])).toEqual([['revoked', 'denied'], ['trusted', 'trusted']]);
    });
  });

  describe('cancelling an enrollment before its passkey exists', () => {
    const cancel = (enrollmentId: string, body: object) => post(h, `/v1/enrollments/${enrollmentId}/cancel`, body);

    it('closes it with its registration challenge, audited; the challenge is spent', async () => {
      const account = await newAccount(h);
      const started = await start(h, account.handle);
      const res = await cancel(started.enrollmentId, { challenge: started.registrationOptions.challenge });
      expect([res.status, res.body]).toEqual([200, { enrollmentId: started.enrollmentId, state: 'cancelled' }]);
      const row = await h.db.query('SELECT e.state, d.state AS device_state, d.state_reason FROM enrollments e JOIN devices d ON d.id = e.device_id WHERE e.id = $1', [started.enrollmentId]);
      expect(row.rows[0]).toEqual({ state: 'denied', device_state: 'revoked', state_reason: 'enrollment cancelled on the new device' });
      expect((await audits(h, 'enrollment.cancelled', 'success')).some((a) => a.device_id === started.deviceId)).toBe(true);
      const late = await submit(h, started, authenticator(), { bootstrapCode: account.bootstrapCode });
      expect([late.status, late.body.code]).toEqual([400, 'challenge_invalid']);
    });

    it('answers a decoy exactly as a real enrollment', async () => {
      const decoy = await start(h, 'no-such-person-ever');
      const res = await cancel(decoy.enrollmentId, { challenge: decoy.registrationOptions.challenge });
      expect([res.status, res.body]).toEqual([200, { enrollmentId: decoy.enrollmentId, state: 'cancelled' }]);
    });

    it('is rate-limited per enrollment', async () => {
      const limited = await enrollmentHarness({ rateLimitPerHandle: 2, rateLimitPerAddress: 50, rateLimitWindowSeconds: 30 });
      try {
        const account = await newAccount(limited);
        const started = await start(limited, account.handle);
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await post(limited, `/v1/enrollments/${started.enrollmentId}/cancel`, { challenge: 'A'.repeat(43) })).status);
        expect(statuses).toEqual([400, 400, 429]);
        // Another enrollment has a budget of its own; the guesses changed nothing, and the right challenge still cancels.
        // (The per-handle budget also counts starts: each further enrollment is another account's.)
        expect((await post(limited, `/v1/enrollments/${(await start(limited, (await newAccount(limited)).handle)).enrollmentId}/cancel`, { challenge: 'A'.repeat(43) })).status).toBe(400);
        expect((await limited.db.query('SELECT state FROM enrollments WHERE id = $1', [started.enrollmentId])).rows[0].state).toBe('started');
        const third = await start(limited, (await newAccount(limited)).handle);
        expect((await post(limited, `/v1/enrollments/${third.enrollmentId}/cancel`, { challenge: third.registrationOptions.challenge })).body.state).toBe('cancelled');
      } finally {
        await limited.close();
      }
    });

    it('refuses bad input and unknown challenges with problem+json, changing nothing', async () => {
      const account = await newAccount(h);
      const started = await start(h, account.handle);
      const snapshot = await stateSnapshot(h);
      for (const [body, status, code] of [
        [{}, 400, 'invalid_request'], [{ challenge: 'short' }, 400, 'invalid_request'], [{ challenge: started.registrationOptions.challenge, extra: 1 }, 400, 'invalid_request'],
        [{ challenge: 'A'.repeat(43) }, 400, 'challenge_invalid'],
      ] as const) {
        const res = await cancel(started.enrollmentId, body);
        expect([res.status, res.body.code]).toEqual([status, code]);
        problemJson(res);
      }
      const badId = await cancel('not-an-id', { challenge: started.registrationOptions.challenge });
      expect([badId.status, badId.body.code]).toEqual([404, 'enrollment_not_found']);
      expect(await stateSnapshot(h)).toBe(snapshot);
      expect((await audits(h, 'enrollment.cancelled', 'refused')).at(-1)?.details.refusal).toBe('challenge_invalid');
    });
  });

  describe('the verification code', () => {
    it('is what the new device computes from its challenge and credential; an unconfirmed approval does not count', async () => {
      const first = await trustedFirstDevice(h);
      const started = await start(h, first.handle, { label: 'Tablet', platform: 'ios' });
      const auth = authenticator();
      const response = auth.register(started.registrationOptions);
      expect((await post(h, `/v1/enrollments/${started.enrollmentId}/credential`, { registrationResponse: response })).body.state).toBe('pending');
      const onNewDevice = verificationCode(started.registrationOptions.challenge, response.id);
      expect(onNewDevice).toMatch(/^[0-9]{6}$/);

      const options = await post(h, `/v1/enrollments/${started.enrollmentId}/approval-options`, undefined, first.token);
      expect(options.body).toMatchObject({ verificationCode: onNewDevice, device: { deviceId: started.deviceId, label: 'Tablet', platform: 'ios' } });
      const unconfirmed = await post(h, `/v1/enrollments/${started.enrollmentId}/approvals`, { authenticationResponse: first.auth.assert(options.body.authenticationOptions) }, first.token);
      expect(unconfirmed.body).toMatchObject({ state: 'pending', reasons: expect.arrayContaining(['verification_code_not_confirmed']) });
      expect(unconfirmed.body.requirements).toEqual(['verification_code_confirmation']);

      const again = await post(h, `/v1/enrollments/${started.enrollmentId}/approval-options`, undefined, first.token);
      const confirmed = await post(h, `/v1/enrollments/${started.enrollmentId}/approvals`, { authenticationResponse: first.auth.assert(again.body.authenticationOptions), codeConfirmed: true }, first.token);
      expect(confirmed.body.state).toBe('trusted');
      const rows = await h.db.query('SELECT code_confirmed FROM approvals a JOIN enrollments e ON e.id = a.enrollment_id WHERE e.id = $1 ORDER BY a.created_at', [started.enrollmentId]);
      expect(rows.rows.map((r) => r.code_confirmed)).toEqual([false, true]);
      expect((await audits(h, 'enrollment.approval', 'success')).filter((a) => a.device_id === started.deviceId).map((a) => a.details.code_confirmed)).toEqual([false, true]);
    });

    it('refuses codeConfirmed from an administrator and a non-boolean one, changing nothing', async () => {
      const first = await trustedFirstDevice(h);
      const pending = await enroll(h, first.handle, authenticator());
      const snapshot = await stateSnapshot(h);
      const admin = await post(h, `/v1/enrollments/${pending.enrollmentId}/approvals`, { decision: 'approve', reason: 'x', codeConfirmed: true }, await adminToken(h, 'approver'));
      expect([admin.status, admin.body.code]).toEqual([400, 'invalid_request']);
      const options = await post(h, `/v1/enrollments/${pending.enrollmentId}/approval-options`, undefined, first.token);
      const odd = await post(h, `/v1/enrollments/${pending.enrollmentId}/approvals`, { authenticationResponse: first.auth.assert(options.body.authenticationOptions), codeConfirmed: 'yes' }, first.token);
      expect([odd.status, odd.body.code]).toEqual([400, 'invalid_request']);
      problemJson(odd);
      expect(await stateSnapshot(h)).toBe(snapshot);
    });
  });

  describe('replacement codes', () => {
    const claim = (body: object, harness: Harness = h) => post(harness, '/v1/replacements/claim', body);

    it('are at most 12 characters, single-use, and lead the new device through registration to an approval', async () => {
      const old = await trustedFirstDevice(h);
      const started = await post(h, `/v1/devices/${old.deviceId}/replace`, { label: 'New phone', platform: 'android' }, old.token);
      expect(started.status).toBe(201);
      const code = started.body.replacementCode as string;
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      expect(code.length).toBeLessThanOrEqual(12);
      expect(Date.parse(started.body.replacementCodeExpiresAt) - Date.now()).toBeGreaterThan(10 * 60_000);
      expect(JSON.stringify((await h.db.query('SELECT * FROM replacement_codes')).rows)).not.toContain(code.replace('-', ''));

      // Typed loosely: lower case, spaces instead of the dash.
      const claimed = await claim({ code: code.toLowerCase().replace('-', ' ') });
      expect(claimed.status).toBe(200);
      expect(claimed.body).toMatchObject({ enrollmentId: started.body.enrollmentId, deviceId: started.body.deviceId, accountHandle: old.handle, label: 'New phone', platform: 'android' });
      expect(claimed.body.registrationOptions.user.id).toBe(started.body.registrationOptions.user.id);
      const reused = await claim({ code });
      expect([reused.status, reused.body.code]).toEqual([403, 'replacement_code_used']);

      const newAuth = authenticator();
      const reg = await post(h, `/v1/enrollments/${claimed.body.enrollmentId}/credential`, { registrationResponse: newAuth.register(claimed.body.registrationOptions) });
      expect(reg.body.state).toBe('pending');
      const options = await post(h, `/v1/enrollments/${claimed.body.enrollmentId}/approval-options`, undefined, old.token);
      const approved = await post(h, `/v1/enrollments/${claimed.body.enrollmentId}/approvals`, { authenticationResponse: old.auth.assert(options.body.authenticationOptions), codeConfirmed: true }, old.token);
      expect(approved.body.state).toBe('trusted');
      expect((await audits(h, 'replacement.claimed', 'success')).some((a) => a.device_id === started.body.deviceId)).toBe(true);
      await signIn(h, old.handle, newAuth);
    });

    it('refuse bad input, unknown and expired codes with problem+json, changing nothing', async () => {
      const old = await trustedFirstDevice(h);
      const started = await post(h, `/v1/devices/${old.deviceId}/replace`, { label: 'Spare', platform: 'web' }, old.token);
      const snapshot = await stateSnapshot(h);
      for (const [body, status, code] of [
        [{}, 400, 'invalid_request'], [{ code: 'ABC' }, 400, 'invalid_request'], [{ code: '<script>alert(1)' }, 400, 'invalid_request'],
        [{ code: started.body.replacementCode, more: 1 }, 400, 'invalid_request'], [{ code: 'UUUUU-UUUUU' }, 403, 'replacement_code_invalid'],
        [{ code: '00000-00000' }, 403, 'replacement_code_invalid'],
      ] as const) {
        const res = await claim(body);
        expect([res.status, res.body.code]).toEqual([status, code]);
        problemJson(res);
      }
      await h.db.query(`UPDATE replacement_codes SET expires_at = now() - interval '1 second' WHERE enrollment_id = $1`, [started.body.enrollmentId]);
      const expiredSnapshot = await stateSnapshot(h);
      const expired = await claim({ code: started.body.replacementCode });
      expect([expired.status, expired.body.code]).toEqual([403, 'replacement_code_expired']);
      expect(await stateSnapshot(h)).toBe(expiredSnapshot);
      expect(JSON.parse(expiredSnapshot).slice(0, 8)).toEqual(JSON.parse(snapshot).slice(0, 8));
      expect((await audits(h, 'replacement.claimed', 'refused')).map((a) => a.details.refusal)).toEqual(expect.arrayContaining(['replacement_code_invalid', 'replacement_code_expired']));
    });

    it('are rate-limited per client address', async () => {
      const limited = await enrollmentHarness({ rateLimitPerAddress: 3, rateLimitWindowSeconds: 30 });
      try {
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await claim({ code: 'ZZZZZ-ZZZZZ' }, limited)).status);
        expect(statuses).toEqual([403, 403, 403, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  describe('account activity', () => {
    it('lists the lifecycle newest first with who did it, and tells a device what joined or left since it last looked', async () => {
      const first = await trustedFirstDevice(h);
      const secondAuth = authenticator();
      const second = await enroll(h, first.handle, secondAuth);
      const options = await post(h, `/v1/enrollments/${second.enrollmentId}/approval-options`, undefined, first.token);
      await post(h, `/v1/enrollments/${second.enrollmentId}/approvals`, { authenticationResponse: first.auth.assert(options.body.authenticationOptions), codeConfirmed: true }, first.token);
      const secondToken = await signIn(h, first.handle, secondAuth);
      const seen = await get(h, `/v1/accounts/${first.accountId}/activity`, first.token);
      expect(seen.status).toBe(200);
      const newest = seen.body.items[0];
      expect(newest).toMatchObject({ event: 'state_changed', deviceId: second.deviceId, from: 'pending', to: 'trusted', approvalMethod: 'device', actor: { kind: 'device', deviceId: first.deviceId, label: 'Phone' }, unseen: true });
      const marked = await post(h, `/v1/accounts/${first.accountId}/activity/seen`, { until: newest.at }, first.token);
      expect(marked.body.seenUntil).toBe(newest.at);

      // Revoked from the second device: the first is told when it looks next, and only then.
      await post(h, `/v1/devices/${second.deviceId}/revoke`, { reason: 'left in a taxi' }, secondToken);
      const later = await get(h, `/v1/accounts/${first.accountId}/activity`, first.token);
      expect(later.body.items[0]).toMatchObject({ to: 'revoked', from: 'trusted', reason: 'left in a taxi', actor: { kind: 'device', deviceId: second.deviceId }, unseen: true });
      expect(later.body.items.filter((i: { unseen: boolean }) => i.unseen)).toHaveLength(1);
      expect(later.body.items.map((i: { event: string; to: string | null }) => i.to ?? i.event)).toEqual(['revoked', 'trusted', 'enrollment_started', 'trusted', 'enrollment_started']);
      expect(JSON.stringify(later.body)).not.toMatch(/address|key_|eds_|127\.0\.0\.1|::/);
      // Marking never moves back.
      expect((await post(h, `/v1/accounts/${first.accountId}/activity/seen`, { until: '2000-01-01T00:00:00Z' }, first.token)).body.seenUntil).toBe(newest.at);
    });

    it("refuses another account's activity, admins, anonymous callers and bad input, changing nothing", async () => {
      const mine = await trustedFirstDevice(h);
      const theirs = await trustedFirstDevice(h);
      const snapshot = await stateSnapshot(h);
      expect((await get(h, `/v1/accounts/${theirs.accountId}/activity`, mine.token)).status).toBe(404);
      expect((await post(h, `/v1/accounts/${theirs.accountId}/activity/seen`, { until: new Date().toISOString() }, mine.token)).status).toBe(404);
      expect((await get(h, `/v1/accounts/${mine.accountId}/activity`)).status).toBe(401);
      expect((await get(h, `/v1/accounts/${mine.accountId}/activity`, await adminToken(h, 'viewer'))).status).toBe(403);
      for (const q of ['0', '201', 'ten', '1.5']) {
        const res = await get(h, `/v1/accounts/${mine.accountId}/activity?limit=${q}`, mine.token);
        expect([res.status, res.body.code]).toEqual([400, 'invalid_request']);
        problemJson(res);
      }
      for (const body of [{}, { until: 'yesterday' }, { until: new Date().toISOString(), x: 1 }]) {
        const res = await post(h, `/v1/accounts/${mine.accountId}/activity/seen`, body, mine.token);
        expect([res.status, res.body.code]).toEqual([400, 'invalid_request']);
      }
      expect(await stateSnapshot(h)).toBe(snapshot);
    });
  });
});
