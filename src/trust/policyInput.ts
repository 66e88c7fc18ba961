/**
 * Builds the policy input document (schemas/policy-input.schema.json) from the service's
 * own records. Pure: the caller loads the records; callers of the API never supply state.
 * Account trust and device trust stay in separate sub-documents.
 */
import type { DeviceState } from './lifecycle.js';
import { effectiveSettings } from './organisations/settings.js';

/** The account's organisation as stored; an unmanaged account's has id null, no flag and no settings. */
export interface OrgRecord {
  id: string | null;
  managed: boolean;
  /** The settings it chose (`organisations.settings`); the rest are the defaults. */
  settings: Record<string, unknown>;
  /** Maximum ages configured on the organisation's signal sources (they win over `settings`). */
  signal_max_ages?: { managed?: number; os_integrity?: number };
}

export interface AccountRecord {
  id: string;
  state: 'active' | 'locked' | 'disabled';
  recovery_state: 'none' | 'recovering';
  recovery_started_at: Date | null;
  devices_enrolled: number;
}

export interface DeviceRecord {
  id: string;
  state: DeviceState;
  approval_method: string | null;
  approved_at: Date | null;
  replaces_device_id: string | null;
  replaced_by_device_id: string | null;
  counter_anomaly: boolean;
  last_unlock_at: Date | null;
  last_unlock_method: string | null;
  created_at: Date;
}

export interface CredentialRecord {
  attestation_format: string;
  aaguid: string | null;
  backup_eligible: boolean;
  backed_up: boolean;
  user_verified: boolean;
}

export interface SessionRecord {
  created_at: Date;
  user_verified: boolean;
}

export interface SignalRecord {
  kind: 'posture' | 'managed' | 'os_integrity';
  verified: boolean;
  status: string | null;
  issuer: string | null;
  payload: Record<string, unknown>;
  issued_at: Date;
}

export interface DeviceContext {
  org: OrgRecord;
  account: AccountRecord;
  device: DeviceRecord;
  credential: CredentialRecord | null;
  session: SessionRecord | null;
  signals: SignalRecord[];
}

function ageSeconds(then: Date | null, now: Date): number | null {
  return then === null ? null : Math.max(0, Math.floor((now.getTime() - then.getTime()) / 1000));
}

function accountDocument(ctx: DeviceContext, now: Date) {
  const s = effectiveSettings(ctx.org.id === null ? null : ctx.org);
  return {
    id: ctx.account.id,
    org: ctx.org.id,
    state: ctx.account.state,
    recovery: { active: ctx.account.recovery_state === 'recovering', age_seconds: ctx.account.recovery_state === 'recovering' ? ageSeconds(ctx.account.recovery_started_at, now) : null },
    session: ctx.session
      ? { present: true, age_seconds: ageSeconds(ctx.session.created_at, now), user_verified: ctx.session.user_verified }
      : { present: false, age_seconds: null, user_verified: false },
    policy: {
      managed: s.managed,
      require_managed_compliance: s.require_managed_compliance,
      require_device_bound_credential: s.require_device_bound_credential,
      max_session_age_seconds: s.max_session_age_seconds,
      max_unlock_age_seconds: s.max_unlock_age_seconds,
      enrollment_approval: s.enrollment_approval,
      replacement_approval: s.replacement_approval,
    },
  };
}

function deviceDocument(ctx: DeviceContext, now: Date) {
  const d = ctx.device, c = ctx.credential;
  return {
    id: d.id,
    state: d.state,
    associated: true,
    approval: { method: d.approval_method, age_seconds: ageSeconds(d.approved_at, now) },
    replacement: { replaces: d.replaces_device_id, replaced_by: d.replaced_by_device_id },
    protected: {
      attestation_format: c?.attestation_format ?? null,
      aaguid: c?.aaguid ?? null,
      backup_eligible: c?.backup_eligible ?? false,
      backed_up: c?.backed_up ?? false,
      user_verified_at_enrollment: c?.user_verified ?? false,
    },
    local_unlock: d.last_unlock_at
      ? { verified: d.last_unlock_method === 'webauthn_uv', age_seconds: ageSeconds(d.last_unlock_at, now), method: d.last_unlock_method }
      : { verified: false, age_seconds: null, method: null },
    counter_anomaly: d.counter_anomaly,
    age_seconds: ageSeconds(d.created_at, now),
  };
}

