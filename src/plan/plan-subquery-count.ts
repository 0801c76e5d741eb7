import { type BoundExpr, inputRef, literal } from '../expr/bound.ts';
import { T } from '../types/data-type.ts';
import { bindCall } from './bind-expression.ts';
import { makeCalc } from './build.ts';
import { RETRACT } from './changelog.ts';
import { and, mapInputs, remapResidual } from './join-condition.ts';
import type { GroupAggregate, PlanNode } from './nodes.ts';
import { buildJoin } from './plan-join.ts';
import type { PlanContext } from './relation.ts';

/** The subquery's side of a join, and the conditions that tie it to the left side. */
export interface SubquerySide {
  readonly node: PlanNode;
  /** Conditions over left ++ right fields: the correlated conditions of the subquery's WHERE. */
  readonly correlation: readonly BoundExpr[];
  /** The columns `x IN (query)` compares with, one per operand, over left ++ right fields. */
  readonly values: readonly BoundExpr[];
}

/**
 * The count join of Calcite's SubQueryRemoveRule, for an `x IN (query)` whose NULL must stay NULL:
 * every row of `left` LEFT joined to the subquery's `COUNT(*) AS c, COUNT(column) AS ck` (per
 * correlation key, on the correlating equalities; one row without them), so that the marker `i` of
 * the join that follows reads as SQL's three-valued IN (`inValue`). Calcite joins the uncorrelated
 * count with an INNER join, which in a stream gives no row until the subquery has one; the LEFT join
 * reads a missing count as 0, as SQL evaluates IN over no rows. Returns `left` with `c, ck` appended
 * and the subquery's side with its indices moved past them.
 */
export function joinSubqueryCount(
  left: PlanNode,
  side: SubquerySide,
  at: number,
  ctx: PlanContext,
): { node: PlanNode; side: SubquerySide } {
  const width = left.fields.length;
  const value = side.values[0] as BoundExpr & { kind: 'input' };
  const keys: number[] = [];
  const condition = side.correlation.map((equality) =>
    mapInputs(equality, (index) => {
      if (index < width) return index;
      if (!keys.includes(index - width)) keys.push(index - width);
      return width + keys.indexOf(index - width);
    }),
  );
  const fields = side.node.fields;
  const count: GroupAggregate = {
    kind: 'GroupAggregate',
    input: side.node,
    groupKeys: keys,
    calls: [
      { fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'c' },
      { fn: 'COUNT', args: [value.index - width], distinct: false, type: T.bigint(false), name: 'ck' },
    ],
    fields: [
      ...keys.map((key) => fields[key] as PlanNode['fields'][number]),
      { name: 'c', type: T.bigint(false) },
      { name: 'ck', type: T.bigint(false) },
    ],
    changelog: RETRACT,
    uniqueKey: keys.map((_, i) => i),
  };
  const joined = buildJoin('LEFT', left, count, and(condition, at, ctx), at, ctx);
  // The rows of `left`, then c and ck (NULL where no count joined): Flink's Calc after the join.
  const kept = [...left.fields.keys(), width + keys.length, width + keys.length + 1];
  const node = makeCalc(
    joined,
    kept.map((index) => {
      const field = joined.fields[index] as PlanNode['fields'][number];
      return inputRef(index, field.name, index >= width ? T.bigint(true) : field.type);
    }),
    kept.map((index) => joined.fields[index]?.name as string),
  );
  const move = (expr: BoundExpr) => remapResidual(expr, width, width + 2);
  return {
    node,
    side: { node: side.node, correlation: side.correlation.map(move), values: side.values.map(move) },
  };
}

/**
 * SQL's `x IN (query)` (`value` the subquery's column) from the count join and the marker, as
 * Calcite's CASE: FALSE over no rows (`c` NULL or 0), NULL for a NULL `x`, TRUE where the marker `i`
 * joined, NULL where the subquery has a NULL value (`ck < c`), FALSE otherwise. The branches for
 * NULLs that cannot be are left out.
 */
export function inValue(
  operand: BoundExpr,
  value: BoundExpr,
  counts: { readonly c: BoundExpr; readonly ck: BoundExpr },
  i: BoundExpr,
  at: number,
  ctx: PlanContext,
): BoundExpr {
  const { c, ck } = counts;
  const call = (name: string, args: readonly BoundExpr[]) => bindCall(name, args, at, ctx.source);
  const unknown = literal(null, T.boolean(true));
  const empty = call('OR', [call('IS_NULL', [c]), call('EQUALS', [c, literal(0n, T.bigint(false))])]);
  const branches: BoundExpr[] = [empty, literal(false, T.boolean(false))];
  if (operand.type.nullable) branches.push(call('IS_NULL', [operand]), unknown);
  branches.push(call('IS_NOT_NULL', [i]), literal(true, T.boolean(false)));
  if (value.type.nullable) branches.push(call('LESS_THAN', [ck, c]), unknown);
  branches.push(literal(false, T.boolean(false)));
  return call('CASE', branches);
}
