import type {
  Identifier,
  JoinType,
  QualifiedName,
  Query,
  Select,
  SelectItem,
  TableName,
  TableReference,
  UnnestTable,
  WindowTableFunction,
  WithItem,
  WithQuery,
} from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression, parseList, RESERVED } from './parse-expression.ts';
import { type GroupByClause, parseGroupBy } from './parse-group-by.ts';
import { parseQueryHints, parseTableHints } from './parse-hint.ts';
import { parseWindowClause } from './parse-window.ts';

export function parseQuery(cursor: Cursor): Query {
  if (cursor.isKeyword('WITH')) return parseWith(cursor);
  let left = parseQueryTerm(cursor);
  for (;;) {
    const at = cursor.at;
    const operator = (['UNION', 'INTERSECT', 'EXCEPT'] as const).find((word) => cursor.isKeyword(word));
    if (!operator) break;
    cursor.advance();
    const all = cursor.acceptKeywords('ALL');
    if (!all) cursor.acceptKeywords('DISTINCT');
    left = { kind: 'setOperation', at, operator, all, left, right: parseQueryTerm(cursor) };
  }
  if (cursor.isKeyword('ORDER') || cursor.isKeyword('LIMIT')) {
    throw cursor.error(
      cursor.at,
      `${cursor.token.upper} is not supported in a streaming query`,
      'remove it; sort or limit when you read the sink',
      'SQL_UNSUPPORTED',
    );
  }
  return left;
}

/** `WITH name [(columns)] AS (query), ... query`. */
function parseWith(cursor: Cursor): WithQuery {
  const at = cursor.advance().offset;
  if (cursor.isKeyword('RECURSIVE')) {
    throw cursor.error(
      cursor.at,
      'WITH RECURSIVE is not supported',
      'Flink does not support it either',
      'SQL_UNSUPPORTED',
    );
  }
  const items = parseList(cursor, (c): WithItem => {
    const name = parseIdentifier(c, 'the name of a WITH query');
    let columnNames: Identifier[] | undefined;
    if (c.acceptSymbol('(')) {
      columnNames = parseList(c, (inner) => parseIdentifier(inner, 'a column name'));
      c.expectSymbol(')');
    }
    c.expectKeywords('AS');
    c.expectSymbol('(');
    const query = parseQuery(c);
    c.expectSymbol(')');
    return { at: name.at, name, query, ...(columnNames ? { columnNames } : {}) };
  });
  return { kind: 'with', at, items, body: parseQuery(cursor) };
}

function parseQueryTerm(cursor: Cursor): Query {
  if (cursor.acceptSymbol('(')) {
    const inner = parseQuery(cursor);
    cursor.expectSymbol(')');
    return inner;
  }
  if (cursor.isKeyword('VALUES')) {
    const at = cursor.advance().offset;
    const rows = parseList(cursor, (c) => {
      c.expectSymbol('(');
      const row = parseList(c, parseExpression);
      c.expectSymbol(')');
      return row;
    });
    return { kind: 'values', at, rows };
  }
  if (!cursor.isKeyword('SELECT')) throw cursor.unexpected('expected SELECT or VALUES');
  return parseSelect(cursor);
}

function parseSelect(cursor: Cursor): Select {
  const at = cursor.advance().offset;
  const comment = cursor.takeHint();
  const hints = comment ? parseQueryHints(cursor, comment) : undefined;
  const distinct = cursor.acceptKeywords('DISTINCT');
  if (!distinct) cursor.acceptKeywords('ALL');
  const items = parseList(cursor, parseSelectItem);
  const from = cursor.acceptKeywords('FROM') ? parseFrom(cursor) : undefined;
  const where = cursor.acceptKeywords('WHERE') ? parseExpression(cursor) : undefined;
  let grouped: GroupByClause | undefined;
  if (cursor.acceptKeywords('GROUP')) {
    cursor.expectKeywords('BY');
    grouped = parseGroupBy(cursor);
  }
  const having = cursor.acceptKeywords('HAVING') ? parseExpression(cursor) : undefined;
  const windows = parseWindowClause(cursor);
  return {
    kind: 'select',
    at,
    ...(hints ? { hints } : {}),
    distinct,
    items,
    groupBy: grouped?.groupBy ?? [],
    ...(grouped?.groupingSets ? { groupingSets: grouped.groupingSets } : {}),
    ...(from ? { from } : {}),
    ...(where ? { where } : {}),
    ...(having ? { having } : {}),
    ...(windows ? { windows } : {}),
  };
}

