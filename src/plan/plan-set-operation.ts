import type { BoundExpr } from '../expr/bound.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, describeType, withNullable } from '../types/data-type.ts';
import { commonType } from '../types/type-rules.ts';
import { bindCall, implicitCast } from './bind-expression.ts';
import { identity, makeCalc } from './build.ts';
import { and } from './join-condition.ts';
import type { Field, PlanNode } from './nodes.ts';
import { buildJoin } from './plan-join.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * The two inputs of a set operation brought to the same columns: each column of the least
 * restrictive type of both sides (a side is cast where it differs), named as the left side's.
 */
export function alignSetInputs(
  operator: string,
  left: Relation,
  right: Relation,
  at: number,
  ctx: PlanContext,
): { readonly inputs: readonly [PlanNode, PlanNode]; readonly fields: readonly Field[] } {
  const width = left.node.fields.length;
  if (right.node.fields.length !== width) {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      at,
      `${operator} inputs have ${width} and ${right.node.fields.length} columns`,
    );
  }
  const types = left.node.fields.map((field, i) => {
    const other = right.node.fields[i] as Field;
    const type = commonType([field.type, other.type]);
    if (!type)
      throw new SqlError(
        'SQL_TYPE_MISMATCH',
        ctx.source,
        at,
        `column '${field.name}' of ${operator} is ${describeType(field.type)} on one side and ${describeType(other.type)} on the other`,
      );
    return withNullable(type, field.type.nullable || other.type.nullable);
  });
  const align = (relation: Relation): PlanNode => {
    const needsCast = relation.node.fields.some((field, i) => field.type.kind !== types[i]?.kind);
    if (!needsCast) return relation.node;
    return makeCalc(
      relation.node,
      identity(relation.node).map((expr, i) => implicitCast(expr, types[i] as DataType)),
      left.node.fields.map((f) => f.name),
    );
  };
  const fields = left.node.fields.map((field, i) => ({ name: field.name, type: types[i] as DataType }));
  return { inputs: [align(left), align(right)], fields };
}

/**
 * INTERSECT and EXCEPT (distinct) as Flink plans them: the left rows with (INTERSECT, a
 * LeftSemiJoin) or without (EXCEPT, a LeftAntiJoin) an equal right row, every column compared
 * with IS NOT DISTINCT FROM (NULL equals NULL, as set operations compare rows); the caller
 * removes the duplicates with an aggregate on every column.
 */
export function planIntersectExcept(
  operator: 'INTERSECT' | 'EXCEPT',
  left: Relation,
  right: Relation,
  at: number,
  ctx: PlanContext,
): Relation {
  const { inputs, fields } = alignSetInputs(operator, left, right, at, ctx);
  const [leftNode, rightNode] = inputs;
  const width = fields.length;
  const input = (index: number, node: PlanNode, offset: number): BoundExpr => {
    const field = node.fields[index] as Field;
    return { kind: 'input', index: offset + index, name: field.name, type: field.type };
  };
  const condition = and(
    fields.map((_, i) =>
      bindCall('IS_NOT_DISTINCT_FROM', [input(i, leftNode, 0), input(i, rightNode, width)], at, ctx.source),
    ),
    at,
    ctx,
  );
  const node = buildJoin(operator === 'INTERSECT' ? 'SEMI' : 'ANTI', leftNode, rightNode, condition, at, ctx);
  return { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers: [] }))) };
}
