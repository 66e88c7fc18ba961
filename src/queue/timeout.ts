/**
 * A deadline for a Redis call: BullMQ waits for a connection that is not up yet instead of
 * failing, and a relay pass or a metrics scrape must not wait with it.
 */

/** `work`, or a rejection naming `what` after `ms` milliseconds (the work itself goes on). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late failure after the deadline is not an unhandled rejection
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