function parseSelectItem(cursor: Cursor): SelectItem {
  const at = cursor.at;
  if (cursor.acceptSymbol('*')) return { kind: 'star', at };
  // qualifier.* : a name path ending in .*
  let ahead = 0;
  while (
    (cursor.peek(ahead).kind === 'word' || cursor.peek(ahead).kind === 'quoted') &&
    cursor.isSymbol('.', ahead + 1)
  ) {
    if (cursor.isSymbol('*', ahead + 2)) {
      const qualifier = parseQualifiedName(cursor);
      cursor.expectSymbol('.');
      cursor.expectSymbol('*');
      return { kind: 'star', at, qualifier };
    }
    ahead += 2;
  }
  const expression = parseExpression(cursor);
  const alias = parseAlias(cursor);
  return { kind: 'expression', at, expression, ...(alias ? { alias } : {}) };
}

/** `[AS] name` where a bare name is not a reserved word. */
export function parseAlias(cursor: Cursor): Identifier | undefined {
  if (cursor.acceptKeywords('AS')) return parseIdentifier(cursor, 'an alias');
  const token = cursor.token;
  // `FROM t WINDOW w AS (...)`: WINDOW starts the clause of named windows.
  if (token.kind === 'quoted' || (token.kind === 'word' && !RESERVED.has(token.upper) && token.upper !== 'WINDOW')) {
    cursor.advance();
    return { at: token.offset, name: token.value };
  }
  return undefined;
}

export function parseIdentifier(cursor: Cursor, what: string): Identifier {
  const token = cursor.token;
  if (token.kind !== 'word' && token.kind !== 'quoted') throw cursor.unexpected(`expected ${what}`);
  cursor.advance();
  return { at: token.offset, name: token.value };
}

export function parseQualifiedName(cursor: Cursor): QualifiedName {
  const at = cursor.at;
  const parts = [parseIdentifier(cursor, 'a name').name];
  while (cursor.isSymbol('.') && (cursor.peek().kind === 'word' || cursor.peek().kind === 'quoted')) {
    cursor.advance();
    parts.push(cursor.advance().value);
  }
  return { at, parts };
}

function parseFrom(cursor: Cursor): TableReference {
  let left = parseTablePrimary(cursor);
  for (;;) {
    const at = cursor.at;
    if (cursor.acceptSymbol(',')) {
      left = { kind: 'join', at, type: 'CROSS', left, right: parseTablePrimary(cursor) };
      continue;
    }
    const type = parseJoinType(cursor);
    if (!type) return left;
    const right = parseTablePrimary(cursor);
    if (type === 'CROSS') {
      left = { kind: 'join', at, type, left, right };
      continue;
    }
    if (cursor.isKeyword('USING')) {
      throw cursor.error(
        cursor.at,
        'JOIN ... USING is not supported yet',
        'write ON left.col = right.col',
        'SQL_UNSUPPORTED',
      );
    }
    cursor.expectKeywords('ON');
    left = { kind: 'join', at, type, left, right, on: parseExpression(cursor) };
  }
}

function parseJoinType(cursor: Cursor): JoinType | undefined {
  if (cursor.acceptKeywords('JOIN') || cursor.acceptKeywords('INNER', 'JOIN')) return 'INNER';
  if (cursor.acceptKeywords('CROSS', 'JOIN')) return 'CROSS';
  for (const side of ['LEFT', 'RIGHT', 'FULL'] as const) {
    if (cursor.isKeyword(side)) {
      cursor.advance();
      cursor.acceptKeywords('OUTER');
      cursor.expectKeywords('JOIN');
      return side;
    }
  }
  return undefined;
}

function parseTablePrimary(cursor: Cursor): TableReference {
  const at = cursor.at;
  if (cursor.acceptSymbol('(')) {
    const query = parseQuery(cursor);
    cursor.expectSymbol(')');
    const alias = parseAlias(cursor);
    return { kind: 'derivedTable', at, query, ...(alias ? { alias } : {}) };
  }
  if (cursor.isKeyword('TABLE') && cursor.isSymbol('(', 1)) {
    cursor.advance();
    cursor.advance();
    const window = parseWindowFunction(cursor, at);
    cursor.expectSymbol(')');
    const alias = parseAlias(cursor);
    return { ...window, ...(alias ? { alias } : {}) };
  }
  if (cursor.isKeyword('UNNEST') && cursor.isSymbol('(', 1)) return parseUnnest(cursor);
  if (cursor.isKeyword('LATERAL')) return parseLateralTable(cursor);
  const name = parseQualifiedName(cursor);
  const tableHint = cursor.takeHint();
  const options = tableHint ? parseTableHints(cursor, tableHint) : undefined;
  let systemTime: ReturnType<typeof parseExpression> | undefined;
  if (cursor.acceptKeywords('FOR', 'SYSTEM_TIME')) {
    cursor.expectKeywords('AS', 'OF');
    systemTime = parseExpression(cursor);
  }
  const alias = parseAlias(cursor);
  const table: TableName = {
    kind: 'tableName',
    at,
    name,
    ...(alias ? { alias } : {}),
    ...(systemTime ? { systemTime } : {}),
    ...(options ? { options } : {}),
  };
  return table;
}

