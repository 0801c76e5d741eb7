import type { Expression } from './ast.ts';
import type { Cursor } from './cursor.ts';

/**
 * The arguments of `JSON_OBJECTAGG([KEY] key VALUE value [{NULL | ABSENT} ON NULL])` and
 * `JSON_ARRAYAGG(value [{NULL | ABSENT} ON NULL])`, after the opening parenthesis, with the name
 * Flink gives the call for its NULL clause (`JSON_OBJECTAGG_NULL_ON_NULL`, the default of
 * JSON_OBJECTAGG; `JSON_ARRAYAGG_ABSENT_ON_NULL`, the default of JSON_ARRAYAGG). Undefined for
 * other functions.
 */
export function parseJsonAggregateArguments(
  cursor: Cursor,
  name: string,
  parseExpression: (cursor: Cursor) => Expression,
): { readonly name: string; readonly args: readonly Expression[] } | undefined {
  if (name !== 'JSON_OBJECTAGG' && name !== 'JSON_ARRAYAGG') return undefined;
  const args: Expression[] = [];
  if (name === 'JSON_OBJECTAGG') {
    if (cursor.isKeyword('KEY') && !cursor.isKeyword('VALUE', 1)) cursor.advance();
    args.push(parseExpression(cursor));
    cursor.expectKeywords('VALUE');
  }
  args.push(parseExpression(cursor));
  const absent = cursor.acceptKeywords('ABSENT', 'ON', 'NULL')
    ? true
    : cursor.acceptKeywords('NULL', 'ON', 'NULL')
      ? false
      : name === 'JSON_ARRAYAGG';
  return { name: `${name}_${absent ? 'ABSENT' : 'NULL'}_ON_NULL`, args };
}
