/**
 * A development start on the embedded database gets, once, a service key with every scope
 * and an operator admin key for the `default` organisation, so the service is usable from
 * the first command (as Vault's dev server is). Never in production, never on PostgreSQL.
 */
import type { Database } from '../store/database.js';
import { createAdminKey, createServiceKey, SERVICE_SCOPES } from '../trust/apiKeys.js';

export const DEFAULT_ORG = 'default';

/** Returns the lines to print, or none when keys exist already. */
export async function issueDevelopmentKeys(db: Database): Promise<string[]> {
  const any = await db.query('SELECT 1 FROM api_keys LIMIT 1');
  if (any.rowCount > 0) return [];
  await db.query(`INSERT INTO organisations (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING`, [DEFAULT_ORG]);
  const actor = { type: 'system' as const, id: 'dev-start' };
  const service = await createServiceKey(db, { name: 'dev-service', scopes: SERVICE_SCOPES }, actor);
  const admin = await createAdminKey(db, { name: 'dev-operator', orgId: DEFAULT_ORG, role: 'operator' }, actor);
  return [
    'Development keys for this local database (shown once; for local use only, never in production):',
    `  service key (every scope): ${service.token}`,
    `  admin key (operator, org "${DEFAULT_ORG}"): ${admin.token}`,
  ];
}
