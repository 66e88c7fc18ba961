import { call } from './testkit.js';

const samples: Array<[unknown, string]> = [
  [[], 'array'], [true, 'boolean'], [null, 'null'], [0, 'number'], [2n ** 70n, 'number'],
  [{}, 'object'], [new Set(), 'set'], ['abc', 'string'],
];

describe('type builtins', () => {
  it.each(samples)('type_name(%p) is %p', (x, name) => {
    expect(call('type_name', [x])).toBe(name);
  });

  it.each(samples)('only is_<type> of %p\'s own type is true', (x, name) => {
    for (const [, other] of samples) expect(call(`is_${other}`, [x])).toBe(other === name);
  });
});
