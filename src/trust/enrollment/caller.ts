/**
 * Who is asking, as the flows see it: the HTTP layer's principal, without the HTTP layer.
 * Flows decide what each kind may do; the audit actor says who did it.
 */
import type { AuditActor } from '../../store/audit.js';

export type Caller =
  | { kind: 'device'; deviceId: string; accountId: string; orgId: string | null; deviceState: 'trusted' | 'restricted'; userVerified: boolean }
  | { kind: 'admin'; keyId: string; orgId: string; role: string }
  | { kind: 'service'; keyId: string; scopes: readonly string[] };

/** A caller and its audit identity (never a token). Anonymous callers have no `caller`. */
export interface Acting {
  caller?: Caller;
  actor: AuditActor;
}
