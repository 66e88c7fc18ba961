/**
 * The lifecycle actions an Enigm Command operator takes on a device of their organisation:
 * restrict, unrestrict, retire. Each is one `transitionDevice` scoped to the organisation,
 * from the states the action makes sense for — unrestrict only lifts a restriction, so it can
 * never turn a pending device into a trusted one and skip enrollment approval.
 */
import type { AuditActor } from '../../store/audit.js';
import type { Database } from '../../store/database.js';
import { ConflictError } from '../errors.js';
import type { DeviceState } from '../lifecycle.js';
import { transitionDevice, type TransitionResult } from '../transition.js';

export const LIFECYCLE_ACTIONS = ['restrict', 'unrestrict', 'retire'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

const ACTIONS: Record<LifecycleAction, { to: DeviceState; from: readonly DeviceState[]; auditType: string }> = {
  restrict: { to: 'restricted', from: ['trusted'], auditType: 'device.restricted' },
  unrestrict: { to: 'trusted', from: ['restricted'], auditType: 'device.unrestricted' },
  retire: { to: 'retired', from: ['pending', 'trusted', 'restricted', 'revoked', 'replaced'], auditType: 'device.retired' },
};

/**
 * Applies `action` to `deviceId` if it belongs to `orgId` (404 otherwise, as for a missing
 * device). A device in a state the action does not apply to is a 409 `invalid_transition`;
 * every refusal is audited by `transitionDevice`.
 */
export async function applyLifecycleAction(
  db: Database, action: LifecycleAction, req: { deviceId: string; orgId: string; actor: AuditActor; reason: string },
): Promise<TransitionResult> {
  const spec = ACTIONS[action];
  try {
    return await transitionDevice(db, { deviceId: req.deviceId, orgId: req.orgId, to: spec.to, expectedStates: spec.from, actor: req.actor, reason: req.reason, auditType: spec.auditType });
  } catch (err) {
    // The state was read under the row lock: it is not a race, the action does not apply.
    if (err instanceof ConflictError && err.code === 'device_state_changed') {
      throw new ConflictError('invalid_transition', `cannot ${action} a ${String(err.extensions.state)} device (it must be ${spec.from.join(' or ')})`, err.extensions);
    }
    throw err;
  }
}
