/** The Rego lexer: a pull tokenizer with spans. */
export { Lexer, type LexerMark } from './lexer.js';
export { PUNCTUATION, type Token, type TokenKind } from './token.js';
export { readQuotedString, readRawString, type StringRead } from './strings.js';
