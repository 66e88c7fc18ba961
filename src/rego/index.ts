/**
 * Public surface of the Rego engine.
 */
export { RegoEngine } from './engine.js';
export type { EvalOptions, EvalResult, EvalValueResult, PreparedQuery, RegoEngineOptions } from './engine.js';
export { RegoError, raise } from './errors.js';
export type { RegoErrorCode } from './errors.js';
export { parseModule, parseQuery } from './parser/index.js';
export type { ParseOptions } from './parser/index.js';
export type { Module, Body, Location } from './ast/nodes.js';
export { Limiter } from './limits.js';
export type { LimitOptions } from './limits.js';
export {
  ObjectValue, SetValue, compare, equals, sortValues, fromJS, toJS, stringifyJSON, canonicalKey,
} from './value/index.js';
export type { Value } from './value/index.js';
export { builtins, BuiltinError } from './builtins/index.js';
export type { Builtin, BuiltinContext, BuiltinTable } from './builtins/index.js';
