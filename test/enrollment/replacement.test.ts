/**
 * Replacement: started from the old device's session, another trusted device or an
 * operator; the new device inherits nothing; when policy accepts its approval the old device
 * becomes `replaced` in the same transaction.
 */
import { adminToken, audits, authenticator, enrollmentHarness, get, post, signIn, stateSnapshot, trustedFirstDevice, type Harness } from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('replacement', () => {
  let h: Harness;
  beforeAll(async () => { h = await enrollmentHarness(); });
  afterAll(async () => { await h.close(); });

  const replace = (deviceId: string, token: string) => post(h, `/v1/devices/${deviceId}/replace`, { label: 'New phone', platform: 'ios' }, token);

  it("replaces the old device when the new one is approved — and the new one inherits nothing", async () => {
    const old = await trustedFirstDevice(h);
    const started = await replace(old.deviceId, old.token);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ enrollmentId: expect.stringMatching(/^enr_/), deviceId: expect.stringMatching(/^dev_/), replacesDeviceId: old.deviceId });
    const newAuth = authenticator();
    const reg = await post(h, `/v1/enrollments/${started.body.enrollmentId}/credential`, { registrationResponse: newAuth.register(started.body.registrationOptions) });
    // The anonymous answer tells every way forward; policy's own reasons are on record.
    expect(reg.body).toMatchObject({ state: 'pending', reasons: ['awaiting_approval'] });
    const evaluated = (await h.db.query<{ details: { reasons: string[] } }>(`SELECT details FROM audit_events WHERE type = 'enrollment.evaluated' AND device_id = $1 ORDER BY seq DESC LIMIT 1`, [started.body.deviceId])).rows[0];
    expect(evaluated.details.reasons).toContain('replacement_requires_own_approval');
    const fresh = await h.db.query('SELECT approval_method, approved_at, replaces_device_id FROM devices WHERE id = $1', [started.body.deviceId]);
    expect(fresh.rows[0]).toEqual({ approval_method: null, approved_at: null, replaces_device_id: old.deviceId });
    const opt = await post(h, `/v1/enrollments/${started.body.enrollmentId}/approval-options`, undefined, old.token);
    const res = await post(h, `/v1/enrollments/${started.body.enrollmentId}/approvals`, { authenticationResponse: old.auth.assert(opt.body.authenticationOptions), codeConfirmed: true }, old.token);
    expect(res.body.state).toBe('trusted');
    const states = await h.db.query<{ id: string; state: string; replaced_by_device_id: string | null }>('SELECT id, state, replaced_by_device_id FROM devices WHERE id = ANY($1)', [[old.deviceId, started.body.deviceId]]);
    expect(Object.fromEntries(states.rows.map((r) => [r.id, [r.state, r.replaced_by_device_id]]))).toEqual({ [old.deviceId]: ['replaced', started.body.deviceId], [started.body.deviceId]: ['trusted', null] });
    // The old device's session ended with its trust; the new one signs in with its own credential.
    expect((await get(h, `/v1/accounts/${old.accountId}/devices`, old.token)).status).toBe(401);
    const token = await signIn(h, old.handle, newAuth);
    const list = await get(h, `/v1/accounts/${old.accountId}/devices`, token);
    expect(list.body.devices.map((d: { state: string }) => d.state)).toEqual(['replaced', 'trusted']);
    const outbox = await h.db.query<{ state: string }>(`SELECT payload->>'state' AS state FROM outbox WHERE device_id = $1 ORDER BY seq`, [old.deviceId]);
    expect(outbox.rows.map((r) => r.state)).toContain('replaced');
  });

  it('lets an operator start a replacement; refuses another org, a non-trusted device, and a restricted caller replacing others', async () => {
    const old = await trustedFirstDevice(h);
    expect((await replace(old.deviceId, await adminToken(h, 'operator'))).status).toBe(201);
    const snapshot = await stateSnapshot(h);
    const foreign = await replace(old.deviceId, await adminToken(h, 'operator', await seedOrg(h.db)));
    expect([foreign.status, foreign.body.code]).toEqual([404, 'device_not_found']);
    expect(await stateSnapshot(h)).toBe(snapshot);
    expect((await audits(h, 'enrollment.started', 'refused')).at(-1)?.details.refusal).toBe('device_not_found');
    const viewer = await replace(old.deviceId, await adminToken(h, 'viewer'));
    expect(viewer.status).toBe(403);
    const pendingId = (await post(h, '/v1/enrollments', { accountHandle: old.handle, label: 'x', platform: 'web' })).body.deviceId;
    const notReplaceable = await replace(pendingId, old.token);
    expect([notReplaceable.status, notReplaceable.body.code]).toEqual([409, 'device_not_replaceable']);
    await h.db.query(`UPDATE devices SET state = 'restricted' WHERE id = $1`, [old.deviceId]);
    const other = (await post(h, '/v1/enrollments', { accountHandle: old.handle, label: 'y', platform: 'web' })).body.deviceId;
    await h.db.query(`UPDATE devices SET state = 'trusted' WHERE id = $1`, [other]);
    const restricted = await replace(other, old.token);
    expect([restricted.status, restricted.body.code]).toEqual([403, 'caller_not_trusted']);
    expect((await replace(old.deviceId, old.token)).status).toBe(201); // itself, while restricted
  });
});
