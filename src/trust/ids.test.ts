import { newId, newTimeOrderedId } from './ids.js';

describe('newTimeOrderedId', () => {
  it('sorts ids of later milliseconds after earlier ones, as text', () => {
    const times = [0, 1, 15, 16, 255, 256, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const ids = times.map((t) => newTimeOrderedId('dec', new Date(t)));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('keeps 128 random bits after the time: ids of one millisecond differ', () => {
    const at = new Date('2026-11-25T12:00:00Z');
    const ids = Array.from({ length: 1000 }, () => newTimeOrderedId('dec', at));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^dec_[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
    expect(ids[0].slice(4, 16)).toBe(at.getTime().toString(16).padStart(12, '0'));
  });
});

describe('newId', () => {
  it('is the prefix and 160 random bits, never repeated', () => {
    const ids = Array.from({ length: 1000 }, () => newId('key'));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^key_[A-Za-z0-9_-]{27}$/);
  });
});
