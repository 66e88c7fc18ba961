/**
 * Opaque identifiers and the one hash used for secrets at rest.
 */
import { hash, randomBytes } from 'node:crypto';

// Random bytes are drawn a block at a time (as crypto.randomUUID does): one call to the CSPRNG
// serves about two hundred ids on the decision path instead of one each.
const BLOCK = 4096;
let block = Buffer.alloc(0);
let used = 0;

function randomChunk(n: number): Buffer {
  if (used + n > block.length) {
    block = randomBytes(BLOCK);
    used = 0;
  }
  const chunk = block.subarray(used, used + n);
  used += n;
  return chunk;
}

/** `prefix` + '_' + 20 random bytes, base64url (160 bits: unguessable, collision-free in practice). */
export function newId(prefix: string): string {
  return `${prefix}_${randomChunk(20).toString('base64url')}`;
}

/**
 * `prefix` + '_' + the time in milliseconds (12 hex digits) + 16 random bytes, base64url: ids
 * made in a later millisecond sort after earlier ones, so a log keyed by them appends at the
 * end of its index instead of writing all over it. The time says no more than the record
 * already does.
 */
export function newTimeOrderedId(prefix: string, at: Date): string {
  return `${prefix}_${at.getTime().toString(16).padStart(12, '0')}${randomChunk(16).toString('base64url')}`;
}

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
