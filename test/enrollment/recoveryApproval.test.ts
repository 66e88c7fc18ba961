/**
 * Separation of duties: one operator key can no longer take an account over. A recovery an
 * administrator starts carries its reason (stored and audited) and its code is refused until a
 * second administrator — another key, role approver or owner — approves it; unless the
 * organisation's settings say otherwise. Every refusal is audited and changes nothing but the
 * refused enrollment, which it closes.
 */
import request from 'supertest';
import { ADMIN_ROLES, may } from '../../src/trust/admin/roles.js';
import { adminToken, audits, authenticator, enrollmentHarness, expectClosed, get, post, start, stateSnapshot, submit, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('recovery started by an administrator', () => {
  let h: Harness;
  let org: string;
  let operator: string;
  let approver: string;
  beforeAll(async () => {
    h = await enrollmentHarness();
    org = await seedOrg(h.db);
    operator = await adminToken(h, 'operator', org);
    approver = await adminToken(h, 'approver', org);
  });
  afterAll(() => h.close());

  const recover = (accountId: string, body: object, token = operator) => post(h, `/v1/accounts/${accountId}/recovery`, body, token);
  const approve = (accountId: string, body: object, token = approver) => post(h, `/v1/accounts/${accountId}/recovery/approval`, body, token);
  const stateOf = async (deviceId: string) => (await h.db.query<{ state: string }>('SELECT state FROM devices WHERE id = $1', [deviceId])).rows[0].state;

  it('refuses its code until a second administrator approves; then the lost device is revoked and the new one trusted', async () => {
    const victim = await trustedFirstDevice(h, org);
    const started = await recover(victim.accountId, { reason: 'user reports the phone lost' });
    expect(started.body).toMatchObject({ recoveryCode: expect.stringMatching(/^erc_/), approvalRequired: true });
    const stored = await h.db.query(`SELECT reason, approval_required, approved_at FROM account_codes WHERE account_id = $1 AND kind = 'recovery'`, [victim.accountId]);
    expect(stored.rows).toEqual([{ reason: 'user reports the phone lost', approval_required: true, approved_at: null }]);
    expect((await audits(h, 'account.recovery_started', 'success')).at(-1)?.details).toMatchObject({ reason: 'user reports the phone lost', approval_required: true });

    // The operator alone: the thief's enrollment with the code is refused (and closed), the victim's device untouched.
    const thief = await start(h, victim.handle, { replacesDeviceId: victim.deviceId });
    const before = await stateSnapshot(h, thief);
    const refused = await submit(h, thief, authenticator(), { recoveryCode: started.body.recoveryCode });
    expect([refused.status, refused.body.code]).toEqual([403, 'recovery_not_approved']);
    expect(await stateSnapshot(h, thief)).toBe(before);
    await expectClosed(h, thief, 'recovery_not_approved');
    expect(await stateOf(victim.deviceId)).toBe('trusted');
    expect((await audits(h, 'enrollment.credential', 'refused')).at(-1)?.details.refusal).toBe('recovery_not_approved');

    // The second administrator sees why, and approves.
    const view = await get(h, `/v1/admin/accounts/${victim.accountId}`, approver);
    expect(view.body.recovery).toMatchObject({ reason: 'user reports the phone lost', approval: 'awaiting', approvedBy: null });
    const ok = await approve(victim.accountId, { reason: 'called the user back on their registered number' });
    expect(ok.body).toMatchObject({ accountId: victim.accountId, approved: true, approvedAt: expect.any(String) });
    expect((await audits(h, 'account.recovery_approved', 'success')).at(-1)?.details).toMatchObject({
      reason: 'called the user back on their registered number', recovery_reason: 'user reports the phone lost',
    });
    expect((await get(h, `/v1/admin/accounts/${victim.accountId}`, approver)).body.recovery).toMatchObject({ approval: 'approved', approvedAt: expect.any(String) });

    const rightful = await start(h, victim.handle, { replacesDeviceId: victim.deviceId });
    const accepted = await submit(h, rightful, authenticator(), { recoveryCode: started.body.recoveryCode });
    expect(accepted.body).toMatchObject({ state: 'trusted', reasons: ['recovery_code_accepted'] });
    expect(await stateOf(victim.deviceId)).toBe('revoked');
  });

  it('needs a reason from the administrator who starts it, refusing and auditing one without', async () => {
    const victim = await trustedFirstDevice(h, org);
    const before = await stateSnapshot(h);
    const res = await recover(victim.accountId, {});
    expect([res.status, res.body.code]).toEqual([400, 'reason_required']);
    expect(await stateSnapshot(h)).toBe(before);
    const unprintable = await recover(victim.accountId, { reason: 'lost\u0000' });
    expect([unprintable.status, unprintable.body.code]).toEqual([400, 'invalid_request']);
    expect(await stateSnapshot(h)).toBe(before);
    expect((await audits(h, 'account.recovery_started', 'refused')).at(-1)).toMatchObject({ account_id: victim.accountId, details: { refusal: 'reason_required' } });
  });

  it('is approved only by an approver or owner of the organisation, with a reason, once, and never by the key that started it', async () => {
    const victim = await trustedFirstDevice(h, org);
    await recover(victim.accountId, { reason: 'lost' });
    const before = await stateSnapshot(h);
    const codeRow = async () => JSON.stringify((await h.db.query(`SELECT * FROM account_codes WHERE account_id = $1 ORDER BY id`, [victim.accountId])).rows);
    const codes = await codeRow();
    const refusals: Array<[string, () => Promise<request.Response>, number, string]> = [];
    for (const role of ADMIN_ROLES.filter((r) => !may(r, 'recovery.approve'))) {
      refusals.push([role, async () => approve(victim.accountId, { reason: 'me' }, await adminToken(h, role, org)), 403, 'insufficient_role']);
    }
    refusals.push(['the starting operator', () => approve(victim.accountId, { reason: 'me' }, operator), 403, 'insufficient_role']);
    refusals.push(['an approver of another organisation', async () => approve(victim.accountId, { reason: 'me' }, await adminToken(h, 'approver', await seedOrg(h.db))), 404, 'account_not_found']);
    refusals.push(['no reason', () => approve(victim.accountId, {}), 400, 'invalid_request']);
    refusals.push(['an unknown field', () => approve(victim.accountId, { reason: 'ok', code: 'x' }), 400, 'invalid_request']);
    refusals.push(['a reason with a NUL and a lone surrogate', () => approve(victim.accountId, { reason: 'ok\u0000\ud800' }), 400, 'invalid_request']);
    refusals.push(['a service key', () => approve(victim.accountId, { reason: 'ok' }, h.serviceToken), 403, 'wrong_principal']);
    // A NUL or lone surrogate is refused by the request layer, before the domain: audited as request.refused.
    const refusedRecords = async () => (await audits(h, 'account.recovery_approved', 'refused')).length + (await audits(h, 'request.refused', 'refused')).length;
    for (const [who, attempt, status, code] of refusals) {
      const audited = await refusedRecords();
      const res = await attempt();
      expect([who, res.status, res.body.code]).toEqual([who, status, code]);
      expect(await codeRow()).toBe(codes);
      expect([who, await refusedRecords()]).toEqual([who, audited + 1]);
    }
    expect(await stateSnapshot(h)).toBe(before);

    // A key that started the recovery may not approve it, whatever its role: as if the approver had started it.
    const approverKey = (await h.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`, [approver])).rows[0].id;
    await h.db.query(`UPDATE account_codes SET issued_by_key_id = $2 WHERE account_id = $1 AND kind = 'recovery'`, [victim.accountId, approverKey]);
    const self = await approve(victim.accountId, { reason: 'me again' });
    expect([self.status, self.body.code]).toEqual([403, 'same_administrator']);
    await h.db.query(`UPDATE account_codes SET issued_by_key_id = NULL WHERE account_id = $1 AND kind = 'recovery'`, [victim.accountId]);

    const owner = await adminToken(h, 'owner', org);
    expect((await approve(victim.accountId, { reason: 'verified' }, owner)).status).toBe(200);
    const twice = await approve(victim.accountId, { reason: 'again' });
    expect([twice.status, twice.body.code]).toEqual([409, 'recovery_already_approved']);
    const none = await approve((await trustedFirstDevice(h, org)).accountId, { reason: 'nothing to approve' });
    expect([none.status, none.body.code]).toEqual([409, 'no_recovery_pending']);
  });

  it("needs no second administrator when the organisation's settings say so, nor for a recovery a service key starts", async () => {
    const relaxed = await seedOrg(h.db, { settings: { recovery_requires_second_admin: false } });
    const victim = await trustedFirstDevice(h, relaxed);
    const started = await recover(victim.accountId, { reason: 'lost' }, await adminToken(h, 'operator', relaxed));
    expect(started.body.approvalRequired).toBe(false);
    const res = await submit(h, await start(h, victim.handle), authenticator(), { recoveryCode: started.body.recoveryCode });
    expect(res.body.state).toBe('trusted');
    const notNeeded = await approve(victim.accountId, { reason: 'x' }, await adminToken(h, 'approver', relaxed));
    expect(notNeeded.status).toBe(409);

    const other = await trustedFirstDevice(h, org);
    const byService = await recover(other.accountId, { reason: 'support ticket 42' }, h.serviceToken);
    expect(byService.body.approvalRequired).toBe(false);
    expect((await submit(h, await start(h, other.handle), authenticator(), { recoveryCode: byService.body.recoveryCode })).body.state).toBe('trusted');
  });

  it('keeps the requirement a recovery was started with when the settings change later', async () => {
    const victim = await trustedFirstDevice(h, org);
    const started = await recover(victim.accountId, { reason: 'lost' });
    const owner = await adminToken(h, 'owner', org);
    const relax = await request(h.app).patch('/v1/admin/organisation').set('authorization', `Bearer ${owner}`).send({ recovery_requires_second_admin: false });
    expect(relax.status).toBe(200);
    const res = await submit(h, await start(h, victim.handle), authenticator(), { recoveryCode: started.body.recoveryCode });
    expect(res.body.code).toBe('recovery_not_approved');
    await request(h.app).patch('/v1/admin/organisation').set('authorization', `Bearer ${owner}`).send({ recovery_requires_second_admin: null });
  });
});
