import type { Identifier, Query } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import type { Catalog } from './catalog.ts';
import type { LookupHints } from './lookup-hints.ts';
import type { PlanNode } from './nodes.ts';
import type { Scope } from './scope.ts';

/** What the planning of a query reads besides the query. */
export interface PlanContext {
  readonly catalog: Catalog;
  readonly source: SqlSource;
  /** Views being expanded, to report a view that reads itself. */
  readonly expanding?: ReadonlySet<string>;
  /** The queries of WITH in scope, by name. */
  readonly withQueries?: ReadonlyMap<string, WithQueryDefinition>;
  /** The script's SET keys in force where the statement is planned. */
  readonly settings?: ReadonlyMap<string, string>;
  /** The LOOKUP hints of the query block being planned (each block has its own). */
  readonly lookupHints?: LookupHints;
}

/** A query named by WITH: planned where it is read, with the WITH queries before it in scope. */
export interface WithQueryDefinition {
  readonly query: Query;
  readonly columnNames?: readonly Identifier[];
  readonly at: number;
  readonly withQueries: ReadonlyMap<string, WithQueryDefinition>;
}

/** A planned query: its plan and the columns it offers to the expressions above it. */
export interface Relation {
  readonly node: PlanNode;
  readonly scope: Scope;
  /** The name a STATE_TTL hint gives this input by: a table's or view's name, or its alias. */
  readonly hintName?: string;
}
