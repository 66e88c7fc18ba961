/**
 * Test data written straight into the store, for tests of what happens after enrollment
 * (decisions, transitions). Enrollment itself is tested through its own flows.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { deviceIdentifier, newDeviceHandle } from '../../src/trust/identifiers.js';
import { newId } from '../../src/trust/ids.js';
import type { DeviceState } from '../../src/trust/lifecycle.js';

export const TEST_ID_SECRET = 'test-id-secret-'.padEnd(40, 'x');

export async function migrated(db: Database): Promise<Database> {
  await migrate(db);
  return db;
}

export async function seedOrg(db: Database, opts: { id?: string; managed?: boolean; settings?: Record<string, unknown> } = {}): Promise<string> {
  const id = opts.id ?? `org_${randomBytes(4).toString('hex')}`;
  await db.query('INSERT INTO organisations (id, name, managed, settings) VALUES ($1, $2, $3, $4)', [id, id, opts.managed ?? false, JSON.stringify(opts.settings ?? {})]);
  return id;
}

export async function seedAccount(db: Database, orgId: string, opts: { state?: string; recovering?: boolean } = {}): Promise<string> {
  const id = newId('acc');
  await db.query(
    `INSERT INTO accounts (id, org_id, handle, state, recovery_state, recovery_started_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, orgId, `user-${randomBytes(5).toString('hex')}`, opts.state ?? 'active', opts.recovering ? 'recovering' : 'none', opts.recovering ? new Date() : null],
  );
  return id;
}

export interface SeedDevice {
  state?: DeviceState;
  approvalMethod?: string;
  backedUp?: boolean;
  /** Seconds since the device's last user-verified unlock; undefined means never. */
  unlockAgeSeconds?: number;
  /** Seconds since its live session started; undefined means no session. */
  sessionAgeSeconds?: number;
}

export async function seedDevice(db: Database, accountId: string, opts: SeedDevice = {}): Promise<string> {
  const id = deviceIdentifier(TEST_ID_SECRET, accountId, newDeviceHandle());
  const now = Date.now();
  const state = opts.state ?? 'trusted';
  await db.query(
    `INSERT INTO devices (id, account_id, state, label, platform, approval_method, approved_at, last_unlock_at, last_unlock_method)
     VALUES ($1, $2, $3, 'Test phone', 'android', $4, $5, $6, $7)`,
    [id, accountId, state, state === 'pending' ? null : (opts.approvalMethod ?? 'bootstrap'), state === 'pending' ? null : new Date(now),
      opts.unlockAgeSeconds === undefined ? null : new Date(now - opts.unlockAgeSeconds * 1000), opts.unlockAgeSeconds === undefined ? null : 'webauthn_uv'],
  );
  await db.query(
    `INSERT INTO credentials (id, device_id, credential_id, public_key, backup_eligible, backed_up, attestation_format, user_verified)
     VALUES ($1, $2, $3, $4, $5, $6, 'none', true)`,
    [newId('cred'), id, randomBytes(16).toString('base64url'), randomBytes(65), opts.backedUp ?? false, opts.backedUp ?? false],
  );
  if (opts.sessionAgeSeconds !== undefined) {
    await db.query(
      `INSERT INTO sessions (id, token_hash, device_id, account_id, user_verified, created_at, expires_at) VALUES ($1, $2, $3, $4, true, $5, $6)`,
      [newId('ses'), randomBytes(32).toString('hex'), id, accountId, new Date(now - opts.sessionAgeSeconds * 1000), new Date(now + 3600_000)],
    );
  }
  if (state === 'trusted' || state === 'restricted') {
    await db.query('UPDATE accounts SET device_epoch = device_epoch + 1, devices_enrolled = devices_enrolled + 1 WHERE id = $1', [accountId]);
  }
  return id;
}
