import { BACKENDS, type OpenedDatabase } from '../../test/helpers/env.js';
import { appendAudit, GENESIS_HASH, listAudit, verifyAuditChain, type AuditEvent } from './audit.js';
import { canonicalJson } from './canonicalJson.js';
import type { Database } from './database.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every depth and writes no whitespace', () => {
    // U+1F600 is stored as the surrogates D83D DE00, which sort before U+FFFF in code units
    // (code point order would put U+FFFF first).
    expect(canonicalJson({ b: 1, a: { z: [3, { y: true, x: null }], '\uFFFF': 1, '\u{1F600}': 2 }, A: 'é' }))
      .toBe('{"A":"é","a":{"z":[3,{"x":null,"y":true}],"\u{1F600}":2,"\uFFFF":1},"b":1}');
  });

  it('drops undefined properties, writes Dates as ISO strings and numbers as JSON does', () => {
    expect(canonicalJson({ gone: undefined, at: new Date(Date.UTC(2026, 10, 25, 9, 30, 0, 5)), n: [1.5e-7, 1e21, -0, 0.1 + 0.2, undefined] }))
      .toBe('{"at":"2026-11-25T09:30:00.005Z","n":[1.5e-7,1e+21,0,0.30000000000000004,null]}');
  });

  it('refuses what JSON cannot represent faithfully', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(/\$\.n is NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ m: new Map([[1, 2]]) })).toThrow(/Map/);
    expect(() => canonicalJson(new Date('nope'))).toThrow(/invalid Date/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(/cycle/);
  });

  it('gives the same text for the same value whatever order its keys were written in', () => {
    expect(canonicalJson({ a: 1, b: { c: 2, d: 3 } })).toBe(canonicalJson({ b: { d: 3, c: 2 }, a: 1 }));
  });
});

const actor = { type: 'admin', id: 'key_admin1', role: 'operator' } as const;

function event(n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return { type: 'device.revoked', outcome: 'success', actor, orgId: 'org_a', accountId: 'acc_1', deviceId: `dev_${n}`, details: { n }, ...extra };
}

