/**
 * Approval by Enigm Command: an approver of the account's organisation approves or denies,
 * with a reason; policy decides what each role's decision counts for.
 */
import { adminToken, audits, authenticator, enroll, enrollmentHarness, get, post, stateSnapshot, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('approval by an administrator', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  async function pending() {
    const first = await trustedFirstDevice(h);
    return { first, second: await enroll(h, first.handle, authenticator()) };
  }
  const decide = (enrollmentId: string, token: string, body: object) => post(h, `/v1/enrollments/${enrollmentId}/approvals`, body, token);

  it('trusts the device when an approver of the organisation approves', async () => {
    const { second } = await pending();
    const res = await decide(second.enrollmentId, await adminToken(h, 'approver'), { decision: 'approve', reason: 'verified in person' });
    expect(res.body).toMatchObject({ state: 'trusted', reasons: ['approved_by_admin'] });
    const approval = await h.db.query('SELECT method, decision, approver_role, reason FROM approvals WHERE enrollment_id = $1', [second.enrollmentId]);
    expect(approval.rows).toEqual([{ method: 'admin', decision: 'approve', approver_role: 'approver', reason: 'verified in person' }]);
  });

  it('revokes the pending device when an approver denies it', async () => {
    const { second } = await pending();
    const res = await decide(second.enrollmentId, await adminToken(h, 'approver'), { decision: 'deny', reason: 'unknown device' });
    expect(res.body).toMatchObject({ state: 'revoked', requirements: [] });
    const e = await h.db.query('SELECT state FROM enrollments WHERE id = $1', [second.enrollmentId]);
    expect(e.rows[0].state).toBe('denied');
  });

  it("counts an operator's approval for nothing: policy keeps the device pending", async () => {
    const { second } = await pending();
    const res = await decide(second.enrollmentId, await adminToken(h, 'operator'), { decision: 'approve', reason: 'looks fine' });
    expect(res.body.state).toBe('pending');
    expect(res.body.reasons).toContain('admin_role_cannot_approve');
  });

  it('refuses viewers, another organisation (as missing), a decided enrollment, and mixed bodies', async () => {
    const { first, second } = await pending();
    const viewer = await decide(second.enrollmentId, await adminToken(h, 'viewer'), { decision: 'approve', reason: 'x' });
    expect([viewer.status, viewer.body.code]).toEqual([403, 'insufficient_role']);
    const snapshot = await stateSnapshot(h);
    const foreign = await decide(second.enrollmentId, await adminToken(h, 'approver', await seedOrg(h.db)), { decision: 'approve', reason: 'x' });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'enrollment_not_found']);
    expect(await stateSnapshot(h)).toBe(snapshot);
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('enrollment_not_found');
    const approver = await adminToken(h, 'approver');
    const mixed = await decide(second.enrollmentId, approver, { decision: 'approve', reason: 'x', authenticationResponse: first.auth.assert({ challenge: 'A'.repeat(43) }) });
    expect([mixed.status, mixed.body.code]).toEqual([400, 'invalid_request']);
    expect((await decide(second.enrollmentId, approver, { decision: 'approve', reason: 'ok' })).body.state).toBe('trusted');
    const snapshot2 = await stateSnapshot(h);
    const again = await decide(second.enrollmentId, approver, { decision: 'deny', reason: 'changed my mind' });
    expect([again.status, again.body.code]).toEqual([409, 'enrollment_decided']);
    expect(await stateSnapshot(h)).toBe(snapshot2);
    expect((await audits(h, 'enrollment.approval', 'refused')).at(-1)?.details.refusal).toBe('enrollment_decided');
  });

  it('shows the enrollment to the account and to admins of its organisation only', async () => {
    const { first, second } = await pending();
    const mine = await get(h, `/v1/enrollments/${second.enrollmentId}`, first.token);
    expect(mine.body).toMatchObject({ enrollmentId: second.enrollmentId, deviceId: second.deviceId, state: 'registered', deviceState: 'pending', requirements: ['admin_approval', 'approval_by_trusted_device'] });
    expect((await get(h, `/v1/enrollments/${second.enrollmentId}`, await adminToken(h, 'viewer'))).status).toBe(200);
    expect((await get(h, `/v1/enrollments/${second.enrollmentId}`, await adminToken(h, 'viewer', await seedOrg(h.db)))).status).toBe(404);
    const stranger = await trustedFirstDevice(h);
    expect((await get(h, `/v1/enrollments/${second.enrollmentId}`, stranger.token)).status).toBe(404);
    expect((await get(h, `/v1/enrollments/${second.enrollmentId}`, h.serviceToken)).status).toBe(403);
    expect((await get(h, `/v1/enrollments/${second.enrollmentId}`)).status).toBe(401);
  });
});
