/**
 * Retry delays for deliveries: exponential back-off with "equal jitter", so receivers that
 * failed together (an outage) are not hit again by every retry at the same instant, while a
 * retry never comes sooner than half its nominal delay.
 */

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  baseMs: number;
  /** Largest delay, in milliseconds. */
  maxMs: number;
}

/**
 * The delay before retry number `retry` (1 for the retry after the first failed attempt):
 * nominal = min(maxMs, baseMs · 2^(retry−1)), result uniformly in [nominal/2, nominal].
 * @param random a number in [0, 1), injectable for tests
 */
export function retryDelay(retry: number, opts: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retryDelay: retry must be a positive integer, got ${retry}`);
  const nominal = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(retry - 1, 40));
  const half = nominal / 2;
  return Math.round(half + random() * half);
}
