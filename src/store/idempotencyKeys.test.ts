import { BACKENDS } from '../../test/helpers/env.js';
import type { Database } from './database.js';
import {
  IDEMPOTENCY_LEASE_SECONDS, IDEMPOTENCY_TTL_SECONDS, claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, sweepIdempotencyKeys,
} from './idempotencyKeys.js';

const t0 = new Date('2026-11-25T12:00:00Z');
const after = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);
const answer = { status: 201, kept: true, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"id":"sub_1"}' };

describe.each(BACKENDS)('idempotency records on %s', (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  let n = 0;
  let key: string;

  beforeAll(async () => ({ db, close } = await open()));
  afterAll(() => close());
  beforeEach(() => { key = `key-${++n}`; });

  it('gives the first claim the key and later ones its record: in progress, then the answer', async () => {
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0)).toEqual({ claimed: true });
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', after(1))).toEqual({ claimed: false, record: { fingerprint: 'f1', answer: undefined } });
    await completeIdempotencyKey(db, 'service:k1', key, answer, after(2));
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(3))).toEqual({ claimed: false, record: { fingerprint: 'f1', answer } });
  });

  it('keeps neither headers nor body of an answer that may not be stored', async () => {
    await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0);
    await completeIdempotencyKey(db, 'service:k1', key, { ...answer, kept: false, body: '{"bootstrapCode":"secret"}' }, after(1));
    const r = await db.query('SELECT status, kept, headers, body FROM idempotency_keys WHERE key = $1', [key]);
    expect(r.rows).toEqual([{ status: 201, kept: false, headers: null, body: null }]);
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', after(2))).toEqual({ claimed: false, record: { fingerprint: 'f1', answer: { status: 201, kept: false, headers: {}, body: null } } });
  });

  it('keeps one record per caller and key', async () => {
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0)).toEqual({ claimed: true });
    expect(await claimIdempotencyKey(db, 'admin:k2', key, 'f9', t0)).toEqual({ claimed: true });
    expect(await claimIdempotencyKey(db, 'device:dev_1', key, 'f9', t0)).toEqual({ claimed: true });
  });

  it('frees a released key, but never a completed one', async () => {
    await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0);
    await releaseIdempotencyKey(db, 'service:k1', key);
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(1))).toEqual({ claimed: true });
    await completeIdempotencyKey(db, 'service:k1', key, answer, after(2));
    await releaseIdempotencyKey(db, 'service:k1', key);
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(3))).toMatchObject({ claimed: false, record: { answer } });
  });

  it('lets a retry act once an unfinished first request has held the key past its lease', async () => {
    await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0);
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', after(IDEMPOTENCY_LEASE_SECONDS - 1))).toMatchObject({ claimed: false });
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f1', after(IDEMPOTENCY_LEASE_SECONDS))).toEqual({ claimed: true });
  });

  it('remembers an answer for a day, then the key is new again', async () => {
    await claimIdempotencyKey(db, 'service:k1', key, 'f1', t0);
    await completeIdempotencyKey(db, 'service:k1', key, answer, after(1));
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(IDEMPOTENCY_TTL_SECONDS - 1))).toMatchObject({ claimed: false, record: { answer } });
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(IDEMPOTENCY_TTL_SECONDS))).toEqual({ claimed: true });
    expect(await claimIdempotencyKey(db, 'service:k1', key, 'f2', after(IDEMPOTENCY_TTL_SECONDS + 1))).toEqual({ claimed: false, record: { fingerprint: 'f2', answer: undefined } });
  });

  it('sweeps only records older than a day', async () => {
    const [old, fresh] = [`${key}-old`, `${key}-fresh`];
    await claimIdempotencyKey(db, 'service:sweep', old, 'f1', t0);
    await claimIdempotencyKey(db, 'service:sweep', fresh, 'f1', after(3600));
    await sweepIdempotencyKeys(db, after(IDEMPOTENCY_TTL_SECONDS));
    const left = await db.query<{ key: string }>("SELECT key FROM idempotency_keys WHERE principal = 'service:sweep'");
    expect(left.rows).toEqual([{ key: fresh }]);
  });
});
