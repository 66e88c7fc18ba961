/**
 * Every refusal by role or scope, on every route, is audited as the admin routes' are: a viewer
 * revoking, starting a recovery or approving, a key without the scope, a device session on an
 * admin route — each leaves a refused record naming the key (or device), the route and why.
 */
import request from 'supertest';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { adminToken, enrollmentHarness, get, post, start, stateSnapshot, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';

describe('refusals by role or scope', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  const lastRefusal = async () => (await h.db.query<{ type: string; org_id: string | null; actor: { id: string; role?: string }; details: Record<string, unknown> }>(
    `SELECT type, org_id, actor, details FROM audit_events WHERE outcome = 'refused' ORDER BY seq DESC LIMIT 1`)).rows[0];
  const refusedCount = async () => Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE outcome = 'refused'`)).rows[0].n);

  it('audits a viewer revoking, starting a recovery, approving an enrollment and replacing a device, changing nothing', async () => {
    const device = await trustedFirstDevice(h);
    const pending = await start(h, device.handle);
    const viewer = await adminToken(h, 'viewer');
    const viewerId = (await h.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE role = 'viewer' ORDER BY created_at DESC LIMIT 1`)).rows[0].id;
    const before = await stateSnapshot(h);
    const attempts: Array<[string, object | undefined]> = [
      [`/v1/devices/${device.deviceId}/revoke`, { reason: 'lost' }],
      [`/v1/accounts/${device.accountId}/recovery`, { reason: 'lost phone' }],
      [`/v1/enrollments/${pending.enrollmentId}/approvals`, { decision: 'approve', reason: 'looks fine' }],
      [`/v1/devices/${device.deviceId}/replace`, { label: 'New', platform: 'android' }],
    ];
    for (const [path, body] of attempts) {
      const n = await refusedCount();
      const res = await post(h, path, body, viewer);
      expect([res.status, res.body.code]).toEqual([403, 'insufficient_role']);
      expect(await refusedCount()).toBe(n + 1);
      expect(await lastRefusal()).toMatchObject({ org_id: h.org, actor: { id: viewerId, role: 'viewer' }, details: { refusal: 'insufficient_role', status: 403 } });
    }
    expect(await stateSnapshot(h)).toBe(before);
  });

  it('audits a service key without the scope, and a device session on an admin route', async () => {
    const device = await trustedFirstDevice(h);
    const decider = await createServiceKey(h.db, { name: 'decider-only', scopes: ['decisions:read'] }, { type: 'system', id: 'test' });
    for (const send of [
      () => post(h, '/v1/subscribers', { name: 'sneaky', url: 'https://example.com/push', events: ['urn:enigm:secevent:device-lifecycle'] }, decider.token),
      () => request(h.app).get('/v1/subscribers').set('authorization', `Bearer ${decider.token}`),
      () => post(h, `/v1/devices/${device.deviceId}/signals/nonce`, {}, decider.token),
      () => post(h, '/v1/orgs', { id: 'sneaky', name: 'Sneaky' }, decider.token),
    ]) {
      const n = await refusedCount();
      const res = await send();
      expect([res.status, res.body.code]).toEqual([403, 'insufficient_scope']);
      expect(await refusedCount()).toBe(n + 1);
      expect(await lastRefusal()).toMatchObject({ actor: { id: decider.id }, details: { refusal: 'insufficient_scope' } });
    }
    const n = await refusedCount();
    const res = await get(h, '/v1/admin/devices', device.token);
    expect([res.status, res.body.code]).toEqual([403, 'wrong_principal']);
    expect(await refusedCount()).toBe(n + 1);
    expect(await lastRefusal()).toMatchObject({ org_id: h.org, actor: { id: device.deviceId }, details: { refusal: 'wrong_principal', action: 'GET /v1/admin/devices' } });
  });

  it('leaves one record, not two, where the route audits its own refusal', async () => {
    const viewer = await adminToken(h, 'viewer');
    const n = await refusedCount();
    const res = await post(h, '/v1/devices/dev_somewhere/restrict', { reason: 'x' }, viewer);
    expect(res.status).toBe(403);
    expect(await refusedCount()).toBe(n + 1);
    expect((await lastRefusal()).type).toBe('admin.refused');
  });
});
