import { isTimeUnit, TIME_UNITS } from '../types/temporal.ts';
import type { BinaryOperator, CaseExpression, Expression, IntervalUnit, Literal } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { JSON_FUNCTIONS, parseIsJson, parseJsonFunction } from './parse-json.ts';
import { parseJsonAggregateArguments } from './parse-json-aggregate.ts';
import { parseQuery } from './parse-query.ts';
import { parseFloorCeil, parseOverlaps, parseTimestampUnitCall } from './parse-temporal.ts';
import { parseDataType } from './parse-type.ts';
import { parseOver } from './parse-window.ts';

const COMPARISON = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);
const INTERVAL_UNITS = new Set<IntervalUnit>(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);
/** Niladic functions written without parentheses. */
const BARE_FUNCTIONS = new Set([
  'CURRENT_TIMESTAMP',
  'LOCALTIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIME',
  'CURRENT_ROW_TIMESTAMP',
]);

/** Words that end an expression (or start the next clause) rather than name a column. */
export const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'OUTER',
  'CROSS',
  'ON',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IS',
  'IN',
  'LIKE',
  'BETWEEN',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'FOR',
  'WITH',
  'VALUES',
  'DISTINCT',
  'ALL',
  'BY',
  'INTO',
  'TABLE',
  'SET',
  'WINDOW',
  'NATURAL',
  'USING',
  'LATERAL',
  'WATERMARK',
  'PRIMARY',
  'CONSTRAINT',
  'COMMENT',
  'METADATA',
  'VIRTUAL',
  'NULL',
  'TRUE',
  'FALSE',
  'ESCAPE',
  'SYMMETRIC',
  'ASYMMETRIC',
  'FETCH',
  'OFFSET',
  'INSERT',
  'CREATE',
  'EXPLAIN',
  'EXECUTE',
  'BEGIN',
  'EXISTS',
]);

export function parseExpression(cursor: Cursor): Expression {
  return parseOr(cursor);
}

function parseOr(cursor: Cursor): Expression {
  let left = parseAnd(cursor);
  while (cursor.isKeyword('OR')) {
    const at = cursor.advance().offset;
    left = { kind: 'binary', at, operator: 'OR', left, right: parseAnd(cursor) };
  }
  return left;
}

function parseAnd(cursor: Cursor): Expression {
  let left = parseNot(cursor);
  while (cursor.isKeyword('AND')) {
    const at = cursor.advance().offset;
    left = { kind: 'binary', at, operator: 'AND', left, right: parseNot(cursor) };
  }
  return left;
}

function parseNot(cursor: Cursor): Expression {
  if (cursor.isKeyword('NOT')) {
    const at = cursor.advance().offset;
    return { kind: 'unary', at, operator: 'NOT', operand: parseNot(cursor) };
  }
  return parsePredicate(cursor);
}

