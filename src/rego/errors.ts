/**
 * The one error type the engine raises, with OPA's error codes.
 */
import type { Location } from './ast/nodes.js';

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_cancel_error';

export class RegoError extends Error {
  override name = 'RegoError';
  constructor(
    readonly code: RegoErrorCode,
    message: string,
    readonly location?: Location,
  ) {
    super(location ? `${location.file}:${location.line}:${location.col}: ${code}: ${message}` : `${code}: ${message}`);
  }
}

/**
 * Raises a RegoError at `loc`. When the source text is given, the message also shows the
 * offending line and a caret under the column.
 */
export function raise(code: RegoErrorCode, message: string, loc?: Location, source?: string): never {
  if (loc && source !== undefined) {
    const line = source.split('\n')[loc.line - 1] ?? '';
    throw new RegoError(code, `${message}\n\t${line}\n\t${' '.repeat(Math.max(0, loc.col - 1))}^`, loc);
  }
  throw new RegoError(code, message, loc);
}
