import { ObjectValue, SetValue, equals } from '../value/index.js';
import { UNDEFINED, decodeExpected, expectedValues } from './expected.js';
import { parseCaseYaml } from './yamlText.js';

const yaml = (text: string) => (parseCaseYaml(`v: ${text}`) as Map<string, unknown>).get('v');

describe('decodeExpected', () => {
  it('decodes set! as a set, not an array', () => {
    const v = decodeExpected(yaml('{set!: [1, "a", [2]]}'));
    expect(v).toBeInstanceOf(SetValue);
    expect(equals(v as SetValue, SetValue.from([1, 'a', [2]]))).toBe(true);
    expect(equals(v as SetValue, [1, 'a', [2]])).toBe(false);
  });

  it('decodes object! entries with non-string keys', () => {
    const v = decodeExpected(yaml('{object!: [{key: [1], value: {set!: []}}, {key: 2, value: x}]}'));
    expect(equals(v as ObjectValue, ObjectValue.from([[[1], new SetValue()], [2, 'x']]))).toBe(true);
  });

  it('keeps typed plain keys as Rego keys', () => {
    const v = decodeExpected(yaml('{null: true, 7: w, "7": s}'));
    expect(equals(v as ObjectValue, ObjectValue.from([[null, true], [7, 'w'], ['7', 's']]))).toBe(true);
  });

  it('treats "#undefined" as undefined at the top and as an absent key inside objects', () => {
    expect(decodeExpected('#undefined')).toBe(UNDEFINED);
    expect(equals(decodeExpected(yaml('{a: 1, b: "#undefined"}')) as ObjectValue, ObjectValue.from([['a', 1]]))).toBe(true);
  });

  it('refuses "#undefined" inside an array', () => {
    expect(() => decodeExpected(yaml('[1, "#undefined"]'))).toThrow(/cannot stand/);
  });

  it('decodes nested sets inside sets', () => {
    const v = decodeExpected(yaml('{set!: [{set!: [6]}]}'));
    expect(equals(v as SetValue, SetValue.from([SetValue.from([6])]))).toBe(true);
  });
});

describe('expectedValues', () => {
  it('lists the items of many! and a single value otherwise', () => {
    expect(expectedValues(yaml('{many!: [1, 2]}'))).toEqual([1, 2]);
    expect(expectedValues(yaml('[1, 2]'))).toEqual([[1, 2]]);
  });

  it('drops undefined entries, which produce no value', () => {
    expect(expectedValues(yaml('{many!: [1, "#undefined"]}'))).toEqual([1]);
    expect(expectedValues('#undefined')).toEqual([]);
  });
});