/**
 * TUMBLE(TABLE t, DESCRIPTOR(ts), size), HOP(..., slide, size), CUMULATE(..., step, size),
 * SESSION(TABLE t [PARTITION BY k, ...], DESCRIPTOR(ts), gap).
 */
function parseWindowFunction(cursor: Cursor, at: number): WindowTableFunction {
  const name = cursor.token.upper;
  if (name !== 'TUMBLE' && name !== 'HOP' && name !== 'CUMULATE' && name !== 'SESSION') {
    throw cursor.unexpected(
      'expected TUMBLE, HOP, CUMULATE or SESSION',
      'these are the window table functions Rivulet runs',
    );
  }
  cursor.advance();
  cursor.expectSymbol('(');
  acceptArgumentName(cursor, 'DATA');
  cursor.expectKeywords('TABLE');
  const inputAt = cursor.at;
  let input: TableName | WindowTableFunction['input'];
  if (cursor.acceptSymbol('(')) {
    const query = parseQuery(cursor);
    cursor.expectSymbol(')');
    input = { kind: 'derivedTable', at: inputAt, query };
  } else {
    input = { kind: 'tableName', at: inputAt, name: parseQualifiedName(cursor) };
  }
  // One column, or several in parentheses: PARTITION BY k, PARTITION BY (k1, k2).
  let partitionBy: Identifier[] | undefined;
  if (name === 'SESSION' && cursor.acceptKeywords('PARTITION', 'BY')) {
    if (cursor.acceptSymbol('(')) {
      partitionBy = parseList(cursor, (c) => parseIdentifier(c, 'a partition column'));
      cursor.expectSymbol(')');
    } else {
      partitionBy = [parseIdentifier(cursor, 'a partition column')];
    }
  }
  cursor.expectSymbol(',');
  acceptArgumentName(cursor, 'TIMECOL');
  cursor.expectKeywords('DESCRIPTOR');
  cursor.expectSymbol('(');
  const timeColumn = parseIdentifier(cursor, 'the time column');
  cursor.expectSymbol(')');
  const intervals = [];
  while (cursor.acceptSymbol(',')) {
    acceptArgumentName(cursor, 'SIZE', 'SLIDE', 'STEP', 'OFFSET', 'GAP');
    intervals.push(parseExpression(cursor));
  }
  cursor.expectSymbol(')');
  return {
    kind: 'windowFunction',
    at,
    window: name,
    input,
    timeColumn,
    intervals,
    ...(partitionBy ? { partitionBy } : {}),
  };
}

function acceptArgumentName(cursor: Cursor, ...names: string[]): void {
  if (names.some((name) => cursor.isKeyword(name)) && cursor.isSymbol('=>', 1)) {
    cursor.advance();
    cursor.advance();
  }
}

/** `UNNEST(collection) [AS] alias [(column, ...)]`. */
function parseUnnest(cursor: Cursor): UnnestTable {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  const collection = parseExpression(cursor);
  if (cursor.isSymbol(',')) {
    throw cursor.error(
      cursor.at,
      'UNNEST of several collections at once is not supported',
      'UNNEST each collection in its own CROSS JOIN',
      'SQL_UNSUPPORTED',
    );
  }
  cursor.expectSymbol(')');
  if (cursor.isKeyword('WITH') && cursor.isKeyword('ORDINALITY', 1)) {
    throw cursor.error(
      cursor.at,
      'UNNEST ... WITH ORDINALITY is not supported (as in Flink 1.18)',
      'UNNEST the collection alone',
      'SQL_UNSUPPORTED',
    );
  }
  return { kind: 'unnest', at, collection, ...parseCorrelatedAlias(cursor) };
}

/** `LATERAL TABLE(f(args)) [AS] alias [(column, ...)]`: the rows of a table function of the row on its left. */
function parseLateralTable(cursor: Cursor): UnnestTable {
  const at = cursor.advance().offset;
  cursor.expectKeywords('TABLE');
  cursor.expectSymbol('(');
  const call = parseExpression(cursor);
  if (call.kind !== 'call') {
    throw cursor.error(
      call.at,
      'LATERAL TABLE takes a call of a table function',
      'write LATERAL TABLE(f(x)) AS t(a, b)',
    );
  }
  cursor.expectSymbol(')');
  return { kind: 'unnest', at, collection: call, tableFunction: true, ...parseCorrelatedAlias(cursor) };
}

function parseCorrelatedAlias(cursor: Cursor): Pick<UnnestTable, 'alias' | 'columnNames'> {
  const alias = parseAlias(cursor);
  let columnNames: Identifier[] | undefined;
  if (alias && cursor.acceptSymbol('(')) {
    columnNames = parseList(cursor, (c) => parseIdentifier(c, 'a column name'));
    cursor.expectSymbol(')');
  }
  return { ...(alias ? { alias } : {}), ...(columnNames ? { columnNames } : {}) };
}
