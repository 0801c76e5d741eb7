import type { BoundExpr } from '../expr/bound.ts';
import type { Join as JoinAst, UnnestTable } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, describeType, type RowField, withNullable } from '../types/data-type.ts';
import { bindExpression, bindFunction } from './bind-expression.ts';
import { identity, makeCalc, uniqueNames } from './build.ts';
import { userTableFunction } from './function-scope.ts';
import type { Field, PlanNode } from './nodes.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * The columns UNNEST makes of a collection's type, named as Flink's $UNNEST_ROWS$1 names them: an
 * ARRAY or MULTISET of atomic values gives `f0`, of ROWs the ROW's fields; a MAP gives `f0` (the
 * key) and `f1` (the value).
 */
export function unnestFields(type: DataType): RowField[] | undefined {
  switch (type.kind) {
    case 'ARRAY':
    case 'MULTISET': {
      const element = type.element;
      if (element.kind === 'ROW')
        return element.fields.map((field) => ({
          name: field.name,
          type: withNullable(field.type, field.type.nullable || element.nullable),
        }));
      return [{ name: 'f0', type: element }];
    }
    case 'MAP':
      return [
        { name: 'f0', type: type.key },
        { name: 'f1', type: type.value },
      ];
    default:
      return undefined;
  }
}

/**
 * UNNEST's collection; or the call of LATERAL TABLE's table function, whose value is the ARRAY of
 * the rows it gives (see udf/call-function.ts), so that both run as one Correlate.
 */
function bindCollection(unnest: UnnestTable, left: Relation, ctx: PlanContext): BoundExpr {
  const call = unnest.collection;
  if (!unnest.tableFunction || call.kind !== 'call') return bindExpression(call, left.scope, { source: ctx.source });
  const fn = userTableFunction(call.name, ctx.source, call.at);
  const args = call.args.map((arg) => bindExpression(arg, left.scope, { source: ctx.source }));
  return bindFunction(fn, args, call.at, ctx.source, true);
}

/**
 * `left CROSS JOIN UNNEST(...)` or `LATERAL TABLE(f(...))` (or `left, UNNEST(...)`, `JOIN UNNEST(...) ON cond`) and
 * `left LEFT JOIN UNNEST(...) ON TRUE`: a Correlate over the left side, whose rows the collection
 * expression reads. An inner join's ON condition filters the joined rows.
 */
export function planCorrelate(ast: JoinAst, left: Relation, unnest: UnnestTable, ctx: PlanContext): Relation {
  const fail = (at: number, message: string, hint?: string): never => {
    throw new SqlError('SQL_UNSUPPORTED', ctx.source, at, message, hint);
  };
  const what = unnest.tableFunction ? 'LATERAL TABLE' : 'UNNEST';
  if (ast.type === 'RIGHT' || ast.type === 'FULL') {
    fail(
      ast.at,
      `${ast.type} JOIN ${what} is not supported (as in Flink)`,
      `use CROSS JOIN ${what} or LEFT JOIN ${what} ... ON TRUE`,
    );
  }
  const joinType = ast.type === 'LEFT' ? 'LEFT' : 'INNER';
  const on = ast.type === 'CROSS' ? undefined : ast.on;
  const onTrue = on?.kind === 'literal' && on.type === 'boolean' && on.text === 'TRUE';
  if (joinType === 'LEFT' && !onTrue) {
    fail(
      on?.at ?? ast.at,
      `a LEFT JOIN with ${what} takes only the condition ON TRUE, as in Flink`,
      'filter the unnested rows in WHERE, or in a subquery before the join',
    );
  }
  const collection = bindCollection(unnest, left, ctx);
  const unnested = unnestFields(collection.type);
  if (!unnested) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      unnest.collection.at,
      `UNNEST takes an ARRAY, MAP or MULTISET, got ${describeType(collection.type)}`,
    );
  }
  const columnNames = unnest.columnNames?.map((column) => column.name);
  if (columnNames && columnNames.length !== unnested.length) {
    throw new SqlError(
      'SQL_VIEW_COLUMNS',
      ctx.source,
      unnest.alias?.at ?? unnest.at,
      `List of column aliases must have same degree as table; table has ${unnested.length} columns (${unnested.map((field) => describeType(field.type)).join(', ')}), whereas alias list has ${columnNames.length} columns`,
    );
  }
  const outer = joinType === 'LEFT';
  const added: Field[] = unnested.map((field) => ({
    name: field.name,
    type: withNullable(field.type, outer || field.type.nullable),
  }));
  const names = uniqueNames([...left.node.fields.map((field) => field.name), ...added.map((field) => field.name)]);
  const fields: Field[] = [
    ...left.node.fields,
    ...added.map((field, i) => ({ ...field, name: names[left.node.fields.length + i] as string })),
  ];
  const input = left.node;
  const node: PlanNode = {
    kind: 'Correlate',
    input,
    collection,
    joinType,
    fields,
    // Each change of the input becomes changes of the same kind (an upsert scan is normalized first).
    changelog: input.changelog,
  };
  const alias = unnest.alias?.name;
  const scope = new Scope([
    ...left.scope.fields,
    ...added.map((field, i) => ({
      name: columnNames?.[i] ?? field.name,
      type: field.type,
      qualifiers: alias ? [alias] : [],
    })),
  ]);
  if (!on || onTrue) return { node, scope };
  const condition = bindExpression(on, scope, { source: ctx.source });
  if (condition.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      on.at,
      `the ON condition must be BOOLEAN, got ${describeType(condition.type)}`,
    );
  }
  return {
    node: makeCalc(
      node,
      identity(node),
      node.fields.map((field) => field.name),
      condition,
    ),
    scope,
  };
}
