/**
 * What the API's codes mean, in words a person reads: enrollment requirements, device
 * states and platforms. Unknown codes are shown as they are rather than hidden.
 */

const REQUIREMENTS = {
  approval_by_trusted_device: 'Approval by one of your trusted devices',
  admin_approval: 'Approval by an Enigm Command approver of your organisation',
  bootstrap_code: 'The bootstrap code of this new account',
  recovery_code: 'A recovery code (the account is in recovery)',
  approver_user_verification: 'Approval with your PIN, fingerprint or face on the approving device',
};

const STATES = {
  pending: 'waiting for approval',
  trusted: 'receives protected content',
  restricted: 'reduced access',
  revoked: 'no access, for good',
  replaced: 'superseded by a new device',
  retired: 'no longer managed',
};

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
  return REQUIREMENTS[code] ?? code;
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
