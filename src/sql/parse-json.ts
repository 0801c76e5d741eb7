import type { Expression } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { parseExpression } from './parse-expression.ts';
import { parseDataType } from './parse-type.ts';

/**
 * The SQL/JSON functions' own syntax, as calls whose clauses are string literal arguments (see
 * src/expr/functions/json.ts for each function's argument order):
 *   JSON_EXISTS(json, path [{TRUE | FALSE | UNKNOWN | ERROR} ON ERROR])
 *   JSON_VALUE(json, path [RETURNING type] [{NULL | ERROR | DEFAULT e} ON EMPTY] [... ON ERROR])
 *   JSON_QUERY(json, path [{WITHOUT | WITH [CONDITIONAL | UNCONDITIONAL]} [ARRAY] WRAPPER]
 *              [{NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR} ON EMPTY] [... ON ERROR])
 *   JSON_OBJECT([KEY] k VALUE v, ... [{NULL | ABSENT} ON NULL])
 *   JSON_ARRAY(v, ... [{NULL | ABSENT} ON NULL])
 */
export const JSON_FUNCTIONS = new Set(['JSON_EXISTS', 'JSON_VALUE', 'JSON_QUERY', 'JSON_OBJECT', 'JSON_ARRAY']);

function word(at: number, text: string): Expression {
  return { kind: 'literal', at, type: 'string', text };
}

function call(at: number, name: string, args: Expression[]): Expression {
  return { kind: 'call', at, name, args, distinct: false, star: false };
}

/** The first of `choices` (each one or more words) that comes next, consumed; or undefined. */
function acceptChoice(cursor: Cursor, choices: readonly string[]): string | undefined {
  return choices.find((choice) => cursor.acceptKeywords(...choice.split(' ')));
}

/** `behavior ON EMPTY` / `behavior ON ERROR` clauses in any order, each at most once. */
function parseBehaviors(
  cursor: Cursor,
  choices: readonly string[],
  onDefault?: (cursor: Cursor) => Expression,
): Map<'EMPTY' | 'ERROR', { behavior: string; value?: Expression }> {
  const out = new Map<'EMPTY' | 'ERROR', { behavior: string; value?: Expression }>();
  for (;;) {
    const start = cursor.at;
    const behavior = acceptChoice(cursor, onDefault ? [...choices, 'DEFAULT'] : choices);
    if (!behavior) return out;
    const value = behavior === 'DEFAULT' && onDefault ? onDefault(cursor) : undefined;
    cursor.expectKeywords('ON');
    const target = cursor.acceptKeywords('EMPTY') ? 'EMPTY' : cursor.acceptKeywords('ERROR') ? 'ERROR' : undefined;
    if (!target) throw cursor.unexpected('expected EMPTY or ERROR after ON');
    if (out.has(target)) throw cursor.error(start, `ON ${target} is given twice`);
    out.set(target, { behavior, ...(value ? { value } : {}) });
  }
}

function parseOnNull(cursor: Cursor, fallback: 'NULL' | 'ABSENT'): string {
  const behavior = acceptChoice(cursor, ['NULL ON NULL', 'ABSENT ON NULL']);
  return behavior ? (behavior.split(' ')[0] as string) : fallback;
}

export function parseJsonFunction(cursor: Cursor): Expression {
  const nameToken = cursor.advance();
  const at = nameToken.offset;
  const name = nameToken.upper;
  cursor.expectSymbol('(');
  let result: Expression;
  switch (name) {
    case 'JSON_OBJECT':
      result = call(at, name, parseJsonObjectArgs(cursor, at));
      break;
    case 'JSON_ARRAY':
      result = call(at, name, parseJsonArrayArgs(cursor, at));
      break;
    default: {
      const json = parseExpression(cursor);
      cursor.expectSymbol(',');
      const path = parseExpression(cursor);
      result = parsePathFunction(cursor, at, name, json, path);
    }
  }
  cursor.expectSymbol(')');
  return result;
}

/**
 * The arguments of JSON_OBJECT (and of the aggregate JSON_OBJECTAGG, whose syntax is the same), up to
 * the closing parenthesis: the ON NULL behavior (NULL by default), then keys and values in turn.
 */
