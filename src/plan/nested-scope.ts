import { SqlError } from '../sql/sql-error.ts';
import type { PlanContext } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * The columns of a subquery's FROM (inner) within those of the outer query: a name resolves in the
 * subquery first, then in the outer query, as SQL scopes nest. Indices count outer ++ inner.
 */
export class NestedScope extends Scope {
  constructor(
    private readonly outer: Scope,
    private readonly inner: Scope,
  ) {
    super([...outer.fields, ...inner.fields]);
  }

  override resolve(parts: readonly string[], source: PlanContext['source'], at: number): number {
    try {
      return this.outer.fields.length + this.inner.resolve(parts, source, at);
    } catch (error) {
      if (!(error instanceof SqlError) || error.code !== 'SQL_UNKNOWN_COLUMN') throw error;
      try {
        return this.outer.resolve(parts, source, at);
      } catch {
        throw error;
      }
    }
  }
}
