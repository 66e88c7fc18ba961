import { LIFECYCLE_EVENT, SESSION_REVOKED_EVENT, buildSetClaims, eventTypesOf, type LifecycleEvent } from './securityEventToken.js';

const event = (state: string, previous: string): LifecycleEvent => ({
  event_id: 'evt_1', device_id: 'dev_abc', account_id: 'acc_1', state, previous_state: previous, epoch: 7, reason: 'lost', occurred_at: '2026-01-02T03:04:05.678Z',
});
const to = { issuer: 'https://trust.enigm.dev', audience: 'https://messaging.enigm.dev', jti: 'j-1', issuedAt: new Date('2026-01-02T03:04:06.999Z') };

describe('Security Event Token claims', () => {
  it('carries exactly iss, aud, iat, jti, txn, sub_id and events', () => {
    const claims = buildSetClaims(event('revoked', 'trusted'), to, [LIFECYCLE_EVENT, SESSION_REVOKED_EVENT]);
    expect(claims).toEqual({
      iss: 'https://trust.enigm.dev',
      aud: 'https://messaging.enigm.dev',
      iat: 1767323046,
      jti: 'j-1',
      txn: 'evt_1',
      sub_id: { format: 'opaque', id: 'dev_abc' },
      events: {
        [LIFECYCLE_EVENT]: { state: 'revoked', previous_state: 'trusted', account_id: 'acc_1', epoch: 7, reason: 'lost', occurred_at: '2026-01-02T03:04:05.678Z' },
        [SESSION_REVOKED_EVENT]: { event_timestamp: 1767323045 },
      },
    });
  });

  it('adds session-revoked only when the transition ended the sessions', () => {
    expect(eventTypesOf(event('revoked', 'trusted'))).toEqual([LIFECYCLE_EVENT, SESSION_REVOKED_EVENT]);
    expect(eventTypesOf(event('replaced', 'restricted'))).toEqual([LIFECYCLE_EVENT, SESSION_REVOKED_EVENT]);
    expect(eventTypesOf(event('retired', 'trusted'))).toEqual([LIFECYCLE_EVENT, SESSION_REVOKED_EVENT]);
    expect(eventTypesOf(event('retired', 'revoked'))).toEqual([LIFECYCLE_EVENT]);
    expect(eventTypesOf(event('restricted', 'trusted'))).toEqual([LIFECYCLE_EVENT]);
    expect(eventTypesOf(event('trusted', 'pending'))).toEqual([LIFECYCLE_EVENT]);
  });

  it('includes only the event types the subscriber asked for', () => {
    expect(Object.keys(buildSetClaims(event('revoked', 'trusted'), to, [SESSION_REVOKED_EVENT]).events as object)).toEqual([SESSION_REVOKED_EVENT]);
    expect(Object.keys(buildSetClaims(event('revoked', 'trusted'), to, [LIFECYCLE_EVENT]).events as object)).toEqual([LIFECYCLE_EVENT]);
  });

  it('gives every retry the same claims', () => {
    expect(buildSetClaims(event('revoked', 'trusted'), to, [LIFECYCLE_EVENT])).toEqual(buildSetClaims(event('revoked', 'trusted'), { ...to }, [LIFECYCLE_EVENT]));
  });
});
