/**
 * Unmanaged accounts over HTTP: a service key that names no organisation creates an account of
 * none; its devices enroll, sign in, report posture and get decisions under the service's
 * defaults; no administrator, of any organisation and any role, sees or steers it.
 */
import { ADMIN_ROLES } from '../../src/trust/admin/roles.js';
import { seedOrg } from '../helpers/seed.js';
import {
  adminToken, audits, authenticator, enroll, enrollmentHarness, get, post, signIn, stateSnapshot, type Harness,
} from '../helpers/enrollmentHarness.js';
import { uniqueName } from '../helpers/env.js';

describe('unmanaged accounts', () => {
  let h: Harness;
  let account: { accountId: string; handle: string; deviceId: string; session: string; pendingEnrollment: string };

  beforeAll(async () => {
    h = await enrollmentHarness();
    const handle = uniqueName('solo');
    const created = await post(h, '/v1/accounts', { handle }, h.serviceToken);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ orgId: null, handle, bootstrapCode: expect.stringMatching(/^ebc_/) });
    const auth = authenticator();
    const first = await enroll(h, handle, auth, { bootstrapCode: created.body.bootstrapCode });
    expect(first.state).toBe('trusted');
    const second = await enroll(h, handle, authenticator());
    expect(second.state).toBe('pending');
    account = { accountId: created.body.accountId, handle, deviceId: first.deviceId, session: await signIn(h, handle, auth), pendingEnrollment: second.enrollmentId };
  });
  afterAll(() => h.close());

  it('belongs to no organisation, in the store and in the audit log', async () => {
    const row = await h.db.query<{ org_id: string | null }>('SELECT org_id FROM accounts WHERE id = $1', [account.accountId]);
    expect(row.rows).toEqual([{ org_id: null }]);
    const created = (await audits(h, 'account.created', 'success')).find((a) => a.account_id === account.accountId);
    expect(created).toBeDefined();
    const orgs = await h.db.query<{ org_id: string | null }>('SELECT DISTINCT org_id FROM audit_events WHERE account_id = $1', [account.accountId]);
    expect(orgs.rows).toEqual([{ org_id: null }]);
  });

  it('gets decisions under the service defaults, and its device reports posture', async () => {
    const decide = (action: string) => post(h, '/v1/decisions', { accountId: account.accountId, deviceId: account.deviceId, action }, h.serviceToken);
    const keys = await decide('keys.access');
    expect([keys.status, keys.body.allow, keys.body.reasons]).toEqual([200, true, ['device_trusted']]);
    // The default session age (900 s) applies: an older session is not fresh.
    await h.db.query(`UPDATE sessions SET created_at = now() - interval '901 seconds' WHERE device_id = $1`, [account.deviceId]);
    const stale = await decide('keys.access');
    expect([stale.body.allow, stale.body.reasons]).toEqual([false, ['session_not_fresh']]);
    expect((await decide('message.receive')).body.allow).toBe(true);
    await h.db.query(`UPDATE sessions SET created_at = now() WHERE device_id = $1`, [account.deviceId]);
    const posture = await post(h, `/v1/devices/${account.deviceId}/signals`, { posture: { osName: 'Android', osVersion: '15', screenLock: true } }, account.session);
    expect(posture.status).toBe(201);
  });

  it('is seen and steered by no administrator, of any organisation or role: each answers as for a missing account', async () => {
    const other = await seedOrg(h.db, { managed: true });
    const paths = {
      reads: [`/v1/admin/accounts/${account.accountId}`, `/v1/accounts/${account.accountId}/devices`, `/v1/admin/devices/${account.deviceId}`,
        `/v1/enrollments/${account.pendingEnrollment}`, `/v1/admin/enrollments/${account.pendingEnrollment}`, `/v1/devices/${account.deviceId}/fanout`],
      changes: [
        [`/v1/accounts/${account.accountId}/recovery`, { reason: 'takeover' }],
        [`/v1/devices/${account.deviceId}/revoke`, { reason: 'takeover' }],
        [`/v1/devices/${account.deviceId}/restrict`, { reason: 'takeover' }],
        [`/v1/devices/${account.deviceId}/replace`, { label: 'Thief', platform: 'android' }],
        [`/v1/enrollments/${account.pendingEnrollment}/approvals`, { decision: 'approve', reason: 'takeover' }],
      ] as Array<[string, object]>,
    };
    const before = await stateSnapshot(h);
    for (const org of [h.org, other]) {
      for (const role of ADMIN_ROLES) {
        const token = await adminToken(h, role, org);
        for (const path of paths.reads) {
          const res = await get(h, path, token);
          expect([role, path, res.status === 404 || res.status === 403]).toEqual([role, path, true]);
        }
        for (const [path, body] of paths.changes) {
          const res = await post(h, path, body, token);
          expect([role, path, res.status === 404 || res.status === 403]).toEqual([role, path, true]);
        }
        const list = await get(h, `/v1/admin/devices?accountId=${account.accountId}`, token);
        if (list.status === 200) expect(list.body.items).toEqual([]);
      }
      // The roles that may act at all were told the account (or device, or enrollment) does not exist.
      const operator = await adminToken(h, 'operator', org);
      const recovery = await post(h, `/v1/accounts/${account.accountId}/recovery`, { reason: 'takeover' }, operator);
      expect([recovery.status, recovery.body.code]).toEqual([404, 'account_not_found']);
      const revoke = await post(h, `/v1/devices/${account.deviceId}/revoke`, { reason: 'takeover' }, operator);
      expect([revoke.status, revoke.body.code]).toEqual([404, 'device_not_found']);
      const approve = await post(h, `/v1/enrollments/${account.pendingEnrollment}/approvals`, { decision: 'approve', reason: 'takeover' }, await adminToken(h, 'approver', org));
      expect([approve.status, approve.body.code]).toEqual([404, 'enrollment_not_found']);
    }
    expect(await stateSnapshot(h)).toBe(before);
  });

  it('refuses an organisation that does not exist, creating nothing, and audits the refusal', async () => {
    const before = await stateSnapshot(h);
    const res = await post(h, '/v1/accounts', { handle: uniqueName('lost'), org: 'nowhere' }, h.serviceToken);
    expect([res.status, res.body.code, res.body.detail]).toEqual([404, 'org_not_found', 'no organisation nowhere']);
    expect(await stateSnapshot(h)).toBe(before);
    expect((await audits(h, 'account.created', 'refused')).at(-1)?.details).toMatchObject({ refusal: 'org_not_found', org: 'nowhere' });
  });
});
