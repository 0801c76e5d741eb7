import { type HintComment, type Token, tokenize } from './lexer.ts';
import type { SqlSource } from './source.ts';
import { SqlError } from './sql-error.ts';

/** Walks the tokens of one script; every parse function takes it and moves it forward. */
export class Cursor {
  readonly source: SqlSource;
  private readonly tokens: Token[];
  private index = 0;
  /** The hints a parse function has taken (see takeHint). */
  private readonly taken = new Set<HintComment>();

  /** `tokens`: those of a part of the script (a hint's); all of it by default. */
  constructor(source: SqlSource, tokens: Token[] = tokenize(source)) {
    this.source = source;
    this.tokens = tokens;
  }

  /** The `/*+ … *\/` hint right before the current token, if any; it counts as read. */
  takeHint(): HintComment | undefined {
    const hint = this.token.hint;
    if (hint) this.taken.add(hint);
    return hint;
  }

  /** A hint no parse function has taken: one where Flink reads none. */
  unreadHint(): HintComment | undefined {
    return this.tokens.find((token) => token.hint && !this.taken.has(token.hint))?.hint;
  }

  get token(): Token {
    return this.tokens[this.index] as Token;
  }

  peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  atEnd(): boolean {
    return this.token.kind === 'eof';
  }

  get at(): number {
    return this.token.offset;
  }

  advance(): Token {
    const token = this.token;
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** Whether the current token is the (unquoted) keyword. */
  isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && token.upper === word;
  }

  isSymbol(symbol: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'symbol' && token.value === symbol;
  }

  /** Consumes the keywords if they all come next; otherwise consumes nothing. */
  acceptKeywords(...words: string[]): boolean {
    for (let i = 0; i < words.length; i++) if (!this.isKeyword(words[i] as string, i)) return false;
    this.index += words.length;
    return true;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.index++;
    return true;
  }

  expectKeywords(...words: string[]): void {
    for (const word of words) {
      if (!this.isKeyword(word)) throw this.unexpected(`expected ${word}`);
      this.index++;
    }
  }

  expectSymbol(symbol: string): Token {
    if (!this.isSymbol(symbol)) throw this.unexpected(`expected '${symbol}'`);
    return this.advance();
  }

  expectString(what: string): Token {
    if (this.token.kind !== 'string') throw this.unexpected(`expected ${what} as a quoted string`);
    return this.advance();
  }

  /** An error at the current token: "expected X, found Y". */
  unexpected(expected: string, hint?: string): SqlError {
    return new SqlError('SQL_SYNTAX', this.source, this.at, `${expected}, found ${describe(this.token)}`, hint);
  }

  error(offset: number, message: string, hint?: string, code = 'SQL_SYNTAX'): SqlError {
    return new SqlError(code, this.source, offset, message, hint);
  }
}

export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `'${token.value}'`;
    case 'quoted':
      return `\`${token.value}\``;
    default:
      return `'${token.value}'`;
  }
}
