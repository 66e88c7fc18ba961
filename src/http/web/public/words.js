/**
 * What the page says, in words a person reads: enrollment requirements, device states,
 * platforms, the account's activity, and every problem the service or the browser can report —
 * each saying what happened and what to do next. The service's own `detail` is never shown:
 * a code without words here gets a general sentence for its status.
 */

const REQUIREMENTS = {
  approval_by_trusted_device: 'Approval by one of your trusted devices, after comparing the verification code',
  admin_approval: 'Approval by an Enigm Command approver of your organisation',
  // A registration without a code is told every way forward (the service does not say which
  // applies to whom), so these say when each one does.
  bootstrap_code: 'Or, for the first device of a new account, its bootstrap code (start again with it)',
  recovery_code: 'Or, for an account in recovery, the recovery code your administrator gave you (start again with it)',
  approver_user_verification: 'Approval with your PIN, fingerprint or face on the approving device',
  verification_code_confirmation: 'An approval in which you confirm that both screens show the same verification code',
};

const STATES = {
  pending: 'waiting for approval',
  trusted: 'receives protected content',
  restricted: 'reduced access',
  revoked: 'no access, for good',
  replaced: 'superseded by a new device',
  retired: 'no longer managed',
};

const START_AGAIN = 'Start the enrollment again: nothing of the failed attempt is left behind.';

/**
 * Problems by the service's stable `code`, written for the person. A function gets the problem
 * (for extensions such as a device's `state`).
 */