function parsePredicate(cursor: Cursor): Expression {
  const left = parseAdditive(cursor);
  const at = cursor.at;
  const token = cursor.token;
  if (token.kind === 'symbol' && COMPARISON.has(token.value)) {
    cursor.advance();
    const operator = (token.value === '!=' ? '<>' : token.value) as BinaryOperator;
    return { kind: 'binary', at, operator, left, right: parseAdditive(cursor) };
  }
  if (cursor.acceptKeywords('IS')) {
    const negated = cursor.acceptKeywords('NOT');
    if (cursor.acceptKeywords('DISTINCT', 'FROM')) {
      const operator = negated ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM';
      return { kind: 'binary', at, operator, left, right: parseAdditive(cursor) };
    }
    if (cursor.acceptKeywords('JSON')) return parseIsJson(cursor, at, left, negated);
    for (const test of ['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const) {
      if (cursor.acceptKeywords(test)) return { kind: 'is', at, operand: left, test, negated };
    }
    throw cursor.unexpected('expected NULL, TRUE, FALSE, UNKNOWN, JSON or DISTINCT FROM after IS');
  }
  const negated =
    cursor.isKeyword('NOT') && ['BETWEEN', 'IN', 'LIKE', 'SIMILAR'].some((word) => cursor.isKeyword(word, 1));
  if (negated) cursor.advance();
  if (cursor.acceptKeywords('BETWEEN')) {
    const symmetric = cursor.acceptKeywords('SYMMETRIC');
    if (!symmetric) cursor.acceptKeywords('ASYMMETRIC');
    const low = parseAdditive(cursor);
    cursor.expectKeywords('AND');
    const high = parseAdditive(cursor);
    return { kind: 'between', at, operand: left, low, high, negated, symmetric };
  }
  if (cursor.acceptKeywords('IN')) {
    cursor.expectSymbol('(');
    if (startsQuery(cursor)) {
      const query = parseQuery(cursor);
      cursor.expectSymbol(')');
      return { kind: 'inSubquery', at, operand: left, query, negated };
    }
    const list = parseList(cursor, parseExpression);
    cursor.expectSymbol(')');
    return { kind: 'in', at, operand: left, list, negated };
  }
  if (cursor.acceptKeywords('OVERLAPS')) return parseOverlaps(cursor, left, at);
  if (cursor.acceptKeywords('LIKE')) {
    const pattern = parseAdditive(cursor);
    const escapeChar = cursor.acceptKeywords('ESCAPE') ? parseAdditive(cursor) : undefined;
    return { kind: 'like', at, operand: left, pattern, negated, ...(escapeChar ? { escape: escapeChar } : {}) };
  }
  if (cursor.acceptKeywords('SIMILAR', 'TO')) return parseSimilarTo(cursor, left, at, negated);
  return left;
}

export function parseAdditive(cursor: Cursor): Expression {
  let left = parseMultiplicative(cursor);
  for (;;) {
    const token = cursor.token;
    if (token.kind !== 'symbol' || (token.value !== '+' && token.value !== '-' && token.value !== '||')) return left;
    cursor.advance();
    const operator = token.value as BinaryOperator;
    left = { kind: 'binary', at: token.offset, operator, left, right: parseMultiplicative(cursor) };
  }
}

function parseMultiplicative(cursor: Cursor): Expression {
  let left = parseUnary(cursor);
  for (;;) {
    const token = cursor.token;
    if (token.kind !== 'symbol' || (token.value !== '*' && token.value !== '/' && token.value !== '%')) return left;
    cursor.advance();
    const operator = token.value as BinaryOperator;
    left = { kind: 'binary', at: token.offset, operator, left, right: parseUnary(cursor) };
  }
}

function parseUnary(cursor: Cursor): Expression {
  const token = cursor.token;
  if (token.kind === 'symbol' && (token.value === '-' || token.value === '+')) {
    cursor.advance();
    const operand = parseUnary(cursor);
    if (
      token.value === '-' &&
      operand.kind === 'literal' &&
      operand.type === 'number' &&
      !operand.text.startsWith('-')
    ) {
      return { ...operand, at: token.offset, text: `-${operand.text}` };
    }
    if (token.value === '-' && operand.kind === 'interval')
      return { ...operand, at: token.offset, negative: !operand.negative };
    return { kind: 'unary', at: token.offset, operator: token.value, operand };
  }
  return parsePostfix(cursor, parsePrimary(cursor));
}

/** `value[index]` (an ARRAY's element, a MAP's value) and `value.field` (a ROW's field), in turn. */
function parsePostfix(cursor: Cursor, operand: Expression): Expression {
  let value = operand;
  for (;;) {
    const at = cursor.at;
    if (cursor.acceptSymbol('[')) {
      const index = parseExpression(cursor);
      cursor.expectSymbol(']');
      value = { kind: 'call', at, name: 'ITEM', args: [value, index], distinct: false, star: false };
    } else if (cursor.isSymbol('.') && (cursor.peek().kind === 'word' || cursor.peek().kind === 'quoted')) {
      cursor.advance();
      const field = cursor.advance();
      const name: Expression = { kind: 'literal', at: field.offset, type: 'string', text: field.value };
      value = { kind: 'call', at, name: 'DOT', args: [value, name], distinct: false, star: false };
    } else {
      return value;
    }
  }
}

function parsePrimary(cursor: Cursor): Expression {
  const token = cursor.token;
  const at = token.offset;
  switch (token.kind) {
    case 'number':
      cursor.advance();
      return { kind: 'literal', at, type: 'number', text: token.value };
    case 'string':
      cursor.advance();
      return { kind: 'literal', at, type: 'string', text: token.value };
    case 'quoted':
      return parseColumnReference(cursor);
    case 'symbol':
      if (cursor.acceptSymbol('(')) {
        if (startsQuery(cursor)) {
          const query = parseQuery(cursor);
          cursor.expectSymbol(')');
          return { kind: 'scalarSubquery', at, query };
        }
        const inner = parseExpression(cursor);
        if (cursor.isSymbol(',')) {
          // (a, b, ...): a row constructor, as ROW(a, b, ...).
          const args = [inner];
          while (cursor.acceptSymbol(',')) args.push(parseExpression(cursor));
          cursor.expectSymbol(')');
          return { kind: 'call', at, name: 'ROW', args, distinct: false, star: false };
        }
        cursor.expectSymbol(')');
        return inner;
      }
      throw cursor.unexpected('expected an expression');
    case 'eof':
      throw cursor.unexpected('expected an expression');
    case 'word':
      return parseWord(cursor);
  }
}

function parseWord(cursor: Cursor): Expression {
  const token = cursor.token;
  const at = token.offset;
  const next = cursor.peek();
  switch (token.upper) {
    case 'NULL':
      cursor.advance();
      return { kind: 'literal', at, type: 'null', text: 'NULL' };
    case 'TRUE':
    case 'FALSE':
      cursor.advance();
      return { kind: 'literal', at, type: 'boolean', text: token.upper };
    case 'CASE':
      return parseCase(cursor);
    case 'EXISTS':
      if (next.kind === 'symbol' && next.value === '(') {
        cursor.advance();
        cursor.advance();
        const query = parseQuery(cursor);
        cursor.expectSymbol(')');
        return { kind: 'exists', at, query };
      }
      break;
    case 'CAST':
    case 'TRY_CAST':
      if (next.kind === 'symbol' && next.value === '(') return parseCast(cursor);
      break;
    case 'EXTRACT':
      if (next.kind === 'symbol' && next.value === '(') return parseExtract(cursor);
      break;
    case 'INTERVAL':
      if (next.kind === 'string' || (next.kind === 'symbol' && next.value === '-')) return parseInterval(cursor);
      break;
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (next.kind === 'string') {
        cursor.advance();
        cursor.advance();
        const type = token.upper === 'TIMESTAMP_LTZ' ? 'timestampLtz' : (token.upper.toLowerCase() as Literal['type']);
        return { kind: 'literal', at, type, text: next.value };
      }
      break;
    case 'TRIM':
      if (next.kind === 'symbol' && next.value === '(') return parseTrim(cursor);
      break;
    case 'ARRAY':
    case 'MAP':
      // ARRAY[a, b, ...] and MAP[k1, v1, k2, v2, ...]: value constructors.
      if (next.kind === 'symbol' && next.value === '[') {
        cursor.advance();
        cursor.advance();
        const args = cursor.isSymbol(']') ? [] : parseList(cursor, parseExpression);
        cursor.expectSymbol(']');
        return { kind: 'call', at, name: token.upper, args, distinct: false, star: false };
      }
      break;
    case 'MULTISET':
      // Calcite parses it, but Flink 1.18.1 cannot plan the Collect over VALUES it becomes.
      if (next.kind === 'symbol' && next.value === '[')
        throw cursor.error(
          at,
          'the MULTISET value constructor is not supported (Flink 1.18.1: "Cannot generate a valid execution plan")',
          'a MULTISET comes from COLLECT(x) or a MULTISET column; ARRAY[...] and MAP[...] construct values',
          'SQL_UNSUPPORTED',
        );
      break;
    case 'SUBSTRING':
    case 'SUBSTR':
      if (next.kind === 'symbol' && next.value === '(') return parseSubstring(cursor);
      break;
    case 'POSITION':
      if (next.kind === 'symbol' && next.value === '(') return parsePosition(cursor);
      break;
    case 'FLOOR':
    case 'CEIL':
    case 'CEILING':
      if (next.kind === 'symbol' && next.value === '(') return parseFloorCeil(cursor);
      break;
    case 'TIMESTAMPADD':
    case 'TIMESTAMPDIFF':
      if (next.kind === 'symbol' && next.value === '(') return parseTimestampUnitCall(cursor);
      break;
    case 'OVERLAY':
      if (next.kind === 'symbol' && next.value === '(') return parseOverlay(cursor);
      break;
    case 'LEFT':
    case 'RIGHT':
      // Reserved for joins, and also the string functions LEFT(s, n) and RIGHT(s, n).
      if (next.kind === 'symbol' && next.value === '(') return parseCall(cursor);
      break;
  }
  if (next.kind === 'symbol' && next.value === '(' && JSON_FUNCTIONS.has(token.upper)) return parseJsonFunction(cursor);
  if (next.kind === 'symbol' && next.value === '(' && !RESERVED.has(token.upper)) return parseCall(cursor);
  if (BARE_FUNCTIONS.has(token.upper)) {
    cursor.advance();
    return { kind: 'call', at, name: token.upper, args: [], distinct: false, star: false };
  }
  if (RESERVED.has(token.upper)) throw cursor.unexpected('expected an expression');
  return parseColumnReference(cursor);
}

function parseColumnReference(cursor: Cursor): Expression {
  const at = cursor.at;
  const parts = [cursor.advance().value];
  while (cursor.isSymbol('.') && (cursor.peek().kind === 'word' || cursor.peek().kind === 'quoted')) {
    cursor.advance();
    parts.push(cursor.advance().value);
  }
  return { kind: 'column', at, parts };
}

function parseCall(cursor: Cursor): Expression {
  const nameToken = cursor.advance();
  const at = nameToken.offset;
  const name = nameToken.upper;
  cursor.expectSymbol('(');
  if (cursor.acceptSymbol('*')) {
    cursor.expectSymbol(')');
    const filter = parseAggregateFilter(cursor);
    const over = parseOver(cursor);
    return {
      kind: 'call',
      at,
      name,
      args: [],
      distinct: false,
      star: true,
      ...(filter ? { filter } : {}),
      ...(over ? { over } : {}),
    };
  }
  const distinct = cursor.acceptKeywords('DISTINCT');
  if (!distinct) cursor.acceptKeywords('ALL');
  const json = parseJsonAggregateArguments(cursor, name, parseExpression);
  const args = json?.args ?? (cursor.isSymbol(')') ? [] : parseList(cursor, parseExpression));
  cursor.expectSymbol(')');
  const filter = parseAggregateFilter(cursor);
  const over = parseOver(cursor);
  return {
    kind: 'call',
    at,
    name: json?.name ?? name,
    args,
    distinct,
    star: false,
    ...(filter ? { filter } : {}),
    ...(over ? { over } : {}),
  };
}

/** `FILTER (WHERE condition)` after an aggregate call. */
function parseAggregateFilter(cursor: Cursor): Expression | undefined {
  if (!cursor.isKeyword('FILTER') || !cursor.isSymbol('(', 1)) return undefined;
  cursor.advance();
  cursor.expectSymbol('(');
  cursor.expectKeywords('WHERE');
  const condition = parseExpression(cursor);
  cursor.expectSymbol(')');
  return condition;
}

function parseCase(cursor: Cursor): CaseExpression {
  const at = cursor.advance().offset;
  const operand = cursor.isKeyword('WHEN') ? undefined : parseExpression(cursor);
  const whens: { when: Expression; result: Expression }[] = [];
  while (cursor.acceptKeywords('WHEN')) {
    // CASE x WHEN a, b THEN r: one branch per listed value, sharing the result.
    const values = operand ? parseList(cursor, parseExpression) : [parseExpression(cursor)];
    cursor.expectKeywords('THEN');
    const result = parseExpression(cursor);
    for (const when of values) whens.push({ when, result });
  }
  if (whens.length === 0) throw cursor.unexpected('expected WHEN');
  const otherwise = cursor.acceptKeywords('ELSE') ? parseExpression(cursor) : undefined;
  cursor.expectKeywords('END');
  return { kind: 'case', at, whens, ...(operand ? { operand } : {}), ...(otherwise ? { else: otherwise } : {}) };
}

function parseCast(cursor: Cursor): Expression {
  const token = cursor.advance();
  cursor.expectSymbol('(');
  const operand = parseExpression(cursor);
  cursor.expectKeywords('AS');
  const type = parseDataType(cursor);
  cursor.expectSymbol(')');
  return { kind: 'cast', at: token.offset, operand, type, try: token.upper === 'TRY_CAST' };
}

function parseExtract(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  const unit = cursor.token.upper;
  if (cursor.token.kind !== 'word' || !isTimeUnit(unit)) {
    throw cursor.unexpected('expected a time unit', `units: ${TIME_UNITS.join(', ')}`);
  }
  cursor.advance();
  cursor.expectKeywords('FROM');
  const operand = parseExpression(cursor);
  cursor.expectSymbol(')');
  return { kind: 'extract', at, unit, operand };
}

function parseInterval(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  const negative = cursor.acceptSymbol('-');
  const text = cursor.expectString('the interval value').value;
  const unit = parseIntervalUnit(cursor);
  const toUnit = cursor.acceptKeywords('TO') ? parseIntervalUnit(cursor) : undefined;
  return { kind: 'interval', at, negative, text, unit, ...(toUnit ? { toUnit } : {}) };
}

function parseIntervalUnit(cursor: Cursor): IntervalUnit {
  const word = cursor.token.upper;
  // Flink accepts the plural spellings too: INTERVAL '5' SECONDS.
  const unit = (
    word.endsWith('S') && INTERVAL_UNITS.has(word.slice(0, -1) as IntervalUnit) ? word.slice(0, -1) : word
  ) as IntervalUnit;
  if (cursor.token.kind !== 'word' || !INTERVAL_UNITS.has(unit)) {
    throw cursor.unexpected('expected an interval unit', `units: ${[...INTERVAL_UNITS].join(', ')}`);
  }
  cursor.advance();
  if (cursor.isSymbol('(')) {
    // Leading precision, e.g. DAY(3): accepted and not needed.
    cursor.advance();
    while (!cursor.isSymbol(')')) cursor.advance();
    cursor.advance();
  }
  return unit;
}

/** TRIM([BOTH | LEADING | TRAILING] [chars] FROM s) and TRIM(s). */
function parseTrim(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  let mode = 'BOTH';
  for (const word of ['BOTH', 'LEADING', 'TRAILING']) if (cursor.acceptKeywords(word)) mode = word;
  let characters: Expression | undefined;
  let operand: Expression;
  if (cursor.acceptKeywords('FROM')) {
    operand = parseExpression(cursor);
  } else {
    const first = parseExpression(cursor);
    if (cursor.acceptKeywords('FROM')) {
      characters = first;
      operand = parseExpression(cursor);
    } else {
      operand = first;
    }
  }
  cursor.expectSymbol(')');
  const space: Expression = { kind: 'literal', at, type: 'string', text: ' ' };
  const name = mode === 'BOTH' ? 'TRIM' : mode === 'LEADING' ? 'LTRIM' : 'RTRIM';
  return { kind: 'call', at, name, args: [operand, characters ?? space], distinct: false, star: false };
}

/** SUBSTRING(s FROM start [FOR length]) and SUBSTRING(s, start [, length]). */
function parseSubstring(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  const args = [parseExpression(cursor)];
  if (cursor.acceptKeywords('FROM')) {
    args.push(parseExpression(cursor));
    if (cursor.acceptKeywords('FOR')) args.push(parseExpression(cursor));
  } else {
    while (cursor.acceptSymbol(',')) args.push(parseExpression(cursor));
  }
  cursor.expectSymbol(')');
  return { kind: 'call', at, name: 'SUBSTRING', args, distinct: false, star: false };
}

/** POSITION(needle IN haystack). */
function parsePosition(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  const needle = parseAdditive(cursor);
  cursor.expectKeywords('IN');
  const haystack = parseExpression(cursor);
  cursor.expectSymbol(')');
  return { kind: 'call', at, name: 'POSITION', args: [needle, haystack], distinct: false, star: false };
}

/** `s [NOT] SIMILAR TO pattern [ESCAPE c]`, after the SIMILAR TO. */
function parseSimilarTo(cursor: Cursor, operand: Expression, at: number, negated: boolean): Expression {
  const args = [operand, parseAdditive(cursor)];
  if (cursor.acceptKeywords('ESCAPE')) args.push(parseAdditive(cursor));
  const test: Expression = { kind: 'call', at, name: 'SIMILAR_TO', args, distinct: false, star: false };
  return negated ? { kind: 'unary', at, operator: 'NOT', operand: test } : test;
}

/** OVERLAY(s PLACING replacement FROM start [FOR length]). */
function parseOverlay(cursor: Cursor): Expression {
  const at = cursor.advance().offset;
  cursor.expectSymbol('(');
  const args = [parseExpression(cursor)];
  cursor.expectKeywords('PLACING');
  args.push(parseExpression(cursor));
  cursor.expectKeywords('FROM');
  args.push(parseExpression(cursor));
  if (cursor.acceptKeywords('FOR')) args.push(parseExpression(cursor));
  cursor.expectSymbol(')');
  return { kind: 'call', at, name: 'OVERLAY', args, distinct: false, star: false };
}

/** Whether a query starts here (inside parentheses: a subquery rather than an expression). */
function startsQuery(cursor: Cursor): boolean {
  return cursor.isKeyword('SELECT') || cursor.isKeyword('WITH') || cursor.isKeyword('VALUES');
}

export function parseList<N>(cursor: Cursor, parseOne: (cursor: Cursor) => N): N[] {
  const items = [parseOne(cursor)];
  while (cursor.acceptSymbol(',')) items.push(parseOne(cursor));
  return items;
}
