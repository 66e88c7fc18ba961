/**
 * Unmanaged accounts on both backends, a fresh database each: data written before accounts
 * could lack an organisation migrates forward untouched, a service creates an account of no
 * organisation, and its decisions run under the service's defaults.
 */
import type { Database } from '../../src/store/database.js';
import { migrate, readMigrations } from '../../src/store/migrate.js';
import { openPglite } from '../../src/store/pglite.js';
import { createServiceKey } from '../../src/trust/apiKeys.js';
import { decide } from '../../src/trust/decide.js';
import { loadDeviceContext } from '../../src/trust/deviceContext.js';
import { createAccount } from '../../src/trust/enrollment/accounts.js';
import { SETTING_DEFAULTS } from '../../src/trust/organisations/settings.js';
import { buildDecisionInput } from '../../src/trust/policyInput.js';
import { policyInputValidator } from '../../src/http/api.js';
import { postgresSchema } from '../helpers/env.js';
import { servedPolicies } from '../helpers/policy.js';
import { seedAccount, seedDevice, seedOrg } from '../helpers/seed.js';

const FRESH: Array<[string, () => Promise<{ db: Database; close(): Promise<void> }>]> = [
  ['PGlite', async () => { const db = await openPglite(undefined); return { db, close: () => db.close() }; }],
  ['PostgreSQL', async () => { const s = await postgresSchema(); return { db: s.db, close: s.drop }; }],
];
const system = { type: 'system', id: 'test' } as const;

describe.each(FRESH)('unmanaged accounts on a fresh %s database', (_name, open) => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => { ({ db, close } = await open()); });
  afterAll(() => close());

  it('migrates earlier data forward without loss, then takes accounts of no organisation', async () => {
    const all = readMigrations();
    const before = all.filter((m) => m.name < '0011_');
    expect(before.length).toBeLessThan(all.length);
    await migrate(db, before);
    const org = await seedOrg(db, { managed: true, settings: { max_session_age_seconds: 600 } });
    const old = await seedAccount(db, org);
    const device = await seedDevice(db, old, { sessionAgeSeconds: 30, unlockAgeSeconds: 10 });
    const snapshot = async () => JSON.stringify([(await db.query('SELECT * FROM organisations ORDER BY id')).rows, (await db.query('SELECT * FROM accounts ORDER BY id')).rows, (await db.query('SELECT * FROM devices ORDER BY id')).rows]);
    const was = await snapshot();
    expect(await migrate(db)).toEqual(all.slice(before.length).map((m) => m.name));
    expect(await snapshot()).toBe(was);
    const ctx = await loadDeviceContext(db, device);
    expect(ctx?.org).toMatchObject({ id: org, managed: true, settings: { max_session_age_seconds: 600 } });

    const solo = await createAccount(db, { handle: 'solo-user', orgId: null, codeTtlSeconds: 60 }, { actor: system });
    expect(solo).toMatchObject({ orgId: null, handle: 'solo-user' });
    const stored = await db.query<{ org_id: string | null }>('SELECT org_id FROM accounts WHERE id = $1', [solo.accountId]);
    expect(stored.rows).toEqual([{ org_id: null }]);
  });

  it("decides an unmanaged device's actions under the service's defaults", async () => {
    const solo = await createAccount(db, { handle: 'solo-decider', orgId: null, codeTtlSeconds: 60 }, { actor: system });
    const device = await seedDevice(db, solo.accountId, { sessionAgeSeconds: 120, unlockAgeSeconds: 30 });
    const ctx = await loadDeviceContext(db, device);
    if (!ctx) throw new Error('no context');
    const input = buildDecisionInput(ctx, 'keys.access', new Date());
    expect(input.account.org).toBeNull();
    const { managed_max_age_seconds: _m, os_integrity_max_age_seconds: _o, recovery_requires_second_admin: _r, ...policy } = SETTING_DEFAULTS;
    expect(input.account.policy).toEqual(policy);
    expect(policyInputValidator()(input)).toBeUndefined();

    const key = await createServiceKey(db, { name: 'messaging', scopes: ['decisions:read'] }, system);
    const policies = await servedPolicies();
    const deps = { db, policy: () => policies.current(), validateInput: policyInputValidator() };
    const ask = (action: string) => decide(deps, { accountId: solo.accountId, deviceId: device, action, caller: key.id });
    expect(await ask('keys.access')).toMatchObject({ allow: true, reasons: ['device_trusted'] });
    // The default unlock age (300 s) applies.
    await db.query(`UPDATE devices SET last_unlock_at = now() - interval '301 seconds' WHERE id = $1`, [device]);
    expect(await ask('keys.access')).toMatchObject({ allow: false, reasons: ['local_unlock_not_recent'] });
  });
});
