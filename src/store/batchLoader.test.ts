import { createBatchLoader } from './batchLoader.js';

/** A loadMany that records each call and answers `key → key.toUpperCase()` except for "missing". */
function recording() {
  const calls: string[][] = [];
  const loadMany = async (keys: string[]) => {
    calls.push(keys);
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
  };
  return { calls, loadMany };
}

describe('createBatchLoader', () => {
  it('answers every lookup made in one turn of the event loop with one call, each with its own row', async () => {
    const { calls, loadMany } = recording();
    const load = createBatchLoader(loadMany);
    const got = await Promise.all([load('a'), load('b'), load('missing'), load('c')]);
    expect(got).toEqual(['A', 'B', undefined, 'C']);
    expect(calls).toEqual([['a', 'b', 'missing', 'c']]);
  });

  it('asks for a key once however many lookups want it', async () => {
    const { calls, loadMany } = recording();
    const load = createBatchLoader(loadMany);
    expect(await Promise.all([load('a'), load('a'), load('b'), load('a')])).toEqual(['A', 'A', 'B', 'A']);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('sends a lookup made after a batch left in a batch of its own: nothing is answered from an earlier read', async () => {
    const { calls, loadMany } = recording();
    const load = createBatchLoader(loadMany);
    await load('a');
    await load('a');
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('splits a turn with more keys than maxBatch into several calls', async () => {
    const { calls, loadMany } = recording();
    const load = createBatchLoader(loadMany, { maxBatch: 2 });
    expect(await Promise.all(['a', 'b', 'c', 'd', 'e'].map(load))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('rejects every lookup of a failed call with its error, and only those', async () => {
    const load = createBatchLoader(async (keys: string[]) => {
      if (keys.includes('bad')) throw new Error('database unavailable');
      return new Map(keys.map((k) => [k, k]));
    }, { maxBatch: 2 });
    const results = await Promise.allSettled([load('bad'), load('x'), load('y')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('database unavailable');
    expect(await load('x')).toBe('x');
  });
});
