import {
  childExpressions,
  type Expression,
  type Query,
  type ScalarSubquery,
  type Select,
  type TableReference,
} from '../sql/ast.ts';
import type { PlanContext, Relation } from './relation.ts';

/** The planning of queries and FROM clauses, which a subquery needs (given by plan-query.ts). */
export interface Planners {
  readonly query: (query: Query, ctx: PlanContext) => Relation;
  readonly from: (ref: TableReference, ctx: PlanContext) => Relation;
}

/** Whether an expression holds a subquery (not looking into the subqueries themselves). */
export function containsSubquery(expr: Expression): boolean {
  if (expr.kind === 'exists' || expr.kind === 'inSubquery' || expr.kind === 'scalarSubquery') return true;
  return childExpressions(expr).some(containsSubquery);
}

/** The parts of a condition joined by AND. */
export function astConjuncts(expr: Expression): Expression[] {
  if (expr.kind === 'binary' && expr.operator === 'AND')
    return [...astConjuncts(expr.left), ...astConjuncts(expr.right)];
  return [expr];
}

/** The scalar subqueries of an expression (not looking into them). */
export function scalarSubqueries(expr: Expression, out: ScalarSubquery[] = []): ScalarSubquery[] {
  if (expr.kind === 'scalarSubquery') out.push(expr);
  else for (const child of childExpressions(expr)) scalarSubqueries(child, out);
  return out;
}

/**
 * The names by which a STATE_TTL hint of `select` could mean the inputs of the joins its subqueries
 * become: the tables and aliases of its FROM and of its subqueries' FROM, when it has subqueries.
 */
export function subqueryJoinInputs(select: Select): Set<string> {
  const exprs = [
    ...(select.where ? [select.where] : []),
    ...(select.having ? [select.having] : []),
    ...select.items.flatMap((item) => (item.kind === 'expression' ? [item.expression] : [])),
  ];
  const queries = exprs.flatMap((expr) => subqueriesOf(expr));
  const names = new Set<string>();
  if (queries.length === 0) return names;
  for (const ref of [select.from, ...queries.map((query) => (query.kind === 'select' ? query.from : undefined))])
    if (ref) inputNames(ref, names);
  return names;
}

function subqueriesOf(expr: Expression, out: Query[] = []): Query[] {
  if (expr.kind === 'exists' || expr.kind === 'inSubquery' || expr.kind === 'scalarSubquery') out.push(expr.query);
  else for (const child of childExpressions(expr)) subqueriesOf(child, out);
  return out;
}

function inputNames(ref: TableReference, out: Set<string>): void {
  switch (ref.kind) {
    case 'tableName':
      out.add(ref.alias?.name ?? (ref.name.parts.at(-1) as string));
      return;
    case 'derivedTable':
    case 'windowFunction':
    case 'unnest':
      if (ref.alias) out.add(ref.alias.name);
      return;
    case 'join':
      inputNames(ref.left, out);
      inputNames(ref.right, out);
  }
}
