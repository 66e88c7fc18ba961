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