export function parseJsonObjectArgs(cursor: Cursor, at: number): Expression[] {
  const args: Expression[] = [];
  while (!cursor.isSymbol(')') && !cursor.isKeyword('NULL') && !cursor.isKeyword('ABSENT')) {
    if (args.length > 0) cursor.expectSymbol(',');
    cursor.acceptKeywords('KEY');
    args.push(parseExpression(cursor));
    cursor.expectKeywords('VALUE');
    args.push(parseExpression(cursor));
  }
  return [word(at, parseOnNull(cursor, 'NULL')), ...args];
}

/** The arguments of JSON_ARRAY (and of JSON_ARRAYAGG): the ON NULL behavior (ABSENT by default), then the values. */
export function parseJsonArrayArgs(cursor: Cursor, at: number): Expression[] {
  const args: Expression[] = [];
  while (
    !cursor.isSymbol(')') &&
    !(cursor.isKeyword('NULL') && cursor.isKeyword('ON', 1)) &&
    !cursor.isKeyword('ABSENT')
  ) {
    if (args.length > 0) cursor.expectSymbol(',');
    args.push(parseExpression(cursor));
  }
  return [word(at, parseOnNull(cursor, 'ABSENT')), ...args];
}

function parsePathFunction(cursor: Cursor, at: number, name: string, json: Expression, path: Expression): Expression {
  const nullLiteral: Expression = { kind: 'literal', at, type: 'null', text: 'NULL' };
  switch (name) {
    case 'JSON_EXISTS': {
      const behavior = acceptChoice(cursor, ['TRUE', 'FALSE', 'UNKNOWN', 'ERROR']);
      if (behavior) cursor.expectKeywords('ON', 'ERROR');
      return call(at, name, [json, path, word(at, behavior ?? 'FALSE')]);
    }
    case 'JSON_VALUE': {
      const returning: Expression = cursor.acceptKeywords('RETURNING')
        ? { kind: 'cast', at, operand: nullLiteral, type: parseDataType(cursor), try: false }
        : nullLiteral;
      const behaviors = parseBehaviors(cursor, ['NULL', 'ERROR'], parseExpression);
      const empty = behaviors.get('EMPTY');
      const error = behaviors.get('ERROR');
      return call(at, name, [
        json,
        path,
        returning,
        word(at, empty?.behavior ?? 'NULL'),
        empty?.value ?? nullLiteral,
        word(at, error?.behavior ?? 'NULL'),
        error?.value ?? nullLiteral,
      ]);
    }
    default: {
      let wrapper = 'WITHOUT';
      if (cursor.acceptKeywords('WITHOUT')) {
        cursor.acceptKeywords('ARRAY');
        cursor.expectKeywords('WRAPPER');
      } else if (cursor.acceptKeywords('WITH')) {
        wrapper = cursor.acceptKeywords('CONDITIONAL') ? 'CONDITIONAL' : 'UNCONDITIONAL';
        if (wrapper === 'UNCONDITIONAL') cursor.acceptKeywords('UNCONDITIONAL');
        cursor.acceptKeywords('ARRAY');
        cursor.expectKeywords('WRAPPER');
      }
      const behaviors = parseBehaviors(cursor, ['NULL', 'EMPTY ARRAY', 'EMPTY OBJECT', 'ERROR']);
      return call(at, name, [
        json,
        path,
        word(at, wrapper),
        word(at, behaviors.get('EMPTY')?.behavior ?? 'NULL'),
        word(at, behaviors.get('ERROR')?.behavior ?? 'NULL'),
      ]);
    }
  }
}

/** After `value IS [NOT]`: `JSON [VALUE | SCALAR | ARRAY | OBJECT]`, as IS_JSON(value, type). */
export function parseIsJson(cursor: Cursor, at: number, operand: Expression, negated: boolean): Expression {
  const kind = acceptChoice(cursor, ['VALUE', 'SCALAR', 'ARRAY', 'OBJECT']) ?? 'VALUE';
  const test = call(at, 'IS_JSON', [operand, word(at, kind)]);
  return negated ? { kind: 'unary', at, operator: 'NOT', operand: test } : test;
}
