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
