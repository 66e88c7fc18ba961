/**
 * Whether an error is "of the right kind" for an error case. The expected text is another
 * engine's message, so it is not compared; instead a few unmistakable families of message
 * are mapped to the OPA error codes that can report them, and any other expected error is
 * met by any RegoError that is not a cancellation. A crash (a JS TypeError, say) never is.
 */
import type { RegoErrorCode } from '../errors.js';

const syntaxCodes: RegoErrorCode[] = ['rego_parse_error', 'rego_compile_error'];
const conflictCodes: RegoErrorCode[] = ['eval_conflict_error', 'rego_compile_error', 'rego_type_error'];

/** Message families whose kind is clear, with the codes that may report them. */
const families: Array<{ pattern: RegExp; codes: RegoErrorCode[] }> = [
  // A call with the wrong number of arguments is caught when the policy compiles.
  { pattern: /expects \d+ arguments?\b/, codes: ['rego_type_error', 'rego_compile_error', 'rego_parse_error'] },
  { pattern: /expecting EOF|expecting `|keyword is required|unexpected keyword|invalid whitespace/, codes: syntaxCodes },
  { pattern: /conflict|multiple outputs|generated multiple times/, codes: conflictCodes },
  { pattern: /recursion/, codes: ['rego_recursion_error'] },
];

const allCodes = new Set<string>([
  'rego_parse_error', 'rego_compile_error', 'rego_type_error', 'rego_unsafe_var_error', 'rego_recursion_error',
  'eval_conflict_error', 'eval_type_error', 'eval_builtin_error',
]);

/** The codes that count as the right kind of error for an expected message. */
export function acceptedCodes(expectedText: string): ReadonlySet<string> {
  const family = families.find((f) => f.pattern.test(expectedText));
  return family ? new Set(family.codes) : allCodes;
}

/** True when an error with `code` answers an error case expecting `expectedText`. */
export function isRightKind(expectedText: string, code: string | undefined): boolean {
  return code !== undefined && acceptedCodes(expectedText).has(code);
}
