/**
 * What the console says, in words an administrator reads: problems by the service's stable
 * `code` (never its `detail`), roles, signals, lifecycle steps, fan-out, managed status and
 * audit records. The service's raw statements and errors are never shown.
 */
import { formatTime } from '/assets/words.js';

export { describeRequirement, describeState, formatTime, platformName } from '/assets/words.js';

const PROBLEMS = {
  unauthenticated: 'Your session ended (it expired, you signed out elsewhere, or an owner removed you). Sign in again.',
  insufficient_role: 'Your role does not allow this. Ask an administrator whose role does.',
  insufficient_scope: 'This needs a service key, not an administrator.',
  unknown_org: 'No such organisation.',
  signal_source_kind_unknown: 'This kind of signal source is not known.',
  wrong_principal: 'Your role does not allow this. Ask an administrator whose role does.',
  device_not_found: 'No device of your organisation has this ID. It may belong to another organisation, or the ID is mistyped.',
  enrollment_not_found: 'No enrollment of your organisation has this ID.',
  account_not_found: 'No account of your organisation has this ID.',
  administrator_not_found: 'No administrator of your organisation has this ID.',
  invitation_invalid: 'This is not a valid invitation code. Check that you copied all of it, or ask the owner who invited you for a new one.',
  invitation_expired: 'This invitation has expired. Ask the owner who invited you for a new one.',
  invitation_used: 'This invitation was already used. Sign in with the passkey it created, or ask an owner for a new invitation.',
  administrator_removed: 'You are no longer an administrator of this organisation: an owner removed you.',
  credential_unknown: 'This passkey belongs to no administrator here. Accept your invitation first, or choose another passkey.',
  credential_taken: 'This passkey is already registered. Sign in with it instead.',
  challenge_invalid: 'The sign-in took too long. Try again.',
  challenge_foreign: 'The sign-in took too long. Try again.',
  sign_counter_regression: 'This passkey reported a counter that went backwards, as a copied passkey would. No session was opened; tell your security team.',
  registration_invalid: 'Your browser\'s passkey could not be checked. Try again, or use another browser.',
  assertion_invalid: 'Your passkey\'s answer could not be checked. Try again.',
  invalid_filter: 'A filter is not in the expected form. Check the filters and try again.',
  invalid_cursor: 'The list changed its position. Go back to the first page.',
  invalid_settings: 'Some settings are not valid. Each one at fault says what it takes.',
  invalid_request: 'Something you entered is not in the expected form. Check the fields and try again.',
  invalid_name: 'The name must be 1 to 100 characters, without spaces at either end.',
  invalid_role: 'Choose one of the roles offered.',
  invalid_transition: 'The device is no longer in a state that allows this. Reload it to see where it stands.',
  device_state_changed: 'The device changed while you were deciding. Reload it and try again.',
  device_not_replaceable: 'Only a trusted or restricted device can be replaced.',
  enrollment_decided: 'This enrollment was already decided.',
  enrollment_expired: 'This enrollment has expired: it can no longer be approved. The person starts a new one.',
  last_owner_key: 'This is the organisation\'s last owner key: issue another owner key first.',
  key_not_found: 'No admin key of your organisation has this ID.',
  cannot_remove_self: 'You cannot remove yourself. Another owner must.',
  not_a_session: 'This is not a session.',
  rate_limited: 'Too many attempts from here. Wait a minute, then try again.',
  rate_limiter_unavailable: 'The service is busy right now. Try again shortly.',
  challenge_store_unavailable: 'The service cannot check passkeys right now. Try again shortly.',
  database_unavailable: 'The service cannot reach its database right now. Try again shortly.',
  network_error: 'The service could not be reached. Check your connection and try again.',
};

const BROWSER = {
  NotAllowedError: 'The passkey prompt was cancelled or timed out. Try again when you are ready.',
  InvalidStateError: 'This browser already holds a passkey for this invitation. Sign in with it instead.',
  SecurityError: 'Passkeys are not allowed on this address. Open the console at the service\'s own address (its RP_ID).',
  NotSupportedError: 'This browser cannot create passkeys. Use a current browser.',
  AbortError: 'The passkey prompt was cancelled. Try again when you are ready.',
};

