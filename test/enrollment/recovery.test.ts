/**
 * Recovery: an account in recovery gets a recovery code; a new device presenting it and
 * naming the lost device revokes that device as soon as the code is accepted; policy
 * decides what else it needs (managed organisations: Command review).
 */
import { adminToken, audits, authenticator, enrollmentHarness, expectClosed, post, start, stateSnapshot, submit, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('recovery', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  const recover = (accountId: string, token: string) => post(h, `/v1/accounts/${accountId}/recovery`, {}, token);

  it('revokes the lost device as soon as the recovery code is accepted, and trusts the new device', async () => {
    const lost = await trustedFirstDevice(h);
    const r = await recover(lost.accountId, h.serviceToken);
    expect(r.status).toBe(200);
    expect(r.body.recoveryCode).toMatch(/^erc_/);
    const started = await start(h, lost.handle, { replacesDeviceId: lost.deviceId });
    const res = await submit(h, started, authenticator(), { recoveryCode: r.body.recoveryCode });
    expect(res.body).toMatchObject({ state: 'trusted', reasons: ['recovery_code_accepted'] });
    const states = await h.db.query<{ id: string; state: string }>('SELECT id, state FROM devices WHERE id = ANY($1)', [[lost.deviceId, started.deviceId]]);
    expect(Object.fromEntries(states.rows.map((d) => [d.id, d.state]))).toEqual({ [lost.deviceId]: 'revoked', [started.deviceId]: 'trusted' });
    const account = await h.db.query('SELECT recovery_state FROM accounts WHERE id = $1', [lost.accountId]);
    expect(account.rows[0].recovery_state).toBe('none');
    expect((await audits(h, 'device.revoked', 'success')).some((a) => a.device_id === lost.deviceId)).toBe(true);
  });

  it('in a managed organisation revokes the lost device at once but waits for Command review', async () => {
    const org = await seedOrg(h.db, { managed: true });
    const lost = await trustedFirstDevice(h, org);
    const code = (await post(h, `/v1/accounts/${lost.accountId}/recovery`, { reason: 'phone stolen, user called the help desk' }, await adminToken(h, 'operator', org))).body.recoveryCode;
    // The operator's recovery waits for a second administrator before its code is accepted.
    const approval = await post(h, `/v1/accounts/${lost.accountId}/recovery/approval`, { reason: 'identity checked in person' }, await adminToken(h, 'approver', org));
    expect(approval.status).toBe(200);
    const started = await start(h, lost.handle, { replacesDeviceId: lost.deviceId });
    const res = await submit(h, started, authenticator(), { recoveryCode: code });
    expect(res.body).toMatchObject({ state: 'pending', requirements: ['admin_approval'] });
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [lost.deviceId])).rows[0].state).toBe('revoked');
    const approved = await post(h, `/v1/enrollments/${started.enrollmentId}/approvals`, { decision: 'approve', reason: 'called the user' }, await adminToken(h, 'approver', org));
    expect(approved.body.state).toBe('trusted');
  });

  it('refuses a reused or expired recovery code, and one naming a device of another account, changing nothing but closing the refused enrollment', async () => {
    const lost = await trustedFirstDevice(h);
    const code = (await recover(lost.accountId, h.serviceToken)).body.recoveryCode;
    const stranger = await trustedFirstDevice(h);
    const foreignClaim = await start(h, lost.handle, { replacesDeviceId: stranger.deviceId });
    let snapshot = await stateSnapshot(h, foreignClaim);
    const foreign = await submit(h, foreignClaim, authenticator(), { recoveryCode: code });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'replaced_device_not_found']);
    expect(await stateSnapshot(h, foreignClaim)).toBe(snapshot);
    await expectClosed(h, foreignClaim, 'replaced_device_not_found');
    expect((await submit(h, await start(h, lost.handle), authenticator(), { recoveryCode: code })).body.state).toBe('trusted');
    const reused = await start(h, lost.handle);
    snapshot = await stateSnapshot(h, reused);
    const again = await submit(h, reused, authenticator(), { recoveryCode: code });
    expect([again.status, again.body.code]).toEqual([403, 'recovery_code_used']);
    expect(await stateSnapshot(h, reused)).toBe(snapshot);
    await expectClosed(h, reused, 'recovery_code_used');
    const code2 = (await recover(lost.accountId, h.serviceToken)).body.recoveryCode;
    await h.db.query(`UPDATE account_codes SET expires_at = now() - interval '1 second' WHERE account_id = $1 AND used_at IS NULL`, [lost.accountId]);
    const late = await start(h, lost.handle);
    snapshot = await stateSnapshot(h, late);
    const expired = await submit(h, late, authenticator(), { recoveryCode: code2 });
    expect([expired.status, expired.body.code]).toEqual([403, 'recovery_code_expired']);
    expect(await stateSnapshot(h, late)).toBe(snapshot);
    await expectClosed(h, late, 'recovery_code_expired');
    expect((await audits(h, 'enrollment.credential', 'refused')).map((a) => a.details.refusal))
      .toEqual(expect.arrayContaining(['replaced_device_not_found', 'recovery_code_used', 'recovery_code_expired']));
  });

  it('ignores replacesDeviceId without a recovery code, and refuses recovery of another organisation\'s account', async () => {
    const victim = await trustedFirstDevice(h);
    const started = await start(h, victim.handle, { replacesDeviceId: victim.deviceId });
    expect((await submit(h, started, authenticator())).body.state).toBe('pending');
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [victim.deviceId])).rows[0].state).toBe('trusted');
    const foreign = await recover(victim.accountId, await adminToken(h, 'operator', await seedOrg(h.db)));
    expect([foreign.status, foreign.body.code]).toEqual([404, 'account_not_found']);
    expect((await audits(h, 'account.recovery_started', 'refused')).at(-1)?.details.refusal).toBe('account_not_found');
    expect((await recover(victim.accountId, await adminToken(h, 'viewer'))).status).toBe(403);
  });
});
