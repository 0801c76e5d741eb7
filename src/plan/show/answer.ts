import type { CreateTableStatement, QualifiedName, ShowStatement, Statement } from '../../sql/ast.ts';
import type { SqlSource } from '../../sql/source.ts';
import { SqlError } from '../../sql/sql-error.ts';
import { formatType, withNullable } from '../../types/data-type.ts';
import type { Catalog, CatalogTable } from '../catalog.ts';
import { userFunctionNames } from '../function-catalog.ts';
import { objectName } from '../object-name.ts';
import { planTableScan } from '../plan-table.ts';
import { columnExtras, expressionAfterAs } from './column-text.ts';
import { functionNames } from './function-names.ts';
import type { Cell, StatementResult } from './result.ts';
import { showCreateTable } from './show-create-table.ts';

/** What a SHOW statement reads: the catalog as the statements before it left it. */
export interface ShowContext {
  readonly catalog: Catalog;
  readonly source: SqlSource;
  /** The script's statements, to find the CREATE TABLE of a table as it was written. */
  readonly statements: readonly Statement[];
}

/** The answer of one SHOW or DESCRIBE statement, as Flink 1.18's SQL client gives it. */
export function answerShow(statement: ShowStatement, ctx: ShowContext): StatementResult {
  switch (statement.what) {
    case 'tables':
      return {
        kind: 'table',
        statement: 'SHOW TABLES',
        columns: ['table name'],
        rows: ctx.catalog
          .names()
          .sort()
          .map((name) => [name]),
      };
    case 'functions':
      return {
        kind: 'table',
        statement: 'SHOW FUNCTIONS',
        columns: ['function name'],
        rows: functionNames({ user: userFunctionNames(ctx.catalog.functions) }).map((name) => [name]),
      };
    case 'userFunctions':
      return {
        kind: 'table',
        statement: 'SHOW USER FUNCTIONS',
        columns: ['function name'],
        rows: functionNames({ builtIn: false, user: userFunctionNames(ctx.catalog.functions) }).map((name) => [name]),
      };
    case 'describe': {
      const { table, create } = findTable(statement, ctx);
      return {
        kind: 'table',
        statement: `DESCRIBE ${table.name}`,
        columns: ['name', 'type', 'null', 'key', 'extras', 'watermark'],
        rows: describeRows(table, create, ctx.source),
      };
    }
    case 'createTable': {
      const { table, create } = findTable(statement, ctx);
      return {
        kind: 'text',
        statement: `SHOW CREATE TABLE ${table.name}`,
        text: showCreateTable(table, create, ctx.source),
      };
    }
  }
}

function findTable(
  statement: Extract<ShowStatement, { readonly table: QualifiedName }>,
  ctx: ShowContext,
): { table: CatalogTable; create: CreateTableStatement } {
  const name = objectName(statement.table, ctx.source);
  const entry = ctx.catalog.get(name);
  const before = ctx.statements.slice(0, Math.max(0, ctx.statements.indexOf(statement)));
  const create = before
    .filter((s): s is CreateTableStatement => s.kind === 'createTable')
    .reverse()
    .find((s) => objectName(s.name, ctx.source) === name);
  if (entry?.kind === 'view') {
    throw new SqlError(
      'SQL_NOT_A_TABLE',
      ctx.source,
      statement.table.at,
      `'${name}' is a view: ${statement.what === 'describe' ? 'DESCRIBE' : 'SHOW CREATE TABLE'} of a view is not supported yet`,
      'SHOW TABLES lists the tables and views',
    );
  }
  if (!entry || !create) {
    throw new SqlError(
      'SQL_UNKNOWN_TABLE',
      ctx.source,
      statement.table.at,
      `Table or view '${statement.table.parts.join('.')}' does not exist`,
      'SHOW TABLES lists the tables and views created so far in the script',
    );
  }
  return { table: entry, create };
}

/**
 * Flink's DESCRIBE: for each column its name, its type (`*ROWTIME*` on the watermark's column,
 * NOT NULL shown in `null` instead), whether it may be NULL, `PRI(a, b)` on primary key columns,
 * `AS expr` or `METADATA FROM 'key' [VIRTUAL]`, and the watermark expression on its column.
 * Expressions are shown as written.
 */
function describeRows(table: CatalogTable, create: CreateTableStatement, source: SqlSource): Cell[][] {
  const key = table.primaryKey ? `PRI(${table.primaryKey.join(', ')})` : null;
  // The scan's fields carry what planning gives: computed columns' types, time attributes.
  const fields = planTableScan(table).fields;
  return table.columns.map((column, i) => {
    const type = fields[i]?.type ?? column.type;
    const definition = create.columns.find((c) => c.name.name === column.name);
    const rowtime = create.watermark?.column.name === column.name;
    return [
      column.name,
      formatType(withNullable(type, true)),
      type.nullable,
      table.primaryKey?.includes(column.name) ? key : null,
      definition ? columnExtras(definition, source) : null,
      rowtime && create.watermark ? expressionAfterAs(source, create.watermark.at) : null,
    ];
  });
}
