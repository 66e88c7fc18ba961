import type { Express } from 'express';
import type { Database } from '../../src/store/database.js';
import { appendAudit } from '../../src/store/audit.js';
import { transitionDevice } from '../../src/trust/transition.js';
import { adminTestbed, adminKey, get, expectAdminSchema } from '../helpers/admin.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';


describe('Enigm Command audit review and verification', () => {
  let db: Database;
  let app: Express;
  let done: () => Promise<void>;
  let org: string;
  let other: string;
  let auditor: string;
  let otherAuditor: string;
  let account: string;
  let device: string;
  let second: string;
  const alice = { type: 'admin' as const, id: 'key_alice', role: 'operator', address: '10.0.0.1' };
  const bob = { type: 'admin' as const, id: 'key_bob', role: 'operator', address: '10.0.0.2' };

  beforeAll(async () => {
    ({ db, app, done } = await adminTestbed());
    org = await seedOrg(db);
    other = await seedOrg(db);
    auditor = (await adminKey(db, org, 'auditor')).token;
    otherAuditor = (await adminKey(db, other, 'auditor')).token;
    account = await seedAccount(db, org);
    device = await seedDevice(db, account);
    second = await seedDevice(db, account);
    await transitionDevice(db, { deviceId: device, to: 'restricted', actor: alice, reason: 'review' });
    await transitionDevice(db, { deviceId: second, to: 'revoked', actor: bob, reason: 'stolen' });
    await transitionDevice(db, { deviceId: device, to: 'trusted', actor: bob, reason: 'ok', auditType: 'device.unrestricted' });
    const theirs = await seedDevice(db, await seedAccount(db, other));
    await transitionDevice(db, { deviceId: theirs, to: 'revoked', actor: alice, reason: 'theirs' });
  });
  afterAll(() => done());

  const search = (query: string, token = auditor) => get(app, token, `/v1/admin/audit${query ? `?${query}` : ''}`);
  const types = (body: { items: Array<{ type: string }> }) => body.items.map((e) => e.type);

  it("lists the organisation's records oldest first, and none of another organisation", async () => {
    const res = await search('');
    expect(res.status).toBe(200);
    expectAdminSchema('admin-audit-list', res.body);
    // key.created for the auditor key, then the three transitions of this organisation.
    expect(types(res.body)).toEqual(['key.created', 'device.restricted', 'device.revoked', 'device.unrestricted']);
    expect(res.body.items.every((e: { details: { reason?: string } }) => e.details.reason !== 'theirs')).toBe(true);
    expect(res.body.items[1]).toMatchObject({ actor: alice, accountId: account, deviceId: device, outcome: 'success', details: { from: 'trusted', to: 'restricted', reason: 'review' } });
    const theirs = await search('', otherAuditor);
    expect(types(theirs.body)).toEqual(['key.created', 'device.revoked']);
  });

  it.each([
    ['device', () => `deviceId=${device}`, ['device.restricted', 'device.unrestricted']],
    ['account', () => `accountId=${account}`, ['device.restricted', 'device.revoked', 'device.unrestricted']],
    ['actor', () => 'actorId=key_bob', ['device.revoked', 'device.unrestricted']],
    ['event type', () => 'type=device.revoked', ['device.revoked']],
    ['time range that is empty', () => `since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`, []],
    ['time range', () => `since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}&until=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&actorId=key_alice`, ['device.restricted']],
  ])('searches by %s', async (_what, query, expected) => {
    const res = await search(query());
    expect(res.status).toBe(200);
    expect(types(res.body)).toEqual(expected);
  });

  it('pages with a cursor', async () => {
    const first = await search('limit=3');
    expect(first.body.items).toHaveLength(3);
    const next = await search(`limit=3&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    const firstIds = first.body.items.map((e: { id: string }) => e.id);
    expect(next.body.items.filter((e: { id: string }) => firstIds.includes(e.id))).toEqual([]);
    expect(next.body.items[0].occurredAt >= first.body.items[2].occurredAt).toBe(true);
    expect(types(next.body)).toContain('device.unrestricted');
    // The cursor belongs to its filters and its organisation.
    expect((await search(`limit=3&type=device.revoked&cursor=${first.body.nextCursor}`)).body.code).toBe('invalid_cursor');
    expect((await search(`limit=3&cursor=${first.body.nextCursor}`, otherAuditor)).body.code).toBe('invalid_cursor');
  });

  it.each([
    'deviceId=nope', 'accountId=dev_x', 'type=DROP%20TABLE', 'actorId=a%20b', 'since=2026-13-01T00:00:00Z',
    'since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'limit=abc', 'cursor=%7B%7D', 'outcome=refused', 'type=a&type=b',
  ])('answers a malformed search (%s) with 400', async (query) => {
    const res = await search(query);
    expect(res.status).toBe(400);
    expect(['invalid_filter', 'invalid_cursor']).toContain(res.body.code);
  });

  it('is for auditors only; auditors see no inventory', async () => {
    for (const role of ['viewer', 'approver', 'operator']) {
      const token = (await adminKey(db, org, role)).token;
      expect([role, (await search('', token)).status, (await get(app, token, '/v1/admin/audit/verify')).status]).toEqual([role, 403, 403]);
    }
    for (const path of ['/v1/admin/devices', '/v1/admin/enrollments', '/v1/admin/replacements', '/v1/admin/reports/trust-states', `/v1/admin/devices/${device}`]) {
      expect([path, (await get(app, auditor, path)).status]).toEqual([path, 403]);
    }
  });

  it('verifies an intact chain, and records that it did', async () => {
    const res = await get(app, auditor, '/v1/admin/audit/verify');
    expect(res.status).toBe(200);
    expectAdminSchema('admin-audit-verify', res.body);
    expect(res.body).toMatchObject({ ok: true, head: expect.stringMatching(/^[0-9a-f]{64}$/), brokenAt: null });
    const recorded = await search('type=audit.verified');
    expect(recorded.body.items.at(-1)).toMatchObject({ outcome: 'success', actor: { type: 'admin', role: 'auditor' }, details: { ok: true } });
  });

  it('reports a deleted record as a gap where it was, and is intact again once it is back', async () => {
    await db.transaction((tx) => appendAudit(tx, { type: 'test.deleted', outcome: 'success', actor: { type: 'system' }, orgId: org }));
    await db.transaction((tx) => appendAudit(tx, { type: 'test.after', outcome: 'success', actor: { type: 'system' }, orgId: org }));
    const saved = (await db.query<Record<string, unknown>>("SELECT * FROM audit_events WHERE type = 'test.deleted'")).rows[0];
    await db.query('DELETE FROM audit_events WHERE seq = $1', [saved.seq]);
    const res = await get(app, auditor, '/v1/admin/audit/verify');
    expect(res.body).toMatchObject({ ok: false, brokenAt: { seq: Number(saved.seq) + 1, reason: 'sequence_gap', ownOrganisation: true } });
    const columns = Object.keys(saved);
    await db.query(`INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((_c, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => (c === 'actor' || c === 'details' ? JSON.stringify(saved[c]) : saved[c])));
    expect((await get(app, auditor, '/v1/admin/audit/verify')).body).toMatchObject({ ok: true, brokenAt: null });
  });

  it('reports a tampered row at that row; a row of another organisation by its position only', async () => {
    const theirs = await db.query<{ seq: string; details: unknown }>('SELECT seq, details FROM audit_events WHERE org_id = $1 AND type = $2', [other, 'device.revoked']);
    const mine = await db.query<{ seq: string; id: string }>('SELECT seq, id FROM audit_events WHERE org_id = $1 AND type = $2', [org, 'device.revoked']);
    expect(Number(mine.rows[0].seq)).toBeLessThan(Number(theirs.rows[0].seq));
    // Tamper with another organisation's record first.
    await db.query(`UPDATE audit_events SET details = jsonb_set(details, '{reason}', '"edited"') WHERE seq = $1`, [theirs.rows[0].seq]);
    const seenByUs = await get(app, auditor, '/v1/admin/audit/verify');
    expect(seenByUs.body).toMatchObject({ ok: false, head: null, brokenAt: { seq: Number(theirs.rows[0].seq), reason: 'hash_mismatch', ownOrganisation: false, id: null } });
    const seenByThem = await get(app, otherAuditor, '/v1/admin/audit/verify');
    expect(seenByThem.body.brokenAt).toMatchObject({ seq: Number(theirs.rows[0].seq), ownOrganisation: true, id: expect.stringMatching(/^aud_/) });
    // Then with ours, earlier in the chain: verification now stops there.
    await db.query(`UPDATE audit_events SET actor = jsonb_set(actor, '{id}', '"key_nobody"') WHERE seq = $1`, [mine.rows[0].seq]);
    const res = await get(app, auditor, '/v1/admin/audit/verify');
    expect(res.status).toBe(200);
    expectAdminSchema('admin-audit-verify', res.body);
    expect(res.body).toEqual({ ok: false, checkedAt: expect.any(String), head: null, brokenAt: { seq: Number(mine.rows[0].seq), reason: 'hash_mismatch', ownOrganisation: true, id: mine.rows[0].id } });
  });
});
