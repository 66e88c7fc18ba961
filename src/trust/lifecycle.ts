/**
 * The device lifecycle as data: states, the allowed transitions between them, and which
 * states may receive protected content. Pure: no I/O.
 */

export const DEVICE_STATES = ['pending', 'trusted', 'restricted', 'revoked', 'replaced', 'retired'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** Allowed transitions (DESIGN §1). Anything else is refused. */
export const TRANSITIONS: Readonly<Record<DeviceState, readonly DeviceState[]>> = {
  pending: ['trusted', 'restricted', 'revoked', 'retired'],
  trusted: ['restricted', 'revoked', 'replaced', 'retired'],
  restricted: ['trusted', 'revoked', 'replaced', 'retired'],
  revoked: ['retired'],
  replaced: ['retired'],
  retired: [],
};

export function isDeviceState(s: unknown): s is DeviceState {
  return typeof s === 'string' && (DEVICE_STATES as readonly string[]).includes(s);
}

export function canTransition(from: DeviceState, to: DeviceState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States whose devices are on the account's recipient list (policy still decides each action). */
export function isContentEligible(state: DeviceState): boolean {
  return state === 'trusted' || state === 'restricted';
}

/** A transition changes the account's device list, and so its epoch, when eligibility flips. */
export function changesDeviceList(from: DeviceState, to: DeviceState): boolean {
  return isContentEligible(from) !== isContentEligible(to);
}

/** Terminal for trust: the device's sessions end and it never receives again. */
export function endsTrust(state: DeviceState): boolean {
  return state === 'revoked' || state === 'replaced' || state === 'retired';
}