function latest(signals: SignalRecord[], kind: SignalRecord['kind']): SignalRecord | undefined {
  let best: SignalRecord | undefined;
  for (const s of signals) if (s.kind === kind && (!best || s.issued_at > best.issued_at)) best = s;
  return best;
}

// A signed statement stops being fresh at its own expiry (`exp`, kept as payload.expires_at) or
// at the organisation's maximum age, whichever comes first.
function notExpired(s: SignalRecord, now: Date): boolean {
  const exp = s.payload.expires_at;
  return typeof exp !== 'string' || now.getTime() < new Date(exp).getTime();
}

function verifiedSignal(s: SignalRecord | undefined, maxAge: number, now: Date) {
  if (!s) return { present: false, verified: false, fresh: false, status: null, issuer: null, age_seconds: null };
  const age = ageSeconds(s.issued_at, now) as number;
  return { present: true, verified: s.verified, fresh: age <= maxAge && notExpired(s, now), status: s.status, issuer: s.issuer, age_seconds: age };
}

function osIntegrityDocument(s: SignalRecord | undefined, maxAge: number, now: Date) {
  const m = s?.payload.measurements;
  return { ...verifiedSignal(s, maxAge, now), measurements: m !== null && typeof m === 'object' && !Array.isArray(m) ? m : {} };
}

function postureDocument(s: SignalRecord | undefined, now: Date) {
  const p = (s?.payload ?? {}) as Record<string, unknown>;
  const pick = (k: string) => (p[k] === undefined ? null : p[k]);
  return {
    present: s !== undefined,
    // Self-reported: never verified, whatever it says.
    verified: false,
    age_seconds: s ? ageSeconds(s.issued_at, now) : null,
    os_name: pick('os_name'), os_version: pick('os_version'), patch_age_days: pick('patch_age_days'),
    screen_lock: pick('screen_lock'), biometrics: pick('biometrics'), app_version: pick('app_version'),
  };
}

function signalsDocument(ctx: DeviceContext, now: Date) {
  const s = effectiveSettings(ctx.org.id === null ? null : ctx.org), sources = ctx.org.signal_max_ages;
  return {
    posture: postureDocument(latest(ctx.signals, 'posture'), now),
    managed: verifiedSignal(latest(ctx.signals, 'managed'), sources?.managed ?? s.managed_max_age_seconds, now),
    os_integrity: osIntegrityDocument(latest(ctx.signals, 'os_integrity'), sources?.os_integrity ?? s.os_integrity_max_age_seconds, now),
  };
}

/** The input of `data.enigm.trust.decision`. */
export function buildDecisionInput(ctx: DeviceContext, action: string, now: Date) {
  return {
    action,
    now: now.toISOString(),
    account: accountDocument(ctx, now),
    device: deviceDocument(ctx, now),
    signals: signalsDocument(ctx, now),
  };
}

export type ApprovalEvidence =
  | { method: 'bootstrap'; valid: boolean }
  | { method: 'recovery'; valid: boolean }
  | { method: 'device'; approver: { id: string; state: DeviceState; same_account: boolean; user_verified: boolean; counter_anomaly?: boolean }; code_confirmed: boolean }
  | { method: 'admin'; decision: 'approve' | 'deny'; role: string; same_org: boolean };

/** The input of `data.enigm.trust.enrollment`. */
export function buildEnrollmentInput(ctx: DeviceContext, approvals: ApprovalEvidence[], replacement: { replaces: string | null; old_state: DeviceState | null }, now: Date) {
  return {
    now: now.toISOString(),
    account: { ...accountDocument(ctx, now), devices_ever_enrolled: ctx.account.devices_enrolled },
    device: deviceDocument(ctx, now),
    approvals,
    replacement,
    signals: signalsDocument(ctx, now),
  };
}
