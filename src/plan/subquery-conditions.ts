import { childExpressions, type Expression, type Query, type ScalarSubquery, type TableReference } from '../sql/ast.ts';
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
