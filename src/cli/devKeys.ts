/**
 * A development start on the embedded database gets, once, a `demo` organisation with an owner
 * and an operator admin key, a service key with every scope, and an invitation for the demo
 * owner of the Command console, so the service and its console are usable from the first
 * command (as Vault's dev server is); it prints them with the commands the README's first steps
 * continue with. Never in production, never on PostgreSQL.
 */
import type { Database } from '../store/database.js';
import { createAdminKey, createServiceKey, SERVICE_SCOPES } from '../trust/apiKeys.js';
import { inviteAdministrator } from '../trust/admin/console/administrators.js';
import { DEFAULT_CONSOLE_SETTINGS } from '../trust/admin/console/consoleDeps.js';
import { createOrganisation } from '../trust/organisations/organisations.js';
import { invitationLink } from '../http/routes/admin/console.js';

export const DEMO_ORG = 'demo';

/**
 * Returns the lines to print, or none when keys exist already. `url` is where the service
 * listens; `pageUrl` the device page's origin (WebAuthn wants the relying party's host).
 */
export async function issueDevelopmentKeys(db: Database, where: { url: string; pageUrl: string }): Promise<string[]> {
  const { url, pageUrl } = where;
  const any = await db.query('SELECT 1 FROM api_keys LIMIT 1');
  if (any.rowCount > 0) return [];
  const actor = { type: 'system' as const, id: 'dev-start' };
  const exists = await db.query('SELECT 1 FROM organisations WHERE id = $1', [DEMO_ORG]);
  if (exists.rowCount === 0) await createOrganisation(db, { id: DEMO_ORG, name: 'Demo organisation' }, actor);
  const service = await createServiceKey(db, { name: 'dev-service', scopes: SERVICE_SCOPES }, actor);
  const owner = await createAdminKey(db, { name: 'dev-owner', orgId: DEMO_ORG, role: 'owner' }, actor);
  const operator = await createAdminKey(db, { name: 'dev-operator', orgId: DEMO_ORG, role: 'operator' }, actor);
  const consoleOwner = await inviteAdministrator(db, DEMO_ORG, { name: 'Demo owner', role: 'owner' }, actor, DEFAULT_CONSOLE_SETTINGS.invitationTtlSeconds);
  return [
    'Development keys for this local database (shown once; for local use only, never in production):',
    `  service key (every scope): ${service.token}`,
    `  admin key (owner, org "${DEMO_ORG}"): ${owner.token}`,
    `  admin key (operator, org "${DEMO_ORG}"): ${operator.token}`,
    'Next, as the README\'s "First steps" continue:',
    `  export ENIGM=${url} SERVICE=${service.token} OWNER=${owner.token}`,
    '  curl -s -H "Authorization: Bearer $OWNER" $ENIGM/v1/admin/organisation',
    `  curl -s -H "Authorization: Bearer $OWNER" -H 'content-type: application/json' -d '{"role":"approver"}' $ENIGM/v1/admin/keys`,
    `  curl -s -H "Authorization: Bearer $SERVICE" -H 'content-type: application/json' -d '{"handle":"alice","org":"${DEMO_ORG}"}' $ENIGM/v1/accounts`,
    `  then open ${pageUrl}/ and enroll this browser with the bootstrap code it answered`,
    `The Command console, as the demo owner: open ${invitationLink(pageUrl, consoleOwner.code)} once (until ${consoleOwner.expiresAt}) and register a passkey`,
  ];
}
