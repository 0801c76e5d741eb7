import { resolveConnector } from '../connectors/registry.ts';
import type { TableOption } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import type { CatalogTable } from './catalog.ts';
import type { PlanContext } from './relation.ts';

/** Flink's switch of dynamic table options (true by default). */
export const DYNAMIC_OPTIONS_SETTING = 'table.dynamic-table-options.enabled';

/**
 * The table as one reference sees it with its OPTIONS hint (Flink's dynamic table options): the
 * hint's options override the table's, or add to them, and the connector's factory checks the
 * merged options as it checks a CREATE TABLE's (unknown keys, types, required and refused options).
 * Other references to the table keep its own options.
 */
export function withDynamicOptions(
  table: CatalogTable,
  options: readonly TableOption[] | undefined,
  ctx: PlanContext,
): CatalogTable {
  if (!options || options.length === 0) return table;
  const first = options[0] as TableOption;
  if (ctx.settings?.get(DYNAMIC_OPTIONS_SETTING)?.trim().toLowerCase() === 'false') {
    throw new SqlError(
      'SQL_INVALID_HINT',
      ctx.source,
      first.at,
      `OPTIONS hint is allowed only when ${DYNAMIC_OPTIONS_SETTING} is set to true`,
      `SET '${DYNAMIC_OPTIONS_SETTING}' = 'true', or set the options in the table's WITH clause`,
    );
  }
  const hinted = new Map(options.map((option) => [option.key, option]));
  const merged = [...table.connector.written.filter((option) => !hinted.has(option.key)), ...hinted.values()];
  const connector = resolveConnector(
    {
      name: table.name,
      primaryKey: table.primaryKey,
      hasWatermark: table.watermark !== undefined,
      columns: table.columns.flatMap((column) => (column.kind === 'physical' ? [column.name] : [])),
      partitionKeys: table.connector.partitionKeys,
    },
    first.at,
    merged,
    ctx.source,
  );
  return { ...table, connector, dynamicOptions: [...hinted.values()] };
}

/** Flink's error for OPTIONS on a view (or a WITH query): only tables have options. */
export function optionsOnView(name: string, options: readonly TableOption[] | undefined, ctx: PlanContext): void {
  if (!options || options.length === 0) return;
  throw new SqlError(
    'SQL_INVALID_HINT',
    ctx.source,
    (options[0] as TableOption).at,
    `View '${name}' cannot be enriched with new options. Hints can only be applied to tables.`,
    'put the hint on the tables the view reads, inside its query',
  );
}
