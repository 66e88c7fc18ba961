/**
 * `enigm-trust admins`: invite an organisation's administrators from the command line — above
 * all its first owner, who then runs the organisation from the Command console — and list them.
 * An invitation's link (and code) is printed once; the invitee opens it and registers a passkey.
 */
import type { AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { inviteAdministrator, listAdministrators } from '../trust/admin/console/administrators.js';
import { DEFAULT_CONSOLE_SETTINGS } from '../trust/admin/console/consoleDeps.js';
import { ADMIN_ROLES } from '../trust/admin/roles.js';
import { TrustError } from '../trust/errors.js';
import { invitationLink } from '../http/routes/admin/console.js';
import { noPositional, parseArgs, required, table, UsageError } from './args.js';

export const ADMINS_HELP = `usage: enigm-trust admins <subcommand>

  admins invite --org ORG --name NAME [--role ROLE]   (role default: owner)
  admins list --org ORG

roles: ${ADMIN_ROLES.join(', ')}`;

export interface AdminsDeps {
  db: Database;
  /** The console's origin (RP_ORIGIN): the invitation link starts with it. */
  origin: string;
  out: (line: string) => void;
  err?: (line: string) => void;
  actor?: AuditActor;
  /** Invitation lifetime in seconds (default 24 hours). */
  invitationTtlSeconds?: number;
}

async function invite(args: string[], deps: AdminsDeps, actor: AuditActor): Promise<void> {
  const { flags, positional } = parseArgs(args, ['org', 'name', 'role']);
  noPositional(positional);
  const orgId = required(flags, 'org', '(the organisation the administrator joins)');
  const name = required(flags, 'name', '(the administrator\'s name)');
  const role = flags.get('role') ?? 'owner';
  const inv = await inviteAdministrator(deps.db, orgId, { name, role }, actor, deps.invitationTtlSeconds ?? DEFAULT_CONSOLE_SETTINGS.invitationTtlSeconds);
  deps.out(`invited ${inv.administrator.id} "${name}" as ${role} of ${orgId}; the invitation works once, until ${inv.expiresAt}`);
  deps.out(invitationLink(deps.origin, inv.code));
  deps.out('open this link in the browser that will hold the passkey (or type its code, after #invitation=, on the console\'s sign-in page); it will not be shown again.');
}

async function list(args: string[], deps: AdminsDeps): Promise<void> {
  const { flags, positional } = parseArgs(args, ['org']);
  noPositional(positional);
  const admins = await listAdministrators(deps.db, required(flags, 'org', '(whose administrators)'));
  if (admins.length === 0) {
    deps.out('no administrators');
    return;
  }
  for (const line of table([['ID', 'NAME', 'ROLE', 'STATUS', 'INVITED'], ...admins.map((a) => [a.id, a.name, a.role, a.status, a.createdAt])])) deps.out(line);
}

/** Runs `admins <subcommand> …` → 0, or 2 with one line on `err` for bad arguments or a refusal. */
export async function adminsCommand(argv: string[], deps: AdminsDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  const actor: AuditActor = deps.actor ?? { type: 'system', id: 'enigm-trust-cli' };
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'invite': await invite(rest, deps, actor); return 0;
      case 'list': await list(rest, deps); return 0;
      case undefined: throw new UsageError('a subcommand is required: invite or list');
      default: throw new UsageError(`unknown subcommand "${sub}": expected invite or list`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TrustError && e.status < 500)) {
      err(`enigm-trust admins: ${e.message.replace(/\p{Cc}+/gu, ' ')}`);
      return 2;
    }
    throw e;
  }
}
