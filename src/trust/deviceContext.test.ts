import { BACKENDS } from '../../test/helpers/env.js';
import { seedAccount, seedDevice, seedOrg } from '../../test/helpers/seed.js';
import type { Database } from '../store/database.js';
import { createServiceKey, revokeKey } from './apiKeys.js';
import { decisionReader, loadDeviceContext } from './deviceContext.js';

const system = { type: 'system', id: 'test' } as const;

describe.each(BACKENDS)('the decision read on %s', (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  let org: string;
  let keyId: string;

  beforeAll(async () => {
    ({ db, close } = await open());
    org = await seedOrg(db, { managed: true, settings: { max_session_age_seconds: 600 } });
    keyId = (await createServiceKey(db, { name: 'messaging', scopes: ['decisions:read'] }, system)).id;
  });
  afterAll(() => close());

  it('reads the same context as the single-device loader, signals, session and timestamps included', async () => {
    const account = await seedAccount(db, org, { recovering: true });
    const device = await seedDevice(db, account, { sessionAgeSeconds: 42, unlockAgeSeconds: 7, backedUp: true });
    await db.query(`INSERT INTO signals (id, device_id, kind, verified, status, issuer, payload, issued_at) VALUES ('sig_1', $1, 'managed', true, 'compliant', 'https://mdm.test', '{"expires_at": 1900000000}', $2)`, [device, new Date('2026-11-25T10:11:12.345Z')]);
    await db.query(`INSERT INTO signal_sources (org_id, kind, issuer, jwks, max_age_seconds) VALUES ($1, 'managed', 'https://mdm.test', '{"keys": []}', 3600)`, [org]);
    const read = await decisionReader(db)(device, keyId);
    const single = await loadDeviceContext(db, device);
    expect(read.callerLive).toBe(true);
    expect(read.context).toEqual(single);
    expect(read.context).toMatchObject({
      org: { managed: true, settings: { max_session_age_seconds: 600 }, signal_max_ages: { managed: 3600 } },
      account: { recovery_state: 'recovering', recovery_started_at: expect.any(Date) },
      device: { id: device, state: 'trusted', approved_at: expect.any(Date), last_unlock_at: expect.any(Date) },
      credential: { backed_up: true },
      session: { created_at: expect.any(Date), user_verified: true },
      signals: [{ kind: 'managed', status: 'compliant', issued_at: new Date('2026-11-25T10:11:12.345Z'), payload: { expires_at: 1900000000 } }],
    });
  });

  it('takes the newest session that is neither revoked nor expired', async () => {
    const device = await seedDevice(db, await seedAccount(db, org));
    const now = Date.now();
    const ago = (minutes: number): Date => new Date(now - minutes * 60_000);
    const session = (id: string, created: Date, expires: Date, uv: boolean, revoked: Date | null): Promise<unknown> => db.query(
      `INSERT INTO sessions (id, token_hash, device_id, account_id, user_verified, created_at, expires_at, revoked_at)
       SELECT $1, $1, d.id, d.account_id, $3, $4, $5, $6 FROM devices d WHERE d.id = $2`, [id, device, uv, created, expires, revoked]);
    await session('ses_old_live', ago(50), ago(-60), false, null);
    await session('ses_live', ago(30), ago(-60), true, null);
    await session('ses_newer_revoked', ago(20), ago(-60), false, ago(10));
    await session('ses_newest_expired', ago(10), ago(1), false, null);
    const read = await decisionReader(db)(device, keyId);
    expect(read.context?.session).toEqual({ created_at: ago(30), user_verified: true });
    expect(await loadDeviceContext(db, device)).toEqual(read.context);
  });

  it('answers reads asked together each for its own device and key, in one snapshot', async () => {
    const account = await seedAccount(db, org);
    const [a, b] = [await seedDevice(db, account), await seedDevice(db, account, { state: 'revoked' })];
    const revoked = await createServiceKey(db, { name: 'old', scopes: ['decisions:read'] }, system);
    await revokeKey(db, revoked.id, system);
    const read = decisionReader(db);
    const [ra, rb, unknownDevice, revokedCaller, unknownCaller] = await Promise.all([
      read(a, keyId), read(b, keyId), read('dev_unknown', keyId), read(a, revoked.id), read('dev_unknown', 'key_unknown'),
    ]);
    expect([ra.context?.device.id, ra.callerLive]).toEqual([a, true]);
    expect([rb.context?.device.state, rb.callerLive]).toEqual(['revoked', true]);
    expect(unknownDevice).toEqual({ context: undefined, callerLive: true });
    expect([revokedCaller.context?.device.id, revokedCaller.callerLive]).toEqual([a, false]);
    expect(unknownCaller).toEqual({ context: undefined, callerLive: false });
  });
});
