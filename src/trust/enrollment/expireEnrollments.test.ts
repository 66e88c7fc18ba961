import pg from 'pg';
import { BACKENDS, POSTGRES_URL, postgresSchema } from '../../../test/helpers/env.js';
import { seedEnrollment } from '../../../test/helpers/admin.js';
import { waitFor } from '../../../test/helpers/fanout.js';
import { migrated, seedAccount, seedDevice, seedOrg } from '../../../test/helpers/seed.js';
import { listAudit, verifyAuditChain } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { quoteIdent } from '../../store/postgres.js';
import { transitionDevice } from '../transition.js';
import { expireEnrollments, startEnrollmentExpiry, SWEEPER } from './expireEnrollments.js';

async function stateOf(db: Database, enrollmentId: string) {
  const r = await db.query<{ state: string; decided_at: Date | null; device_state: string; device_reason: string | null }>(
    `SELECT e.state, e.decided_at, d.state AS device_state, d.state_reason AS device_reason
       FROM enrollments e JOIN devices d ON d.id = e.device_id WHERE e.id = $1`, [enrollmentId]);
  return r.rows[0];
}

async function pendingEnrollment(db: Database, account: string, opts: { state?: string; expiresInSeconds: number }) {
  const device = await seedDevice(db, account, { state: 'pending' });
  return { device, enrollment: await seedEnrollment(db, account, device, opts) };
}

