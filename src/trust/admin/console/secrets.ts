/**
 * The console's two secrets: invitation codes (`eai_…`) and admin session tokens (`eas_…`).
 * Each is 32 random bytes after its prefix, shown once, kept only as its SHA-256, and compared
 * in constant time; a string of any other shape costs no query.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../../ids.js';

export type SecretKind = 'invitation' | 'session';

const PREFIX: Record<SecretKind, string> = { invitation: 'eai', session: 'eas' };
const SHAPE: Record<SecretKind, RegExp> = { invitation: /^eai_[A-Za-z0-9_-]{43}$/, session: /^eas_[A-Za-z0-9_-]{43}$/ };

/** A new secret of `kind` and the hash the store keeps. */
export function newSecret(kind: SecretKind): { secret: string; hash: string } {
  const secret = `${PREFIX[kind]}_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: sha256Hex(secret) };
}

/** Whether `text` has the exact shape of a secret of `kind`. */
export function isSecretShaped(kind: SecretKind, text: unknown): text is string {
  return typeof text === 'string' && SHAPE[kind].test(text);
}

/** The stored hash equals the hash of the presented secret, compared in constant time. */
export function hashMatches(storedHex: string, presentedHex: string): boolean {
  const a = Buffer.from(storedHex, 'hex');
  const b = Buffer.from(presentedHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
