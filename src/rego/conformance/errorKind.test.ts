import { isRightKind } from './errorKind.js';

describe('isRightKind', () => {
  it('wants a parse or compile error for a syntax message', () => {
    expect(isRightKind('expecting EOF', 'rego_parse_error')).toBe(true);
    expect(isRightKind('`if` keyword is required before rule body', 'eval_type_error')).toBe(false);
  });

  it('wants a compile-time error for a wrong number of arguments', () => {
    expect(isRightKind('`abs` expects 1 argument', 'rego_type_error')).toBe(true);
    expect(isRightKind('`abs` expects 1 argument', 'eval_builtin_error')).toBe(false);
  });

  it('wants a recursion error for recursion and a conflict for multiple outputs', () => {
    expect(isRightKind('recursion detected', 'rego_recursion_error')).toBe(true);
    expect(isRightKind('recursion detected', 'eval_conflict_error')).toBe(false);
    expect(isRightKind('rules must not produce multiple outputs', 'eval_conflict_error')).toBe(true);
  });

  it('accepts any Rego error for other messages, but never a cancellation or a crash', () => {
    expect(isRightKind('`lower` expects string argument.', 'eval_type_error')).toBe(true);
    expect(isRightKind('`lower` expects string argument.', 'rego_type_error')).toBe(true);
    expect(isRightKind('`lower` expects string argument.', 'eval_cancel_error')).toBe(false);
    expect(isRightKind('`lower` expects string argument.', undefined)).toBe(false);
  });
});
