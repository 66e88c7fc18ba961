import { stallTimings } from './stallTimings.js';

describe('stallTimings', () => {
  it.each([500, 2000, 30_000, 600_000])('keeps the worst case for a killed worker (lock expiry, then two stall checks) within FANOUT_LOCK_MS = %i', (lockMs) => {
    const { lockDuration, stalledInterval } = stallTimings(lockMs);
    expect(lockDuration + 2 * stalledInterval).toBeLessThanOrEqual(lockMs);
    // A live job's lock is renewed (every lockDuration / 2) well before it could expire, and a
    // stall check comes between a renewal and the expiry, so a killed job is marked in time.
    expect(stalledInterval).toBeLessThan(lockDuration / 2);
  });

  it('gives the 30 s default a 20 s lock, renewed every 10 s, and a check every 3.75 s', () => {
    expect(stallTimings(30_000)).toEqual({ lockDuration: 20_000, stalledInterval: 3750 });
  });
});
