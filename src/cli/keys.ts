/**
 * `enigm-trust keys`: create, list and revoke API keys from the command line. A new token is
 * printed once, on a line of its own; nothing can show it again.
 */
import type { AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';
import {
  ADMIN_ROLES, createAdminKey, createServiceKey, InvalidKeyRequestError, KeyNotFoundError, listKeys, revokeKey, SERVICE_SCOPES, type KeySummary,
} from '../trust/apiKeys.js';
import { noPositional, parseArgs, required, table, UsageError } from './args.js';

export const KEYS_HELP = `usage: enigm-trust keys <subcommand>

  keys create --kind service --name NAME --scopes SCOPE[,SCOPE…]
  keys create --kind admin --org ORG --role ROLE [--name NAME]
  keys list [--org ORG]
  keys revoke ID

scopes: ${SERVICE_SCOPES.join(', ')}
roles:  ${ADMIN_ROLES.join(', ')}`;

export interface KeysDeps {
  db: Database;
  /** Normal output, one line per call. */
  out: (line: string) => void;
  /** Error lines (default: `out`). */
  err?: (line: string) => void;
  /** Recorded in the audit log as who acted (default: the system, via the CLI). */
  actor?: AuditActor;
}

async function create(args: string[], deps: KeysDeps, actor: AuditActor): Promise<void> {
  const { flags, positional } = parseArgs(args, ['kind', 'name', 'scopes', 'org', 'role']);
  noPositional(positional);
  const kind = required(flags, 'kind', '(service or admin)');
  let created: { id: string; token: string };
  let summary: string;
  if (kind === 'service') {
    for (const f of ['org', 'role']) if (flags.has(f)) throw new UsageError(`--${f} is for admin keys; a service key has --scopes`);
    const name = required(flags, 'name', 'for a service key');
    const scopes = required(flags, 'scopes', 'for a service key').split(',').map((s) => s.trim());
    created = await createServiceKey(deps.db, { name, scopes }, actor);
    summary = `created service key ${created.id} "${name}"`;
  } else if (kind === 'admin') {
    if (flags.has('scopes')) throw new UsageError('--scopes is for service keys; an admin key has --org and --role');
    const orgId = required(flags, 'org', 'for an admin key');
    const role = required(flags, 'role', `for an admin key (${ADMIN_ROLES.join(', ')})`);
    created = await createAdminKey(deps.db, { name: flags.get('name'), orgId, role }, actor);
    summary = `created admin key ${created.id} for organisation ${orgId}, role ${role}`;
  } else {
    throw new UsageError(`--kind must be service or admin, got "${kind}"`);
  }
  deps.out(summary);
  deps.out(created.token);
  deps.out('this token will not be shown again: store it now (only its hash is kept).');
}

function grants(k: KeySummary): string {
  return k.kind === 'service' ? k.scopes.join(',') : `${k.role}@${k.orgId}`;
}

async function list(args: string[], deps: KeysDeps): Promise<void> {
  const { flags, positional } = parseArgs(args, ['org']);
  noPositional(positional);
  const keys = await listKeys(deps.db, { orgId: flags.get('org') });
  if (keys.length === 0) {
    deps.out(flags.has('org') ? `no keys for organisation ${flags.get('org')}` : 'no keys');
    return;
  }
  const rows = keys.map((k) => [k.id, k.kind, k.name, grants(k), k.createdAt.toISOString(), k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active']);
  for (const line of table([['ID', 'KIND', 'NAME', 'GRANTS', 'CREATED', 'STATUS'], ...rows])) deps.out(line);
}

async function revoke(args: string[], deps: KeysDeps, actor: AuditActor): Promise<void> {
  const { positional } = parseArgs(args, []);
  if (positional.length !== 1) throw new UsageError('keys revoke takes exactly one key id');
  const result = await revokeKey(deps.db, positional[0], actor);
  deps.out(result.alreadyRevoked
    ? `key ${result.id} was already revoked at ${result.revokedAt.toISOString()}`
    : `revoked key ${result.id}; it authenticates nothing from now on`);
}

/**
 * Runs `keys <subcommand> …` (`argv` starts after "keys") and returns the exit code: 0 on
 * success, 2 on bad arguments or a refused request (one line on `err`). Other failures, such
 * as an unreachable database, are thrown.
 */
export async function keysCommand(argv: string[], deps: KeysDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  const actor: AuditActor = deps.actor ?? { type: 'system', id: 'enigm-trust-cli' };
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'create': await create(rest, deps, actor); return 0;
      case 'list': await list(rest, deps); return 0;
      case 'revoke': await revoke(rest, deps, actor); return 0;
      case 'help':
      case '--help':
      case '-h':
        for (const line of KEYS_HELP.split('\n')) deps.out(line);
        return 0;
      case undefined: throw new UsageError('a subcommand is required: create, list or revoke (see enigm-trust keys help)');
      default: throw new UsageError(`unknown subcommand "${sub}": expected create, list or revoke`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InvalidKeyRequestError || e instanceof KeyNotFoundError) {
      // One line, whatever the arguments held.
      err(`enigm-trust keys: ${e.message.replace(/\p{Cc}+/gu, ' ')}`);
      return 2;
    }
    throw e;
  }
}
