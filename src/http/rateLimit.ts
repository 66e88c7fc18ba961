/**
 * Fixed-window rate limits in Redis for unauthenticated routes: one counter per client
 * address, one per account handle (hashed: Redis never holds the handle). Over the limit is
 * a 429 with Retry-After. When Redis is unreachable the limited routes refuse (503): they
 * are the ones an attacker would flood, and they need Redis for their challenges anyway.
 */
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { sha256Hex } from '../trust/ids.js';
import { HttpError } from './problem.js';

export interface RateLimitOptions {
  redis: Redis;
  /** Requests per address per window. */
  perAddress: number;
  /** Requests per handle per window. */
  perHandle: number;
  windowSeconds: number;
  /** The account handle a request concerns, when it names one. */
  handleOf?: (req: Request) => string | undefined;
}

/** Counts one request in `key`'s window → [count, seconds left]. */
async function hit(redis: Redis, key: string, windowSeconds: number): Promise<[number, number]> {
  const r = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec();
  if (!r || r.some(([err]) => err)) throw new Error('rate-limit counter failed');
  return [Number(r[0][1]), Math.max(1, Number(r[2][1]))];
}

export function rateLimit(o: RateLimitOptions): RequestHandler {
  return async (req, res, next) => {
    const buckets: Array<[string, number]> = [[`enigm:rl:addr:${req.socket.remoteAddress ?? 'unknown'}`, o.perAddress]];
    const handle = o.handleOf?.(req);
    if (typeof handle === 'string' && handle !== '') buckets.push([`enigm:rl:handle:${sha256Hex(handle.trim().toLowerCase())}`, o.perHandle]);
    try {
      for (const [key, limit] of buckets) {
        const [count, retryAfter] = await hit(o.redis, key, o.windowSeconds);
        if (count > limit) {
          res.setHeader('Retry-After', String(retryAfter));
          req.log.warn({ bucket: key.startsWith('enigm:rl:addr:') ? 'address' : 'handle' }, 'rate limited');
          return next(new HttpError(429, 'rate_limited', `too many requests; retry in ${retryAfter} s`, { retryAfter }));
        }
      }
    } catch {
      return next(new HttpError(503, 'rate_limiter_unavailable', 'this route is unavailable while Redis is unreachable; try again shortly'));
    }
    next();
  };
}
