import { type ResolvedConnector, resolveConnector } from '../connectors/registry.ts';
import type { TableShape } from '../connectors/table.ts';
import type {
  ColumnDefinition,
  CreateTableStatement,
  CreateViewStatement,
  Expression,
  Query,
  TableOption,
} from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, formatType, withNullable } from '../types/data-type.ts';
import { isImplicitCast } from '../types/type-rules.ts';
import { FunctionCatalog } from './function-catalog.ts';
import { objectName } from './object-name.ts';

export type CatalogColumn = PhysicalColumn | ComputedColumn | MetadataColumn;

interface ColumnCommon {
  readonly name: string;
  readonly type: DataType;
  readonly virtual: boolean;
  readonly at: number;
}

export interface PhysicalColumn extends ColumnCommon {
  readonly kind: 'physical';
}

export interface ComputedColumn extends ColumnCommon {
  readonly kind: 'computed';
  readonly expression: Expression;
}

export interface MetadataColumn extends ColumnCommon {
  readonly kind: 'metadata';
  readonly metadataKey: string;
}

export interface CatalogTable {
  readonly kind: 'table';
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  readonly primaryKey?: readonly string[];
  readonly watermark?: { readonly column: string; readonly expression: Expression; readonly at: number };
  readonly connector: ResolvedConnector;
  readonly source: SqlSource;
  readonly at: number;
  /** The OPTIONS hint of the reference that reads or writes the table with them (see table-hints.ts). */
  readonly dynamicOptions?: readonly TableOption[];
}

export interface CatalogView {
  readonly kind: 'view';
  readonly name: string;
  readonly query: Query;
  readonly columnNames?: readonly string[];
  readonly source: SqlSource;
  readonly at: number;
}

export type CatalogEntry = CatalogTable | CatalogView;

/** Tables and views created by a script, in one namespace as Flink's default database. */
export class Catalog {
  private readonly entries = new Map<string, CatalogEntry>();
  /** The script's user-defined functions (CREATE FUNCTION). */
  readonly functions = new FunctionCatalog();

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Validates a CREATE TABLE (columns, key, watermark, metadata, connector options) and records it. */
  createTable(statement: CreateTableStatement, source: SqlSource): CatalogTable | undefined {
    const name = objectName(statement.name, source);
    if (this.exists(name, statement.ifNotExists, source, statement.name.at)) return undefined;
    const primaryKey = statement.primaryKey?.columns.map((column) => column.name);
    const seen = new Set<string>();
    for (const column of statement.columns) {
      if (seen.has(column.name.name)) {
        throw new SqlError(
          'SQL_DUPLICATE_COLUMN',
          source,
          column.at,
          `column '${column.name.name}' is defined twice in table '${name}'`,
        );
      }
      seen.add(column.name.name);
    }
    for (const key of statement.primaryKey?.columns ?? []) {
      const column = statement.columns.find((c) => c.name.name === key.name);
      if (!column)
        throw new SqlError(
          'SQL_UNKNOWN_COLUMN',
          source,
          key.at,
          `PRIMARY KEY column '${key.name}' is not a column of table '${name}'`,
        );
      if (column.kind !== 'physical') {
        throw new SqlError(
          'SQL_INVALID_PRIMARY_KEY',
          source,
          key.at,
          `Could not create a PRIMARY KEY with column '${key.name}': a PRIMARY KEY constraint must be declared on physical columns`,
        );
      }
    }
    for (const key of statement.partitionedBy ?? []) {
      const column = statement.columns.find((c) => c.name.name === key.name);
      if (column?.kind !== 'physical') {
        throw new SqlError(
          'SQL_UNKNOWN_COLUMN',
          source,
          key.at,
          `Partition column '${key.name}' not defined in the table schema. Available columns: [${statement.columns.flatMap((c) => (c.kind === 'physical' ? [`'${c.name.name}'`] : [])).join(', ')}]`,
          'a partition column must be a physical column of the table',
        );
      }
    }
    const partitionKeys = statement.partitionedBy?.map((key) => key.name);
    const shape: TableShape = {
      name,
      primaryKey,
      ...(partitionKeys ? { partitionKeys } : {}),
      hasWatermark: statement.watermark !== undefined,
      columns: statement.columns.flatMap((column) => (column.kind === 'physical' ? [column.name.name] : [])),
      columnTypes: statement.columns.flatMap((column) => (column.kind === 'physical' ? [column.type] : [])),
    };
    const connector = resolveConnector(shape, statement.at, statement.options, source);

    const columns = statement.columns.map((column) => catalogColumn(column, name, primaryKey, connector, source));
    const watermark = statement.watermark;
    if (watermark && !columns.some((column) => column.name === watermark.column.name)) {
      throw new SqlError(
        'SQL_UNKNOWN_COLUMN',
        source,
        watermark.column.at,
        `watermark column '${watermark.column.name}' is not a column of table '${name}'`,
      );
    }
    const table: CatalogTable = {
      kind: 'table',
      name,
      columns,
      connector,
      source,
      at: statement.at,
      ...(primaryKey ? { primaryKey } : {}),
      ...(watermark
        ? { watermark: { column: watermark.column.name, expression: watermark.expression, at: watermark.at } }
        : {}),
    };
    this.entries.set(name, table);
    return table;
  }

