/**
 * Redis connections. Commands fail fast while Redis is down instead of queueing, so a
 * request never hangs on it; ioredis keeps reconnecting in the background.
 */
import { Redis } from 'ioredis';

export interface RedisOptions {
  /** Prefix for every key (tests use one per run). */
  keyPrefix?: string;
}

export function openRedis(url: string, opts: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    keyPrefix: opts.keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors surface through failed commands and /readyz; without a listener
  // ioredis would print each one.
  redis.on('error', () => undefined);
  redis.connect().catch(() => undefined);
  return redis;
}

/**
 * Resolves once the connection is ready (or at once if it is), rejects after `timeoutMs`.
 * A command sent while still connecting would fail at once, since nothing is queued.
 */
export function whenRedisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`not connected within ${timeoutMs} ms (${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
