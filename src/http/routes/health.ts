/**
 * Liveness, readiness and metrics. Readiness checks each dependency with a short timeout
 * and names the one that failed.
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { whenRedisReady } from '../../queue/redis.js';
import type { Database } from '../../store/database.js';
import type { HttpMetrics } from '../metrics.js';
import { problemOf, sendProblem } from '../problem.js';

const CHECK_TIMEOUT_MS = 1500;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (err) {
    return (err as Error).message || 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(db: Database, redis: Redis, metrics: HttpMetrics): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, redisState] = await Promise.all([check(() => db.query('SELECT 1')), check(async () => {
      await whenRedisReady(redis, CHECK_TIMEOUT_MS);
      await redis.ping();
    })]);
    const checks = { database, redis: redisState };
    const failed = Object.entries(checks).filter(([, v]) => v !== 'ok').map(([k]) => k);
    if (failed.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    sendProblem(res, problemOf(503, 'not_ready', `unreachable: ${failed.join(', ')}`, { checks }));
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
