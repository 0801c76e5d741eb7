import { scan } from './scan.ts';
import type { SqlSource } from './source.ts';
import { SqlError } from './sql-error.ts';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol' | 'eof';

/**
 * `word` is an unquoted identifier or keyword (`upper` holds it upper-cased for keyword tests);
 * `quoted` a backquoted identifier; `string` a '...' literal with its quotes removed.
 */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly upper: string;
  readonly offset: number;
  readonly end: number;
  /** A `/*+ … *\/` comment right before the token: Flink's hint syntax, in tokens. */
  readonly hint?: HintComment;
}

/** The tokens of a `/*+ … *\/` comment (between its markers, ending with an `eof` at the `*\/`). */
export interface HintComment {
  readonly at: number;
  readonly tokens: readonly Token[];
}

const TWO_CHAR_SYMBOLS = new Set(['<>', '!=', '<=', '>=', '||', '=>']);
const ONE_CHAR_SYMBOLS = new Set([...'(),;.+-*/%=<>[]']);

function isIdentStart(c: string): boolean {
  return /[\p{L}_]/u.test(c);
}

function isIdentPart(c: string): boolean {
  return /[\p{L}\p{N}_$]/u.test(c);
}

export function tokenize(source: SqlSource): Token[] {
  return tokenizeRange(source, 0, source.text.length);
}

/** The tokens of the text between `from` and `to`, ending with an `eof` at `to`. */
function tokenizeRange(source: SqlSource, from: number, to: number): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let hint: HintComment | undefined;
  const push = (kind: TokenKind, value: string, offset: number, end: number) => {
    const upper = kind === 'word' ? value.toUpperCase() : value;
    tokens.push(hint ? { kind, value, upper, offset, end, hint } : { kind, value, upper, offset, end });
    hint = undefined;
  };
  for (const found of scan(text.slice(from, to))) {
    const stretch = { ...found, start: found.start + from, end: found.end + from };
    switch (stretch.kind) {
      case 'code':
        tokenizeCode(source, stretch.start, stretch.end, push);
        break;
      case 'comment':
        if (!stretch.closed)
          throw new SqlError('SQL_SYNTAX', source, stretch.start, 'comment is not closed', 'end it with */');
        if (text.startsWith('/*+', stretch.start))
          hint = { at: stretch.start, tokens: tokenizeRange(source, stretch.start + 3, stretch.end - 2) };
        break;
      case 'string':
        if (!stretch.closed)
          throw new SqlError(
            'SQL_SYNTAX',
            source,
            stretch.start,
            'string literal is not closed',
            "end it with ' (write '' for a quote inside)",
          );
        push('string', unquote(text, stretch.start, stretch.end), stretch.start, stretch.end);
        break;
      case 'quoted':
        if (!stretch.closed)
          throw new SqlError('SQL_SYNTAX', source, stretch.start, 'quoted identifier is not closed', 'end it with `');
        push('quoted', unquote(text, stretch.start, stretch.end), stretch.start, stretch.end);
        break;
    }
  }
  push('eof', '', to, to);
  return tokens;
}

/** The text between the quotes of a closed quotation, a doubled quote inside made one. */
function unquote(text: string, start: number, end: number): string {
  const quote = text[start] as string;
  return text.slice(start + 1, end - 1).replaceAll(quote + quote, quote);
}

/** The words, numbers and symbols of the code between `from` and `to`. */
function tokenizeCode(
  source: SqlSource,
  from: number,
  to: number,
  push: (kind: TokenKind, value: string, offset: number, end: number) => void,
): void {
  const text = source.text;
  let i = from;
  while (i < to) {
    const c = text[i] as string;
    const next = i + 1 < to ? text[i + 1] : undefined;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if ((c >= '0' && c <= '9') || (c === '.' && next !== undefined && next >= '0' && next <= '9')) {
      const match = /\d*(?:\.\d*)?(?:[eE][+-]?\d+)?/y;
      match.lastIndex = i;
      const found = match.exec(text)?.[0] ?? c;
      push('number', found, i, i + found.length);
      i += found.length;
    } else if (isIdentStart(c)) {
      const start = i;
      i++;
      while (i < to && isIdentPart(text[i] as string)) i++;
      push('word', text.slice(start, i), start, i);
    } else if (next !== undefined && TWO_CHAR_SYMBOLS.has(c + next)) {
      push('symbol', c + next, i, i + 2);
      i += 2;
    } else if (ONE_CHAR_SYMBOLS.has(c)) {
      push('symbol', c, i, i + 1);
      i++;
    } else {
      throw new SqlError('SQL_SYNTAX', source, i, `unexpected character '${c}'`);
    }
  }
}
