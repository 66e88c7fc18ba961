/**
 * Opaque identifiers and the one hash used for secrets at rest.
 */
import { createHash, randomBytes } from 'node:crypto';

/** `prefix` + '_' + 20 random bytes, base64url (160 bits: unguessable, collision-free in practice). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(20).toString('base64url')}`;
}

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
