import { type BoundExpr, inputRef } from '../expr/bound.ts';
import { childExpressions, type Expression } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { T } from '../types/data-type.ts';
import { bindCall } from './bind-expression.ts';
import { distinctRows, identity, makeCalc } from './build.ts';
import { and } from './join-condition.ts';
import type { PlanNode } from './nodes.ts';
import { buildJoin } from './plan-join.ts';
import { inValue, joinSubqueryCount, type SubquerySide } from './plan-subquery-count.ts';
import type { PlanContext } from './relation.ts';

/** An IN or EXISTS subquery where a semi or anti join cannot stand: under OR or NOT, or inside another expression. */
export interface MarkedSubquery {
  readonly expr: Expression & { kind: 'exists' | 'inSubquery' };
  /**
   * Whether its NULL must stay NULL: it stands under NOT or inside an expression other than AND and
   * OR (Calcite's logic other than UNKNOWN_AS_FALSE). Under AND and OR alone a NULL may read FALSE.
   */
  readonly exact: boolean;
}

/** The IN and EXISTS subqueries of a condition, with the logic their value needs (not looking into them). */
export function markedSubqueries(expr: Expression, exact = false, out: MarkedSubquery[] = []): MarkedSubquery[] {
  if (expr.kind === 'exists' || expr.kind === 'inSubquery') {
    out.push({ expr, exact: exact || (expr.kind === 'inSubquery' && expr.negated) });
    return out;
  }
  const connective = expr.kind === 'binary' && (expr.operator === 'AND' || expr.operator === 'OR');
  for (const child of childExpressions(expr)) markedSubqueries(child, exact || !connective, out);
  return out;
}

/**
 * Appends to `left` the marker of one IN or EXISTS subquery, as Calcite's SubQueryRemoveRule
 * rewrites one it cannot turn into a semi join: a LEFT join with the subquery's distinct rows, each
 * with `true AS i`, on `x = column` and the correlating equalities; the subquery holds where `i IS
 * NOT NULL`. The right side's rows are distinct on the join's columns, so each row of `left` meets
 * at most one and is neither repeated nor lost, and the join retracts as any does. Returns the
 * joined node and the predicate's value over its fields.
 *
 * `i IS NOT NULL` is FALSE where SQL's IN is NULL (a NULL `x`, or a NULL among the subquery's
 * values), which only a condition of AND and OR may read as FALSE; where the NULL must stay NULL
 * and can occur, the count join comes first (`joinSubqueryCount`) and the value is SQL's
 * three-valued IN (`inValue`).
 */
export function joinSubqueryMark(
  left: PlanNode,
  marked: MarkedSubquery,
  operands: readonly BoundExpr[],
  side: SubquerySide,
  ctx: PlanContext,
): { node: PlanNode; value: BoundExpr } {
  const { expr } = marked;
  const width = left.fields.length;
  const name = expr.kind === 'exists' ? 'EXISTS' : expr.negated ? 'NOT IN' : 'IN';
  for (const condition of side.correlation) {
    if (!isEquality(condition, width)) {
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        expr.at,
        `${name} with a subquery under OR or NOT, or inside an expression, may read the outer query's columns only in equalities (inner_column = outer_column)`,
        'move the other correlated conditions out of the subquery, or write the subquery as a condition of WHERE joined by AND (a semi or anti join)',
      );
    }
  }
  const nullable = [...operands, ...side.values].some((value) => value.type.nullable);
  const counted = marked.exact && nullable ? countJoin(left, operands, side, name, expr.at, ctx) : undefined;
  const base = counted?.node ?? left;
  const right = counted?.side ?? side;
  const rightFields = right.node.fields;
  const marker = makeCalc(
    right.node,
    [...identity(right.node), { kind: 'literal', value: true, type: T.boolean(false) }],
    [...rightFields.map((field) => field.name), 'i'],
  );
  const equalities = operands.map((operand, i) =>
    bindCall('EQUALS', [operand, right.values[i] as BoundExpr], expr.at, ctx.source),
  );
  const condition = and([...equalities, ...right.correlation], expr.at, ctx);
  const node = buildJoin('LEFT', base, distinctRows(marker), condition, expr.at, ctx);
  const index = base.fields.length + rightFields.length;
  const i: BoundExpr = { kind: 'input', index, name: node.fields[index]?.name ?? 'i', type: T.boolean() };
  const counts = { c: inputRef(width, 'c', T.bigint(true)), ck: inputRef(width + 1, 'ck', T.bigint(true)) };
  const holds = counted
    ? inValue(operands[0] as BoundExpr, right.values[0] as BoundExpr, counts, i, expr.at, ctx)
    : bindCall('IS_NOT_NULL', [i], expr.at, ctx.source);
  const negated = expr.kind === 'inSubquery' && expr.negated;
  return { node, value: negated ? bindCall('NOT', [holds], expr.at, ctx.source) : holds };
}

/** The count join for a one-column IN whose NULL must stay NULL; a row value with a NULL field is refused. */
function countJoin(
  left: PlanNode,
  operands: readonly BoundExpr[],
  side: SubquerySide,
  name: string,
  at: number,
  ctx: PlanContext,
): { node: PlanNode; side: SubquerySide } {
  if (operands.length > 1) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      `(a, b) ${name} with a subquery whose NULL must stay NULL (NOT IN, under NOT, in SELECT, or inside an expression other than AND and OR) is planned only where neither its values nor the subquery's columns can be NULL`,
      "Calcite's count rewrite reads a row with a NULL field as UNKNOWN where SQL compares the other fields first ((1, NULL) IN (SELECT 2, 3) is FALSE): declare the columns NOT NULL, filter out NULLs with IS NOT NULL on both sides, or write it as a condition of WHERE joined by AND (an anti join with NOT IN's NULL semantics)",
    );
  }
  return joinSubqueryCount(left, side, at, ctx);
}

/** `left_column = right_column` (either way round), a key of the join. */
function isEquality(condition: BoundExpr, width: number): boolean {
  if (condition.kind !== 'call' || condition.name !== 'EQUALS') return false;
  const [a, b] = condition.args.map(uncast);
  if (a?.kind !== 'input' || b?.kind !== 'input') return false;
  return a.index < width !== b.index < width;
}

function uncast(expr: BoundExpr): BoundExpr {
  return expr.kind === 'cast' ? uncast(expr.operand) : expr;
}
