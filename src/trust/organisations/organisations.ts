/**
 * Organisations (DESIGN §7): provisioned by the platform — the CLI, or a service key with
 * `orgs:write` — and steered by their owners. Each has an id, a name and its policy settings
 * (`managed` among them). Every change is one transaction with its audit record, settings
 * with their before and after; every refusal changes nothing and is audited. Nothing caches
 * settings: the next decision reads what the last change committed.
 */
import { describeErrors, schemas } from '../../policy/schemaRegistry.js';
import { appendAudit, type AuditActor } from '../../store/audit.js';
import type { Database, Queryable } from '../../store/database.js';
import { auditingRefusals, type AuditContext } from '../enrollment/refusals.js';
import { ConflictError, NotFoundError, TrustError } from '../errors.js';
import { checkSettingsPatch, effectiveSettings, InvalidSettingsError, quoted, SETTING_NAMES, type OrgSettings, type SettingsPatch } from './settings.js';

/** A new organisation's id: 2 to 64 lower-case letters, digits, "-" or "_", starting with a letter. */
export const ORG_ID = /^[a-z][a-z0-9_-]{1,63}$/;
// What may name an existing one (organisations made before ids were checked included).
const ORG_REF = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_NAME = 100;

/** An organisation as the CLI, the provisioning API and its administrators see it. */
export interface OrganisationView {
  id: string;
  name: string;
  /** Every setting, its own choices over the defaults. */
  settings: OrgSettings;
  createdAt: string;
}

export interface OrganisationSummary extends OrganisationView {
  accounts: number;
  activeAdminKeys: number;
}

interface OrgRow {
  id: string;
  name: string;
  managed: boolean;
  settings: Record<string, unknown>;
  created_at: Date;
}

/** A value the service refuses: 400, naming what is wrong. */
function invalid(code: string, message: string): TrustError {
  return new TrustError(400, code, message);
}

/** Refuses anything but an id of the right shape (`existing`: one that may name an organisation already made). */
export function checkOrgId(id: unknown, existing = false): string {
  if (typeof id !== 'string' || !(existing ? ORG_REF : ORG_ID).test(id)) {
    throw invalid('invalid_org_id', `an organisation id is 2 to 64 lower-case letters, digits, "-" or "_", starting with a letter; got ${quoted(id)}`);
  }
  return id;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() !== name || name.length === 0 || name.length > MAX_NAME || /[\p{Cc}\p{Cs}]/u.test(name)) {
    throw invalid('invalid_org_name', `an organisation name is 1 to ${MAX_NAME} printable characters without leading or trailing spaces; got ${quoted(name)}`);
  }
  return name;
}

