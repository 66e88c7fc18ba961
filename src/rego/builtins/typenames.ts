/**
 * Type builtins (OPA's "types" family): `is_*` tests and `type_name`. The file is not
 * called types.ts because that name holds the builtin contract.
 */
import type { Value } from '../value/index.js';
import { typeName, type TypeName } from './args.js';
import type { Builtin } from './types.js';

/** `is_<type>(x)`: true when x has that type, false otherwise (never undefined). */
function typeTest(type: TypeName): Builtin {
  return { name: `is_${type}`, arity: 1, fn: (args: Value[]) => typeName(args[0]) === type };
}

/** The type family. */
export const typeBuiltins: Builtin[] = [
  ...(['number', 'string', 'boolean', 'array', 'set', 'object', 'null'] as const).map(typeTest),
  { name: 'type_name', arity: 1, fn: (args) => typeName(args[0]) },
];