describe.each(BACKENDS)('the audit chain on %s', (_name, open) => {
  let opened: OpenedDatabase;
  let db: Database;
  beforeEach(async () => {
    opened = await open();
    db = opened.db;
  });
  afterEach(async () => {
    await opened.close();
  });

  async function appendMany(count: number): Promise<Array<{ id: string; seq: number; hash: string }>> {
    const out = [];
    for (let i = 1; i <= count; i++) out.push(await db.transaction((tx) => appendAudit(tx, event(i))));
    return out;
  }

  it('verifies an empty log as intact, with the genesis hash as head', async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: 0, head: GENESIS_HASH });
  });

  it('links each record to the one before it and verifies the chain', async () => {
    const appended = await appendMany(3);
    expect(appended.map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(appended[0].id).toMatch(/^aud_[A-Za-z0-9_-]{27}$/);
    const rows = await db.query<{ prev_hash: string; hash: string }>('SELECT prev_hash, hash FROM audit_events ORDER BY seq');
    expect(rows.rows.map((r) => r.prev_hash)).toEqual([GENESIS_HASH, appended[0].hash, appended[1].hash]);
    expect(rows.rows.map((r) => r.hash)).toEqual(appended.map((a) => a.hash));
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: 3, head: appended[2].hash });
  });

  it('recomputes the same hash from what jsonb gives back: nested objects, unicode, numbers, dates', async () => {
    const details = {
      zeta: { nested: { deeper: [1, { b: 2, a: 1 }], 'ключ': 'значение' } },
      alpha: 'emoji \u{1F510} and CJK 信任 and é',
      '\u{1F600}': 'key outside the BMP',
      numbers: [0, -0, 1.5, 0.1 + 0.2, 1e21, 1.5e-7, 2 ** 53, -123456.789, 5e-324],
      flags: [true, false, null],
      when: new Date('2026-11-25T08:00:00.123Z'),
      dropped: undefined,
      'quote"and\\backslash': 'line\nbreak\ttab',
    };
    await db.transaction((tx) => appendAudit(tx, { type: 'signal.ingested', outcome: 'success', actor: { type: 'service', id: 'key_s' }, details }));
    await db.transaction((tx) => appendAudit(tx, { type: 'enrollment.refused', outcome: 'refused', actor: { type: 'anonymous', address: '203.0.113.7' } }));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 });
    const [stored] = await listAudit(db, { type: 'signal.ingested', limit: 10 });
    // What is stored is what was hashed: Dates as ISO strings, undefined properties gone.
    expect(stored.details).toEqual(JSON.parse(canonicalJson(details)));
    expect(stored.details.when).toBe('2026-11-25T08:00:00.123Z');
    expect('dropped' in stored.details).toBe(false);
  });

  it('stores occurred_at at millisecond precision', async () => {
    const now = new Date('2026-11-25T09:15:42.987Z');
    await db.transaction((tx) => appendAudit(tx, event(1), now));
    const [record] = await listAudit(db, { limit: 1 });
    expect(record.occurredAt.toISOString()).toBe('2026-11-25T09:15:42.987Z');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 1 });
  });

  it('gives a gapless, valid chain when 20 transactions append at once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction(async (tx) => {
      await tx.query('SELECT 1'); // some work of the caller's before the append …
      const appended = await appendAudit(tx, event(i));
      // … and after it, holding the lock while the others queue behind it.
      await new Promise((resolve) => setTimeout(resolve, (i % 4) * 5));
      return appended;
    })));
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const verified = await verifyAuditChain(db, { batchSize: 7 });
    expect(verified).toMatchObject({ ok: true, count: 20 });
  });

  it('leaves no record of a transaction that rolled back, and the chain continues from the last commit', async () => {
    await expect(db.transaction(async (tx) => {
      await appendAudit(tx, event(1));
      throw new Error('the state change failed');
    })).rejects.toThrow('the state change failed');
    expect((await db.query('SELECT 1 FROM audit_events')).rowCount).toBe(0);
    const next = await db.transaction((tx) => appendAudit(tx, event(2)));
    expect(next.seq).toBe(1);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: 1, head: next.hash });
  });

  it.each([1, 2, 3, 500])('reports the record whose details were changed (batch size %i)', async (batchSize) => {
    const appended = await appendMany(5);
    await db.query(`UPDATE audit_events SET details = '{"n": 99}'::jsonb WHERE seq = 3`);
    expect(await verifyAuditChain(db, { batchSize })).toEqual({ ok: false, count: 2, brokenAt: { seq: 3, id: appended[2].id, reason: 'hash_mismatch' } });
  });

  it('reports a record whose actor, outcome or time was changed', async () => {
    const appended = await appendMany(4);
    await db.query(`UPDATE audit_events SET actor = jsonb_set(actor, '{role}', '"approver"') WHERE seq = 4`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, count: 3, brokenAt: { seq: 4, id: appended[3].id, reason: 'hash_mismatch' } });
    await db.query(`UPDATE audit_events SET outcome = 'refused' WHERE seq = 2`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, count: 1, brokenAt: { seq: 2, reason: 'hash_mismatch' } });
    await db.query(`UPDATE audit_events SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = 1`);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, count: 0, brokenAt: { seq: 1, reason: 'hash_mismatch' } });
  });

  it('reports the record whose hash was replaced', async () => {
    const appended = await appendMany(5);
    await db.query(`UPDATE audit_events SET hash = $1 WHERE seq = 3`, ['f'.repeat(64)]);
    expect(await verifyAuditChain(db, { batchSize: 2 })).toEqual({ ok: false, count: 2, brokenAt: { seq: 3, id: appended[2].id, reason: 'hash_mismatch' } });
  });

  it('reports a record rewritten with a consistent hash at the next record, whose prev_hash no longer matches', async () => {
    const appended = await appendMany(4);
    // A forger who recomputes record 2's hash after editing it still breaks record 3's link.
    const forged = 'a'.repeat(64);
    await db.query(`UPDATE audit_events SET prev_hash = $1 WHERE seq = 3`, [forged]);
    expect(await verifyAuditChain(db)).toEqual({ ok: false, count: 2, brokenAt: { seq: 3, id: appended[2].id, reason: 'prev_hash_mismatch' } });
  });

  it('reports a deleted record as a sequence gap at the record after it', async () => {
    const appended = await appendMany(5);
    await db.query('DELETE FROM audit_events WHERE seq = 3');
    expect(await verifyAuditChain(db, { batchSize: 2 })).toEqual({ ok: false, count: 2, brokenAt: { seq: 4, id: appended[3].id, reason: 'sequence_gap' } });
  });

  it('reports a deleted first record at the new first record', async () => {
    const appended = await appendMany(2);
    await db.query('DELETE FROM audit_events WHERE seq = 1');
    expect(await verifyAuditChain(db)).toEqual({ ok: false, count: 0, brokenAt: { seq: 2, id: appended[1].id, reason: 'sequence_gap' } });
  });

  it('records, without throwing, values the database could not store as given, and the chain still verifies', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await db.transaction(async (tx) => {
      await appendAudit(tx, event(1, { details: { label: 'a\u0000b', lone: 'x\uD800y', n: Infinity, big: 10n, cyclic, deep, map: new Map([['k', 'v']]) } }));
      await appendAudit(tx, event(2, { deviceId: 'dev_\uD800' }));
    });
    const [first, second] = await listAudit(db, { limit: 10 });
    expect(first.details).toMatchObject({ label: 'a\uFFFDb', lone: 'x\uFFFDy', n: 'Infinity', big: '10', cyclic: { a: 1, self: '[cycle]' }, map: { k: 'v' } });
    expect(JSON.stringify(first.details.deep)).toContain('[too deep]');
    expect(second.deviceId).toBe('dev_\uFFFD');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 2 });
    // What is a programming error, not data, is still refused.
    await expect(db.transaction((tx) => appendAudit(tx, event(3, { outcome: 'maybe' as 'success' })))).rejects.toThrow(/outcome/);
  });

  it('lists records by org, account, device, actor, type and time, in seq order, page by page', async () => {
    const t0 = new Date('2026-11-25T09:00:00.000Z');
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    await db.transaction(async (tx) => {
      await appendAudit(tx, event(1), at(0));
      await appendAudit(tx, event(2, { orgId: 'org_b', accountId: 'acc_2', actor: { type: 'device', id: 'dev_9' } }), at(1));
      await appendAudit(tx, event(3, { type: 'key.created', deviceId: null }), at(2));
      await appendAudit(tx, event(4), at(3));
    });
    const seqs = async (filter: Parameters<typeof listAudit>[1]) => (await listAudit(db, filter)).map((r) => r.seq);
    expect(await seqs({ limit: 10 })).toEqual([1, 2, 3, 4]);
    expect(await seqs({ orgId: 'org_a', limit: 10 })).toEqual([1, 3, 4]);
    expect(await seqs({ accountId: 'acc_2', limit: 10 })).toEqual([2]);
    expect(await seqs({ deviceId: 'dev_4', limit: 10 })).toEqual([4]);
    expect(await seqs({ actorId: 'dev_9', limit: 10 })).toEqual([2]);
    expect(await seqs({ type: 'key.created', limit: 10 })).toEqual([3]);
    expect(await seqs({ since: at(1), until: at(3), limit: 10 })).toEqual([2, 3]);
    expect(await seqs({ orgId: 'org_a', limit: 2 })).toEqual([1, 3]);
    expect(await seqs({ orgId: 'org_a', afterSeq: 3, limit: 2 })).toEqual([4]);
    const [third] = await listAudit(db, { type: 'key.created', limit: 1 });
    expect(third).toEqual({
      seq: 3, id: expect.stringMatching(/^aud_/), occurredAt: at(2), orgId: 'org_a', accountId: 'acc_1', deviceId: null,
      actor: { type: 'admin', id: 'key_admin1', role: 'operator' }, type: 'key.created', outcome: 'success', details: { n: 3 },
    });
    await expect(listAudit(db, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(listAudit(db, { limit: 1001 })).rejects.toThrow(RangeError);
  });
});
