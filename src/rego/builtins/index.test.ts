import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTable, builtins } from './index.js';

const folder = join(process.cwd(), 'src', 'rego', 'builtins');

const familyA = [
  'plus', 'minus', 'mul', 'div', 'rem', 'and', 'or', 'equal', 'neq', 'lt', 'lte', 'gt', 'gte',
  'internal.member_2', 'internal.member_3',
  'abs', 'round', 'ceil', 'floor', 'numbers.range', 'numbers.range_step', 'rand.intn',
  'count', 'sum', 'product', 'max', 'min', 'sort',
  'array.concat', 'array.slice', 'array.reverse', 'intersection', 'union',
  'object.get', 'object.keys', 'object.remove', 'object.union', 'object.union_n', 'object.filter', 'object.subset',
  'json.filter', 'json.remove', 'json.patch',
  'is_number', 'is_string', 'is_boolean', 'is_array', 'is_set', 'is_object', 'is_null', 'type_name',
  'base64.encode', 'base64.decode', 'base64.is_valid', 'base64url.encode', 'base64url.encode_no_pad', 'base64url.decode',
  'hex.encode', 'hex.decode', 'json.marshal', 'json.marshal_with_options', 'json.unmarshal', 'json.is_valid',
  'urlquery.encode', 'urlquery.decode', 'urlquery.encode_object', 'urlquery.decode_object',
  'yaml.marshal', 'yaml.unmarshal', 'yaml.is_valid',
  'walk', 'bits.and', 'bits.or', 'bits.xor', 'bits.negate', 'bits.lsh', 'bits.rsh',
  'units.parse', 'units.parse_bytes', 'semver.compare', 'semver.is_valid', 'uuid.rfc4122', 'uuid.parse', 'print',
];

describe('the builtin table', () => {
  it('holds every builtin of family A under its OPA name', () => {
    expect(familyA.filter((name) => !builtins.has(name))).toEqual([]);
  });

  it('keys each builtin by its own name with a usable arity', () => {
    for (const [name, b] of builtins) {
      expect(b.name).toBe(name);
      expect(b.arity === -1 || (Number.isInteger(b.arity) && b.arity >= 0)).toBe(true);
    }
  });

  it('marks the random builtins nondeterministic', () => {
    expect(builtins.get('rand.intn')?.nondeterministic).toBe(true);
    expect(builtins.get('uuid.rfc4122')?.nondeterministic).toBe(true);
    expect(builtins.get('count')?.nondeterministic).toBeFalsy();
  });

  it('imports every family file in the folder', () => {
    const index = readFileSync(join(folder, 'index.ts'), 'utf8');
    const familyFiles = readdirSync(folder)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /^export const \w+Builtins\b/m.test(readFileSync(join(folder, f), 'utf8')));
    expect(familyFiles.length).toBeGreaterThan(10);
    expect(familyFiles.filter((f) => !index.includes(`from './${f.replace(/\.ts$/, '.js')}'`))).toEqual([]);
  });

  it('refuses a name registered twice', () => {
    const b = { name: 'x', arity: 0, fn: () => null };
    expect(() => buildTable([[b], [b]])).toThrow('builtin x is registered twice');
  });
});
