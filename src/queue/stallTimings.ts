/**
 * BullMQ's job lock and stall check, derived from FANOUT_LOCK_MS so that a killed worker's job
 * is taken up again within that time, as documented. A live worker renews its lock every
 * `lockDuration / 2`; once the worker dies the lock expires at most `lockDuration` later. A stall
 * check runs every `stalledInterval` (one at a time across the queue's workers, so two checks may
 * be up to two intervals apart) and moves a job back to the front of the queue when an earlier
 * check marked it and its lock is gone. At worst, then: lockDuration + 2 × stalledInterval =
 * (2/3 + 2/8) × lockMs = 11/12 of it, leaving the rest for picking the job up. With BullMQ's
 * defaults (both at lockMs) it took up to lockMs + 2 × lockMs: 48–66 s were measured for 30 s.
 */

export interface StallTimings {
  /** BullMQ `lockDuration`: how long a lock lasts unrenewed. */
  lockDuration: number;
  /** BullMQ `stalledInterval`: how often workers look for jobs whose lock is gone. */
  stalledInterval: number;
}

export function stallTimings(lockMs: number): StallTimings {
  return { lockDuration: Math.round((lockMs * 2) / 3), stalledInterval: Math.max(1, Math.round(lockMs / 8)) };
}
