import { call, errorOf, js, rego, testContext } from './testkit.js';

describe('uuid.rfc4122', () => {
  it('gives a version 4 UUID, the same for the same key within an evaluation', () => {
    const ctx = testContext();
    const a = call('uuid.rfc4122', ['1'], ctx) as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call('uuid.rfc4122', ['1'], ctx)).toBe(a);
    expect(call('uuid.rfc4122', ['2'], ctx)).not.toBe(a);
    expect(call('uuid.rfc4122', ['1'], testContext())).not.toBe(a);
  });

  it('refuses a non-string key', () => {
    expect(errorOf('uuid.rfc4122', [42]).kind).toBe('type');
  });
});

describe('uuid.parse', () => {
  it.each<[string, unknown]>([
    ['b01d0062-a116-11ee-822b-7ab0b9e5e0c0', { clocksequence: 555, macvariables: 'local:unicast', nodeid: '7a-b0-b9-e5-e0-c0', time: 1703282931110717000n, variant: 'RFC4122', version: 1 }],
    ['b700c334-a128-11ee-bfff-7ab0b9e5e0c0', { clocksequence: 16383, macvariables: 'local:unicast', nodeid: '7a-b0-b9-e5-e0-c0', time: 1703290673610834000n, variant: 'RFC4122', version: 1 }],
    ['000003e8-a129-21ee-ae00-325096b39f47', { clocksequence: 11776, domain: 'Person', id: 1000, macvariables: 'local:unicast', nodeid: '32-50-96-b3-9f-47', time: 1703290796079613600n, variant: 'RFC4122', version: 2 }],
    ['c6db027c-615c-3b4d-959e-1a917747ca5a', { variant: 'RFC4122', version: 3 }],
    ['a6342df8-7801-469c-b3f3-c5317a0ebdaa', { variant: 'RFC4122', version: 4 }],
    ['1EC9414C-232A-6B00-B3C8-9E6BDECED846', { variant: 'RFC4122', version: 6, time: 1645557742000000000 }],
    ['017F22E2-79B0-7CC3-98C4-DC0C0C07398F', { variant: 'RFC4122', version: 7, time: 1645557742000000000 }],
    ['{320C3D4D-CC00-875B-8EC9-32D5F69181C0}', { variant: 'RFC4122', version: 8 }],
    ['urn:uuid:a6342df8-7801-469c-b3f3-c5317a0ebdaa', { variant: 'RFC4122', version: 4 }],
    ['a6342df87801469cc3f3c5317a0ebdaa', { variant: 'Microsoft', version: 4 }],
  ])('reads the fields of %p', (text, want) => {
    expect(rego(call('uuid.parse', [text]))).toBe(js(want));
  });

  it('is undefined for a string that is not a UUID', () => {
    expect(call('uuid.parse', ['not-valid'])).toBeUndefined();
    expect(call('uuid.parse', ['a6342df8-7801-469c-b3f3-c5317a0ebdaZ'])).toBeUndefined();
  });

  it('refuses a non-string', () => {
    expect(errorOf('uuid.parse', [42]).kind).toBe('type');
  });
});
