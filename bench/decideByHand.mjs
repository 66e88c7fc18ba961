// The product's decision policy (policies/enigm/trust/decision.rego) written by hand: what a
// service would write without a policy engine. bench/policy.mjs checks that it answers
// exactly as the OPA-built bundle on every input before it times either.

const LIVE = new Set(['message.receive', 'message.send', 'sync.live', 'call.join']);
const HIGH_RISK = new Set(['keys.access', 'sync.history', 'device.approve_enrollment']);
const HOUSEKEEPING = new Set(['account.resources', 'device.revoke']);
const KNOWN = new Set([...LIVE, ...HIGH_RISK, ...HOUSEKEEPING]);
const RESTRICTED = new Set([...LIVE, ...HOUSEKEEPING]);
const COMPLIANCE = new Set(['keys.access', 'sync.history']);
const APPROVAL_METHODS = new Set(['device', 'admin', 'bootstrap', 'recovery']);
const ACCOUNT_STATE_REASONS = new Map([['locked', 'account_locked'], ['disabled', 'account_disabled']]);
const DEVICE_STATE_REASONS = new Map([['pending', 'device_pending'], ['revoked', 'device_revoked'], ['replaced', 'device_replaced'], ['retired', 'device_retired']]);
const RESTRICTED_DENIALS = new Map([
  ['sync.history', 'history_sync_not_allowed_when_restricted'],
  ['keys.access', 'key_access_not_allowed_when_restricted'],
  ['device.approve_enrollment', 'enrollment_approval_not_allowed_when_restricted'],
]);

const isNumber = (v) => typeof v === 'number';

/** `{allow, reasons, obligations}` for a decision input, as data.enigm.trust.decision.result. */
export function decideByHand({ action, account, device, signals }) {
  const { policy, session } = account;
  const unlock = device.local_unlock;
  const os = signals.os_integrity;
  const managed = signals.managed;

  const accountActive = account.state === 'active';
  const sessionFresh = session.present === true && isNumber(session.age_seconds) && session.age_seconds <= policy.max_session_age_seconds;
  const userVerified = session.user_verified === true;
  const complianceRequired = policy.require_managed_compliance === true;
  const associated = device.associated === true;
  const approved = APPROVAL_METHODS.has(device.approval.method);
  const superseded = typeof device.replacement.replaced_by === 'string';
  const unlockRecent = unlock.verified === true && isNumber(unlock.age_seconds) && unlock.age_seconds <= policy.max_unlock_age_seconds;
  const osFailed = os.present === true && os.verified === true && os.status === 'fail';
  const eligible = device.state === 'trusted' || device.state === 'restricted';
  const tier = eligible ? (osFailed ? 'restricted' : device.state) : undefined;
  const managedCompliant = managed.present === true && managed.verified === true && managed.fresh === true && managed.status === 'compliant';
  const known = KNOWN.has(action);
  const highRisk = HIGH_RISK.has(action);
  const permitted = (tier === 'trusted' && known) || (tier === 'restricted' && RESTRICTED.has(action));
  const needsCompliance = complianceRequired && COMPLIANCE.has(action) && !managedCompliant;

  const deny = new Set();
  if (!known) deny.add('unknown_action');
  if (!accountActive) deny.add(ACCOUNT_STATE_REASONS.get(account.state) ?? 'account_not_active');
  if (highRisk && account.recovery.active !== false) deny.add('account_in_recovery');
  if (!eligible) deny.add(DEVICE_STATE_REASONS.get(device.state) ?? 'device_state_unknown');
  if (superseded) deny.add('device_replaced');
  if (!associated) deny.add('device_not_associated');
  if (eligible && !approved) deny.add('device_approval_missing');
  if (tier === 'restricted' && known && !RESTRICTED.has(action)) {
    deny.add(RESTRICTED_DENIALS.get(action));
    if (osFailed) deny.add('os_integrity_failed');
  }
  if (highRisk && !sessionFresh) deny.add('session_not_fresh');
  if (highRisk && !userVerified) deny.add('session_not_user_verified');
  if (highRisk && !unlockRecent) deny.add('local_unlock_not_recent');
  if (highRisk && device.counter_anomaly !== false) deny.add('counter_anomaly');
  if (needsCompliance) {
    deny.add('managed_compliance_required');
    deny.add(managed.present !== true ? 'managed_statement_missing' : managed.verified !== true ? 'managed_statement_unverified'
      : managed.fresh !== true ? 'managed_statement_stale' : 'managed_device_noncompliant');
  }

  const allow = known && accountActive && associated && approved && !superseded && permitted && deny.size === 0;
  const remediable = accountActive && associated && permitted;
  const obligations = new Set();
  if (remediable && highRisk && (!sessionFresh || !userVerified)) obligations.add('require_reauthentication');
  if (remediable && highRisk && !unlockRecent) obligations.add('require_local_unlock');
  if (remediable && needsCompliance) obligations.add('refresh_managed_status');
  if (tier !== undefined && signals.posture.present === true && signals.posture.screen_lock === false) obligations.add('prompt_screen_lock');

  let reasons;
  if (allow) reasons = tier === 'trusted' ? ['device_trusted'] : osFailed ? ['device_restricted', 'os_integrity_failed'] : ['device_restricted'];
  else reasons = deny.size > 0 ? [...deny].sort() : ['policy_conditions_not_met'];
  return { allow, reasons, obligations: [...obligations].sort() };
}
