/**
 * Privacy-preserving device identifiers. A device is known outside the store only as
 * `dev_` + an HMAC under the server's ID secret of its account and an enrollment-time
 * random handle: stable, unlinkable across deployments, and carrying no hardware or
 * credential identifier.
 */
import { createHmac, randomBytes } from 'node:crypto';

export function deviceIdentifier(idSecret: string, accountId: string, handle: string): string {
  const mac = createHmac('sha256', idSecret).update(`device\u0000${accountId}\u0000${handle}`).digest('base64url');
  return `dev_${mac.slice(0, 32)}`;
}

/** A fresh random handle for a new device (kept only long enough to derive its identifier). */
export function newDeviceHandle(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The WebAuthn user handle (`user.id`) of an account: stable for every enrollment of the
 * account, so a browser's new passkey for the account replaces its older one instead of
 * sitting beside it; opaque (an HMAC, never the handle or the account id). `subject` is the
 * account id, or `decoy\0<handle>` for an unknown handle, which gets a stable one too.
 */
export function webauthnUserId(idSecret: string, subject: string): Uint8Array {
  return createHmac('sha256', idSecret).update(`webauthn-user\u0000${subject}`).digest();
}
