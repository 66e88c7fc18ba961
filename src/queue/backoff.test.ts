import { retryDelay } from './backoff.js';

describe('retryDelay', () => {
  const opts = { baseMs: 100, maxMs: 1000 };

  it('doubles the nominal delay with each retry, up to the maximum', () => {
    const highest = (retry: number) => retryDelay(retry, opts, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(highest)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('never waits less than half the nominal delay', () => {
    const lowest = (retry: number) => retryDelay(retry, opts, () => 0);
    expect([1, 2, 3, 4, 5].map(lowest)).toEqual([50, 100, 200, 400, 500]);
  });

  it('spreads retries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelay(3, opts)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(200);
  });

  it('refuses a retry number below 1', () => {
    expect(() => retryDelay(0, opts)).toThrow(RangeError);
  });

  it('stays finite for very late retries', () => {
    expect(retryDelay(5000, opts, () => 0.5)).toBe(750);
  });
});
