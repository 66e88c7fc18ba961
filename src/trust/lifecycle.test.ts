import { canTransition, changesDeviceList, DEVICE_STATES, isContentEligible, TRANSITIONS, type DeviceState } from './lifecycle.js';

const allowed: Array<[DeviceState, DeviceState]> = [
  ['pending', 'trusted'], ['pending', 'restricted'], ['pending', 'revoked'], ['pending', 'retired'],
  ['trusted', 'restricted'], ['trusted', 'revoked'], ['trusted', 'replaced'], ['trusted', 'retired'],
  ['restricted', 'trusted'], ['restricted', 'revoked'], ['restricted', 'replaced'], ['restricted', 'retired'],
  ['revoked', 'retired'], ['replaced', 'retired'],
];

describe('the device lifecycle', () => {
  it('allows exactly the transitions of the design', () => {
    for (const from of DEVICE_STATES) {
      for (const to of DEVICE_STATES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect([from, to, canTransition(from, to)]).toEqual([from, to, expected]);
      }
    }
  });

  it('never lets a device leave revoked, replaced or retired for a trusted state', () => {
    for (const from of ['revoked', 'replaced', 'retired'] as const) {
      expect(TRANSITIONS[from].filter(isContentEligible)).toEqual([]);
    }
  });

  it('treats retired as terminal and nothing as a self-transition', () => {
    expect(TRANSITIONS.retired).toEqual([]);
    for (const s of DEVICE_STATES) expect(canTransition(s, s)).toBe(false);
  });

  it('changes the device list only when content eligibility flips', () => {
    expect(changesDeviceList('trusted', 'restricted')).toBe(false);
    expect(changesDeviceList('trusted', 'revoked')).toBe(true);
    expect(changesDeviceList('pending', 'trusted')).toBe(true);
    expect(changesDeviceList('pending', 'revoked')).toBe(false);
    expect(changesDeviceList('restricted', 'replaced')).toBe(true);
  });
});
