import { RivuletError } from '../common/errors.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type { Expression, Query, ScalarSubquery, Select, TableReference } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, withNullable } from '../types/data-type.ts';
import { type BindEnvironment, bindCall, bindExpression } from './bind-expression.ts';
import { identity, makeCalc } from './build.ts';
import { and, mapInputs, referencedFields } from './join-condition.ts';
import { NestedScope } from './nested-scope.ts';
import type { PlanNode } from './nodes.ts';
import { hasAggregates } from './plan-aggregate.ts';
import { correlatedScalar } from './plan-correlated-scalar.ts';
import { buildJoin } from './plan-join.ts';
import type { SubquerySide } from './plan-subquery-count.ts';
import { joinSubqueryMark, markedSubqueries } from './plan-subquery-mark.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope, type ScopeField } from './scope.ts';
import { astConjuncts, containsSubquery, type Planners, scalarSubqueries } from './subquery-conditions.ts';

/**
 * WHERE with subqueries, planned as Flink's subquery rewrite plans them: the conditions without a
 * subquery filter the input first; each `[NOT] EXISTS (query)` and `x [NOT] IN (query)` condition
 * then becomes a semi (anti) join with the subquery; a condition with a scalar subquery a join with
 * that subquery's one row, followed by the condition. The fields stay those of `from`.
 */
export function planWhereWithSubqueries(
  where: Expression,
  from: Relation,
  ctx: PlanContext,
  planners: Planners,
): Relation {
  return planConditions(astConjuncts(where), from, ctx, planners, whereClause(ctx));
}

/**
 * HAVING with subqueries, as Flink plans them: over the aggregate's rows (`aggregate`, whose
 * expressions `env` binds), the same joins as in WHERE. The subqueries may not read the columns of
 * the query's FROM (`from`): see `refuseCorrelated`.
 */
export function planHavingWithSubqueries(
  having: Expression,
  aggregate: Relation,
  env: BindEnvironment,
  from: Scope,
  ctx: PlanContext,
  planners: Planners,
): Relation {
  refuseCorrelated([having], from, 'HAVING', ctx, planners);
  return planConditions(astConjuncts(having), aggregate, ctx, planners, { env, name: 'HAVING' });
}

/**
 * The SELECT list of an aggregating query with subqueries: what they need joined to the aggregate's
 * rows (`joinSubqueryValues`); as in HAVING, they may not read the columns of FROM.
 */
export function joinAggregateSubqueryValues(
  aggregate: Relation,
  exprs: readonly Expression[],
  env: BindEnvironment,
  from: Scope,
  ctx: PlanContext,
  planners: Planners,
): SubqueryValues {
  refuseCorrelated(exprs, from, 'the SELECT list of an aggregating query', ctx, planners);
  return joinSubqueryValues(aggregate, exprs, true, ctx, planners, env);
}

/** The clause whose conditions are planned: how its own expressions bind, and its name for errors. */
interface Clause {
  readonly env: BindEnvironment;
  readonly name: string;
}

const whereClause = (ctx: PlanContext): Clause => ({ env: { source: ctx.source }, name: 'WHERE' });

/** `env` reading first what `rewrite` gives (the values joined for subqueries). */
export function withRewrite(
  env: BindEnvironment,
  rewrite: (expr: Expression) => BoundExpr | undefined,
): BindEnvironment {
  return { source: env.source, rewrite: (expr) => rewrite(expr) ?? env.rewrite?.(expr) };
}

function planConditions(
  parts: readonly Expression[],
  from: Relation,
  ctx: PlanContext,
  planners: Planners,
  clause: Clause,
): Relation {
  let relation = filter(
    from,
    parts.filter((part) => !containsSubquery(part)),
    ctx,
    clause,
  );
  for (const part of parts) {
    if (!containsSubquery(part)) continue;
    const predicate = subqueryPredicate(part);
    if (predicate) relation = planSemiAntiJoin(relation, predicate, ctx, planners, clause.env);
    else if (markedSubqueries(part).length > 0) relation = planJoinedCondition(relation, part, ctx, planners, clause);
    else relation = planScalarCondition(relation, part, ctx, planners, clause);
  }
  return relation;
}

function filter(relation: Relation, parts: readonly Expression[], ctx: PlanContext, clause: Clause): Relation {
  const bound = parts.map((part) => bindCondition(part, relation.scope, clause.env, clause.name, ctx));
  const condition = and(bound, parts[0]?.at ?? 0, ctx);
  if (!condition) return relation;
  return {
    ...relation,
    node: makeCalc(
      relation.node,
      identity(relation.node),
      relation.node.fields.map((f) => f.name),
      condition,
    ),
  };
}

