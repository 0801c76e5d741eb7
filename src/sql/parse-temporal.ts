import type { Expression } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseAdditive, parseExpression } from './parse-expression.ts';

/**
 * Flink's temporal forms with a unit keyword: FLOOR/CEIL(x TO unit), TIMESTAMPADD(unit, n, x),
 * TIMESTAMPDIFF(unit, a, b), and (a, b) OVERLAPS (c, d). The unit becomes a string literal argument
 * of the call; the calls 'FLOOR TO' and 'CEIL TO' cannot be written any other way.
 */

/** FLOOR(x), CEIL(x), CEILING(x), and FLOOR/CEIL(x TO unit). */
export function parseFloorCeil(cursor: Cursor): Expression {
  const token = cursor.advance();
  cursor.expectSymbol('(');
  const operand = parseExpression(cursor);
  if (token.upper !== 'CEILING' && cursor.acceptKeywords('TO')) {
    const unit = parseUnit(cursor);
    cursor.expectSymbol(')');
    const name = token.upper === 'FLOOR' ? 'FLOOR TO' : 'CEIL TO';
    return { kind: 'call', at: token.offset, name, args: [operand, unit], distinct: false, star: false };
  }
  cursor.expectSymbol(')');
  return { kind: 'call', at: token.offset, name: token.upper, args: [operand], distinct: false, star: false };
}

/** TIMESTAMPADD(unit, n, x) and TIMESTAMPDIFF(unit, a, b). */
export function parseTimestampUnitCall(cursor: Cursor): Expression {
  const token = cursor.advance();
  cursor.expectSymbol('(');
  const unit = parseUnit(cursor);
  cursor.expectSymbol(',');
  const first = parseExpression(cursor);
  cursor.expectSymbol(',');
  const second = parseExpression(cursor);
  cursor.expectSymbol(')');
  return {
    kind: 'call',
    at: token.offset,
    name: token.upper,
    args: [unit, first, second],
    distinct: false,
    star: false,
  };
}

/** `(a, b) OVERLAPS (c, d)` after its left row: the call OVERLAPS(a, b, c, d). */
export function parseOverlaps(cursor: Cursor, left: Expression, at: number): Expression {
  const right = parseAdditive(cursor);
  const pair = (row: Expression): readonly Expression[] => {
    if (row.kind === 'call' && row.name === 'ROW' && row.args.length === 2) return row.args;
    throw cursor.unexpected('OVERLAPS compares two periods written (start, end) or (start, interval)');
  };
  return { kind: 'call', at, name: 'OVERLAPS', args: [...pair(left), ...pair(right)], distinct: false, star: false };
}

function parseUnit(cursor: Cursor): Expression {
  const token = cursor.token;
  if (token.kind !== 'word') throw cursor.unexpected('expected a time unit such as HOUR or DAY');
  cursor.advance();
  return { kind: 'literal', at: token.offset, type: 'string', text: token.upper };
}
