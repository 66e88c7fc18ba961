/**
 * POST /v1/enrollments/{id}/cancel: the enrolling device gives up before registering a passkey
 * (the person cancelled the browser's prompt, or it timed out). It proves it is the enrolling
 * device with the registration challenge it was given — spent by this call — and the
 * enrollment is closed like a failed one. A decoy answers as a real enrollment does.
 */
import { ConflictError } from '../errors.js';
import type { Acting } from './caller.js';
import { closeEnrollment } from './closeEnrollment.js';
import { auditingRefusals, type AuditContext } from './refusals.js';
import type { EnrollmentDeps } from './settings.js';
import { assertRegistrationOf, closingOnRefusal, spendChallenge } from './submitCredential.js';

export async function cancelEnrollment(deps: EnrollmentDeps, enrollmentId: string, challenge: string, acting: Acting, now: Date = new Date()): Promise<{ enrollmentId: string; state: 'cancelled' }> {
  const ctx: AuditContext = { type: 'enrollment.cancelled', actor: acting.actor, details: { enrollment_id: enrollmentId } };
  return auditingRefusals(deps.db, ctx, async () => {
    const binding = await spendChallenge(deps, challenge);
    return closingOnRefusal(deps, binding, acting, async () => {
      assertRegistrationOf(binding, enrollmentId);
      if (binding.decoy) return { enrollmentId, state: 'cancelled' as const };
      const closed = await closeEnrollment(deps.db, enrollmentId, { type: 'enrollment.cancelled', actor: acting.actor, reason: 'enrollment cancelled on the new device' }, now);
      if (!closed) throw new ConflictError('enrollment_not_cancellable', `enrollment ${enrollmentId} already has its credential or is decided`);
      return { enrollmentId, state: 'cancelled' as const };
    });
  });
}