function bindCondition(part: Expression, scope: Scope, env: BindEnvironment, clause: string, ctx: PlanContext) {
  const bound = bindExpression(part, scope, env);
  if (bound.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      part.at,
      `${clause} needs a BOOLEAN condition, got ${describeType(bound.type)}`,
    );
  }
  return bound;
}

// ─── IN and EXISTS: semi and anti joins ──────────────────────────────────────────────────────────

interface SubqueryPredicate {
  readonly query: Query;
  /** The `x` of `x IN (query)`, or `a` and `b` of `(a, b) IN (query)`; none for EXISTS. */
  readonly operands?: readonly Expression[];
  readonly anti: boolean;
  readonly at: number;
}

function subqueryPredicate(part: Expression): SubqueryPredicate | undefined {
  const negated = part.kind === 'unary' && part.operator === 'NOT';
  const inner = negated ? part.operand : part;
  if (inner.kind === 'exists') return { query: inner.query, anti: negated, at: inner.at };
  if (inner.kind === 'inSubquery')
    return { query: inner.query, operands: inOperands(inner.operand), anti: negated !== inner.negated, at: inner.at };
  return undefined;
}

/** The values `(a, b) IN (query)` compares, a row constructor's fields; `x IN (query)` compares one. */
function inOperands(operand: Expression): readonly Expression[] {
  return operand.kind === 'call' && operand.name === 'ROW' && operand.args.length > 1 ? operand.args : [operand];
}

/**
 * `[NOT] EXISTS (query)` and `x [NOT] IN (query)` as Flink plans them: a LeftSemiJoin (LeftAntiJoin)
 * on the correlated conditions and `x = column`. NOT IN keeps SQL's NULL semantics as Flink does:
 * its condition is `x IS NULL OR column IS NULL OR x = column` (each IS NULL only where the value
 * can be NULL), so a NULL among the subquery's values removes every row, and a NULL `x` is removed
 * by any row of the subquery.
 */
function planSemiAntiJoin(
  left: Relation,
  predicate: SubqueryPredicate,
  ctx: PlanContext,
  planners: Planners,
  env: BindEnvironment,
) {
  const side = subquerySide(left, predicate, ctx, planners);
  const conditions = [...side.correlation];
  const operands = (predicate.operands ?? []).map((operand) => bindExpression(operand, left.scope, env));
  const pairs = operands.map((operand, i) => {
    const value = side.values[i] as BoundExpr;
    const equals = bindCall('EQUALS', [operand, value], predicate.at, ctx.source);
    if (!predicate.anti) return equals;
    const unknown = [operand, value]
      .filter((expr) => expr.type.nullable)
      .map((expr) => bindCall('IS_NULL', [expr], predicate.at, ctx.source));
    return [...unknown, equals].reduce((acc, next) => bindCall('OR', [acc, next], predicate.at, ctx.source));
  });
  conditions.unshift(...pairs);
  const node = buildJoin(
    predicate.anti ? 'ANTI' : 'SEMI',
    left.node,
    side.node,
    and(conditions, predicate.at, ctx),
    predicate.at,
    ctx,
  );
  return { ...left, node };
}

function subquerySide(
  left: Relation,
  predicate: SubqueryPredicate,
  ctx: PlanContext,
  planners: Planners,
): SubquerySide {
  const { query } = predicate;
  const leftWidth = left.node.fields.length;
  if (isPlainSelect(query, ctx)) return correlatedSide(left, query, predicate, ctx, planners);
  // Anything else (GROUP BY, set operations, VALUES) is planned as it stands: it cannot be correlated.
  const planned = planners.query(query, ctx);
  if (!predicate.operands) return { node: planned.node, correlation: [], values: [] };
  const columns = inColumns(planned, predicate.operands.length, query, ctx);
  return {
    node: planned.node,
    correlation: [],
    values: columns.map((column) => ({ ...column, index: leftWidth + column.index })),
  };
}

/** A SELECT ... FROM ... [WHERE ...] without aggregation: its WHERE may read the outer query's columns. */
function isPlainSelect(query: Query, ctx: PlanContext): query is Select & { from: TableReference } {
  return (
    query.kind === 'select' &&
    query.from !== undefined &&
    query.groupBy.length === 0 &&
    query.having === undefined &&
    query.hints === undefined &&
    !hasAggregates(query, ctx)
  );
}

