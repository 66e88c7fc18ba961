/**
 * Liveness, readiness and metrics. Readiness answers what a load balancer needs: whether this
 * instance can decide. Without the database it cannot (503 `not_ready`); without Redis it
 * still decides and revokes — fan-out waits in the outbox, WebAuthn ceremonies and
 * rate-limited routes answer 503 — so it stays in service, reported `degraded` (200).
 * Each dependency is probed by one shared probe at a time, and a probe that does not answer
 * within PROBE_DEADLINE_MS counts as failed, so /readyz answers quickly even while a
 * dependency hangs. Changes of readiness are logged once each.
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Database } from '../../store/database.js';
import type { Logger } from '../logger.js';
import type { HttpMetrics } from '../metrics.js';
import { problemOf, sendProblem } from '../problem.js';

/** How long /readyz waits for a dependency's answer. */
export const PROBE_DEADLINE_MS = 200;
/** A probe unanswered for this long is given up and a fresh one started. */
const PROBE_MAX_AGE_MS = 5000;

type ProbeResult = 'ok' | string;

/**
 * One probe in flight at a time, shared by every caller: a hung dependency costs one hung
 * probe, not one per readiness request. Each caller waits at most `deadlineMs` for it.
 */
function sharedProbe(probe: () => Promise<unknown>, deadlineMs: number): () => Promise<ProbeResult> {
  let inFlight: { started: number; result: Promise<ProbeResult> } | undefined;
  return () => {
    if (!inFlight || Date.now() - inFlight.started > PROBE_MAX_AGE_MS) {
      const entry = {
        started: Date.now(),
        result: probe().then(() => 'ok', (err: unknown) => (err instanceof Error && err.message) || 'unreachable'),
      };
      inFlight = entry;
      void entry.result.finally(() => {
        if (inFlight === entry) inFlight = undefined;
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${deadlineMs} ms`), deadlineMs);
    });
    return Promise.race([inFlight.result, deadline]).finally(() => clearTimeout(timer));
  };
}

type Readiness = 'ready' | 'degraded' | 'not_ready';

export function healthRoutes(db: Database, redis: Redis, metrics: HttpMetrics, logger?: Logger): Router {
  const router = Router();
  const database = sharedProbe(() => db.query('SELECT 1'), PROBE_DEADLINE_MS);
  // Commands are not queued while disconnected, so a Redis that is down fails at once.
  const cache = sharedProbe(() => (redis.status === 'ready' ? redis.ping() : Promise.reject(new Error(`not connected (${redis.status})`))), PROBE_DEADLINE_MS);
  let last: Readiness = 'ready';

  const report = (now: Readiness, checks: Record<string, ProbeResult>) => {
    if (now === last) return;
    last = now;
    if (now === 'ready') logger?.info({ checks }, 'ready again');
    else logger?.warn({ checks }, now === 'degraded' ? 'degraded: Redis does not answer; still deciding and revoking' : 'not ready: the database does not answer');
  };

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [databaseState, redisState] = await Promise.all([database(), cache()]);
    const checks = { database: databaseState, redis: redisState };
    if (databaseState !== 'ok') {
      report('not_ready', checks);
      sendProblem(res, problemOf(503, 'not_ready', 'the database does not answer: this instance cannot decide', { checks }));
      return;
    }
    if (redisState !== 'ok') {
      report('degraded', checks);
      res.json({
        status: 'degraded', checks, degraded: ['redis'],
        detail: 'Redis does not answer: decisions and revocations work; fan-out waits in the outbox, and enrollment, sign-in and rate-limited routes answer 503 until it returns',
      });
      return;
    }
    report('ready', checks);
    res.json({ status: 'ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
