/**
 * One attempt at one delivery: build and sign the subscriber's SET (same claims, same `jti` on
 * every attempt), push it, and record the attempt. The attempt is counted before the push, so
 * an attempt cut short by a crash still shows. The delivery becomes `failed` on a permanent
 * refusal or after the last attempt; the job then fails too (BullMQ stops retrying), otherwise
 * it throws AttemptFailed, carrying the delay before the next attempt (recorded as
 * `next_attempt_at`, so the status view can tell when it comes).
 *
 * The database being away is not the subscriber's failure: the processor then throws
 * DatabaseUnavailableError and the job waits without spending an attempt (see workerHost). An
 * outcome known but not recorded — delivered, or given up — comes back as OutcomeNotRecorded, so
 * the next run records it instead of pushing again.
 */
import { UnrecoverableError } from 'bullmq';
import type { Database } from '../store/database.js';
import { DatabaseUnavailableError } from '../store/databaseUnavailable.js';
import { retryDelay, type BackoffOptions } from './backoff.js';
import type { FanoutMetrics } from './metrics.js';
import { pushSet, type PushOptions } from './push.js';
import type { DeliveryJob, UnrecordedOutcome } from './queues.js';
import { buildSetClaims, signSet, type LifecycleEvent } from './securityEventToken.js';
import type { SigningKeyStore } from './signingKeys.js';

export interface DeliveryWorkerDeps {
  db: Database;
  signingKeys: SigningKeyStore;
  issuer: string;
  push: PushOptions;
  backoff: BackoffOptions;
  metrics?: FanoutMetrics;
}

/** Where this attempt stands among the job's attempts. */
export interface AttemptInfo {
  /** Attempts of this job that failed before this one. */
  failedBefore: number;
  /** No attempt follows this one when it fails. */
  last: boolean;
}

/** A push that failed and is tried again after `retryDelayMs`. */
export class AttemptFailed extends Error {
  override name = 'AttemptFailed';
  constructor(message: string, readonly retryDelayMs: number) {
    super(message);
  }
}

/** The push's outcome is known, but the database was away when it was to be recorded. */
export class OutcomeNotRecorded extends Error {
  override name = 'OutcomeNotRecorded';
  constructor(readonly outcome: UnrecordedOutcome, cause: DatabaseUnavailableError) {
    super(`${outcome.kind}, not yet recorded: ${cause.message}`, { cause });
  }
}

interface DeliveryRow {
  id: string;
  status: 'pending' | 'delivered' | 'failed';
  subscriber_deleted: boolean;
}

type Claimed = {
  id: string;
  jti: string;
  created_at: Date;
  url: string;
  audience: string;
  events: string[];
  payload: LifecycleEvent;
  committed_at: Date;
};

// A job without a generation predates them, and may act whatever the delivery's generation.
const OF_THIS_JOB = '($2::int IS NULL OR d.job_generation = $2)';

// The common case in one round trip: a pending delivery, still carried by this job, to a live subscriber, its attempt counted.
async function claimAttempt(db: Database, job: DeliveryJob): Promise<Claimed | undefined> {
  const r = await db.query<Claimed>(
    `UPDATE deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = NULL
       FROM subscribers s, outbox o
      WHERE d.id = $1 AND ${OF_THIS_JOB} AND d.status = 'pending' AND s.id = d.subscriber_id AND s.deleted_at IS NULL AND o.id = d.outbox_id
     RETURNING d.id, d.jti, d.created_at, s.url, s.audience, s.events, o.payload, o.created_at AS committed_at`,
    [job.deliveryId, job.generation ?? null],
  );
  return r.rows[0];
}

async function load(db: Database, deliveryId: string): Promise<DeliveryRow | undefined> {
  const r = await db.query<DeliveryRow>(
    `SELECT d.id, d.status, s.deleted_at IS NOT NULL AS subscriber_deleted
       FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
      WHERE d.id = $1`,
    [deliveryId],
  );
  return r.rows[0];
}