function inColumns(
  planned: Relation,
  count: number,
  query: Query,
  ctx: PlanContext,
): (BoundExpr & { kind: 'input' })[] {
  const fields = planned.node.fields;
  if (fields.length !== count) throw inColumnCount(count, fields.length, query, ctx);
  return fields.map((field, index) => ({ kind: 'input', index, name: field.name, type: field.type }));
}

function inColumnCount(count: number, given: number, query: Query, ctx: PlanContext): SqlError {
  return new SqlError(
    'SQL_SUBQUERY_COLUMNS',
    ctx.source,
    query.at,
    `the subquery of IN must give ${count === 1 ? 'one column' : `${count} columns, one per value compared`}, this one gives ${given}`,
    count === 1 ? 'select one column or expression: x IN (SELECT y FROM ...)' : '(a, b) IN (SELECT x, y FROM ...)',
  );
}

/**
 * The side of a plain SELECT subquery: its FROM, filtered by the conditions of its WHERE that read
 * only its own columns; the others (reading the outer query's columns too) tie it to the left side.
 * Only the columns those conditions and the IN column read are kept, as Flink's plans do.
 */
function correlatedSide(
  left: Relation,
  query: Select & { from: TableReference },
  predicate: SubqueryPredicate,
  ctx: PlanContext,
  planners: Planners,
): SubquerySide {
  const leftWidth = left.node.fields.length;
  const inner = planners.from(query.from, ctx);
  const nested = new NestedScope(left.scope, inner.scope);
  const local: Expression[] = [];
  const correlation: BoundExpr[] = [];
  for (const part of query.where ? astConjuncts(query.where) : []) {
    if (containsSubquery(part)) {
      local.push(part);
      continue;
    }
    const bound = bindCondition(part, nested, { source: ctx.source }, 'WHERE', ctx);
    if ([...referencedFields(bound)].every((index) => index >= leftWidth)) local.push(part);
    else correlation.push(bound);
  }
  const filtered = local.length > 0 ? planConditions(local, inner, ctx, planners, whereClause(ctx)) : inner;
  let node = filtered.node;
  const values: BoundExpr[] = [];
  if (predicate.operands) {
    const items = query.items;
    if (items.length !== predicate.operands.length || items.some((item) => item.kind !== 'expression'))
      throw inColumnCount(predicate.operands.length, items.length, query, ctx);
    const computed: BoundExpr[] = [];
    const names: string[] = [];
    for (const [position, item] of items.entries()) {
      if (item.kind !== 'expression') continue;
      const expr = bindExpression(item.expression, filtered.scope, { source: ctx.source });
      if (expr.kind === 'input') {
        values.push({ ...expr, index: leftWidth + expr.index });
        continue;
      }
      const name = item.alias?.name ?? `EXPR$${position}`;
      values.push({ kind: 'input', index: leftWidth + node.fields.length + computed.length, name, type: expr.type });
      computed.push(expr);
      names.push(name);
    }
    if (computed.length > 0)
      node = makeCalc(node, [...identity(node), ...computed], [...node.fields.map((f) => f.name), ...names]);
  }
  // Keep the columns the join reads, in their order.
  const used = new Set<number>();
  for (const expr of [...correlation, ...values])
    for (const index of referencedFields(expr)) if (index >= leftWidth) used.add(index - leftWidth);
  const kept = [...used].sort((a, b) => a - b);
  const position = new Map(kept.map((index, i) => [leftWidth + index, leftWidth + i]));
  const remap = (expr: BoundExpr) => mapInputs(expr, (index) => position.get(index) ?? index);
  const fields = node.fields;
  node = makeCalc(
    node,
    kept.map((index) => ({
      kind: 'input',
      index,
      name: fields[index]?.name as string,
      type: fields[index]?.type as BoundExpr['type'],
    })),
    kept.map((index) => fields[index]?.name as string),
  );
  return { node, correlation: correlation.map(remap), values: values.map(remap) };
}

// ─── IN and EXISTS under OR or NOT, and as values: mark joins ────────────────────────────────────

/**
 * A condition with IN or EXISTS subqueries under OR or NOT (`status = 'X' OR id IN (SELECT ...)`),
 * or with scalar subqueries: what they need joined to the rows (`joinSubqueryValues`), then the
 * condition over it, then the rows' own fields again.
 */
