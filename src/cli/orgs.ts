/**
 * `enigm-trust orgs`: provision organisations from the command line — create, list, show,
 * and set their name or policy settings. Every change and every refusal is audited by the
 * domain, as through the provisioning API.
 */
import type { AuditActor } from '../store/audit.js';
import type { Database } from '../store/database.js';
import { TrustError } from '../trust/errors.js';
import { createOrganisation, getOrganisation, listOrganisations, checkOrgId, updateOrganisation, type OrganisationView } from '../trust/organisations/organisations.js';
import { isSettingName, SETTING_DEFAULTS, SETTING_NAMES, SETTINGS, type SettingsPatch } from '../trust/organisations/settings.js';
import { noPositional, parseArgs, required, table, UsageError } from './args.js';

export const ORGS_HELP = `usage: enigm-trust orgs <subcommand>

  orgs create ID --name NAME [--managed]
  orgs list
  orgs show ID
  orgs set ID SETTING=VALUE… [name=NAME]

A setting set to "default" goes back to its default. Settings (README, "Organisations"):
  ${SETTING_NAMES.join('\n  ')}`;

export interface OrgsDeps {
  db: Database;
  /** Normal output, one line per call. */
  out: (line: string) => void;
  /** Error lines (default: `out`). */
  err?: (line: string) => void;
  /** Recorded in the audit log as who acted (default: the system, via the CLI). */
  actor?: AuditActor;
}

function show(org: OrganisationView, out: (line: string) => void): void {
  out(`organisation ${org.id} "${org.name}", created ${org.createdAt}`);
  const rows = SETTING_NAMES.map((n) => [n, String(org.settings[n]), org.settings[n] === SETTING_DEFAULTS[n] ? '(default)' : '']);
  for (const line of table([['SETTING', 'VALUE', ''], ...rows])) out(`  ${line.trimEnd()}`);
}

async function create(args: string[], deps: OrgsDeps, actor: AuditActor): Promise<void> {
  const { flags, positional } = parseArgs(args, ['name'], ['managed']);
  if (positional.length !== 1) throw new UsageError('orgs create takes exactly one organisation id');
  const name = required(flags, 'name', '(the organisation\'s display name)');
  const org = await createOrganisation(deps.db, { id: positional[0], name, ...(flags.has('managed') ? { settings: { managed: true } } : {}) }, actor);
  deps.out(`created organisation ${org.id}`);
  show(org, deps.out);
}

async function list(args: string[], deps: OrgsDeps): Promise<void> {
  const { positional } = parseArgs(args, []);
  noPositional(positional);
  const orgs = await listOrganisations(deps.db);
  if (orgs.length === 0) {
    deps.out('no organisations (create one with: enigm-trust orgs create ID --name NAME)');
    return;
  }
  const rows = orgs.map((o) => [o.id, o.name, o.settings.managed ? 'managed' : 'unmanaged', String(o.accounts), String(o.activeAdminKeys), o.createdAt]);
  for (const line of table([['ID', 'NAME', 'KIND', 'ACCOUNTS', 'ADMIN KEYS', 'CREATED'], ...rows])) deps.out(line);
}

// "true"/"false" for a yes-or-no setting, digits for an age; anything else goes to the domain
// as text, which then names the setting and what it takes.
function valueOf(name: string, text: string): unknown {
  if (text === 'default') return null;
  if (!isSettingName(name)) return text;
  const type = SETTINGS[name].type;
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  if (type === 'integer' && /^-?\d{1,15}$/.test(text)) return Number(text);
  return text;
}

async function set(args: string[], deps: OrgsDeps, actor: AuditActor): Promise<void> {
  const { positional } = parseArgs(args, []);
  const [id, ...pairs] = positional;
  if (id === undefined || pairs.length === 0) throw new UsageError('orgs set takes an organisation id and at least one SETTING=VALUE');
  const settings: Record<string, unknown> = {};
  let name: string | undefined;
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected SETTING=VALUE, got "${pair}"`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key in settings || (key === 'name' && name !== undefined)) throw new UsageError(`${key} is given twice`);
    if (key === 'name') name = value;
    else settings[key] = valueOf(key, value);
  }
  const org = await updateOrganisation(deps.db, id, { ...(name !== undefined ? { name } : {}), ...(Object.keys(settings).length ? { settings: settings as SettingsPatch } : {}) }, actor);
  deps.out(`updated organisation ${org.id}`);
  show(org, deps.out);
}

async function showCommand(args: string[], deps: OrgsDeps): Promise<void> {
  const { positional } = parseArgs(args, []);
  if (positional.length !== 1) throw new UsageError('orgs show takes exactly one organisation id');
  show(await getOrganisation(deps.db, checkOrgId(positional[0], true)), deps.out);
}

/**
 * Runs `orgs <subcommand> …` (`argv` starts after "orgs") and returns the exit code: 0 on
 * success, 2 on bad arguments or a refused request (one line on `err`). Other failures, such
 * as an unreachable database, are thrown.
 */
export async function orgsCommand(argv: string[], deps: OrgsDeps): Promise<number> {
  const err = deps.err ?? deps.out;
  const actor: AuditActor = deps.actor ?? { type: 'system', id: 'enigm-trust-cli' };
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'create': await create(rest, deps, actor); return 0;
      case 'list': await list(rest, deps); return 0;
      case 'show': await showCommand(rest, deps); return 0;
      case 'set': await set(rest, deps, actor); return 0;
      case 'help':
      case '--help':
      case '-h':
        for (const line of ORGS_HELP.split('\n')) deps.out(line);
        return 0;
      case undefined: throw new UsageError('a subcommand is required: create, list, show or set (see enigm-trust orgs help)');
      default: throw new UsageError(`unknown subcommand "${sub}": expected create, list, show or set`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e instanceof TrustError && e.status < 500)) {
      // One line, whatever the arguments held.
      err(`enigm-trust orgs: ${e.message.replace(/\p{Cc}+/gu, ' ')}`);
      return 2;
    }
    throw e;
  }
}
