/**
 * The verification code of a device link: six digits both screens show — the new device
 * computes it from what it did (its registration challenge and the credential it created),
 * the approving device is given it by the service from what the service verified — so a
 * person approves only the device in their hand. The page's `public/linkCode.js` computes
 * the same digits (tested to agree).
 */
import { createHash } from 'node:crypto';

export function verificationCode(challenge: string, credentialId: string): string {
  const digest = createHash('sha256').update(`enigm-link-v1\u0000${challenge}\u0000${credentialId}`).digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}
