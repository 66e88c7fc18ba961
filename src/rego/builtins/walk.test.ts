import { builtins } from './index.js';
import { call, js, rego } from './testkit.js';

describe('walk', () => {
  it('is a relation', () => {
    expect(builtins.get('walk')?.relation).toBe(true);
  });

  it('yields the root first, then every nested value with its path', () => {
    const got = call('walk', [{ b: [10, new Set(['s'])], a: 1 }]);
    expect(rego(got)).toBe(js([
      [[], { b: [10, new Set(['s'])], a: 1 }],
      [['a'], 1],
      [['b'], [10, new Set(['s'])]],
      [['b', 0], 10],
      [['b', 1], new Set(['s'])],
      [['b', 1, 's'], 's'],
    ]));
  });

  it('yields a scalar once with the empty path', () => {
    expect(rego(call('walk', [3]))).toBe(js([[[], 3]]));
  });
});
