/**
 * The builtin table: every family's builtins by name. The evaluator looks builtins up
 * here; builtins never import the evaluator.
 */
import { aggregateBuiltins } from './aggregates.js';
import { arrayBuiltins } from './arrays.js';
import { bitsBuiltins } from './bits.js';
import { cryptoBuiltins } from './crypto.js';
import { encodingBuiltins } from './encoding.js';
import { globBuiltins } from './glob.js';
import { jsonPatchBuiltins } from './jsonpatch.js';
import { jsonPathBuiltins } from './jsonpaths.js';
import { jwtBuiltins } from './jwt.js';
import { netBuiltins } from './net.js';
import { numberBuiltins } from './numbers.js';
import { objectBuiltins } from './objects.js';
import { operatorBuiltins } from './operators.js';
import { printBuiltins } from './print.js';
import { regexBuiltins } from './regex.js';
import { semverBuiltins } from './semver.js';
import { serializationBuiltins } from './serialization.js';
import { setBuiltins } from './sets.js';
import { sprintfBuiltins } from './sprintf.js';
import { stringsBuiltins } from './strings.js';
import { timeBuiltins } from './time.js';
import { typeBuiltins } from './typenames.js';
import type { Builtin, BuiltinTable } from './types.js';
import { unitsBuiltins } from './units.js';
import { uuidBuiltins } from './uuid.js';
import { walkBuiltins } from './walk.js';

/** Every family, one array per file. */
export const families: ReadonlyArray<readonly Builtin[]> = [
  operatorBuiltins,
  numberBuiltins,
  aggregateBuiltins,
  arrayBuiltins,
  setBuiltins,
  objectBuiltins,
  jsonPathBuiltins,
  jsonPatchBuiltins,
  typeBuiltins,
  encodingBuiltins,
  serializationBuiltins,
  walkBuiltins,
  bitsBuiltins,
  unitsBuiltins,
  semverBuiltins,
  uuidBuiltins,
  printBuiltins,
  stringsBuiltins,
  regexBuiltins,
  globBuiltins,
  timeBuiltins,
  sprintfBuiltins,
  cryptoBuiltins,
  netBuiltins,
  jwtBuiltins,
];

/** Builds a table from families; a name registered twice is a programming error. */
export function buildTable(groups: ReadonlyArray<readonly Builtin[]>): BuiltinTable {
  const table = new Map<string, Builtin>();
  for (const b of groups.flat()) {
    if (table.has(b.name)) throw new Error(`builtin ${b.name} is registered twice`);
    table.set(b.name, b);
  }
  return table;
}

/** Every builtin the engine knows, by name. */
export const builtins: BuiltinTable = buildTable(families);

export type { Builtin, BuiltinContext, BuiltinTable } from './types.js';
export { BuiltinError } from './types.js';
