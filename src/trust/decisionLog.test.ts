import { postgresSchema } from '../../test/helpers/env.js';
import { migrated } from '../../test/helpers/seed.js';
import type { Database } from '../store/database.js';
import { createDecisionLog, type DecisionLogRow } from './decisionLog.js';
import { newId } from './ids.js';

function row(over: Partial<DecisionLogRow> = {}): DecisionLogRow {
  return {
    id: newId('dec'), decidedAt: new Date(), accountId: 'acc_x', deviceId: 'dev_x', action: 'message.receive', allow: true,
    reasons: ['device_trusted'], obligations: [], deviceState: 'trusted', policyRevision: 'sha256:abc', caller: 'key_x', ...over,
  };
}

describe('the batched decision log', () => {
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const s = await postgresSchema();
    db = await migrated(s.db);
    drop = s.drop;
  });
  afterAll(async () => drop());

  const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM decision_log')).rows[0].n;

  it('writes queued decisions within its delay, with every field', async () => {
    const log = createDecisionLog(db, { maxDelayMs: 10 });
    const r = row({ allow: false, reasons: ['device_revoked'], obligations: ['x'] });
    await log.write(r);
    await new Promise((res) => setTimeout(res, 100));
    const got = await db.query('SELECT * FROM decision_log WHERE id = $1', [r.id]);
    expect(got.rows[0]).toMatchObject({ id: r.id, allow: false, reasons: ['device_revoked'], obligations: ['x'], device_state: 'trusted', policy_revision: 'sha256:abc', caller: 'key_x' });
    await log.close();
  });

  it('loses nothing across many writers, batches and the final close', async () => {
    const before = await count();
    const log = createDecisionLog(db, { maxDelayMs: 1000, maxBatch: 50, maxPending: 120 });
    await Promise.all(Array.from({ length: 1000 }, () => log.write(row())));
    await log.close();
    expect(await count()).toBe(before + 1000);
  });

  it('reports rows it could not write instead of failing the decision', async () => {
    const errors: number[] = [];
    const log = createDecisionLog(db, { maxDelayMs: 5, onError: (_e, n) => errors.push(n) });
    const dup = row();
    await log.write(dup);
    await log.flush();
    await log.write({ ...dup }); // same id: the insert fails
    await log.flush();
    expect(errors).toEqual([1]);
  });
});
