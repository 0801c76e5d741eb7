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
  const text = source.text;
  const tokens: Token[] = [];
  const push = (kind: TokenKind, value: string, offset: number, end: number) =>
    tokens.push({ kind, value, upper: kind === 'word' ? value.toUpperCase() : value, offset, end });
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new SqlError('SQL_SYNTAX', source, i, 'comment is not closed', 'end it with */');
      i = end + 2;
    } else if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new SqlError(
            'SQL_SYNTAX',
            source,
            start,
            'string literal is not closed',
            "end it with ' (write '' for a quote inside)",
          );
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      push('string', value, start, i);
    } else if (c === '`') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new SqlError('SQL_SYNTAX', source, start, 'quoted identifier is not closed', 'end it with `');
        if (text[i] === '`') {
          if (text[i + 1] === '`') {
            value += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      push('quoted', value, start, i);
    } else if ((c >= '0' && c <= '9') || (c === '.' && next !== undefined && next >= '0' && next <= '9')) {
      const match = /\d*(?:\.\d*)?(?:[eE][+-]?\d+)?/y;
      match.lastIndex = i;
      const found = match.exec(text)?.[0] ?? c;
      push('number', found, i, i + found.length);
      i += found.length;
    } else if (isIdentStart(c)) {
      const start = i;
      i++;
      while (i < text.length && isIdentPart(text[i] as string)) i++;
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
  push('eof', '', text.length, text.length);
  return tokens;
}