describe.each(BACKENDS)('expireEnrollments on %s', (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  let account: string;

  beforeEach(async () => {
    ({ db, close } = await open());
    account = await seedAccount(db, await seedOrg(db));
  });
  afterEach(() => close());

  it('closes an enrollment past its time: expired, its pending device retired, both audited and the retirement fanned out', async () => {
    const { device, enrollment } = await pendingEnrollment(db, account, { expiresInSeconds: -5 });
    const now = new Date();
    expect(await expireEnrollments(db, now)).toBe(1);

    expect(await stateOf(db, enrollment)).toEqual({ state: 'expired', decided_at: now, device_state: 'retired', device_reason: 'enrollment expired' });
    const audit = await listAudit(db, { deviceId: device, limit: 10 });
    expect(audit.map((a) => [a.type, a.actor.id])).toEqual([['enrollment.expired', SWEEPER.id], ['device.retired', SWEEPER.id]]);
    expect(audit[0].details).toMatchObject({ enrollment_id: enrollment, device_state: 'pending' });
    const outbox = await db.query<{ payload: { state: string; previous_state: string } | string }>('SELECT payload FROM outbox WHERE device_id = $1', [device]);
    const payloads = outbox.rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
    expect(payloads).toEqual([expect.objectContaining({ state: 'retired', previous_state: 'pending' })]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('closes enrollments that never got a credential too, and leaves open ones in time and decided ones alone', async () => {
    const started = await pendingEnrollment(db, account, { state: 'started', expiresInSeconds: -1 });
    const inTime = await pendingEnrollment(db, account, { expiresInSeconds: 60 });
    const trusted = await seedEnrollment(db, account, await seedDevice(db, account), { state: 'trusted', expiresInSeconds: -60 });
    const denied = await seedEnrollment(db, account, await seedDevice(db, account, { state: 'revoked' }), { state: 'denied', expiresInSeconds: -60 });

    expect(await expireEnrollments(db)).toBe(1);
    expect(await stateOf(db, started.enrollment)).toMatchObject({ state: 'expired', device_state: 'retired' });
    expect(await stateOf(db, inTime.enrollment)).toMatchObject({ state: 'registered', decided_at: null, device_state: 'pending' });
    expect(await stateOf(db, trusted)).toMatchObject({ state: 'trusted', device_state: 'trusted' });
    expect(await stateOf(db, denied)).toMatchObject({ state: 'denied', device_state: 'revoked' });
  });

  it('keeps the state of a device an operator already moved, and records only the expiry', async () => {
    const { device, enrollment } = await pendingEnrollment(db, account, { expiresInSeconds: -5 });
    await transitionDevice(db, { deviceId: device, to: 'revoked', actor: { type: 'admin', id: 'key_x' }, reason: 'lost' });
    expect(await expireEnrollments(db)).toBe(1);
    expect(await stateOf(db, enrollment)).toMatchObject({ state: 'expired', device_state: 'revoked', device_reason: 'lost' });
    expect((await listAudit(db, { deviceId: device, limit: 10 })).map((a) => a.type)).toEqual(['device.revoked', 'enrollment.expired']);
  });

  it('closes at most `limit` at a time, oldest first, and a second sweep finds nothing left', async () => {
    const first = await pendingEnrollment(db, account, { expiresInSeconds: -30 });
    const second = await pendingEnrollment(db, account, { expiresInSeconds: -20 });
    const third = await pendingEnrollment(db, account, { expiresInSeconds: -10 });
    expect(await expireEnrollments(db, new Date(), 2)).toBe(2);
    expect((await stateOf(db, first.enrollment)).state).toBe('expired');
    expect((await stateOf(db, second.enrollment)).state).toBe('expired');
    expect((await stateOf(db, third.enrollment)).state).toBe('registered');
    expect(await expireEnrollments(db, new Date(), 2)).toBe(1);
    const auditCount = (await listAudit(db, { limit: 1000 })).length;
    expect(await expireEnrollments(db)).toBe(0);
    expect((await listAudit(db, { limit: 1000 })).length).toBe(auditCount);
  });
});

describe('expireEnrollments on PostgreSQL with another transaction at work', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let schema: string;
  let account: string;

  beforeEach(async () => {
    const s = await postgresSchema();
    ({ db, drop, schema } = s);
    await migrated(db);
    account = await seedAccount(db, await seedOrg(db));
  });
  afterEach(() => drop());

  it('skips an enrollment another transaction holds instead of waiting, and closes it on a later sweep', async () => {
    const { enrollment } = await pendingEnrollment(db, account, { expiresInSeconds: -5 });
    const holder = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${quoteIdent(schema)}` });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM enrollments WHERE id = $1 FOR UPDATE', [enrollment]);
      expect(await expireEnrollments(db)).toBe(0);
      expect((await stateOf(db, enrollment)).state).toBe('registered');
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    expect(await expireEnrollments(db)).toBe(1);
  });

  it('runs in the background until stopped, and reports a failed sweep without stopping', async () => {
    const due = await pendingEnrollment(db, account, { expiresInSeconds: -5 });
    const errors: unknown[] = [];
    const expiry = startEnrollmentExpiry(db, { intervalMs: 20, onError: (err) => errors.push(err) });
    try {
      await waitFor(async () => (await stateOf(db, due.enrollment)).state === 'expired', 2000, 'the first sweep');
      expect((await stateOf(db, due.enrollment)).state).toBe('expired');

      // A sweep that fails (the table is briefly gone) is reported; the next one works again.
      await db.exec('ALTER TABLE enrollments RENAME TO enrollments_away');
      await waitFor(() => errors.length > 0, 2000, 'a failed sweep');
      await db.exec('ALTER TABLE enrollments_away RENAME TO enrollments');
      expect(errors.length).toBeGreaterThan(0);
      const later = await pendingEnrollment(db, account, { expiresInSeconds: -1 });
      await waitFor(async () => (await stateOf(db, later.enrollment)).state === 'expired', 2000, 'a sweep after the failure');
      expect((await stateOf(db, later.enrollment)).state).toBe('expired');
    } finally {
      await expiry.stop();
    }
    const afterStop = await pendingEnrollment(db, account, { expiresInSeconds: -1 });
    await new Promise((r) => setTimeout(r, 100));
    expect((await stateOf(db, afterStop.enrollment)).state).toBe('registered');
  });
});
