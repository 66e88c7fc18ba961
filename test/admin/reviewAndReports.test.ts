import type { Express } from 'express';
import type { Database } from '../../src/store/database.js';
import { newId } from '../../src/trust/ids.js';
import { adminTestbed, adminKey, get, seedEnrollment, seedSignal, setDevice, expectAdminSchema } from '../helpers/admin.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';


describe('Enigm Command review queue, replacements and trust-state report', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  let org: string;
  let other: string;
  let viewer: string;
  let otherViewer: string;

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    org = await seedOrg(db, { managed: true, settings: { require_managed_compliance: true } });
    other = await seedOrg(db);
    viewer = (await adminKey(db, org, 'viewer')).token;
    otherViewer = (await adminKey(db, other, 'viewer')).token;
  });
  afterAll(() => done());

  describe('review queue', () => {
    let waiting: string[];
    let expired: string;
    let retired: string;
    let decided: string;
    let started: string;
    let foreign: string;

    beforeAll(async () => {
      const acc = await seedAccount(db, org);
      const at = (minutes: number) => new Date(Date.now() - minutes * 60_000);
      waiting = [];
      for (const minutes of [3, 2, 1]) {
        waiting.push(await seedEnrollment(db, acc, await seedDevice(db, acc, { state: 'pending' }), { createdAt: at(minutes), requirements: ['admin_approval'] }));
      }
      expired = await seedEnrollment(db, acc, await seedDevice(db, acc, { state: 'pending' }), { expiresInSeconds: -10, createdAt: at(10) });
      retired = await seedEnrollment(db, acc, await seedDevice(db, acc, { state: 'retired' }), { createdAt: at(5) });
      decided = await seedEnrollment(db, acc, await seedDevice(db, acc), { state: 'trusted', createdAt: at(20) });
      started = await seedEnrollment(db, acc, await seedDevice(db, acc, { state: 'pending' }), { state: 'started', createdAt: at(30) });
      const theirs = await seedAccount(db, other);
      foreign = await seedEnrollment(db, theirs, await seedDevice(db, theirs, { state: 'pending' }));
    });

    const queue = (query = '', token = viewer) => get(app, token, `/v1/admin/enrollments${query}`);
    const ids = (body: { items: Array<{ enrollmentId: string }> }) => body.items.map((e) => e.enrollmentId);

    it('lists registered enrollments waiting for approval, oldest first, without expired, retired or decided ones', async () => {
      const res = await queue();
      expect(res.status).toBe(200);
      expectAdminSchema('admin-enrollment-list', res.body);
      expect(ids(res.body)).toEqual(waiting);
      expect(res.body.items[0]).toMatchObject({ state: 'registered', expired: false, deviceState: 'pending', requirements: ['admin_approval'], approvals: 0, protection: { attestationFormat: 'none' } });
      expect(ids((await queue('', otherViewer)).body)).toEqual([foreign]);
    });

    it('filters by state, shows expired ones on request, and pages', async () => {
      expect(ids((await queue('?state=trusted')).body)).toContain(decided);
      expect(ids((await queue('?state=started')).body)).toEqual([started]);
      const withExpired = await queue('?includeExpired=true');
      expect(ids(withExpired.body)).toEqual([expired, retired, ...waiting]);
      expect(withExpired.body.items[0].expired).toBe(true);
      expect(withExpired.body.items[1]).toMatchObject({ expired: false, deviceState: 'retired' });
      const first = await queue('?limit=2');
      expect(ids(first.body)).toEqual(waiting.slice(0, 2));
      const second = await queue(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(ids(second.body)).toEqual(waiting.slice(2));
      expect(second.body.nextCursor).toBeNull();
      expect((await queue(`?limit=2&state=started&cursor=${first.body.nextCursor}`)).body.code).toBe('invalid_cursor');
    });

    it('lists enrollments the expiry sweep closed under state=expired, marked expired', async () => {
      const acc = await seedAccount(db, org);
      const closed = await seedEnrollment(db, acc, await seedDevice(db, acc, { state: 'retired' }), { state: 'expired', expiresInSeconds: -60 });
      const res = await queue('?state=expired');
      expect(ids(res.body)).toEqual([closed]);
      expect(res.body.items[0]).toMatchObject({ state: 'expired', expired: true, deviceState: 'retired' });
      expect((await get(app, viewer, `/v1/admin/enrollments/${closed}`)).body).toMatchObject({ state: 'expired', expired: true });
    });

    it('shows one enrollment with its approvals; another organisation\'s answers as a missing one', async () => {
      await db.query(`INSERT INTO approvals (id, enrollment_id, method, decision, approver_key_id, reason) VALUES ($1, $2, 'admin', 'deny', 'key_someone', 'unknown device')`, [newId('apr'), waiting[0]]);
      const res = await get(app, viewer, `/v1/admin/enrollments/${waiting[0]}`);
      expect(res.status).toBe(200);
      expectAdminSchema('admin-enrollment', res.body);
      expect(res.body.approvalHistory).toEqual([{ method: 'admin', decision: 'deny', approverDeviceId: null, approverKeyId: 'key_someone', approverRole: null, userVerified: false, reason: 'unknown device', createdAt: expect.any(String) }]);
      const theirs = await get(app, viewer, `/v1/admin/enrollments/${foreign}`);
      const missing = await get(app, viewer, '/v1/admin/enrollments/enr_missing');
      expect(theirs.status).toBe(404);
      expect({ ...theirs.body, detail: theirs.body.detail.replace(foreign, 'ID') }).toEqual({ ...missing.body, detail: missing.body.detail.replace('enr_missing', 'ID') });
    });

    it.each(['state=pending', 'state=', 'includeExpired=1', 'accountId=x', 'limit=1000', 'cursor=x.y', 'sort=created_at'])('answers a malformed filter (%s) with 400', async (query) => {
      const res = await queue(`?${query}`);
      expect(res.status).toBe(400);
      expect(['invalid_filter', 'invalid_cursor']).toContain(res.body.code);
    });
  });

  describe('replacements', () => {
    let completed: { old: string; new: string };
    let open: { old: string; new: string };
    let abandoned: { old: string; new: string };

    beforeAll(async () => {
      const acc = await seedAccount(db, org);
      const pair = async (newState: 'trusted' | 'pending' | 'revoked', enrollment: { state: string; expiresInSeconds?: number }, oldState: 'replaced' | 'trusted' | 'revoked', age: number) => {
        const old = await seedDevice(db, acc, { state: oldState });
        const fresh = await seedDevice(db, acc, { state: newState });
        await setDevice(db, fresh, { replaces_device_id: old, created_at: new Date(Date.now() - age * 1000), approved_at: newState === 'trusted' ? new Date() : null });
        if (oldState === 'replaced') await setDevice(db, old, { replaced_by_device_id: fresh });
        await seedEnrollment(db, acc, fresh, { ...enrollment, replacesDeviceId: old });
        return { old, new: fresh };
      };
      completed = await pair('trusted', { state: 'trusted' }, 'replaced', 30);
      open = await pair('pending', { state: 'registered' }, 'revoked', 20);
      abandoned = await pair('pending', { state: 'registered', expiresInSeconds: -1 }, 'trusted', 10);
      // Another organisation's replacement.
      const theirs = await seedAccount(db, other);
      const o = await seedDevice(db, theirs);
      const n = await seedDevice(db, theirs, { state: 'pending' });
      await setDevice(db, n, { replaces_device_id: o });
    });

    const list = (query = '', token = viewer) => get(app, token, `/v1/admin/replacements${query}`);

    it('tracks each old → new pair with states, times and status, newest first', async () => {
      const res = await list();
      expect(res.status).toBe(200);
      expectAdminSchema('admin-replacement-list', res.body);
      expect(res.body.items.map((r: { old: { deviceId: string }; new: { deviceId: string }; status: string }) => [r.old.deviceId, r.new.deviceId, r.status])).toEqual([
        [abandoned.old, abandoned.new, 'abandoned'], [open.old, open.new, 'in_progress'], [completed.old, completed.new, 'completed'],
      ]);
      const done = res.body.items[2];
      expect(done).toMatchObject({ old: { state: 'replaced' }, new: { state: 'trusted', approvedAt: expect.any(String) }, completedAt: done.new.approvedAt, enrollmentState: 'trusted' });
      expect((await list('', otherViewer)).body.items).toHaveLength(1);
    });

    it('filters by status and device, and pages', async () => {
      expect((await list('?status=in_progress')).body.items.map((r: { new: { deviceId: string } }) => r.new.deviceId)).toEqual([open.new]);
      expect((await list(`?deviceId=${completed.old}`)).body.items).toHaveLength(1);
      expect((await list(`?deviceId=${completed.new}`)).body.items).toHaveLength(1);
      const first = await list('?limit=2');
      const second = await list(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((r: { new: { deviceId: string } }) => r.new.deviceId)).toEqual([completed.new]);
      expect((await list('?status=done')).status).toBe(400);
      expect((await list('?deviceId=acc_x')).status).toBe(400);
    });
  });

  describe('trust-state report', () => {
    it('counts per state and platform, and lists stale and signal-restricted devices', async () => {
      const reportOrg = await seedOrg(db, { managed: true, settings: { require_managed_compliance: true } });
      const token = (await adminKey(db, reportOrg, 'viewer')).token;
      const acc = await seedAccount(db, reportOrg);
      const compliant = await seedDevice(db, acc);
      await seedSignal(db, compliant, 'managed', { status: 'compliant' });
      await setDevice(db, compliant, { last_seen_at: new Date() });
      const noStatement = await seedDevice(db, acc, { state: 'restricted' });
      await setDevice(db, noStatement, { platform: 'ios', last_seen_at: new Date() });
      const integrityFailed = await seedDevice(db, acc);
      await seedSignal(db, integrityFailed, 'managed', { status: 'compliant' });
      await seedSignal(db, integrityFailed, 'os_integrity', { status: 'fail' });
      await setDevice(db, integrityFailed, { last_seen_at: new Date(Date.now() - 45 * 86_400_000) });
      const unverifiedFail = await seedDevice(db, acc);
      await seedSignal(db, unverifiedFail, 'managed', { status: 'compliant' });
      await seedSignal(db, unverifiedFail, 'os_integrity', { status: 'fail', verified: false });
      await setDevice(db, unverifiedFail, { last_seen_at: new Date() });
      await seedDevice(db, acc, { state: 'revoked' });
      await seedDevice(db, acc, { state: 'pending' });

      const res = await get(app, token, '/v1/admin/reports/trust-states');
      expect(res.status).toBe(200);
      expectAdminSchema('admin-trust-report', res.body);
      expect(res.body.totals).toEqual({ devices: 6, byState: { pending: 1, trusted: 3, restricted: 1, revoked: 1, replaced: 0, retired: 0 } });
      expect(res.body.byStateAndPlatform).toEqual([
        { state: 'pending', platform: 'android', count: 1 },
        { state: 'restricted', platform: 'ios', count: 1 },
        { state: 'revoked', platform: 'android', count: 1 },
        { state: 'trusted', platform: 'android', count: 3 },
      ]);
      expect(res.body.managed).toEqual({ compliant: 3, noncompliant: 0, stale: 0, unverified: 0, missing: 1 });
      expect(res.body.stale).toEqual({ count: 1, devices: [{ deviceId: integrityFailed, accountId: acc, state: 'trusted', platform: 'android', lastSeenAt: expect.any(String) }] });
      expect(res.body.restrictedBySignal.count).toBe(2);
      expect(res.body.restrictedBySignal.osIntegrityFailed).toBe(1);
      expect(res.body.restrictedBySignal.managedComplianceUnmet).toBe(1);
      expect(res.body.restrictedBySignal.devices.map((d: { deviceId: string; signals: string[] }) => [d.deviceId, d.signals]).sort()).toEqual(
        [[noStatement, ['managed']], [integrityFailed, ['os_integrity']]].sort());
      // A longer staleness window makes the 45-day-old device fresh.
      expect((await get(app, token, '/v1/admin/reports/trust-states?staleAfterDays=60')).body.stale.count).toBe(0);
      // Nothing of this organisation appears in another's report.
      const theirs = await get(app, otherViewer, '/v1/admin/reports/trust-states');
      expect(JSON.stringify(theirs.body)).not.toContain(compliant);
    });

    it.each(['staleAfterDays=0', 'staleAfterDays=abc', 'staleAfterDays=99999', 'platform=ios'])('answers %s with 400', async (query) => {
      const res = await get(app, viewer, `/v1/admin/reports/trust-states?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_filter');
    });
  });
});
