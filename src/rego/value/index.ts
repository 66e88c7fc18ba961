export { ObjectValue, SetValue, canonicalKey, isPrimitive, type Primitive, type Value } from './types.js';
export { compare, compareStrings, equals, sortValues } from './compare.js';
export { fromJS, toJS, stringifyJSON, ValueConversionError } from './json.js';
export * as num from './number.js';
export type { RegoNumber } from './number.js';
export { formatRego } from './format.js';
