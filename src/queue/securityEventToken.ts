/**
 * Security Event Tokens (RFC 8417) for device lifecycle events, as DESIGN §4 specifies them:
 * `iss`, `aud` (the subscriber), `iat`, `jti` (stable across retries: receivers de-duplicate on
 * it), `txn` (the lifecycle event, shared by every subscriber's copy), `sub_id` (the opaque
 * `dev_` identifier, never a credential id), and `events` — the Enigm lifecycle event, plus
 * the CAEP session-revoked event when the device's sessions ended with the transition.
 */
import { SignJWT } from 'jose';
import { SET_ALG, type SigningKey } from './signingKeys.js';

export const LIFECYCLE_EVENT = 'urn:enigm:secevent:device-lifecycle';
export const SESSION_REVOKED_EVENT = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
/** The event types a subscriber may ask for. */
export const EVENT_TYPES = [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The outbox payload the trust core writes for each lifecycle transition. */
export interface LifecycleEvent {
  event_id: string;
  device_id: string;
  account_id: string;
  state: string;
  previous_state: string;
  epoch: number;
  reason: string;
  occurred_at: string;
}

/** One subscriber's copy of one event. */
export interface SetAddressing {
  issuer: string;
  audience: string;
  jti: string;
  /** Fixed per delivery, so every retry carries identical claims. */
  issuedAt: Date;
}

// States in which a device's sessions are over (the trust core ends them on entry).
const SESSIONLESS = new Set(['revoked', 'replaced', 'retired']);

/** The event types an event carries: session-revoked only when this transition ended the sessions. */
export function eventTypesOf(event: Pick<LifecycleEvent, 'state' | 'previous_state'>): EventType[] {
  const endedSessions = SESSIONLESS.has(event.state) && !SESSIONLESS.has(event.previous_state);
  return endedSessions ? [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT] : [LIFECYCLE_EVENT];
}

/** The SET claims for one subscriber, restricted to the event types it asked for. */
export function buildSetClaims(event: LifecycleEvent, to: SetAddressing, wanted: readonly string[]): Record<string, unknown> {
  const events: Record<string, unknown> = {};
  for (const type of eventTypesOf(event)) {
    if (!wanted.includes(type)) continue;
    events[type] = type === LIFECYCLE_EVENT
      ? { state: event.state, previous_state: event.previous_state, account_id: event.account_id, epoch: event.epoch, reason: event.reason, occurred_at: event.occurred_at }
      : { event_timestamp: Math.floor(Date.parse(event.occurred_at) / 1000) };
  }
  return {
    iss: to.issuer,
    aud: to.audience,
    iat: Math.floor(to.issuedAt.getTime() / 1000),
    jti: to.jti,
    txn: event.event_id,
    sub_id: { format: 'opaque', id: event.device_id },
    events,
  };
}

/** Signs claims as a compact JWS with `typ: secevent+jwt` (RFC 8417 §2.3). */
export async function signSet(claims: Record<string, unknown>, key: SigningKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: SET_ALG, kid: key.kid, typ: 'secevent+jwt' }).sign(key.privateKey);
}