function planJoinedCondition(
  relation: Relation,
  part: Expression,
  ctx: PlanContext,
  planners: Planners,
  clause: Clause,
): Relation {
  const joined = joinSubqueryValues(relation, [part], false, ctx, planners, clause.env);
  const condition = bindCondition(part, joined.scope, withRewrite(clause.env, joined.rewrite), clause.name, ctx);
  const node = makeCalc(
    joined.node,
    identity(joined.node),
    joined.node.fields.map((f) => f.name),
    condition,
  );
  return { ...relation, node: project(node, relation.node) };
}

/**
 * Appends to every row what the subqueries of `exprs` need: the marker of each IN and EXISTS
 * (`exact` where the value is read as it is, e.g. in SELECT, rather than as a condition of AND and
 * OR) and the value of each scalar subquery (correlated ones decorrelated, `correlatedScalar`).
 * `env` binds the expressions of `relation` (the aggregate's, after GROUP BY).
 */
export function joinSubqueryValues(
  relation: Relation,
  exprs: readonly Expression[],
  exact: boolean,
  ctx: PlanContext,
  planners: Planners,
  env: BindEnvironment = { source: ctx.source },
): SubqueryValues {
  let node = relation.node;
  const fields: ScopeField[] = [...relation.scope.fields];
  const values = new Map<Expression, BoundExpr>();
  const marks = exprs.flatMap((expr) => markedSubqueries(expr, exact));
  for (const [k, marked] of marks.entries()) {
    const current: Relation = { node, scope: new Scope(fields) };
    const predicate = subqueryPredicate(marked.expr) as SubqueryPredicate;
    const side = subquerySide(current, predicate, ctx, planners);
    const operands = (predicate.operands ?? []).map((operand) => bindExpression(operand, current.scope, env));
    const joined = joinSubqueryMark(node, marked, operands, side, ctx);
    for (const [j, field] of joined.node.fields.slice(node.fields.length).entries())
      fields.push({ name: `$SUBQUERY${k}_${j}`, type: field.type, qualifiers: [] });
    node = joined.node;
    values.set(marked.expr, joined.value);
  }
  for (const [i, sub] of scalarSubqueriesOf(exprs).entries()) {
    const correlated = correlatedScalar(sub, relation, ctx, planners);
    if (correlated) {
      node = buildJoin('LEFT', node, correlated.node, correlated.condition(node.fields.length), sub.at, ctx);
      const value = correlated.value(node.fields.length - 1);
      fields.push({ name: `$SCALAR_QUERY${i}`, type: value.type, qualifiers: [] });
      values.set(sub, value);
      continue;
    }
    // A scalar subquery's one row, a LEFT join: NULL while the subquery gives no row, as Flink plans it in SELECT.
    const right = scalarSide(sub, ctx, planners);
    node = buildJoin('LEFT', node, right.node, undefined, sub.at, ctx);
    const index = node.fields.length - 1;
    const field = node.fields[index] as ScopeField;
    const type = withNullable(field.type, true);
    fields.push({ name: `$SCALAR_QUERY${i}`, type, qualifiers: [] });
    values.set(sub, { kind: 'input', index, name: field.name, type });
  }
  return { node, scope: new Scope(fields), rewrite: (expr) => values.get(expr) };
}

// ─── scalar subqueries ───────────────────────────────────────────────────────────────────────────

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

/**
 * A condition with scalar subqueries: each subquery's one row joined to every row (Flink's join
 * with `where=[true]` and a single distribution), then the condition. A comparison with one
 * subquery as an operand becomes the condition of an inner join, as Flink's planner turns the
 * left join it starts from into one when the condition rejects the NULL of a missing row.
 */
function planScalarCondition(
  relation: Relation,
  part: Expression,
  ctx: PlanContext,
  planners: Planners,
  clause: Clause,
): Relation {
  const subqueries = scalarSubqueries(part);
  const direct =
    subqueries.length === 1 &&
    !correlatedScalar(subqueries[0] as ScalarSubquery, relation, ctx, planners) &&
    part.kind === 'binary' &&
    COMPARISONS.has(part.operator) &&
    (part.left === subqueries[0] || part.right === subqueries[0]);
  if (direct) {
    const sub = subqueries[0] as ScalarSubquery;
    const right = scalarSide(sub, ctx, planners);
    const field = right.node.fields[0] as ScopeField;
    const scope = new Scope([...relation.scope.fields, { ...field, name: '$SCALAR_QUERY0', qualifiers: [] }]);
    const width = relation.node.fields.length;
    const rewrite = (expr: Expression): BoundExpr | undefined =>
      expr === sub ? { kind: 'input', index: width, name: field.name, type: field.type } : undefined;
    const condition = bindCondition(part, scope, withRewrite(clause.env, rewrite), clause.name, ctx);
    const join = buildJoin('INNER', relation.node, right.node, condition, sub.at, ctx);
    return { ...relation, node: project(join, relation.node) };
  }
  return planJoinedCondition(relation, part, ctx, planners, clause);
}