async function markFailed(db: Database, job: DeliveryJob, error: string): Promise<void> {
  await db.query(`UPDATE deliveries d SET status = 'failed', last_error = $3, next_attempt_at = NULL WHERE d.id = $1 AND ${OF_THIS_JOB} AND d.status = 'pending'`,
    [job.deliveryId, job.generation ?? null, error]);
}

// Delivered is delivered, whichever job pushed it: a newer job then finds nothing left to send.
async function markDelivered(db: Database, job: DeliveryJob): Promise<void> {
  await db.query(`UPDATE deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL, next_attempt_at = NULL WHERE id = $1 AND status = 'pending'`,
    [job.deliveryId]);
}

/** Runs `record`; a database that is away turns into OutcomeNotRecorded for `outcome`. */
async function recording(outcome: UnrecordedOutcome, record: () => Promise<void>): Promise<void> {
  try {
    await record();
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) throw new OutcomeNotRecorded(outcome, err);
    throw err;
  }
}

/** Records an outcome an earlier run of the job could not; resolves when delivered, throws when failed. */
async function recordOnly(deps: DeliveryWorkerDeps, job: DeliveryJob, outcome: UnrecordedOutcome): Promise<'delivered'> {
  if (outcome.kind === 'delivered') {
    await recording(outcome, () => markDelivered(deps.db, job));
    return 'delivered';
  }
  await recording(outcome, () => markFailed(deps.db, job, outcome.error));
  deps.metrics?.failures.inc({ result: 'failed' });
  throw new UnrecoverableError(outcome.error);
}

/** Runs one attempt; resolves when delivered or nothing is left to do, throws otherwise. */
export async function processDelivery(deps: DeliveryWorkerDeps, job: DeliveryJob, attempt: AttemptInfo): Promise<'delivered' | 'skipped'> {
  if (job.unrecorded) return recordOnly(deps, job, job.unrecorded);
  const d = await claimAttempt(deps.db, job);
  if (!d) {
    const found = await load(deps.db, job.deliveryId);
    if (!found) throw new UnrecoverableError(`no delivery ${job.deliveryId} in this database`);
    // Otherwise delivered already (a duplicate job), given up, carried by a newer job, or its subscriber is gone: nothing to send.
    if (found.status === 'pending' && found.subscriber_deleted) await markFailed(deps.db, { deliveryId: found.id }, 'the subscriber was deleted');
    return 'skipped';
  }
  const claims = buildSetClaims(d.payload, { issuer: deps.issuer, audience: d.audience, jti: d.jti, issuedAt: new Date(d.created_at) }, d.events);
  const token = await signSet(claims, await deps.signingKeys.current());
  const outcome = await pushSet(d.url, token, deps.push);
  if (outcome.kind === 'delivered') {
    await recording({ kind: 'delivered' }, () => markDelivered(deps.db, job));
    deps.metrics?.deliveryLatency.observe(Math.max(0, Date.now() - new Date(d.committed_at).getTime()) / 1000);
    return 'delivered';
  }
  if (outcome.kind === 'permanent' || attempt.last) {
    await recording({ kind: 'failed', error: outcome.error }, () => markFailed(deps.db, job, outcome.error));
    deps.metrics?.failures.inc({ result: 'failed' });
    if (outcome.kind === 'permanent') throw new UnrecoverableError(outcome.error);
    throw new Error(outcome.error);
  }
  const delayMs = retryDelay(attempt.failedBefore + 1, deps.backoff);
  // Only shown to operators: the retry itself does not depend on it being written.
  await deps.db.query(`UPDATE deliveries SET last_error = $2, next_attempt_at = now() + $3 * interval '1 millisecond' WHERE id = $1 AND status = 'pending'`, [d.id, outcome.error, delayMs])
    .catch(() => undefined);
  deps.metrics?.failures.inc({ result: 'retrying' });
  throw new AttemptFailed(outcome.error, delayMs);
}

/** Marks a delivery failed when its job ended without the processor doing so (e.g. stalled too often). */
export async function markDeliveryFailed(db: Database, job: DeliveryJob, error: string): Promise<void> {
  await markFailed(db, job, error.slice(0, 300));
}
