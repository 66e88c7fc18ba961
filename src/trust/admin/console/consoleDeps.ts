/**
 * What the Command console's sign-in flows need (invitations, passkeys, admin sessions), and
 * their lifetimes. Tests shorten the lifetimes; the service uses the defaults.
 */
import type { Redis } from 'ioredis';
import type { Database } from '../../../store/database.js';
import type { RelyingParty } from '../../enrollment/settings.js';

export interface ConsoleSettings {
  /** How long an invitation code may wait for its passkey, in seconds (single-use in any case). */
  invitationTtlSeconds: number;
  /** How long an admin session lasts, in seconds, unless signed out or its administrator removed first. */
  sessionTtlSeconds: number;
  /** Lifetime of a WebAuthn challenge, in seconds. */
  challengeTtlSeconds: number;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = Object.freeze({
  invitationTtlSeconds: 24 * 3600,
  sessionTtlSeconds: 3600,
  challengeTtlSeconds: 5 * 60,
});

export interface ConsoleDeps {
  db: Database;
  redis: Redis;
  rp: RelyingParty;
  settings: ConsoleSettings;
}
