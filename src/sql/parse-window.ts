import type { FrameBound, NamedWindow, OrderItem, WindowFrame, WindowSpecification } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression, parseList } from './parse-expression.ts';

/**
 * `OVER (PARTITION BY ... ORDER BY ... [ROWS | RANGE frame])` or `OVER w` after a call, if there.
 * What Flink runs of it is the planner's decision.
 */
export function parseOver(cursor: Cursor): WindowSpecification | undefined {
  if (!cursor.isKeyword('OVER')) return undefined;
  const at = cursor.advance().offset;
  if (!cursor.isSymbol('(')) {
    const token = cursor.token;
    if (token.kind !== 'word' && token.kind !== 'quoted') throw cursor.unexpected("expected '(' or a window name");
    cursor.advance();
    return { at, name: { at: token.offset, name: token.value }, partitionBy: [], orderBy: [] };
  }
  cursor.advance();
  const spec = parseWindowBody(cursor, at);
  cursor.expectSymbol(')');
  return spec;
}

/** `WINDOW w AS (...), v AS (...)` after HAVING, if there. */
export function parseWindowClause(cursor: Cursor): NamedWindow[] | undefined {
  if (!cursor.acceptKeywords('WINDOW')) return undefined;
  return parseList(cursor, (c): NamedWindow => {
    const token = c.token;
    if (token.kind !== 'word' && token.kind !== 'quoted') throw c.unexpected('expected a window name');
    c.advance();
    c.expectKeywords('AS');
    const at = c.expectSymbol('(').offset;
    const window = parseWindowBody(c, at);
    c.expectSymbol(')');
    return { at: token.offset, name: { at: token.offset, name: token.value }, window };
  });
}

/** What stands between the parentheses of a window. */
function parseWindowBody(cursor: Cursor, at: number): WindowSpecification {
  if ((cursor.token.kind === 'word' || cursor.token.kind === 'quoted') && isWindowReference(cursor)) {
    throw cursor.error(
      cursor.at,
      'a window based on another window (OVER (w ...)) is not supported',
      'write OVER w, or spell the whole window out in parentheses',
      'SQL_UNSUPPORTED',
    );
  }
  const partitionBy = cursor.acceptKeywords('PARTITION', 'BY') ? parseList(cursor, parseExpression) : [];
  const orderBy = cursor.acceptKeywords('ORDER', 'BY') ? parseList(cursor, parseOrderItem) : [];
  const frame = cursor.isKeyword('ROWS') || cursor.isKeyword('RANGE') ? parseFrame(cursor) : undefined;
  return { at, partitionBy, orderBy, ...(frame ? { frame } : {}) };
}

/** A name that is not the start of a clause of the window. */
function isWindowReference(cursor: Cursor): boolean {
  return !['PARTITION', 'ORDER', 'ROWS', 'RANGE'].some((word) => cursor.isKeyword(word));
}

function parseFrame(cursor: Cursor): WindowFrame {
  const at = cursor.at;
  const unit = cursor.advance().upper as WindowFrame['unit'];
  if (cursor.acceptKeywords('BETWEEN')) {
    const lower = parseBound(cursor);
    cursor.expectKeywords('AND');
    const upper = parseBound(cursor);
    return { at, unit, lower, upper };
  }
  const lower = parseBound(cursor);
  return { at, unit, lower, upper: { at: lower.at, kind: 'CURRENT ROW' } };
}

function parseBound(cursor: Cursor): FrameBound {
  const at = cursor.at;
  if (cursor.acceptKeywords('UNBOUNDED', 'PRECEDING')) return { at, kind: 'UNBOUNDED PRECEDING' };
  if (cursor.acceptKeywords('UNBOUNDED', 'FOLLOWING')) return { at, kind: 'UNBOUNDED FOLLOWING' };
  if (cursor.acceptKeywords('CURRENT', 'ROW')) return { at, kind: 'CURRENT ROW' };
  const offset = parseExpression(cursor);
  if (cursor.acceptKeywords('PRECEDING')) return { at, kind: 'PRECEDING', offset };
  if (cursor.acceptKeywords('FOLLOWING')) return { at, kind: 'FOLLOWING', offset };
  throw cursor.unexpected('expected PRECEDING or FOLLOWING');
}

export function parseOrderItem(cursor: Cursor): OrderItem {
  const at = cursor.at;
  const expression = parseExpression(cursor);
  const descending = cursor.acceptKeywords('DESC');
  if (!descending) cursor.acceptKeywords('ASC');
  let nullsFirst: boolean | undefined;
  if (cursor.acceptKeywords('NULLS', 'FIRST')) nullsFirst = true;
  else if (cursor.acceptKeywords('NULLS', 'LAST')) nullsFirst = false;
  return { at, expression, descending, ...(nullsFirst !== undefined ? { nullsFirst } : {}) };
}
