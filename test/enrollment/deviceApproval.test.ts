/**
 * Approval of a pending device by a trusted device of the same account: an assertion over a
 * challenge bound to the enrollment, its sign counter checked and updated — and every way
 * that can be wrong, each refused with no state change and an audited refusal.
 */
import { approveByDevice } from '../../src/trust/enrollment/approvals.js';
import { issueChallenge } from '../../src/trust/enrollment/challenges.js';
import { DEFAULT_ENROLLMENT_SETTINGS } from '../../src/trust/enrollment/settings.js';
import { policyInputValidator } from '../../src/http/api.js';
import { servedPolicies } from '../helpers/policy.js';
import type { SoftAuthenticator } from '../helpers/softAuthenticator.js';
import {
  adminToken, audits, authenticator, enroll, enrollmentHarness, ORIGIN, post, requirementsOf, stateSnapshot, trustedFirstDevice, UNDISCLOSED_REQUIREMENTS, type Harness,
} from '../helpers/enrollmentHarness.js';

describe('approval by an existing trusted device', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  /** A trusted first device and a second device of the same account waiting for approval. */
  async function pendingSecond() {
    const first = await trustedFirstDevice(h);
    const second = await enroll(h, first.handle, authenticator());
    expect(second).toMatchObject({ state: 'pending', requirements: UNDISCLOSED_REQUIREMENTS });
    expect(await requirementsOf(h, second.enrollmentId)).toEqual(['admin_approval', 'approval_by_trusted_device']);
    return { first, second };
  }

  const options = (enrollmentId: string, token: string) => post(h, `/v1/enrollments/${enrollmentId}/approval-options`, undefined, token);
  const approve = (enrollmentId: string, token: string, response: object) => post(h, `/v1/enrollments/${enrollmentId}/approvals`, { authenticationResponse: response, codeConfirmed: true }, token);

  async function expectRefused(res: { status: number; body: { code: string }; headers: Record<string, string> }, status: number, code: string, snapshot: string) {
    expect([res.status, res.body.code]).toEqual([status, code]);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await stateSnapshot(h)).toBe(snapshot);
    const refusals = await audits(h, 'enrollment.approval', 'refused');
    expect(refusals.at(-1)?.details.refusal).toBe(code);
  }

  it('trusts the new device when a trusted device signs the approval challenge, and updates its counter', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    expect(opt.status).toBe(200);
    expect(opt.body.authenticationOptions.allowCredentials).toEqual([expect.objectContaining({ id: first.auth.id })]);
    const res = await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ deviceId: second.deviceId, state: 'trusted', requirements: [], reasons: ['approved_by_trusted_device'] });
    const d = await h.db.query('SELECT state, approval_method FROM devices WHERE id = $1', [second.deviceId]);
    expect(d.rows[0]).toEqual({ state: 'trusted', approval_method: 'device' });
    const c = await h.db.query('SELECT sign_count FROM credentials WHERE device_id = $1', [first.deviceId]);
    expect(Number(c.rows[0].sign_count)).toBe(first.auth.counter);
    const view = await post(h, '/v1/sessions/options', { accountHandle: first.handle });
    expect(view.status).toBe(200);
  });

  it('keeps the device pending when the approver did not verify its user', async () => {
    const { first, second } = await pendingSecond();
    first.auth.set({ uv: false });
    const opt = await options(second.enrollmentId, first.token);
    const res = await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions));
    expect(res.body).toMatchObject({ state: 'pending', requirements: ['approver_user_verification'] });
  });

  it('restricts an approver whose sign counter went backwards, refuses the approval, and audits both', async () => {
    const { first, second } = await pendingSecond();
    first.auth.counter = 0; // a clone that never saw the sign-in's counter
    const opt = await options(second.enrollmentId, first.token);
    const res = await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions, { keepCounter: true }));
    expect([res.status, res.body.code]).toEqual([403, 'sign_counter_regression']);
    const approver = await h.db.query('SELECT state, counter_anomaly FROM devices WHERE id = $1', [first.deviceId]);
    expect(approver.rows[0]).toEqual({ state: 'restricted', counter_anomaly: true });
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [second.deviceId])).rows[0].state).toBe('pending');
    expect((await audits(h, 'device.counter_regression', 'success')).some((a) => a.device_id === first.deviceId)).toBe(true);
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('sign_counter_regression');
  });

  it('refuses a replayed challenge', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    first.auth.set({ uv: false });
    const assertion = first.auth.assert(opt.body.authenticationOptions);
    expect((await approve(second.enrollmentId, first.token, assertion)).body.state).toBe('pending');
    const snapshot = await stateSnapshot(h);
    await expectRefused(await approve(second.enrollmentId, first.token, assertion), 400, 'challenge_invalid', snapshot);
  });

  it('refuses an expired challenge', async () => {
    const short = await enrollmentHarness({ challengeTtlSeconds: 1 });
    try {
      const first = await trustedFirstDevice(short);
      const second = await enroll(short, first.handle, authenticator());
      const opt = await post(short, `/v1/enrollments/${second.enrollmentId}/approval-options`, undefined, first.token);
      await new Promise((r) => setTimeout(r, 1500));
      const snapshot = await stateSnapshot(short);
      const res = await post(short, `/v1/enrollments/${second.enrollmentId}/approvals`, { authenticationResponse: first.auth.assert(opt.body.authenticationOptions), codeConfirmed: true }, first.token);
      expect([res.status, res.body.code]).toEqual([400, 'challenge_invalid']);
      expect(await stateSnapshot(short)).toBe(snapshot);
      expect((await audits(short, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('challenge_invalid');
    } finally {
      await short.close();
    }
  });

  it('refuses a challenge issued for another enrollment, or for a session', async () => {
    const { first, second } = await pendingSecond();
    const third = await enroll(h, first.handle, authenticator());
    const opt = await options(third.enrollmentId, first.token);
    const snapshot = await stateSnapshot(h);
    await expectRefused(await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions)), 400, 'challenge_foreign', snapshot);
    const sessionOpt = await post(h, '/v1/sessions/options', { accountHandle: first.handle });
    await expectRefused(await approve(second.enrollmentId, first.token, first.auth.assert(sessionOpt.body.authenticationOptions)), 400, 'challenge_foreign', snapshot);
  });

  it.each([
    ['a wrong origin', { origin: 'https://evil.example' }],
    ['a wrong RP ID', { rpId: 'evil.example' }],
    ['a broken signature', { corruptSignature: true }],
    ['a registration type', { type: 'webauthn.create' }],
  ])('refuses an assertion with %s', async (_what, override) => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    const snapshot = await stateSnapshot(h);
    await expectRefused(await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions, override)), 400, 'assertion_invalid', snapshot);
  });

  it('refuses malformed and truncated assertions', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    const good = first.auth.assert(opt.body.authenticationOptions);
    const snapshot = await stateSnapshot(h);
    const garbled = { ...good, response: { ...good.response, clientDataJSON: 'bm90IGpzb24' } };
    await expectRefused(await approve(second.enrollmentId, first.token, garbled), 400, 'assertion_malformed', snapshot);
    const opt2 = await options(second.enrollmentId, first.token);
    const full = first.auth.assert(opt2.body.authenticationOptions);
    const truncated = { ...full, response: { ...full.response, authenticatorData: full.response.authenticatorData.slice(0, 20) } };
    await expectRefused(await approve(second.enrollmentId, first.token, truncated), 400, 'assertion_invalid', snapshot);
    const shapeless = await post(h, `/v1/enrollments/${second.enrollmentId}/approvals`, { authenticationResponse: { id: 'x' } }, first.token);
    expect([shapeless.status, shapeless.body.code]).toEqual([400, 'invalid_request']);
  });

  it('refuses approval options and approvals from a restricted device', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    await h.db.query(`UPDATE devices SET state = 'restricted' WHERE id = $1`, [first.deviceId]);
    const snapshot = await stateSnapshot(h);
    await expectRefused(await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions)), 403, 'approver_not_trusted', snapshot);
    const again = await options(second.enrollmentId, first.token);
    expect([again.status, again.body.code]).toEqual([403, 'approver_not_trusted']);
    expect((await audits(h, 'enrollment.approval_options', 'refused')).at(-1)?.details.refusal).toBe('approver_not_trusted');
  });

  it('refuses a device of another account as if the enrollment did not exist', async () => {
    const { second } = await pendingSecond();
    const stranger = await trustedFirstDevice(h);
    const snapshot = await stateSnapshot(h);
    const res = await options(second.enrollmentId, stranger.token);
    expect([res.status, res.body.code]).toEqual([404, 'enrollment_not_found']);
    expect(await stateSnapshot(h)).toBe(snapshot);
    expect((await audits(h, 'enrollment.approval_options', 'refused')).at(-1)?.details.refusal).toBe('enrollment_not_found');
  });

  it('refuses a revoked approver: its session ends, and an assertion arriving after the revocation is refused', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    const assertion = first.auth.assert(opt.body.authenticationOptions);
    const revoked = await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'lost' }, first.token);
    expect(revoked.body.state).toBe('revoked');
    const snapshot = await stateSnapshot(h);
    const res = await approve(second.enrollmentId, first.token, assertion);
    expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    expect(await stateSnapshot(h)).toBe(snapshot);
    // The same assertion, had its request been authenticated just before the revocation committed.
    const policies = await servedPolicies();
    const deps = {
      db: h.db, redis: h.redis, policy: () => policies.current(), idSecret: 'x'.repeat(40),
      validateEnrollmentInput: policyInputValidator('https://schemas.enigm.dev/trust/enrollment-input.schema.json'),
      rp: { id: 'localhost', origin: ORIGIN, name: 'Enigm' }, settings: DEFAULT_ENROLLMENT_SETTINGS,
    };
    const caller = { kind: 'device' as const, deviceId: first.deviceId, accountId: first.accountId, orgId: h.org, deviceState: 'trusted' as const, userVerified: true };
    await expect(approveByDevice(deps, second.enrollmentId, reissued(first.auth, await issueApproval(second.enrollmentId, first.deviceId)), true, caller, { caller, actor: { type: 'device', id: first.deviceId } }))
      .rejects.toMatchObject({ code: 'approver_not_trusted' });
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [second.deviceId])).rows[0].state).toBe('pending');
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('approver_not_trusted');
    // A pending device has no session at all; were one forged into a request, the domain still refuses it.
    const pendingAuth = authenticator();
    const pending = await enroll(h, first.handle, pendingAuth);
    const asPending = { ...caller, deviceId: pending.deviceId };
    await expect(approveByDevice(deps, second.enrollmentId, reissued(pendingAuth, await issueApproval(second.enrollmentId, pending.deviceId)), true, asPending, { caller: asPending, actor: { type: 'device', id: pending.deviceId } }))
      .rejects.toMatchObject({ code: 'approver_not_trusted' });
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details).toMatchObject({ refusal: 'approver_not_trusted', approver: pending.deviceId });
  });

  /** An approval challenge issued directly (the revoked device can no longer ask for one). */
  async function issueApproval(enrollmentId: string, approverDeviceId: string): Promise<string> {
    return issueChallenge(h.redis, { purpose: 'approval', enrollmentId, approverDeviceId }, 60);
  }
  function reissued(auth: SoftAuthenticator, challenge: string) {
    return auth.assert({ challenge, rpId: 'localhost' }) as never;
  }

  it('refuses approval of an enrollment already decided, and of one not yet registered', async () => {
    const { first, second } = await pendingSecond();
    const opt = await options(second.enrollmentId, first.token);
    expect((await approve(second.enrollmentId, first.token, first.auth.assert(opt.body.authenticationOptions))).body.state).toBe('trusted');
    const again = await options(second.enrollmentId, first.token);
    expect([again.status, again.body.code]).toEqual([409, 'enrollment_decided']);
    const unregistered = await post(h, '/v1/enrollments', { accountHandle: first.handle, label: 'Tablet', platform: 'ios' });
    const early = await options(unregistered.body.enrollmentId, first.token);
    expect([early.status, early.body.code]).toEqual([409, 'enrollment_not_registered']);
  });

  it('lets exactly one of two concurrent approvals decide; the other is refused and audited', async () => {
    const { first, second } = await pendingSecond();
    const a = await options(second.enrollmentId, first.token);
    const approverKey = await adminToken(h, 'approver');
    const [byDevice, byAdmin] = await Promise.all([
      approve(second.enrollmentId, first.token, first.auth.assert(a.body.authenticationOptions)),
      post(h, `/v1/enrollments/${second.enrollmentId}/approvals`, { decision: 'approve', reason: 'known colleague' }, approverKey),
    ]);
    expect([byDevice.status, byAdmin.status].sort()).toEqual([200, 409]);
    const loser = byDevice.status === 409 ? byDevice : byAdmin;
    expect(loser.body.code).toBe('enrollment_decided');
    expect((await h.db.query('SELECT count(*)::int AS n FROM approvals WHERE enrollment_id = $1', [second.enrollmentId])).rows[0].n).toBe(1);
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('enrollment_decided');
  });
});
