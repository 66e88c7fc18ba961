/**
 * Tokens of the Rego lexer. Words (names and keywords alike) are `ident` tokens: whether
 * a word is a keyword depends on where it stands and on the module's Rego version, which
 * only the parser knows (`input.if` is a plain field, `if` after a rule head is not).
 */
import type { Location } from '../ast/nodes.js';

/** The kinds of token. `punct` covers operators and brackets; its `text` says which. */
export type TokenKind = 'ident' | 'number' | 'string' | 'eof' | 'punct';

/** Every operator and bracket the lexer recognises, longest first where they share a prefix. */
export const PUNCTUATION = [
  ':=', '==', '!=', '<=', '>=',
  '{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '|', '&',
] as const;

/** One token with its span. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token (for strings, including quotes). */
  text: string;
  /** The decoded contents of a string token (escapes resolved). */
  value?: string;
  /** A raw (backtick) string. */
  raw?: boolean;
  loc: Location;
  /** Whitespace or a comment separates this token from the previous one. */
  spaceBefore: boolean;
  /** A line break separates this token from the previous one. */
  newlineBefore: boolean;
}
