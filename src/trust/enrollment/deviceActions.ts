/**
 * What an account's devices and its organisation's operators may do to a device: revoke it,
 * or start its replacement. A device session acts for its own account only (itself, or —
 * when trusted — any other device); an administrator acts in their own organisation only.
 */
import type { TrustError } from '../errors.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { auditRefusal as auditTransitionRefusal, transitionDevice, type TransitionRequest } from '../transition.js';
import type { Acting, Caller } from './caller.js';
import { auditingRefusals } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { createEnrollment, type StartedEnrollment } from './startEnrollment.js';

type Acts = Exclude<Caller, { kind: 'service' }>;

/** A device session may act on itself, and on the account's other devices only while trusted. */
function deviceMayActOn(caller: Extract<Caller, { kind: 'device' }>, deviceId: string, what: string): void {
  if (caller.deviceId !== deviceId && caller.deviceState !== 'trusted') {
    throw new ForbiddenError('caller_not_trusted', `only a trusted device may ${what} another device; this one is ${caller.deviceState}`);
  }
}

/** Revokes the device → its new state and the account's device-list epoch. */
export async function revokeDevice(deps: Pick<EnrollmentDeps, 'db'>, deviceId: string, reason: string, caller: Acts, acting: Acting): Promise<{ state: 'revoked'; epoch: number }> {
  const req: TransitionRequest = {
    deviceId, to: 'revoked', actor: acting.actor, reason,
    ...(caller.kind === 'device' ? { accountId: caller.accountId } : { orgId: caller.orgId }),
  };
  if (caller.kind === 'device') {
    try {
      deviceMayActOn(caller, deviceId, 'revoke');
    } catch (err) {
      await auditTransitionRefusal(deps.db, req, err as TrustError);
      throw err;
    }
  }
  const r = await transitionDevice(deps.db, req);
  return { state: 'revoked', epoch: Number(r.epoch) };
}

/** Starts the enrollment of a device that will replace `oldDeviceId` once approved, with a short code for it; nothing is inherited. */
export async function startReplacement(deps: EnrollmentDeps, oldDeviceId: string, input: { label: string; platform: string; reason?: string }, caller: Acts, acting: Acting, now: Date = new Date()): Promise<StartedEnrollment> {
  return auditingRefusals(deps.db, { type: 'enrollment.started', actor: acting.actor, details: { replaces: oldDeviceId } }, async (ctx) => {
    const r = await deps.db.query<{ account_id: string; org_id: string | null; handle: string; state: string }>(
      'SELECT d.account_id, a.org_id, a.handle, d.state FROM devices d JOIN accounts a ON a.id = d.account_id WHERE d.id = $1', [oldDeviceId]);
    const old = r.rows[0];
    if (!old || (caller.kind === 'device' && old.account_id !== caller.accountId) || (caller.kind === 'admin' && old.org_id !== caller.orgId)) {
      throw new NotFoundError('device_not_found', `no device ${oldDeviceId}`);
    }
    Object.assign(ctx, { orgId: old.org_id, accountId: old.account_id, deviceId: oldDeviceId });
    if (caller.kind === 'device') deviceMayActOn(caller, oldDeviceId, 'replace');
    if (old.state !== 'trusted' && old.state !== 'restricted') {
      throw new ConflictError('device_not_replaceable', `a ${old.state} device cannot be replaced`, { state: old.state });
    }
    return createEnrollment(deps, {
      account: { id: old.account_id, orgId: old.org_id, handle: old.handle }, ...input, replacesDeviceId: oldDeviceId, replacementCodeTtlSeconds: deps.settings.replacementCodeTtlSeconds,
    }, acting, now);
  });
}
