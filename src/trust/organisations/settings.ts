/**
 * An organisation's policy settings (schemas/organisation-settings.schema.json): the schema is
 * the one place their names, types, ranges and defaults are written; this module reads the
 * defaults from it and makes an organisation's effective settings — its stored choices over
 * the defaults. An unmanaged account (of no organisation) gets the defaults.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../../paths.js';
import { schemas } from '../../policy/schemaRegistry.js';
import { TrustError } from '../errors.js';

export const SETTINGS_SCHEMA_ID = 'https://schemas.enigm.dev/trust/organisation-settings.schema.json';

/** Which approvals an additional device (or a replacement) needs. */
export type ApprovalMode = 'device_or_admin' | 'device' | 'admin' | 'device_and_admin';

/** Every setting, as the policies and the signal checks read them. */
export interface OrgSettings {
  managed: boolean;
  require_managed_compliance: boolean;
  require_device_bound_credential: boolean;
  max_session_age_seconds: number;
  max_unlock_age_seconds: number;
  enrollment_approval: ApprovalMode;
  replacement_approval: ApprovalMode;
  recovery_requires_second_admin: boolean;
  managed_max_age_seconds: number;
  os_integrity_max_age_seconds: number;
}

export type SettingName = keyof OrgSettings;

/** A setting as its schema describes it. */
export interface SettingSchema {
  type: 'boolean' | 'integer' | 'string';
  default: boolean | number | string;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  description: string;
}

const schema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'organisation-settings.schema.json'), 'utf8')) as { properties: Record<SettingName, SettingSchema> };

/** Each setting's schema, in the schema's order. */
export const SETTINGS: Readonly<Record<SettingName, SettingSchema>> = Object.freeze(schema.properties);

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}

/** The service's defaults: every setting an organisation leaves out, and an unmanaged account's whole policy. */
export const SETTING_DEFAULTS: Readonly<OrgSettings> = Object.freeze(
  Object.fromEntries(SETTING_NAMES.map((n) => [n, SETTINGS[n].default])) as unknown as OrgSettings,
);

/**
 * What is stored for an organisation: its `managed` flag (a column of its own) and the other
 * settings it chose (`organisations.settings`, only those set).
 */
export interface StoredOrgSettings {
  managed: boolean;
  settings: Record<string, unknown>;
}

/** The organisation's settings over the defaults; the defaults alone for no organisation. */
export function effectiveSettings(stored: StoredOrgSettings | null): OrgSettings {
  if (stored === null) return SETTING_DEFAULTS;
  const chosen = Object.fromEntries(Object.entries(stored.settings).filter(([k, v]) => isSettingName(k) && k !== 'managed' && v !== undefined && v !== null));
  return { ...SETTING_DEFAULTS, ...chosen, managed: stored.managed };
}

/** A change to settings: each setting named to its new value, or null for back to its default. */
export type SettingsPatch = { [K in SettingName]?: OrgSettings[K] | null };

/** Settings refused before anything was written; `fields` names each setting at fault. */
export class InvalidSettingsError extends TrustError {
  override name = 'InvalidSettingsError';
  constructor(readonly problems: string[], readonly fields: string[]) {
    super(400, 'invalid_settings', problems.join('; '), { errors: problems, fields });
  }
}

/** Input echoed in a message: JSON (so control characters and lone surrogates are escaped), cut short. */
export function quoted(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'no JSON body';
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

// What a value of each setting must be, in the reader's words.
function expectation(name: SettingName): string {
  const s = SETTINGS[name];
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'integer') return `a whole number of seconds from ${s.minimum} to ${s.maximum}`;
  return `one of ${(s.enum ?? []).join(', ')}`;
}

let validateSettings: ReturnType<ReturnType<typeof schemas>['validator']> | undefined;

/**
 * Checks a settings change against the settings schema: an object, every key a setting, every
 * value what its setting takes (null: back to the default). Throws InvalidSettingsError naming
 * every field at fault; returns the patch unchanged otherwise.
 */
export function checkSettingsPatch(patch: unknown): SettingsPatch {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new InvalidSettingsError([`settings must be a JSON object of setting names to values, got ${kindOf(patch)}`], ['settings']);
  }
  validateSettings ??= schemas().validator(SETTINGS_SCHEMA_ID);
  const problems: string[] = [];
  const fields: string[] = [];
  for (const [name, value] of Object.entries(patch)) {
    if (!isSettingName(name)) {
      problems.push(`unknown setting ${quoted(name)}; the settings are ${SETTING_NAMES.join(', ')}`);
      fields.push(quoted(name, 80).slice(1, -1));
    } else if (value !== null && !validateSettings({ [name]: value })) {
      problems.push(`${name} must be ${expectation(name)}, got ${quoted(value)}`);
      fields.push(name);
    }
  }
  if (problems.length > 0) throw new InvalidSettingsError(problems, fields);
  return patch as SettingsPatch;
}
