import { type BoundExpr, inputRef, literal } from '../expr/bound.ts';
import type { Expression, ScalarSubquery, Select } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { T, withNullable } from '../types/data-type.ts';
import { bindCall, bindExpression } from './bind-expression.ts';
import { and, referencedFields } from './join-condition.ts';
import { NestedScope } from './nested-scope.ts';
import type { PlanNode } from './nodes.ts';
import { isAggregateCall } from './plan-user-aggregate.ts';
import type { PlanContext, Relation } from './relation.ts';
import { astConjuncts, containsSubquery, type Planners } from './subquery-conditions.ts';

/** Aggregates whose value over no rows is NULL, or (COUNT) 0: what a missing group of the left join stands for. */
const NULL_WHEN_EMPTY = new Set([
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'FIRST_VALUE',
  'LAST_VALUE',
  'LISTAGG',
  'STDDEV',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VARIANCE',
  'VAR_POP',
  'VAR_SAMP',
]);

/** A decorrelated scalar subquery: the aggregate per correlation key, and how the outer rows join it. */
export interface CorrelatedScalar {
  /** The subquery grouped by its side of each correlation equality: the keys, then the value. */
  readonly node: PlanNode;
  /** The LEFT join's condition over a left side of `leftWidth` fields (the outer query's first) and `node`. */
  condition(leftWidth: number): BoundExpr;
  /** The subquery's value in the joined row, where the value column is at `index` (0 for a COUNT without group). */
  value(index: number): BoundExpr;
}

/**
 * A scalar subquery that reads the outer query's columns, decorrelated as Flink's
 * SubQueryDecorrelator does for an aggregate correlated by equalities:
 * `(SELECT MAX(p.price) FROM p WHERE p.cat = o.cat)` becomes `SELECT cat, MAX(price) FROM p GROUP BY
 * cat`, LEFT joined to the outer rows on `o.cat = cat`. A row without partner reads NULL, or 0 for
 * COUNT (the value of an aggregate over no rows). Undefined when the subquery is not correlated.
 */
export function correlatedScalar(
  sub: ScalarSubquery,
  outer: Relation,
  ctx: PlanContext,
  planners: Planners,
): CorrelatedScalar | undefined {
  const query = sub.query;
  if (query.kind !== 'select' || !query.from || !query.where) return undefined;
  const inner = planners.from(query.from, ctx);
  const outerWidth = outer.node.fields.length;
  const nested = new NestedScope(outer.scope, inner.scope);
  const readsOuter = (expr: BoundExpr) => [...referencedFields(expr)].some((index) => index < outerWidth);
  const local: Expression[] = [];
  const correlated: Expression[] = [];
  for (const part of astConjuncts(query.where)) {
    if (containsSubquery(part)) local.push(part);
    else if (readsOuter(bindExpression(part, nested, { source: ctx.source }))) correlated.push(part);
    else local.push(part);
  }
  if (correlated.length === 0) return undefined;
  const fail = (at: number, message: string, hint: string): never => {
    throw new SqlError('SQL_UNSUPPORTED', ctx.source, at, message, hint);
  };
  const item = query.items[0];
  if (
    query.items.length !== 1 ||
    item?.kind !== 'expression' ||
    !isAggregateCall(item.expression) ||
    !NULL_WHEN_EMPTY.has(item.expression.name) ||
    query.groupBy.length > 0 ||
    query.groupingSets ||
    query.having ||
    query.distinct
  ) {
    return fail(
      sub.at,
      'a correlated scalar subquery must select one aggregate (COUNT, SUM, AVG, MIN, MAX, ...) without GROUP BY or HAVING',
      'e.g. (SELECT MAX(p.price) FROM p WHERE p.cat = o.cat); Flink checks other correlated subqueries row by row (SINGLE_VALUE), which Rivulet does not',
    );
  }
  // Each correlation an equality of the subquery's columns with the outer query's.
  const keys = correlated.map((part) => {
    const sides = part.kind === 'binary' && part.operator === '=' ? [part.left, part.right] : [];
    const bound = sides.map((side) => bindExpression(side, nested, { source: ctx.source }));
    const outerSide = bound.findIndex((expr) => readsOuter(expr));
    const innerSide = 1 - outerSide;
    const innerBound = bound[innerSide];
    if (sides.length !== 2 || !innerBound || readsOuter(innerBound) || referencedFields(innerBound).size === 0) {
      return fail(
        part.at,
        'a correlated scalar subquery may tie its columns to the outer query only by equalities (inner = outer)',
        'move other conditions on the outer columns out of the subquery',
      );
    }
    const outerBound = bound[outerSide] as BoundExpr;
    if ([...referencedFields(outerBound)].some((index) => index >= outerWidth)) {
      return fail(
        part.at,
        'each side of a correlation must read one query only',
        'write it as inner_column = outer_column',
      );
    }
    return { inner: sides[innerSide] as Expression, outer: outerBound };
  });
  const grouped: Select = {
    ...query,
    items: [...keys.map(({ inner }) => ({ kind: 'expression' as const, at: inner.at, expression: inner })), item],
    groupBy: keys.map(({ inner }) => inner),
    ...(local.length > 0 ? { where: local.reduce(andAst) } : { where: undefined }),
  };
  const node = planners.query(grouped, ctx).node;
  const count = item.expression.name === 'COUNT';
  return {
    node,
    condition: (leftWidth) =>
      and(
        keys.map(({ outer: value }, i) => {
          const key = node.fields[i] as PlanNode['fields'][number];
          return bindCall('EQUALS', [value, inputRef(leftWidth + i, key.name, key.type)], sub.at, ctx.source);
        }),
        sub.at,
        ctx,
      ) as BoundExpr,
    value: (index) => {
      const field = node.fields[node.fields.length - 1] as PlanNode['fields'][number];
      const value = inputRef(index, field.name, withNullable(field.type, true));
      return count ? bindCall('COALESCE', [value, literal(0n, T.bigint(false))], sub.at, ctx.source) : value;
    },
  };
}

function andAst(left: Expression, right: Expression): Expression {
  return { kind: 'binary', at: left.at, operator: 'AND', left, right };
}
