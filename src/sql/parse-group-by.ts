import type { Expression, GroupingElement } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression, parseList } from './parse-expression.ts';

/** What `GROUP BY` lists: its expressions, and its elements when grouping sets are among them. */
export interface GroupByClause {
  readonly groupBy: Expression[];
  readonly groupingSets?: GroupingElement[];
}

/**
 * The list after GROUP BY: expressions, `()`, and Flink's (Calcite's) `GROUPING SETS (...)`,
 * `ROLLUP (...)` and `CUBE (...)`, which may be mixed (`GROUP BY a, ROLLUP (b, c)`).
 */
export function parseGroupBy(cursor: Cursor): GroupByClause {
  const elements = parseList(cursor, (c) => parseElement(c));
  const plain = elements.every((e) => e.kind === 'groupSet' && e.expressions.length === 1 && !e.parenthesized);
  const groupBy = elements.flatMap(expressionsOf);
  return plain ? { groupBy } : { groupBy, groupingSets: elements.map(strip) };
}

type Parsed = GroupingElement & { readonly parenthesized?: boolean };

function parseElement(cursor: Cursor, nested = false): Parsed {
  const at = cursor.at;
  if (cursor.isKeyword('GROUPING') && cursor.isKeyword('SETS', 1)) {
    cursor.advance();
    cursor.advance();
    cursor.expectSymbol('(');
    const elements = parseList(cursor, (c) => parseElement(c, true)).map(strip);
    cursor.expectSymbol(')');
    return { kind: 'groupingSets', at, elements };
  }
  for (const kind of ['rollup', 'cube'] as const) {
    if (cursor.isKeyword(kind.toUpperCase()) && cursor.isSymbol('(', 1)) {
      cursor.advance();
      cursor.advance();
      const items = parseList(cursor, (c) => {
        if (c.isSymbol('(')) return parseParenthesized(c);
        return [parseExpression(c)];
      });
      cursor.expectSymbol(')');
      return { kind, at, items };
    }
  }
  // `()`; and inside GROUPING SETS, `(a, b)`: a set. Elsewhere `(` starts an expression (`(a + b) * 2`).
  if (cursor.isSymbol('(') && (nested || cursor.isSymbol(')', 1)))
    return { kind: 'groupSet', at, expressions: parseParenthesized(cursor), parenthesized: true };
  return { kind: 'groupSet', at, expressions: [parseExpression(cursor)] };
}

/** `()` or `(a, b, ...)`: the expressions of one grouping set. */
function parseParenthesized(cursor: Cursor): Expression[] {
  cursor.expectSymbol('(');
  if (cursor.acceptSymbol(')')) return [];
  const expressions = parseList(cursor, parseExpression);
  cursor.expectSymbol(')');
  return expressions;
}

function strip(element: Parsed): GroupingElement {
  if (element.kind !== 'groupSet') return element;
  return { kind: 'groupSet', at: element.at, expressions: element.expressions };
}

function expressionsOf(element: GroupingElement): Expression[] {
  switch (element.kind) {
    case 'groupSet':
      return [...element.expressions];
    case 'groupingSets':
      return element.elements.flatMap(expressionsOf);
    case 'rollup':
    case 'cube':
      return element.items.flat();
  }
}
