/**
 * What the enrollment flows need from their surroundings, and the tunable limits with their
 * defaults. Tests shorten the TTLs and lower the rate limits; the service uses the defaults.
 */
import type { Redis } from 'ioredis';
import type { PolicyBundle } from '../../policy/bundle.js';
import type { Database } from '../../store/database.js';
import type { InputValidator } from '../decide.js';

/** The WebAuthn relying party: its id (a domain) and the one origin its pages are served from. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

export interface EnrollmentSettings {
  /** Lifetime of a WebAuthn challenge, in seconds (single-use in any case). */
  challengeTtlSeconds: number;
  /** Lifetime of a bootstrap code. */
  bootstrapCodeTtlSeconds: number;
  /** Lifetime of a recovery code. */
  recoveryCodeTtlSeconds: number;
  /** Lifetime of a replacement code (single-use in any case). */
  replacementCodeTtlSeconds: number;
  /** How long a started enrollment may wait for its credential and approval. */
  enrollmentTtlSeconds: number;
  /** Attestation statement formats accepted at registration. */
  attestationFormats: readonly string[];
  /** Unauthenticated requests allowed per client address per window. */
  rateLimitPerAddress: number;
  /** Unauthenticated requests allowed per account handle per window. */
  rateLimitPerHandle: number;
  /** The rate-limit window, in seconds. */
  rateLimitWindowSeconds: number;
}

export const DEFAULT_ENROLLMENT_SETTINGS: EnrollmentSettings = Object.freeze({
  challengeTtlSeconds: 5 * 60,
  bootstrapCodeTtlSeconds: 24 * 3600,
  recoveryCodeTtlSeconds: 24 * 3600,
  replacementCodeTtlSeconds: 15 * 60,
  enrollmentTtlSeconds: 72 * 3600,
  attestationFormats: ['none', 'packed'],
  rateLimitPerAddress: 120,
  rateLimitPerHandle: 20,
  rateLimitWindowSeconds: 60,
});

/** Everything the enrollment, approval, session, replacement and revocation flows use. */
export interface EnrollmentDeps {
  db: Database;
  redis: Redis;
  policy: () => PolicyBundle;
  /** Checks each enrollment policy input the service builds against its schema. */
  validateEnrollmentInput: InputValidator;
  rp: RelyingParty;
  /** Key of the HMAC that derives device identifiers. */
  idSecret: string;
  settings: EnrollmentSettings;
}
