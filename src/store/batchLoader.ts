/**
 * Coalesces point lookups made in the same turn of the event loop into one query. Under load
 * many requests reach the same lookup together; sending them as one `= ANY($1)` query costs
 * one round trip instead of one each. Nothing is cached: every `load` is answered by a query
 * sent after it was called, so a change committed before the call is always seen.
 */

/** Fetches the rows for `keys` (distinct, at most `maxBatch`), keyed as asked. */
export type LoadMany<K, V> = (keys: K[]) => Promise<Map<K, V>>;

export interface BatchLoaderOptions {
  /** Most keys in one query; a larger batch is split. */
  maxBatch?: number;
}

/** `load(key)` resolves to the row for `key`, or undefined when there is none. */
export type BatchLoader<K, V> = (key: K) => Promise<V | undefined>;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

export function createBatchLoader<K, V>(loadMany: LoadMany<K, V>, opts: BatchLoaderOptions = {}): BatchLoader<K, V> {
  const maxBatch = opts.maxBatch ?? 100;
  let queued = new Map<K, Array<Waiter<V>>>();
  let scheduled = false;

  const settle = async (batch: Map<K, Array<Waiter<V>>>): Promise<void> => {
    try {
      const rows = await loadMany([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(rows.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  };

  const dispatch = (): void => {
    scheduled = false;
    const all = queued;
    queued = new Map();
    let batch = new Map<K, Array<Waiter<V>>>();
    for (const entry of all) {
      batch.set(...entry);
      if (batch.size === maxBatch) {
        void settle(batch);
        batch = new Map();
      }
    }
    if (batch.size > 0) void settle(batch);
  };

  return (key) => new Promise<V | undefined>((resolve, reject) => {
    const waiters = queued.get(key);
    if (waiters) waiters.push({ resolve, reject });
    else queued.set(key, [{ resolve, reject }]);
    // setImmediate runs after the poll phase: every request read in this turn joins the batch.
    if (!scheduled) {
      scheduled = true;
      setImmediate(dispatch);
    }
  });
}
