import type { ConnectorFactory } from '../connectors/factory.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type { InsertStatement } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, formatType, T, withNullable } from '../types/data-type.ts';
import { isImplicitCast } from '../types/type-rules.ts';
import { implicitCast } from './bind-expression.ts';
import { identity, makeCalc } from './build.ts';
import type { CatalogColumn, CatalogTable } from './catalog.ts';
import type { Field, PlanNode } from './nodes.ts';
import { objectName } from './object-name.ts';
import type { PlanContext } from './relation.ts';
import { withDynamicOptions } from './table-hints.ts';

/** The table an INSERT writes, checked to be one a sink can write. */
export interface SinkTarget {
  readonly name: string;
  /** The name as Flink prints it in errors: `default_catalog.default_database.<name>`. */
  readonly qualified: string;
  readonly table: CatalogTable;
  readonly sinkCapability: NonNullable<ConnectorFactory['sink']>;
  /** Physical and persisted metadata columns, in declared order. */
  readonly writable: readonly CatalogColumn[];
}

export function sinkTarget(insert: InsertStatement, ctx: PlanContext): SinkTarget {
  const name = objectName(insert.target, ctx.source);
  const entry = ctx.catalog.get(name);
  if (!entry)
    throw new SqlError(
      'SQL_UNKNOWN_TABLE',
      ctx.source,
      insert.target.at,
      `Object '${name}' not found`,
      `tables: ${ctx.catalog.names().join(', ') || 'none yet'}`,
    );
  if (entry.kind === 'view')
    throw new SqlError(
      'SQL_NOT_A_SINK',
      ctx.source,
      insert.target.at,
      `'${name}' is a view; INSERT INTO needs a table`,
    );
  const table: CatalogTable = withDynamicOptions(entry, insert.targetOptions, ctx);
  const sinkCapability = table.connector.factory.sink;
  if (!sinkCapability) {
    throw new SqlError(
      'SQL_NOT_A_SINK',
      ctx.source,
      insert.target.at,
      `Connector '${table.connector.factory.identifier}' can only be used as a source. It cannot be used as a sink.`,
    );
  }
  const writable = table.columns.filter(
    (column) => column.kind === 'physical' || (column.kind === 'metadata' && !column.virtual),
  );
  for (const column of writable) {
    if (column.kind === 'metadata' && !sinkCapability.metadata?.[column.metadataKey]) {
      throw new SqlError(
        'SQL_INVALID_METADATA',
        table.source,
        column.at,
        `metadata column '${column.name}' of '${name}' cannot be written; declare it VIRTUAL`,
      );
    }
  }
  const unwritable = sinkCapability.writeProblem?.(table.connector);
  if (unwritable) {
    throw new SqlError(
      'CONNECTOR_INVALID',
      ctx.source,
      insert.target.at,
      `table '${name}' cannot be written: ${unwritable.message}`,
      unwritable.hint,
    );
  }
  return { name, qualified: `default_catalog.default_database.${name}`, table, sinkCapability, writable };
}

/** The query's columns mapped onto the sink's writable columns, with implicit casts and NULL for the unnamed. */
export function mapToSinkColumns(
  node: PlanNode,
  insert: InsertStatement,
  ctx: PlanContext,
  target: SinkTarget,
): PlanNode {
  const targets = targetColumns(insert, ctx, target);
  if (node.fields.length !== targets.length)
    throw schemaMismatch(node, insert, ctx, target, 'Different number of columns');
  const projection = sinkProjection(node, targets, insert, ctx, target);
  const columnNames = target.writable.map((c) => c.name);
  const needsCalc =
    projection.some((expr, i) => expr.kind !== 'input' || expr.index !== i) || projection.length !== node.fields.length;
  if (needsCalc) return makeCalc(node, projection, columnNames);
  return node.fields.every((f, i) => f.name === columnNames[i]) ? node : makeCalc(node, identity(node), columnNames);
}

/** One expression per writable column: the query's field cast implicitly, or a typed NULL for a column not named. */
function sinkProjection(
  node: PlanNode,
  targets: readonly CatalogColumn[],
  insert: InsertStatement,
  ctx: PlanContext,
  target: SinkTarget,
): BoundExpr[] {
  const { name, writable } = target;
  return writable.map((column) => {
    const position = targets.indexOf(column);
    if (position < 0) {
      if (!column.type.nullable)
        throw new SqlError(
          'SQL_SINK_SCHEMA_MISMATCH',
          ctx.source,
          insert.at,
          `column '${column.name}' of '${name}' is NOT NULL and not in the column list`,
        );
      return {
        kind: 'cast',
        operand: { kind: 'literal', value: null, type: T.null() },
        type: column.type,
        try: false,
        implicit: true,
      };
    }
    const field = node.fields[position] as Field;
    const ref: BoundExpr = { kind: 'input', index: position, name: field.name, type: field.type };
    if (field.type.kind !== 'NULL' && !isImplicitCast(field.type, column.type)) {
      throw schemaMismatch(
        node,
        insert,
        ctx,
        target,
        `Incompatible types for sink column '${column.name}' at position ${writable.indexOf(column)}`,
        `CAST the value: CAST(... AS ${formatType(withNullable(column.type, true))})`,
      );
    }
    return implicitCast(ref, column.type);
  });
}

function schemaMismatch(
  node: PlanNode,
  insert: InsertStatement,
  ctx: PlanContext,
  target: SinkTarget,
  cause: string,
  hint?: string,
): SqlError {
  const sinkFields = target.writable.map((c) => ({ name: c.name, type: c.type }));
  return new SqlError(
    'SQL_SINK_SCHEMA_MISMATCH',
    ctx.source,
    insert.at,
    `Column types of query result and sink for '${target.qualified}' do not match.\nCause: ${cause}.\n\nQuery schema: ${schemaText(node.fields)}\nSink schema:  ${schemaText(sinkFields)}`,
    hint,
  );
}

/** Partial column lists: the named columns from the query, NULL for the others. */
function targetColumns(insert: InsertStatement, ctx: PlanContext, target: SinkTarget): readonly CatalogColumn[] {
  const { name, writable } = target;
  if (!insert.columnNames) return writable;
  return insert.columnNames.map((id) => {
    const column = writable.find((c) => c.name === id.name);
    if (!column)
      throw new SqlError('SQL_UNKNOWN_COLUMN', ctx.source, id.at, `'${id.name}' is not a writable column of '${name}'`);
    return column;
  });
}

function schemaText(fields: readonly { name: string; type: DataType }[]): string {
  return `[${fields.map((field) => `${field.name}: ${formatType(field.type)}`).join(', ')}]`;
}
