/**
 * One attempt at one delivery: build and sign the subscriber's SET (same claims, same `jti` on
 * every attempt), push it, and record the attempt. The attempt is counted before the push, so
 * an attempt cut short by a crash still shows. The delivery becomes `failed` on a permanent
 * refusal or after the last attempt; the job then fails too (BullMQ stops retrying), otherwise
 * it throws to be retried with back-off.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../store/database.js';
import type { FanoutMetrics } from './metrics.js';
import { pushSet, type PushOptions } from './push.js';
import { buildSetClaims, signSet, type LifecycleEvent } from './securityEventToken.js';
import type { SigningKeyStore } from './signingKeys.js';

export interface DeliveryWorkerDeps {
  db: Database;
  signingKeys: SigningKeyStore;
  issuer: string;
  push: PushOptions;
  metrics?: FanoutMetrics;
}

/** Where this attempt stands among the job's attempts. */
export interface AttemptInfo {
  /** No attempt follows this one when it fails. */
  last: boolean;
}

interface DeliveryRow {
  id: string;
  jti: string;
  status: 'pending' | 'delivered' | 'failed';
  created_at: Date;
  url: string;
  audience: string;
  events: string[];
  subscriber_deleted: boolean;
  payload: LifecycleEvent;
  committed_at: Date;
}

async function load(db: Database, deliveryId: string): Promise<DeliveryRow | undefined> {
  const r = await db.query<DeliveryRow>(
    `SELECT d.id, d.jti, d.status, d.created_at, s.url, s.audience, s.events, s.deleted_at IS NOT NULL AS subscriber_deleted,
            o.payload, o.created_at AS committed_at
       FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id JOIN outbox o ON o.id = d.outbox_id
      WHERE d.id = $1`,
    [deliveryId],
  );
  return r.rows[0];
}

type Claimed = Omit<DeliveryRow, 'status' | 'subscriber_deleted'>;

// The common case in one round trip: a pending delivery to a live subscriber, its attempt counted.
async function claimAttempt(db: Database, deliveryId: string): Promise<Claimed | undefined> {
  const r = await db.query<Claimed>(
    `UPDATE deliveries d SET attempts = d.attempts + 1, last_attempt_at = now()
       FROM subscribers s, outbox o
      WHERE d.id = $1 AND d.status = 'pending' AND s.id = d.subscriber_id AND s.deleted_at IS NULL AND o.id = d.outbox_id
     RETURNING d.id, d.jti, d.created_at, s.url, s.audience, s.events, o.payload, o.created_at AS committed_at`,
    [deliveryId],
  );
  return r.rows[0];
}

async function markFailed(db: Database, deliveryId: string, error: string): Promise<void> {
  await db.query(`UPDATE deliveries SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'pending'`, [deliveryId, error]);
}

/** Runs one attempt; resolves when delivered or nothing is left to do, throws otherwise. */
export async function processDelivery(deps: DeliveryWorkerDeps, deliveryId: string, attempt: AttemptInfo): Promise<'delivered' | 'skipped'> {
  const d = await claimAttempt(deps.db, deliveryId);
  if (!d) {
    const found = await load(deps.db, deliveryId);
    if (!found) throw new UnrecoverableError(`no delivery ${deliveryId} in this database`);
    // Otherwise delivered already (a duplicate job), given up, or its subscriber is gone: nothing to send.
    if (found.status === 'pending' && found.subscriber_deleted) await markFailed(deps.db, found.id, 'the subscriber was deleted');
    return 'skipped';
  }
  const claims = buildSetClaims(d.payload, { issuer: deps.issuer, audience: d.audience, jti: d.jti, issuedAt: new Date(d.created_at) }, d.events);
  const token = await signSet(claims, await deps.signingKeys.current());
  const outcome = await pushSet(d.url, token, deps.push);
  if (outcome.kind === 'delivered') {
    await deps.db.query(`UPDATE deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL WHERE id = $1 AND status = 'pending'`, [d.id]);
    deps.metrics?.deliveryLatency.observe(Math.max(0, Date.now() - new Date(d.committed_at).getTime()) / 1000);
    return 'delivered';
  }
  if (outcome.kind === 'permanent' || attempt.last) {
    await markFailed(deps.db, d.id, outcome.error);
    deps.metrics?.failures.inc({ result: 'failed' });
    if (outcome.kind === 'permanent') throw new UnrecoverableError(outcome.error);
    throw new Error(outcome.error);
  }
  await deps.db.query('UPDATE deliveries SET last_error = $2 WHERE id = $1', [d.id, outcome.error]);
  deps.metrics?.failures.inc({ result: 'retrying' });
  throw new Error(outcome.error);
}

/** Marks a delivery failed when its job ended without the processor doing so (e.g. stalled too often). */
export async function markDeliveryFailed(db: Database, deliveryId: string, error: string): Promise<void> {
  await markFailed(db, deliveryId, error.slice(0, 300));
}
