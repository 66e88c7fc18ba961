import { watchAvailability } from './availability.js';
import type { Database, QueryResult } from './database.js';
import { DatabaseUnavailableError } from './databaseUnavailable.js';

/** A database whose queries the test settles one by one, in any order. */
function scriptedDatabase() {
  const waiting: Array<{ ok: () => void; fail: () => void }> = [];
  const db: Database = {
    kind: 'postgres',
    query: <Row>() => new Promise<QueryResult<Row>>((resolve, reject) => {
      waiting.push({ ok: () => resolve({ rows: [], rowCount: 0 }), fail: () => reject(new DatabaseUnavailableError('the database is unavailable: connection refused')) });
    }),
    exec: async () => undefined,
    transaction: (work) => work(db),
    close: async () => undefined,
  };
  return { db, waiting };
}

describe('watchAvailability', () => {
  it('reports an outage once when it begins and once when it ends, however many queries fail', async () => {
    const { db, waiting } = scriptedDatabase();
    const events: string[] = [];
    const watched = watchAvailability(db, { onDown: (err) => events.push(`down: ${err.message}`), onUp: () => events.push('up') });
    const failing = [watched.query('SELECT 1'), watched.query('SELECT 1'), watched.query('SELECT 1')].map((p) => p.catch((e: Error) => e.name));
    for (const q of waiting.splice(0)) q.fail();
    expect(await Promise.all(failing)).toEqual(['DatabaseUnavailableError', 'DatabaseUnavailableError', 'DatabaseUnavailableError']);
    expect(watched.available()).toBe(false);
    const ok = watched.query('SELECT 1');
    waiting.splice(0)[0].ok();
    await ok;
    expect(events).toEqual(['down: the database is unavailable: connection refused', 'up']);
    expect([watched.available(), watched.downForMs()]).toEqual([true, 0]);
  });

  it('does not end an outage on a query that began before it (still running on an open connection)', async () => {
    const { db, waiting } = scriptedDatabase();
    const events: string[] = [];
    const watched = watchAvailability(db, { onDown: () => events.push('down'), onUp: () => events.push('up') });
    const early = watched.query('SELECT 1');
    const late = watched.query('SELECT 1').catch(() => undefined);
    const [earlyQuery, lateQuery] = waiting.splice(0);
    lateQuery.fail();
    await late;
    earlyQuery.ok();
    await early;
    expect(events).toEqual(['down']);
    expect(watched.available()).toBe(false);
  });

  it('passes other errors through without calling it an outage', async () => {
    const db: Database = { kind: 'postgres', query: async () => { throw new Error('syntax error'); }, exec: async () => undefined, transaction: async () => undefined as never, close: async () => undefined };
    const events: string[] = [];
    const watched = watchAvailability(db, { onDown: () => events.push('down'), onUp: () => events.push('up') });
    await expect(watched.query('SELEC 1')).rejects.toThrow('syntax error');
    expect([events, watched.available()]).toEqual([[], true]);
  });
});