  createView(statement: CreateViewStatement, source: SqlSource): CatalogView | undefined {
    const name = objectName(statement.name, source);
    if (this.exists(name, statement.ifNotExists, source, statement.name.at)) return undefined;
    const view: CatalogView = {
      kind: 'view',
      name,
      query: statement.query,
      source,
      at: statement.at,
      ...(statement.columnNames ? { columnNames: statement.columnNames.map((c) => c.name) } : {}),
    };
    this.entries.set(name, view);
    return view;
  }

  private exists(name: string, ifNotExists: boolean, source: SqlSource, at: number): boolean {
    if (!this.entries.has(name)) return false;
    if (ifNotExists) return true;
    throw new SqlError(
      'SQL_ALREADY_EXISTS',
      source,
      at,
      `table or view '${name}' already exists`,
      'use another name, or CREATE ... IF NOT EXISTS',
    );
  }
}

function catalogColumn(
  column: ColumnDefinition,
  table: string,
  primaryKey: readonly string[] | undefined,
  connector: ResolvedConnector,
  source: SqlSource,
): CatalogColumn {
  const name = column.name.name;
  switch (column.kind) {
    case 'physical': {
      const type = primaryKey?.includes(name) ? withNullable(column.type, false) : column.type;
      return { name, type, kind: 'physical', virtual: false, at: column.at };
    }
    case 'metadata': {
      const key = column.key ?? name;
      checkMetadata(connector, table, name, key, column.type, source, column.at);
      return { name, type: column.type, kind: 'metadata', metadataKey: key, virtual: column.virtual, at: column.at };
    }
    case 'computed':
      // typed when the table is planned: the type follows from the expression
      return {
        name,
        type: { kind: 'NULL', nullable: true },
        kind: 'computed',
        expression: column.expression,
        virtual: true,
        at: column.at,
      };
  }
}

function checkMetadata(
  connector: ResolvedConnector,
  table: string,
  column: string,
  key: string,
  type: DataType,
  source: SqlSource,
  at: number,
): void {
  const readable = connector.factory.source?.metadata ?? {};
  const writable = connector.factory.sink?.metadata ?? {};
  const declared = readable[key] ?? writable[key];
  if (!declared) {
    const keys = Object.keys(readable);
    throw new SqlError(
      'SQL_INVALID_METADATA',
      source,
      at,
      `Invalid metadata key '${key}' in column '${column}' of table '${table}'`,
      keys.length > 0
        ? `connector '${connector.factory.identifier}' supports the metadata keys: ${keys.join(', ')}`
        : `connector '${connector.factory.identifier}' has no metadata`,
    );
  }
  if (!isImplicitCast(declared, type) && !isImplicitCast(type, declared)) {
    throw new SqlError(
      'SQL_INVALID_METADATA',
      source,
      at,
      `metadata column '${column}' is declared ${formatType(type)} but '${key}' is ${formatType(declared)}`,
    );
  }
}
