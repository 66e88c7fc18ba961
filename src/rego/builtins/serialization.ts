/**
 * JSON and YAML builtins: marshal, unmarshal, is_valid, and json.marshal_with_options.
 */
import { parse as parseYAML, stringify as stringifyYAML, type Tags } from 'yaml';
import { fromJS, toJS, type Value } from '../value/index.js';
import { builtinError, ensureObject, ensureString, operandError, typeName } from './args.js';
import { parseJSON, writeJSON, type JSONLayout } from './jsontext.js';
import type { Builtin } from './types.js';

/** Reads the options object of json.marshal_with_options into a layout. */
function layoutOf(args: Value[]): JSONLayout | undefined {
  const name = 'json.marshal_with_options';
  const opts = ensureObject(args, 1, name);
  let pretty: boolean | undefined, indent: string | undefined, prefix: string | undefined;
  for (const [k, v] of opts.entries()) {
    if (k === 'pretty' && typeof v === 'boolean') pretty = v;
    else if (k === 'indent' && typeof v === 'string') indent = v;
    else if (k === 'prefix' && typeof v === 'string') prefix = v;
    else throw operandError(name, 1, `has invalid option ${writeJSON(k)} of type ${typeName(v)}`);
  }
  // An indent or a prefix implies pretty output unless `pretty: false` says otherwise.
  if (!(pretty ?? (indent !== undefined || prefix !== undefined))) return undefined;
  return { indent: indent ?? '\t', prefix: prefix ?? '' };
}

function marshalWithOptions(args: Value[]): Value {
  const layout = layoutOf(args);
  if (layout === undefined) return writeJSON(args[0]);
  return (layout.prefix ?? '') + writeJSON(args[0], layout);
}

function jsonUnmarshal(args: Value[]): Value {
  const text = ensureString(args, 0, 'json.unmarshal');
  try {
    return parseJSON(text);
  } catch (e) {
    throw builtinError('json.unmarshal', (e as Error).message);
  }
}

function succeeds(op: () => unknown): boolean {
  try {
    op();
    return true;
  } catch {
    return false;
  }
}

/**
 * OPA reads YAML with Go's yaml.v2, which follows YAML 1.1 (`yes` is true) but leaves
 * timestamps as strings once converted to JSON. Integers are read as bigints so large
 * ones stay exact.
 */
const YAML_READ = {
  version: '1.1',
  intAsBigInt: true,
  uniqueKeys: true,
  customTags: (tags: Tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
} as const;

function readYAML(text: string): Value {
  return fromJS(parseYAML(text, YAML_READ));
}

function yamlUnmarshal(args: Value[]): Value {
  const text = ensureString(args, 0, 'yaml.unmarshal');
  try {
    return readYAML(text);
  } catch (e) {
    throw builtinError('yaml.unmarshal', (e as Error).message);
  }
}

/**
 * Block style, keys sorted, sequences flush with their key, and YAML 1.1 quoting (so the
 * string `yes` stays a string), as Go's yaml.v2 writes them.
 */
function yamlMarshal(args: Value[]): Value {
  return stringifyYAML(toJS(args[0]), { indentSeq: false, version: '1.1' });
}

/** JSON and YAML builtins. */
export const serializationBuiltins: Builtin[] = [
  { name: 'json.marshal', arity: 1, fn: (args) => writeJSON(args[0]) },
  { name: 'json.marshal_with_options', arity: 2, fn: marshalWithOptions },
  { name: 'json.unmarshal', arity: 1, fn: jsonUnmarshal },
  { name: 'json.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && succeeds(() => parseJSON(args[0] as string)) },
  { name: 'yaml.marshal', arity: 1, fn: yamlMarshal },
  { name: 'yaml.unmarshal', arity: 1, fn: yamlUnmarshal },
  { name: 'yaml.is_valid', arity: 1, fn: (args) => typeof args[0] === 'string' && succeeds(() => readYAML(args[0] as string)) },
];