/** The body matches its request schema (schemas/api/`name`.schema.json): unknown fields, missing ones and wrong types named. */
function checkBody(name: 'org-create' | 'org-update', body: unknown): Record<string, unknown> {
  const validate = schemas().validator(`https://schemas.enigm.dev/trust/api/${name}.schema.json`);
  if (!validate(body ?? null)) {
    // Field names come from the client: no control character or lone surrogate reaches the audit log.
    const errors = describeErrors(validate.errors).map((e) => e.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD'));
    throw new TrustError(400, 'invalid_request', errors.join('; '), { errors });
  }
  return body as Record<string, unknown>;
}

function viewOf(row: OrgRow): OrganisationView {
  return { id: row.id, name: row.name, settings: effectiveSettings({ managed: row.managed, settings: row.settings ?? {} }), createdAt: new Date(row.created_at).toISOString() };
}

const SELECT = 'SELECT id, name, managed, settings, created_at FROM organisations';

async function findOrg(q: Queryable, id: string, lock = false): Promise<OrgRow> {
  const r = await q.query<OrgRow>(`${SELECT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!r.rows[0]) throw new NotFoundError('org_not_found', `no organisation ${quoted(id)}`);
  return r.rows[0];
}

/** checkSettingsPatch, the fields at fault kept for the refusal's audit record. */
function checkSettings(ctx: AuditContext, patch: unknown): SettingsPatch {
  try {
    return checkSettingsPatch(patch);
  } catch (err) {
    if (err instanceof InvalidSettingsError) ctx.details = { ...ctx.details, fields: err.fields };
    throw err;
  }
}

/** The stored form of `patch` applied to `row`: the managed flag, and the other settings chosen (nulls removed). */
function applyPatch(row: Pick<OrgRow, 'managed' | 'settings'>, patch: SettingsPatch): { managed: boolean; settings: Record<string, unknown> } {
  const settings: Record<string, unknown> = { ...row.settings };
  let managed = row.managed;
  for (const [name, value] of Object.entries(patch)) {
    if (name === 'managed') managed = value === null ? false : value as boolean;
    else if (value === null) delete settings[name];
    else settings[name] = value;
  }
  return { managed, settings };
}

/** The settings whose effective value differs between `before` and `after`. */
function changed(before: OrgSettings, after: OrgSettings): string[] {
  return SETTING_NAMES.filter((n) => before[n] !== after[n]);
}

/** Applies a checked settings change to a locked row; returns the settings before and after. */
async function writeSettings(tx: Queryable, row: OrgRow, patch: SettingsPatch): Promise<{ before: OrgSettings; after: OrgSettings }> {
  const before = viewOf(row).settings;
  const next = applyPatch(row, patch);
  await tx.query('UPDATE organisations SET managed = $2, settings = $3 WHERE id = $1', [row.id, next.managed, JSON.stringify(next.settings)]);
  return { before, after: effectiveSettings(next) };
}

async function insertOrg(tx: Queryable, id: string, name: string, now: Date): Promise<OrgRow> {
  const r = await tx.query<OrgRow>(
    `INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id, name, managed, settings, created_at`, [id, name, now]);
  if (r.rows[0]) return r.rows[0];
  const taken = await tx.query<{ id: string }>('SELECT id FROM organisations WHERE id = $1 OR name = $2', [id, name]);
  if (taken.rows.some((t) => t.id === id)) throw new ConflictError('org_exists', `an organisation with the id ${quoted(id)} already exists`);
  throw new ConflictError('org_name_taken', `another organisation is already named ${quoted(name)}`);
}

/**
 * Creates an organisation from `{id, name, settings?}` and audits `org.created` with its
 * settings. Refused (400 invalid_org_id, invalid_org_name, invalid_settings, invalid_request;
 * 409 org_exists, org_name_taken) with nothing written but the audit record of the refusal.
 */
export async function createOrganisation(db: Database, body: unknown, actor: AuditActor, now: Date = new Date()): Promise<OrganisationView> {
  const ctx: AuditContext = { type: 'org.created', actor };
  return auditingRefusals(db, ctx, async () => {
    const fields = checkBody('org-create', body);
    const id = checkOrgId(fields.id);
    ctx.details = { org: id };
    const name = checkName(fields.name);
    const patch = fields.settings === undefined ? {} : checkSettings(ctx, fields.settings);
    return db.transaction(async (tx) => {
      const row = await insertOrg(tx, id, name, now);
      const { after } = await writeSettings(tx, row, patch);
      await appendAudit(tx, { type: 'org.created', outcome: 'success', actor, orgId: id, details: { name, settings: after } }, now);
      return { ...viewOf(row), settings: after };
    });
  });
}

/** Every organisation, by id, with its account and active admin key counts. */
export async function listOrganisations(q: Queryable): Promise<OrganisationSummary[]> {
  const r = await q.query<OrgRow & { accounts: string | number; admin_keys: string | number }>(
    `SELECT o.id, o.name, o.managed, o.settings, o.created_at,
            (SELECT count(*) FROM accounts a WHERE a.org_id = o.id) AS accounts,
            (SELECT count(*) FROM api_keys k WHERE k.org_id = o.id AND k.revoked_at IS NULL) AS admin_keys
       FROM organisations o ORDER BY o.id`);
  return r.rows.map((row) => ({ ...viewOf(row), accounts: Number(row.accounts), activeAdminKeys: Number(row.admin_keys) }));
}

/** One organisation, or 404 org_not_found. */
export async function getOrganisation(q: Queryable, id: string): Promise<OrganisationView> {
  return viewOf(await findOrg(q, id));
}

/** One organisation named by a caller: 400 for a malformed id, 404 for an unknown one, each refusal audited as `org.read`. */
export async function readOrganisation(db: Database, id: unknown, actor: AuditActor): Promise<OrganisationView> {
  return auditingRefusals(db, { type: 'org.read', actor, details: { org: quoted(id, 80) } }, () => getOrganisation(db, checkOrgId(id, true)));
}

/**
 * The platform's change to an organisation: `{name?, settings?}` (settings merged: a setting
 * given null goes back to its default). Audited as `org.updated` with the name and settings
 * before and after; refused like createOrganisation, 404 org_not_found for an unknown one.
 */
export async function updateOrganisation(db: Database, id: unknown, body: unknown, actor: AuditActor, now: Date = new Date()): Promise<OrganisationView> {
  const ctx: AuditContext = { type: 'org.updated', actor, details: { org: quoted(id, 80) } };
  return auditingRefusals(db, ctx, async () => {
    const orgId = checkOrgId(id, true);
    const fields = checkBody('org-update', body);
    const name = fields.name === undefined ? undefined : checkName(fields.name);
    const patch = fields.settings === undefined ? {} : checkSettings(ctx, fields.settings);
    return db.transaction(async (tx) => {
      const row = await findOrg(tx, orgId, true);
      ctx.orgId = orgId;
      if (name !== undefined && name !== row.name) {
        const taken = await tx.query('SELECT 1 FROM organisations WHERE name = $1 AND id <> $2', [name, orgId]);
        if (taken.rowCount > 0) throw new ConflictError('org_name_taken', `another organisation is already named ${quoted(name)}`);
        await tx.query('UPDATE organisations SET name = $2 WHERE id = $1', [orgId, name]);
      }
      const { before, after } = await writeSettings(tx, row, patch);
      await appendAudit(tx, {
        type: 'org.updated', outcome: 'success', actor, orgId,
        details: { before: { name: row.name, settings: before }, after: { name: name ?? row.name, settings: after }, changed: changed(before, after) },
      }, now);
      return { ...viewOf(row), name: name ?? row.name, settings: after };
    });
  });
}

/**
 * An owner's change to their own organisation's settings (merged as in updateOrganisation).
 * Audited as `org.settings_changed` with the settings before and after; refused with 400
 * invalid_settings naming each field at fault, nothing changed, the refusal audited.
 */
export async function changeOrganisationSettings(db: Database, orgId: string, patch: unknown, actor: AuditActor, now: Date = new Date()): Promise<OrganisationView> {
  const ctx: AuditContext = { type: 'org.settings_changed', actor, orgId };
  return auditingRefusals(db, ctx, async () => {
    const checked = checkSettings(ctx, patch);
    return db.transaction(async (tx) => {
      const row = await findOrg(tx, orgId, true);
      const { before, after } = await writeSettings(tx, row, checked);
      await appendAudit(tx, { type: 'org.settings_changed', outcome: 'success', actor, orgId, details: { before, after, changed: changed(before, after) } }, now);
      return { ...viewOf(row), settings: after };
    });
  });
}
