import { postgresSchema } from '../../test/helpers/env.js';
import { migrated, seedAccount, seedDevice, seedOrg } from '../../test/helpers/seed.js';
import type { Database } from '../store/database.js';
import { verifyAuditChain } from '../store/audit.js';
import { ConflictError, NotFoundError } from './errors.js';
import { transitionDevice } from './transition.js';

const admin = { type: 'admin' as const, id: 'key_test', role: 'operator' };

describe('lifecycle transitions on PostgreSQL', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let org: string;

  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
    org = await seedOrg(db);
  });
  afterAll(async () => drop());

  async function epochOf(accountId: string): Promise<number> {
    return (await db.query<{ device_epoch: number }>('SELECT device_epoch FROM accounts WHERE id = $1', [accountId])).rows[0].device_epoch;
  }

  it('revokes in one transaction: state, epoch, sessions, audit and outbox together', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { sessionAgeSeconds: 10 });
    const before = await epochOf(account);
    const r = await transitionDevice(db, { deviceId: device, to: 'revoked', actor: admin, reason: 'lost phone' });
    expect(r).toMatchObject({ previousState: 'trusted', state: 'revoked', epoch: before + 1 });
    expect(await epochOf(account)).toBe(before + 1);
    const row = (await db.query<{ state: string; version: number }>('SELECT state, version FROM devices WHERE id = $1', [device])).rows[0];
    expect(row).toEqual({ state: 'revoked', version: 1 });
    const live = await db.query('SELECT 1 FROM sessions WHERE device_id = $1 AND revoked_at IS NULL', [device]);
    expect(live.rowCount).toBe(0);
    const audit = await db.query<{ type: string; outcome: string; details: Record<string, unknown> }>('SELECT type, outcome, details FROM audit_events WHERE device_id = $1', [device]);
    expect(audit.rows).toEqual([{ type: 'device.revoked', outcome: 'success', details: { from: 'trusted', to: 'revoked', reason: 'lost phone', epoch: before + 1 } }]);
    const outbox = await db.query<{ topic: string; payload: Record<string, unknown> }>('SELECT topic, payload FROM outbox WHERE device_id = $1', [device]);
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0].payload).toMatchObject({ device_id: device, account_id: account, state: 'revoked', previous_state: 'trusted', epoch: before + 1 });
  });

  it('does not bump the epoch when the recipient list does not change', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account);
    const before = await epochOf(account);
    await transitionDevice(db, { deviceId: device, to: 'restricted', actor: admin, reason: 'posture' });
    expect(await epochOf(account)).toBe(before);
  });

  it('refuses a transition the lifecycle forbids, changes nothing, and audits the attempt', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account, { state: 'revoked' });
    const before = await epochOf(account);
    await expect(transitionDevice(db, { deviceId: device, to: 'trusted', actor: admin, reason: 'oops' })).rejects.toMatchObject({ status: 409, code: 'invalid_transition' });
    expect((await db.query<{ state: string }>('SELECT state FROM devices WHERE id = $1', [device])).rows[0].state).toBe('revoked');
    expect(await epochOf(account)).toBe(before);
    expect((await db.query('SELECT 1 FROM outbox WHERE device_id = $1', [device])).rowCount).toBe(0);
    const audit = await db.query<{ outcome: string; details: { refusal: string } }>('SELECT outcome, details FROM audit_events WHERE device_id = $1', [device]);
    expect(audit.rows).toEqual([{ outcome: 'refused', details: expect.objectContaining({ refusal: 'invalid_transition', to: 'trusted' }) }]);
  });

  it("answers another organisation's device as not found, and changes nothing", async () => {
    const otherOrg = await seedOrg(db);
    const device = await seedDevice(db, await seedAccount(db, otherOrg));
    await expect(transitionDevice(db, { deviceId: device, to: 'revoked', actor: admin, reason: 'x', orgId: org })).rejects.toThrow(NotFoundError);
    expect((await db.query<{ state: string }>('SELECT state FROM devices WHERE id = $1', [device])).rows[0].state).toBe('trusted');
  });

  it('lets exactly one of two concurrent transitions of one device win; the other gets 409', async () => {
    const account = await seedAccount(db, org);
    const device = await seedDevice(db, account);
    const before = await epochOf(account);
    const results = await Promise.allSettled([
      transitionDevice(db, { deviceId: device, to: 'revoked', actor: admin, reason: 'a' }),
      transitionDevice(db, { deviceId: device, to: 'revoked', actor: admin, reason: 'b' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toBeInstanceOf(ConflictError);
    expect(lost[0].reason.status).toBe(409);
    expect(await epochOf(account)).toBe(before + 1);
    expect((await db.query('SELECT 1 FROM outbox WHERE device_id = $1', [device])).rowCount).toBe(1);
  });

  it('keeps the audit chain valid across many concurrent transitions', async () => {
    const account = await seedAccount(db, org);
    const devices = await Promise.all(Array.from({ length: 8 }, () => seedDevice(db, account)));
    await Promise.all(devices.map((d) => transitionDevice(db, { deviceId: d, to: 'revoked', actor: admin, reason: 'sweep' })));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    const epochs = (await db.query<{ epoch: number }>("SELECT (payload->>'epoch')::int AS epoch FROM outbox WHERE account_id = $1 ORDER BY seq", [account])).rows.map((r) => r.epoch);
    expect(new Set(epochs).size).toBe(devices.length);
  });
});