/** `node` projected back to the fields of `like` (its first ones). */
function project(node: PlanNode, like: PlanNode): PlanNode {
  return makeCalc(
    node,
    like.fields.map((field, index) => ({ kind: 'input', index, name: field.name, type: field.type })),
    like.fields.map((field) => field.name),
  );
}

/** A relation with what its subqueries need appended (markers, scalar values), and how expressions read them. */
export interface SubqueryValues extends Relation {
  readonly rewrite: (expr: Expression) => BoundExpr | undefined;
}

function scalarSubqueriesOf(exprs: readonly Expression[]): ScalarSubquery[] {
  return exprs.flatMap((expr) => scalarSubqueries(expr));
}

/**
 * Fails for a subquery of `exprs` (HAVING, or the SELECT list of an aggregating query) whose WHERE
 * reads the columns of the query's FROM (`from`). Flink 1.18 decorrelates such a subquery against
 * the aggregate's output by the column's position in the FROM row (EXPLAIN of `SELECT user_id,
 * COUNT(*) FROM orders o GROUP BY user_id HAVING NOT EXISTS (SELECT * FROM clicks c WHERE c.user_id
 * = o.user_id)` joins on `EXPR$1 = user_id0`, the count), so its result is not SQL's; Rivulet
 * refuses it rather than differ from Flink or from SQL.
 */
function refuseCorrelated(
  exprs: readonly Expression[],
  from: Scope,
  clause: string,
  ctx: PlanContext,
  planners: Planners,
): void {
  const queries = exprs.flatMap((expr) => [
    ...markedSubqueries(expr).map((marked) => marked.expr.query),
    ...scalarSubqueries(expr).map((sub) => sub.query),
  ]);
  for (const query of queries) {
    if (query.kind !== 'select' || !query.from || !query.where) continue;
    const inner = planners.from(query.from, ctx);
    const nested = new NestedScope(from, inner.scope);
    for (const part of astConjuncts(query.where)) {
      if (containsSubquery(part)) continue;
      const bound = bindExpression(part, nested, { source: ctx.source });
      if (![...referencedFields(bound)].some((index) => index < from.fields.length)) continue;
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        part.at,
        `a subquery in ${clause} may not read the columns of the outer query's FROM: Flink 1.18 ties such a correlation to the wrong column of the aggregate's output`,
        'aggregate in a subquery of FROM and write the condition in the WHERE of the query around it: SELECT * FROM (SELECT k, COUNT(*) AS n FROM t GROUP BY k) AS a WHERE NOT EXISTS (SELECT * FROM u WHERE u.k = a.k)',
      );
    }
  }
}

/**
 * The plan of a scalar subquery: one column, and at most one row, which Rivulet knows of a query
 * that aggregates without GROUP BY (Flink checks other ones row by row with SINGLE_VALUE).
 */
function scalarSide(sub: ScalarSubquery, ctx: PlanContext, planners: Planners): Relation {
  const query = sub.query;
  let planned: Relation;
  try {
    planned = planners.query(query, ctx);
  } catch (error) {
    if (error instanceof RivuletError && error.code === 'SQL_UNKNOWN_COLUMN') {
      throw new RivuletError(
        error.code,
        error.message,
        `a scalar subquery reads the columns of the query around it only in WHERE, as inner_column = outer_column; ${error.hint ?? ''}`,
      );
    }
    throw error;
  }
  if (planned.node.fields.length !== 1) {
    throw new SqlError(
      'SQL_SUBQUERY_COLUMNS',
      ctx.source,
      sub.at,
      `a scalar subquery must give one column, this one gives ${planned.node.fields.length}`,
    );
  }
  const oneRow = query.kind === 'select' && query.groupBy.length === 0 && hasAggregates(query, ctx);
  if (!oneRow) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      sub.at,
      'a scalar subquery must aggregate without GROUP BY, so that it gives at most one row',
      'aggregate its column, e.g. (SELECT MAX(x) FROM t WHERE ...); Flink checks other subqueries row by row (SINGLE_VALUE), Rivulet does not yet',
    );
  }
  return planned;
}
