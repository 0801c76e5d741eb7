import { T } from '../../types/data-type.ts';
import type { ScalarFunction } from '../bound.ts';
import { EvaluationError } from '../value.ts';
import { anyNullable, strict } from './definition.ts';
import { codePoints, escapeRegex, expect } from './string.ts';

/**
 * `s SIMILAR TO pattern [ESCAPE c]`: the SQL-standard regular expression must match all of s.
 * `%` is any run and `_` any one character, as in LIKE; `|`, `*`, `+`, `?`, `{m,n}`, `(...)` and
 * `[...]` are regular-expression operators; every other character stands for itself. The escape
 * character makes the next special character literal.
 */
export const SIMILAR_TO: ScalarFunction = {
  name: 'SIMILAR_TO',
  signatures: ["STRING SIMILAR TO STRING [ESCAPE 'c']"],
  bind(args, ctx) {
    expect('SIMILAR TO', args, ctx, ['string', 'string', 'string'], 1);
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile: (args) =>
    strict((s: string, pattern: string, escapeChar?: string) => similarRegex(pattern, escapeChar).test(s))(args),
};

/** Characters with a meaning in SQL's SIMILAR TO (Calcite's SQL_SIMILAR_SPECIALS). */
const SIMILAR_SPECIALS = new Set('[]()|^-+*_%?{}');

const cache = new Map<string, RegExp>();

function similarRegex(pattern: string, escapeChar: string | undefined): RegExp {
  const key = `${escapeChar ?? ''}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached) return cached;
  if (escapeChar !== undefined && codePoints(escapeChar).length !== 1)
    throw new EvaluationError('INVALID_ARGUMENT', `SIMILAR TO ESCAPE must be one character, got '${escapeChar}'`);
  const chars = codePoints(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === escapeChar) {
      const next = chars[++i];
      if (next === undefined || (!SIMILAR_SPECIALS.has(next) && next !== escapeChar))
        throw new EvaluationError('INVALID_ARGUMENT', `SIMILAR TO pattern '${pattern}' has an invalid escapeChar`);
      source += escapeRegex(next);
    } else if (c === '%') {
      source += '.*';
    } else if (c === '_') {
      source += '.';
    } else if (SIMILAR_SPECIALS.has(c)) {
      source += c;
    } else {
      source += escapeRegex(c);
    }
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${source})$`, 'su');
  } catch {
    throw new EvaluationError('INVALID_ARGUMENT', `SIMILAR TO pattern '${pattern}' is not a valid regular expression`);
  }
  if (cache.size > 1000) cache.clear();
  cache.set(key, regex);
  return regex;
}
