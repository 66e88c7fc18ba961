/**
 * POST /v1/devices/{id}/revoke: a trusted device of the account (itself included) or an
 * operator of the organisation → {state: "revoked", epoch}; decisions deny at once.
 */
import { adminToken, audits, authenticator, enroll, enrollmentHarness, get, post, signIn, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('revocation', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  /** Two trusted devices of one account, each with a session. */
  async function twoDevices() {
    const first = await trustedFirstDevice(h);
    const auth = authenticator();
    const second = await enroll(h, first.handle, auth);
    await post(h, `/v1/enrollments/${second.enrollmentId}/approvals`, { decision: 'approve', reason: 'ok' }, await adminToken(h, 'approver'));
    return { first, second: { ...second, auth, token: await signIn(h, first.handle, auth) } };
  }

  it('lets a trusted device revoke another, bumping the epoch; decisions for it deny at once', async () => {
    const { first, second } = await twoDevices();
    const epoch = Number((await h.db.query('SELECT device_epoch FROM accounts WHERE id = $1', [first.accountId])).rows[0].device_epoch);
    const res = await post(h, `/v1/devices/${second.deviceId}/revoke`, { reason: 'stolen' }, first.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deviceId: second.deviceId, state: 'revoked', epoch: epoch + 1 });
    const decision = await post(h, '/v1/decisions', { accountId: first.accountId, deviceId: second.deviceId, action: 'message.receive' }, h.serviceToken);
    expect(decision.body).toMatchObject({ allow: false, deviceState: 'revoked' });
    expect((await get(h, `/v1/accounts/${first.accountId}/devices`, second.token)).status).toBe(401);
  });

  it('lets a device revoke itself, and an operator revoke in their organisation only', async () => {
    const { first, second } = await twoDevices();
    expect((await post(h, `/v1/devices/${second.deviceId}/revoke`, { reason: 'selling it' }, second.token)).body.state).toBe('revoked');
    const foreign = await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'x' }, await adminToken(h, 'operator', await seedOrg(h.db)));
    expect([foreign.status, foreign.body.code]).toEqual([404, 'device_not_found']);
    expect((await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'x' }, await adminToken(h, 'viewer'))).status).toBe(403);
    expect((await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'offboarding' }, await adminToken(h, 'operator'))).body.state).toBe('revoked');
  });

  it('refuses a restricted device revoking another, a device of another account, and a second revocation — each audited', async () => {
    const { first, second } = await twoDevices();
    await h.db.query(`UPDATE devices SET state = 'restricted' WHERE id = $1`, [second.deviceId]);
    const restricted = await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'x' }, second.token);
    expect([restricted.status, restricted.body.code]).toEqual([403, 'caller_not_trusted']);
    const stranger = await trustedFirstDevice(h);
    const foreign = await post(h, `/v1/devices/${first.deviceId}/revoke`, { reason: 'x' }, stranger.token);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'device_not_found']);
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [first.deviceId])).rows[0].state).toBe('trusted');
    await post(h, `/v1/devices/${second.deviceId}/revoke`, { reason: 'x' }, first.token);
    const twice = await post(h, `/v1/devices/${second.deviceId}/revoke`, { reason: 'x' }, first.token);
    expect([twice.status, twice.body.code]).toEqual([409, 'invalid_transition']);
    const bad = await post(h, `/v1/devices/${first.deviceId}/revoke`, {}, first.token);
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_request']);
    expect((await audits(h, 'device.revoked', 'refused')).map((a) => a.details.refusal)).toEqual(expect.arrayContaining(['caller_not_trusted', 'device_not_found', 'invalid_transition']));
  });
});