export const PROBLEMS = {
  // The request itself
  invalid_request: 'Something you entered is not in the expected form. Check the fields and try again.',
  malformed_json: 'This page sent a request the service could not read. Reload the page and try again.',
  body_too_large: 'What you entered is too long. Shorten it and try again.',
  unsupported_media_type: 'This page sent a request the service could not read. Reload the page and try again.',
  unsupported_encoding: 'This page sent a request the service could not read. Reload the page and try again.',
  request_aborted: 'The request was interrupted. Try again.',
  not_found: 'This page asked for something the service does not offer. Reload the page and try again.',
  method_not_allowed: 'This page asked for something the service does not offer. Reload the page and try again.',
  invalid_idempotency_key: 'This page sent a request the service could not read. Reload the page and try again.',
  idempotency_key_reused: 'That request was already sent with other content. Reload the page and try again.',
  idempotency_request_in_progress: 'That request is still being handled. Wait a moment and look at the device list again.',
  idempotent_answer_not_kept: 'That request was already handled. Refresh the device list to see the result.',
  // Who is asking
  unauthenticated: 'You are not signed in on this device any more. Sign in again.',
  insufficient_scope: 'This device may not do that.',
  insufficient_role: 'This device may not do that.',
  wrong_principal: 'This device may not do that.',
  caller_not_trusted: 'Only a trusted device can do that for another device. This one has reduced access: use one of your trusted devices.',
  // The service's own state
  rate_limited: 'Too many attempts in a short time. Wait a minute, then try again.',
  rate_limiter_unavailable: 'The service is busy starting up or recovering. Wait a moment, then try again.',
  challenge_store_unavailable: 'The service is busy starting up or recovering. Wait a moment, then try again.',
  not_ready: 'The service is busy starting up or recovering. Wait a moment, then try again.',
  database_unavailable: 'The service cannot reach its records right now. Wait a moment, then try again.',
  internal_error: 'The service ran into a problem of its own. Try again in a moment; if it keeps happening, tell your administrator.',
  network_error: 'The service could not be reached. Check your connection, then try again.',
  // Enrolling
  handle_taken: 'That account handle is already taken.',
  org_not_found: 'That organisation does not exist.',
  account_not_found: 'That account is not available to this device. Sign in again.',
  challenge_invalid: `This step took too long, or was already tried once. ${START_AGAIN}`,
  challenge_foreign: (p) => (p && p.reason === 'other_handle'
    ? 'This browser’s passkey belongs to another account handle. Sign in with the handle you enrolled it with.'
    : `This step did not belong to the enrollment in progress. ${START_AGAIN}`),
  registration_invalid: `This browser’s passkey could not be checked, so nothing was enrolled. ${START_AGAIN}`,
  registration_malformed: `This browser’s passkey answer was incomplete, so nothing was enrolled. ${START_AGAIN}`,
  attestation_format_unsupported: 'This browser’s passkey is of a kind this service does not accept. Try another browser or device.',
  credential_already_registered: 'This passkey already belongs to one of your devices. Sign in with it instead.',
  credential_already_submitted: 'This browser is already enrolled. Sign in, or wait for its approval.',
  bootstrap_code_invalid: `That bootstrap code is not right for this account. Check it (copy it again if you can) and ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
  bootstrap_code_used: 'That bootstrap code was already used: this account has its first device. Enroll this browser with approval by one of your trusted devices instead.',
  bootstrap_code_expired: 'That bootstrap code has expired. Ask whoever created the account for a new one.',
  recovery_code_invalid: `That recovery code is not right for this account. Check it and ${START_AGAIN.charAt(0).toLowerCase()}${START_AGAIN.slice(1)}`,
  recovery_code_used: 'That recovery code was already used. Ask your administrator for a new one.',
  recovery_code_expired: 'That recovery code has expired. Ask your administrator for a new one.',
  recovery_not_approved: 'That recovery code is not approved yet: a second administrator of your organisation must approve the recovery first. Ask them, then start again.',
  no_recovery_pending: 'This account has no recovery waiting for approval.',
  recovery_approval_not_needed: 'This recovery needs no second approval.',
  recovery_already_approved: 'This recovery was already approved.',
  same_administrator: 'A second administrator must approve this recovery, not the one who started it.',
  reason_required: 'Say why, in a few words, and try again.',
  replaced_device_not_found: 'No device of this account has the device ID you gave as the lost one. Check it, or leave it empty, and start again.',
  enrollment_not_found: 'That enrollment does not exist, or belongs to another account. Check the link on the new device.',
  enrollment_expired: 'That enrollment waited too long and has expired. Enroll the new device again.',
  enrollment_decided: (p) => (p && p.state === 'pending'
    ? 'That enrollment can no longer be used. Start again on the new device.'
    : 'That device was already approved, rejected or closed. Refresh the device list.'),
  enrollment_not_registered: 'That device has not finished enrolling yet: it has no passkey. Wait until it shows a verification code, then try again.',
  enrollment_not_cancellable: 'This enrollment is already finished or closed.',
  replacement_code_invalid: 'That replacement code is not right. Check it against your old device’s screen, and type it again.',
  replacement_code_used: 'That replacement code was already used. On your old device, start the replacement again for a new code.',
  replacement_code_expired: 'That replacement code has expired. On your old device, start the replacement again for a new code.',
  // Signing in
  credential_unknown: 'This browser’s passkey is not registered with Enigm Trust (perhaps its enrollment was refused, or was for a handle that does not exist). Enroll this browser again.',
  device_not_eligible: (p) => {
    switch (p && p.state) {
      case 'pending': return 'This browser is not approved yet. On one of your trusted devices, approve it after comparing the verification codes, then sign in here.';
      case 'replaced': return 'This browser’s device was replaced by a new one, so it can no longer sign in. Use the new device, or enroll this browser again.';
      case 'retired': return 'This browser’s device was retired, so it can no longer sign in. Enroll this browser again to use it.';
      default: return 'This browser’s device was revoked or rejected, so it can no longer sign in. Enroll this browser again to use it.';
    }
  },
  assertion_invalid: 'The passkey’s answer could not be checked. Try again.',
  assertion_malformed: 'The passkey’s answer was incomplete. Try again.',
  sign_counter_regression: 'This passkey looks copied (its counter went backwards), so its device now has reduced access and nothing was done. Tell your administrator.',
  // Approving, revoking, replacing
  approver_not_trusted: 'Only a trusted device can approve a new one. This one has reduced access: approve from another of your devices.',
  credential_not_found: 'This device has no passkey on record. Sign out and sign in again.',
  device_not_found: 'That device is not in this account any more. Refresh the device list.',
  device_state_changed: 'That device changed in the meantime. Refresh the device list and try again.',
  invalid_transition: 'That device is already in a state where this is not possible. Refresh the device list.',
  device_not_replaceable: 'Only a trusted device, or one with reduced access, can be replaced. Refresh the device list.',
};

/** WebAuthn failures the browser reports, in words. */
const BROWSER_PROBLEMS = {
  NotAllowedError: 'The passkey request was cancelled or timed out. Try again when you are ready.',
  AbortError: 'The passkey request was cancelled. Try again when you are ready.',
  InvalidStateError: 'This browser already holds this passkey. Sign in with it instead.',
  SecurityError: 'This browser refused passkeys for this address. Open the page at the address the service printed when it started (localhost, not 127.0.0.1).',
  NotSupportedError: 'This browser cannot create a suitable passkey. Try another browser or device.',
};

/** A general sentence for a status without words of its own. */
function byStatus(status) {
  if (status >= 500) return PROBLEMS.internal_error;
  if (status === 429) return PROBLEMS.rate_limited;
  if (status === 401) return PROBLEMS.unauthenticated;
  if (status === 403) return 'This was refused. Check what you entered, and try again.';
  if (status === 404) return 'That was not found. Refresh the page and try again.';
  if (status === 409 || status === 410) return 'This is no longer possible: something changed in the meantime. Refresh the page.';
  return 'Something you entered is not in the expected form. Check the fields and try again.';
}

/**
 * Any failure the page meets, as a sentence for the person: an API error by its code (never its
 * raw detail), a browser's WebAuthn error by its name, or the page's own message (an Error whose
 * `forPerson` is true).
 */
export function describeProblem(err) {
  if (err && err.name === 'ApiError') {
    const words = PROBLEMS[err.code];
    if (typeof words === 'function') return words(err.problem);
    return words ?? byStatus(err.status);
  }
  if (err && BROWSER_PROBLEMS[err.name]) return BROWSER_PROBLEMS[err.name];
  if (err && err.forPerson) return err.message;
  return 'Something went wrong in this page. Reload it and try again.';
}

/** An error whose message is already written for the person. */
export function personError(message) {
  const err = new Error(message);
  err.forPerson = true;
  return err;
}

/** The platforms a person can pick, as the API names them, with their display names. */
export const PLATFORMS = [
  ['web', 'Web browser'],
  ['android', 'Android'],
  ['ios', 'iOS'],
  ['macos', 'macOS'],
  ['windows', 'Windows'],
  ['linux', 'Linux'],
];

/** A requirement code → a sentence. */
export function describeRequirement(code) {
  return REQUIREMENTS[code] ?? 'Another approval';
}

/** A device state → what it means for the device, in a few words. */
export function describeState(state) {
  return STATES[state] ?? '';
}

/** The display name of a platform code. */
export function platformName(code) {
  const known = PLATFORMS.find(([value]) => value === code);
  return known ? known[1] : String(code ?? '');
}

/** A timestamp as a person reads it, in their locale; empty when absent or unreadable. */
export function formatTime(value) {
  if (value === null || value === undefined) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Who did something, from the reading device's point of view. */
function who(actor, item, currentDeviceId) {
  if (actor.kind === 'device') return actor.deviceId === currentDeviceId ? 'this device' : (actor.label || 'another of your devices');
  if (actor.kind === 'admin') return 'an administrator of your organisation';
  if (actor.kind === 'system') return 'Enigm Trust';
  if (actor.kind === 'service') return 'an Enigm service';
  if (item.approvalMethod === 'bootstrap') return 'the account’s bootstrap code';
  return 'a recovery code';
}

const quoted = (reason, actor) => (reason && (actor.kind === 'device' || actor.kind === 'admin') ? `: “${reason}”` : '');

/**
 * One activity item (`GET /v1/accounts/{id}/activity`) as a sentence, seen from `currentDeviceId`.
 */
export function describeActivity(item, currentDeviceId) {
  const name = item.deviceId === currentDeviceId ? 'This device' : (item.deviceLabel || 'A device');
  const by = who(item.actor, item, currentDeviceId);
  if (item.event === 'enrollment_started') {
    return item.actor.kind === 'device' ? `${name} was set up as a replacement by ${by}.` : `${name} asked to join this account.`;
  }
  const { from, to } = item;
  if (from === 'pending' && (to === 'trusted' || to === 'restricted')) {
    const how = item.approvalMethod === 'bootstrap' ? 'the account’s bootstrap code'
      : item.approvalMethod === 'recovery' ? 'a recovery code'
        : item.approvalMethod === 'admin' ? 'an administrator of your organisation' : by;
    return `${name} joined${to === 'restricted' ? ' with reduced access' : ''}, approved by ${how}.`;
  }
  if (from === 'pending' && to === 'revoked') {
    if (item.actor.kind === 'device' || item.actor.kind === 'admin') return `${name} was rejected by ${by}${quoted(item.reason, item.actor)}.`;
    if (/cancelled/.test(item.reason ?? '')) return `${name} did not join: its enrollment was cancelled on that device.`;
    if (/denied/.test(item.reason ?? '')) return `${name} did not join: the enrollment was denied.`;
    return `${name} did not join: a step of its enrollment was refused (for example a wrong code).`;
  }
  if (from === 'pending' && to === 'retired') return `${name} did not join: its enrollment expired before anyone approved it.`;
  if (to === 'restricted') return `${name} got reduced access, by ${by}${quoted(item.reason, item.actor)}.`;
  if (from === 'restricted' && to === 'trusted') return `${name} was trusted again, by ${by}${quoted(item.reason, item.actor)}.`;
  if (to === 'revoked') {
    if (item.actor.kind !== 'device' && item.actor.kind !== 'admin') return `${name} left: revoked as lost when a recovery code was used.`;
    return `${name} left: revoked by ${by}${quoted(item.reason, item.actor)}.`;
  }
  if (to === 'replaced') return `${name} left: replaced by a new device.`;
  if (to === 'retired') return `${name} left: retired by ${by}.`;
  return `${name} changed.`;
}
