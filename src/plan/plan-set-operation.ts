import type { AggregateCall } from '../exec/accumulators.ts';
import { type BoundExpr, inputRef, literal } from '../expr/bound.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, describeType, T, withNullable } from '../types/data-type.ts';
import { commonType } from '../types/type-rules.ts';
import { bindCall, bindFunction, implicitCast } from './bind-expression.ts';
import { identity, makeCalc, uniqueNames } from './build.ts';
import { combine, RETRACT } from './changelog.ts';
import { and } from './join-condition.ts';
import type { Field, PlanNode } from './nodes.ts';
import { buildJoin } from './plan-join.ts';
import type { PlanContext, Relation } from './relation.ts';
import { REPLICATE_ROWS } from './replicate-rows.ts';
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

/**
 * INTERSECT ALL and EXCEPT ALL as Flink 1.18 rewrites them (RewriteIntersectAllRule,
 * RewriteMinusAllRule): both sides marked and united, a GroupAggregate on every column counts
 * each row's occurrences per side, and the Correlate $REPLICATE_ROWS$1 emits the row as often as
 * it is in the result: min(left, right) times for INTERSECT ALL, left - right (when positive)
 * for EXCEPT ALL. A retraction of a count takes back its copies, so the result follows updates
 * and deletes of both inputs.
 */
export function planIntersectExceptAll(
  operator: 'INTERSECT' | 'EXCEPT',
  left: Relation,
  right: Relation,
  at: number,
  ctx: PlanContext,
): Relation {
  const { inputs, fields } = alignSetInputs(operator, left, right, at, ctx);
  const width = fields.length;
  const names = fields.map((field) => field.name);
  const columns = (node: PlanNode) => identity(node).slice(0, width);
  const bool = (value: boolean | null) => literal(value, T.boolean(value === null));
  const bigint = (value: bigint) => literal(value, T.bigint(false));
  const markers: readonly (readonly BoundExpr[])[] =
    operator === 'INTERSECT'
      ? [
          [bool(true), bool(null)],
          [bool(null), bool(true)],
        ]
      : [[bigint(1n)], [bigint(-1n)]];
  const markerNames = operator === 'INTERSECT' ? ['vcol_left_marker', 'vcol_right_marker'] : ['vcol_marker'];
  const marked = inputs.map((node, side) =>
    makeCalc(node, [...columns(node), ...(markers[side] as BoundExpr[])], [...names, ...markerNames]),
  );
  const union: PlanNode = {
    kind: 'Union',
    inputs: marked,
    fields: marked[0]?.fields ?? [],
    changelog: combine(...marked.map((node) => node.changelog)),
  };
  const groupKeys = fields.map((_, i) => i);
  const calls: AggregateCall[] =
    operator === 'INTERSECT'
      ? [
          { fn: 'COUNT', args: [width], distinct: false, type: T.bigint(false), name: 'vcol_left_cnt' },
          { fn: 'COUNT', args: [width + 1], distinct: false, type: T.bigint(false), name: 'vcol_right_cnt' },
        ]
      : [{ fn: 'SUM', args: [width], distinct: false, type: T.bigint(true), name: 'sum_vcol_marker' }];
  const counted: PlanNode = {
    kind: 'GroupAggregate',
    input: union,
    groupKeys,
    calls,
    fields: [...fields, ...calls.map((call) => ({ name: call.name, type: call.type }))],
    changelog: RETRACT,
    uniqueKey: groupKeys,
  };
  const count = (i: number) => inputRef(width + i, calls[i]?.name as string, calls[i]?.type as DataType);
  const call = (name: string, args: readonly BoundExpr[]) => bindCall(name, args, at, ctx.source);
  // INTERSECT ALL: rows on both sides, min(left, right) times; EXCEPT ALL: left - right times when positive.
  const [condition, times] =
    operator === 'INTERSECT'
      ? [
          call('AND', [
            call('GREATER_THAN_OR_EQUAL', [count(0), bigint(1n)]),
            call('GREATER_THAN_OR_EQUAL', [count(1), bigint(1n)]),
          ]),
          call('IF', [call('GREATER_THAN', [count(0), count(1)]), count(1), count(0)]),
        ]
      : [call('GREATER_THAN', [count(0), bigint(0n)]), count(0)];
  const filtered = makeCalc(counted, [times, ...columns(counted)], ['$f0', ...names], condition);
  const replicate = bindFunction(REPLICATE_ROWS, [...identity(filtered)], at, ctx.source, true);
  const outputNames = uniqueNames([...filtered.fields.map((field) => field.name), ...names]);
  const correlate: PlanNode = {
    kind: 'Correlate',
    input: filtered,
    collection: replicate,
    joinType: 'INNER',
    fields: [
      ...filtered.fields,
      ...fields.map((field, i) => ({ name: outputNames[width + 1 + i] as string, type: field.type })),
    ],
    changelog: filtered.changelog,
  };
  const node = makeCalc(
    correlate,
    fields.map((field, i) => inputRef(width + 1 + i, outputNames[width + 1 + i] as string, field.type)),
    names,
  );
  return { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers: [] }))) };
}

/** UNION ALL of two relations: their columns aligned to common types. */
export function planUnion(left: Relation, right: Relation, at: number, ctx: PlanContext): Relation {
  const { inputs, fields } = alignSetInputs('UNION', left, right, at, ctx);
  const node: PlanNode = {
    kind: 'Union',
    inputs,
    fields,
    changelog: combine(...inputs.map((input) => input.changelog)),
  };
  return { node, scope: new Scope(fields.map((field) => ({ ...field, qualifiers: [] }))) };
}
