/**
 * The organisation's approval modes, end to end: the owner sets how an additional device and
 * a replacement must be approved, and the enrollment API follows it from the next enrollment —
 * an approval the mode does not accept counts for nothing, the one it wants completes it.
 */
import request from 'supertest';
import {
  adminToken, authenticator, enroll, enrollmentHarness, post, requirementsOf, trustedFirstDevice, type Harness,
} from '../helpers/enrollmentHarness.js';
import { seedOrg } from '../helpers/seed.js';

describe('approval modes set by the owner', () => {
  let h: Harness;
  let org: string;
  let owner: string;
  beforeAll(async () => {
    h = await enrollmentHarness();
    org = await seedOrg(h.db);
    owner = await adminToken(h, 'owner', org);
  });
  afterAll(() => h.close());

  const set = async (settings: object) => {
    const res = await request(h.app).patch('/v1/admin/organisation').set('authorization', `Bearer ${owner}`).send(settings);
    expect(res.status).toBe(200);
  };
  /** The trusted `approver` device approves enrollment `id` with a fresh assertion. */
  const byDevice = async (id: string, approver: Awaited<ReturnType<typeof trustedFirstDevice>>) => {
    const opt = await post(h, `/v1/enrollments/${id}/approval-options`, undefined, approver.token);
    return post(h, `/v1/enrollments/${id}/approvals`, { authenticationResponse: approver.auth.assert(opt.body.authenticationOptions), codeConfirmed: true }, approver.token);
  };
  const byApprover = async (id: string) => post(h, `/v1/enrollments/${id}/approvals`, { decision: 'approve', reason: 'checked with the user' }, await adminToken(h, 'approver', org));

  it('admin: a trusted device approving counts for nothing; an approver completes the enrollment', async () => {
    await set({ enrollment_approval: 'admin' });
    const first = await trustedFirstDevice(h, org);
    const second = await enroll(h, first.handle, authenticator());
    expect(second.state).toBe('pending');
    expect(await requirementsOf(h, second.enrollmentId)).toEqual(['admin_approval']);
    const device = await byDevice(second.enrollmentId, first);
    expect(device.body).toMatchObject({ state: 'pending', requirements: ['admin_approval'], reasons: expect.arrayContaining(['device_approval_not_accepted']) });
    const admin = await byApprover(second.enrollmentId);
    expect(admin.body).toMatchObject({ state: 'trusted', reasons: ['approved_by_admin'] });
  });

  it('device_and_admin: a replacement follows its own mode and needs both', async () => {
    await set({ enrollment_approval: null, replacement_approval: 'device_and_admin' });
    const old = await trustedFirstDevice(h, org);
    const started = await post(h, `/v1/devices/${old.deviceId}/replace`, { label: 'New phone', platform: 'ios' }, old.token);
    const reg = await post(h, `/v1/enrollments/${started.body.enrollmentId}/credential`, { registrationResponse: authenticator().register(started.body.registrationOptions) });
    expect(reg.body.state).toBe('pending');
    expect(await requirementsOf(h, started.body.enrollmentId)).toEqual(['admin_approval', 'approval_by_trusted_device']);
    const afterDevice = await byDevice(started.body.enrollmentId, old);
    expect(afterDevice.body).toMatchObject({ state: 'pending', requirements: ['admin_approval'] });
    const afterBoth = await byApprover(started.body.enrollmentId);
    expect(afterBoth.body).toMatchObject({ state: 'trusted', reasons: ['approved_by_admin', 'approved_by_trusted_device'] });
    expect((await h.db.query('SELECT state FROM devices WHERE id = $1', [old.deviceId])).rows[0].state).toBe('replaced');
    // An ordinary enrollment in the same organisation still takes either approval.
    const third = await enroll(h, old.handle, authenticator());
    expect(await requirementsOf(h, third.enrollmentId)).toEqual(['admin_approval', 'approval_by_trusted_device']);
  });
});