/** Any failure (an ApiError, a browser error, anything else) → words for the administrator. */
export function describeProblem(err) {
  if (err && typeof err.code === 'string' && PROBLEMS[err.code]) return PROBLEMS[err.code];
  if (err && typeof err.name === 'string' && BROWSER[err.name]) return BROWSER[err.name];
  if (err && typeof err.status === 'number') {
    if (err.status >= 500) return 'The service failed to answer. Try again shortly.';
    if (err.status === 404) return 'This was not found in your organisation.';
    if (err.status === 403) return 'Your role does not allow this.';
  }
  return 'Something went wrong. Reload the page and try again.';
}

export const ROLES = {
  owner: 'Owner — organisation settings and administrators',
  operator: 'Operator — device lifecycle actions',
  approver: 'Approver — enrollment review',
  viewer: 'Viewer — reads only',
  auditor: 'Auditor — audit log only',
};

/** A role → its name and what it may do. */
export function roleWords(role) {
  return ROLES[role] ?? String(role);
}

const SIGNAL_KINDS = { posture: 'Device posture report', managed: 'Managed-device statement', os_integrity: 'Enigm OS integrity attestation' };

/** The latest signal of a kind, in a sentence: what it is, who issued it, whether it was verified, what it says, how old. */
export function signalWords(s) {
  const what = SIGNAL_KINDS[s.kind] ?? 'Signal';
  const from = s.issuer ? ` from ${s.issuer}` : '';
  const trust = s.verified ? 'verified' : 'not verified (its signature was not checked or did not verify)';
  const says = s.status ? `, says “${s.status}”` : '';
  return `${what}${from}: ${trust}${says}; issued ${formatTime(s.issuedAt)}, received ${formatTime(s.receivedAt)}.`;
}

const MANAGED = {
  compliant: 'compliant (a verified, fresh statement says so)',
  noncompliant: 'not compliant (a verified statement says so)',
  stale: 'unknown now: its latest statement is too old',
  unverified: 'unknown: its latest statement did not verify',
  missing: 'no statement received',
};

/** A managed-device status in words. */
export function managedWords(status) {
  return MANAGED[status] ?? String(status);
}

const ACTORS = { device: 'a device of the account', admin: 'an administrator', service: 'a service', system: 'the platform', anonymous: 'someone not signed in' };

/** Who acted, in words: their role and id when known. */
export function actorWords(actor) {
  if (!actor) return 'unknown';
  const kind = ACTORS[actor.type] ?? String(actor.type);
  const role = actor.role ? ` (${actor.role})` : '';
  return `${kind}${role}${actor.id ? ` ${actor.id}` : ''}`;
}

const STEP_TYPES = {
  'enrollment.started': 'Enrollment started',
  'enrollment.credential': 'Passkey registered',
  'enrollment.evaluated': 'Enrollment evaluated by policy',
  'enrollment.approval': 'Approval',
  'enrollment.cancelled': 'Enrollment cancelled',
  'enrollment.expired': 'Enrollment expired',
  'enrollment.failed': 'Enrollment failed',
  'replacement.claimed': 'Replacement code used',
  'device.trusted': 'Trusted',
  'device.restricted': 'Restricted',
  'device.unrestricted': 'Unrestricted',
  'device.revoked': 'Revoked',
  'device.replaced': 'Replaced',
  'device.retired': 'Retired',
  'device.counter_regression': 'Restricted: its passkey counter went backwards',
};

/** One lifecycle step → a sentence. */
export function stepWords(step) {
  const what = STEP_TYPES[step.type] ?? step.type;
  const decision = step.decision ? ` — ${step.decision === 'approve' ? 'approved' : 'denied'}` : '';
  const move = step.from && step.to ? ` (${step.from} → ${step.to})` : '';
  const refused = step.outcome === 'refused' ? ` — refused${step.refusal ? `: ${step.refusal.replace(/_/g, ' ')}` : ''}` : '';
  return `${what}${decision}${move}${refused}, by ${actorWords(step.actor)}`;
}

const DELIVERY = {
  queued: 'waiting to be sent',
  pending: 'being delivered',
  retrying: 'failed so far, will be retried',
  delivered: 'delivered',
  failed: 'gave up after every retry',
};

/** A delivery status in words. */
export function deliveryWords(status) {
  return DELIVERY[status] ?? String(status);
}

/** An audit record's event type → a readable phrase (dotted names become words). */
export function eventWords(type) {
  return STEP_TYPES[type] ?? type.replace(/[._]/g, ' ');
}

export const DEVICE_STATES = ['pending', 'trusted', 'restricted', 'revoked', 'replaced', 'retired'];
