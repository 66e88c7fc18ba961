/**
 * The parser's cursor over the token stream, with the mode that decides which words are
 * keywords, the nesting depth guard and the error helpers every parse function shares.
 */
import type { Location, Term } from '../ast/nodes.js';
import { raise } from '../errors.js';
import { Lexer, type LexerMark, type Token } from '../lexer/index.js';

/** The words whose keyword status depends on the Rego version and on `future.keywords` imports. */
export const FUTURE_KEYWORDS = ['if', 'contains', 'in', 'every'] as const;

/** Words that are keywords in every version and can never name a variable. */
const RESERVED = new Set(['not', 'some', 'with', 'as', 'else', 'default', 'package', 'import']);

/** Deepest nesting of terms and bodies accepted before the parser gives up. */
export const MAX_DEPTH = 300;

/** A saved parser position. */
export interface ParserMark {
  readonly lexer: LexerMark;
  readonly lastLoc: Location;
}

/** A memoized composite: its term and where it ended, or the error it raised. */
export interface ParsedComposite {
  term?: Term;
  end?: ParserMark;
  error?: unknown;
}

/**
 * A parse error raised inside a speculative parse: cheap to make (no source excerpt and,
 * not being an Error, no stack trace), and turned into a RegoError if it escapes the
 * outermost speculation.
 */
export class SpeculativeFailure {
  constructor(
    readonly reason: string,
    readonly loc: Location,
  ) {}
}

/** Parser state shared by the parse functions of this folder. */
export class ParserState {
  readonly lexer: Lexer;
  /** The syntax currently in force (a v0 module switches to v1 on `import rego.v1`). */
  v1: boolean;
  /** Keywords enabled in v0 by `import future.keywords…`. */
  readonly futureKeywords = new Set<string>();
  private depth = 0;
  /** How many speculative parses (`attempt`) are running. */
  private speculating = 0;
  /** Composite terms already parsed (or known not to parse), by start offset (see terms.ts). */
  readonly composites = new Map<number, ParsedComposite>();
  /**
   * Inside parentheses, brackets and literals a line break does not end the expression;
   * inside a body it does.
   */
  multiline = false;
  /** End offset and location of the last consumed token, for closing spans. */
  private lastLoc: Location;

  constructor(
    readonly file: string,
    readonly source: string,
    regoVersion: 'v0' | 'v1',
  ) {
    this.lexer = new Lexer(file, source);
    this.v1 = regoVersion === 'v1';
    this.lastLoc = { file, line: 1, col: 1, start: 0, end: 0 };
  }

  /** The next token, not consumed. */
  peek(): Token {
    return this.lexer.peek();
  }

  /** Consumes the next token. */
  next(): Token {
    const tok = this.lexer.next();
    this.lastLoc = tok.loc;
    return tok;
  }

  /** Where the parser stands, to come back to with `reset` when a speculative parse fails. */
  mark(): ParserMark {
    return { lexer: this.lexer.save(), lastLoc: this.lastLoc };
  }

  /** Returns to a position taken by `mark`. */
  reset(mark: ParserMark): void {
    this.lexer.restore(mark.lexer);
    this.lastLoc = mark.lastLoc;
  }

  /**
   * Tries `attempt`. When it declines (returns undefined), or fails with a parse error and
   * `retry()` (asked where the failure stopped) agrees, rewinds to where it started and
   * returns undefined so the caller can parse another way.
   */
  attempt<T>(attempt: () => T | undefined, retry: () => boolean): T | undefined {
    const start = this.mark();
    let result: T | undefined;
    let failure: unknown;
    this.speculating++;
    try {
      result = attempt();
    } catch (e) {
      failure = e;
    } finally {
      this.speculating--;
    }
    if (failure !== undefined && (!(failure instanceof SpeculativeFailure) || !retry())) this.rethrow(failure);
    if (result === undefined) this.reset(start);
    return result;
  }

  /** Throws `e` again; a speculative failure becomes a RegoError once no speculation is running. */
  rethrow(e: unknown): never {
    if (e instanceof SpeculativeFailure) return this.fail(e.reason, e.loc);
    throw e;
  }

  /** The token after the next one. */
  peek2(): Token {
    const ahead = this.lexer.fork();
    ahead.next();
    return ahead.peek();
  }

  /** The next token is the punctuation `text`. */
  at(text: string): boolean {
    const tok = this.peek();
    return tok.kind === 'punct' && tok.text === text;
  }

  /** The next token is the word `word` (keyword status not considered). */
  atWord(word: string): boolean {
    const tok = this.peek();
    return tok.kind === 'ident' && tok.text === word;
  }

  /** Consumes the punctuation `text` if it is next. */
  eat(text: string): boolean {
    if (!this.at(text)) return false;
    this.next();
    return true;
  }

  /** Consumes the punctuation `text` or fails saying it was expected. */
  expect(text: string): Token {
    if (!this.at(text)) this.unexpected(`expected \`${text}\``);
    return this.next();
  }

  /** Whether a version-dependent keyword is a keyword here. */
  keywordEnabled(word: string): boolean {
    return this.v1 || this.futureKeywords.has(word);
  }

  /** Whether `tok` is a word that may not name a variable in the current mode. */
  isReservedWord(tok: Token): boolean {
    if (tok.kind !== 'ident') return false;
    if (RESERVED.has(tok.text)) return true;
    return (FUTURE_KEYWORDS as readonly string[]).includes(tok.text) && this.keywordEnabled(tok.text);
  }

  /** The span from `start` to the end of the last consumed token. */
  span(start: Location): Location {
    return { ...start, end: Math.max(start.end, this.lastLoc.end) };
  }

  /** Raises a parse error at `loc` (default: the next token). */
  fail(message: string, loc: Location = this.peek().loc): never {
    // Speculative parses fail often; the source excerpt is only worth building for a real error.
    if (this.speculating > 0) throw new SpeculativeFailure(message, loc);
    return raise('rego_parse_error', message, loc, this.source);
  }

  /** Raises "unexpected X" at the next token, with an optional hint of what was expected. */
  unexpected(expected?: string): never {
    const tok = this.peek();
    const what = describe(tok, this.isReservedWord(tok));
    return this.fail(expected ? `unexpected ${what}: ${expected}` : `unexpected ${what}`);
  }

  /** Runs `fn` with line breaks significant (`false`, in bodies) or not (`true`, in brackets). */
  withMultiline<T>(multiline: boolean, fn: () => T): T {
    const saved = this.multiline;
    this.multiline = multiline;
    try {
      return fn();
    } finally {
      this.multiline = saved;
    }
  }

  /** Runs `fn` one nesting level deeper, failing cleanly past MAX_DEPTH. */
  nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      this.fail(`nesting too deep (more than ${MAX_DEPTH} levels)`);
    }
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}

/** A token as error messages name it. */
export function describe(tok: Token, keyword = false): string {
  switch (tok.kind) {
    case 'eof': return 'end of input';
    case 'ident': return keyword ? `keyword \`${tok.text}\`` : `identifier \`${tok.text}\``;
    case 'number': return `number ${tok.text}`;
    case 'string': return `string ${tok.text.length > 40 ? tok.text.slice(0, 37) + '…' : tok.text}`;
    default: return `\`${tok.text}\``;
  }
}
