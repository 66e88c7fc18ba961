import { indentFlowContinuations, parseCaseYaml, YamlLoadError } from './yamlText.js';

describe('parseCaseYaml', () => {
  it('keeps the YAML type of map keys', () => {
    const doc = parseCaseYaml('null: a\ntrue: b\n7: c\n"s": d\n') as Map<unknown, unknown>;
    expect([...doc.keys()]).toEqual([null, true, 7n, 's']);
  });

  it('reads integers beyond 2^53 exactly', () => {
    expect(parseCaseYaml('n: 1000000000000000000001\n')).toEqual(new Map([['n', 1000000000000000000001n]]));
  });

  it('accepts a flow list whose lines sit at its key\'s indentation', () => {
    const text = 'x:\n  set!: [\n  "a",\n  "b",\n  ]\ny: 1\n';
    expect(parseCaseYaml(text)).toEqual(new Map<unknown, unknown>([['x', new Map([['set!', ['a', 'b']]])], ['y', 1n]]));
  });

  it('rejects text that is not YAML', () => {
    expect(() => parseCaseYaml('a: [1, 2\nb: }')).toThrow(YamlLoadError);
  });
});

describe('indentFlowContinuations', () => {
  it('indents continuation lines past the key and leaves deeper lines alone', () => {
    expect(indentFlowContinuations('  k: [\n  1,\n      2,\n  ]\n  z: 3')).toBe('  k: [\n    1,\n      2,\n    ]\n  z: 3');
  });

  it('ignores brackets inside quoted strings', () => {
    expect(indentFlowContinuations('k: [\n"]",\n]\nz: 1')).toBe('k: [\n  "]",\n  ]\nz: 1');
  });
});
