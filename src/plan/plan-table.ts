import type { BoundExpr } from '../expr/bound.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, formatType, isTimestamp, withoutTimeAttribute } from '../types/data-type.ts';
import { bindExpression } from './bind-expression.ts';
import { makeCalc } from './build.ts';
import type { CatalogTable } from './catalog.ts';
import { INSERT_ONLY, RETRACT, upsert } from './changelog.ts';
import type { Field, PlanNode, TableReference, TableSourceScan } from './nodes.ts';
import { Scope } from './scope.ts';

export function tableReference(table: CatalogTable): TableReference {
  return {
    name: table.name,
    connector: table.connector,
    ...(table.primaryKey ? { primaryKey: table.primaryKey } : {}),
    ...(table.dynamicOptions ? { dynamicOptions: table.dynamicOptions } : {}),
  };
}

/**
 * Reading a table: scan its physical and metadata columns, normalize an upsert stream into a
 * retract stream keyed by the primary key, compute computed columns, then assign watermarks.
 * The result's fields are the table's columns in declared order.
 */
export function planTableScan(table: CatalogTable): PlanNode {
  const source = table.connector.factory.source;
  if (!source) {
    throw new SqlError(
      'SQL_NOT_A_SOURCE',
      table.source,
      table.at,
      `connector '${table.connector.factory.identifier}' of table '${table.name}' cannot be read`,
    );
  }
  const stored = table.columns.filter((column) => column.kind !== 'computed');
  const fields: Field[] = stored.map((column) => ({ name: column.name, type: column.type }));
  const key = table.primaryKey?.map((name) => stored.findIndex((column) => column.name === name));
  const changelog = source.changelog(table.connector);
  const scan: TableSourceScan = {
    kind: 'TableSourceScan',
    table: tableReference(table),
    columns: stored.map((column) =>
      column.kind === 'metadata' ? { metadata: column.metadataKey } : { physical: column.name },
    ),
    fields,
    changelog: changelog === 'insert-only' ? INSERT_ONLY : changelog === 'upsert' && key ? upsert(key) : RETRACT,
    ...(key ? { uniqueKey: key } : {}),
  };
  let node: PlanNode = scan;
  if (scan.changelog.kind === 'upsert' && key) {
    node = { kind: 'ChangelogNormalize', input: scan, key, fields, changelog: RETRACT, uniqueKey: key };
  }

  if (table.columns.some((column) => column.kind === 'computed')) {
    const scope = new Scope(fields.map((field) => ({ ...field, qualifiers: [table.name] })));
    const projection: BoundExpr[] = table.columns.map((column) => {
      if (column.kind !== 'computed') {
        const index = stored.indexOf(column);
        return { kind: 'input', index, name: column.name, type: column.type };
      }
      return bindExpression(column.expression, scope, { source: table.source });
    });
    node = makeCalc(
      node,
      projection,
      table.columns.map((column) => column.name),
    );
  }

  if (table.watermark) {
    node = assignWatermark(table, node);
  }
  return node;
}

function assignWatermark(table: CatalogTable, input: PlanNode): PlanNode {
  const watermark = table.watermark as NonNullable<CatalogTable['watermark']>;
  const rowtime = input.fields.findIndex((field) => field.name === watermark.column);
  const column = input.fields[rowtime] as Field;
  if (!isTimestamp(column.type) || column.type.precision > 3) {
    throw new SqlError(
      'SQL_INVALID_WATERMARK',
      table.source,
      watermark.at,
      `Invalid data type of time field for watermark definition. The field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field type is ${formatType(column.type)}`,
    );
  }
  const scope = new Scope(input.fields.map((field) => ({ ...field, qualifiers: [table.name] })));
  const expression = bindExpression(watermark.expression, scope, { source: table.source });
  const plain = withoutTimeAttribute(expression.type);
  if (plain.kind !== column.type.kind) {
    throw new SqlError(
      'SQL_INVALID_WATERMARK',
      table.source,
      watermark.at,
      `Invalid data type of expression for watermark definition. The field must be of type ${column.type.kind}(p), but is ${formatType(expression.type)}`,
    );
  }
  const fields = input.fields.map(
    (field, i): Field =>
      i === rowtime
        ? { name: field.name, type: { ...(field.type as DataType & { kind: 'TIMESTAMP' }), timeAttribute: 'ROWTIME' } }
        : field,
  );
  return {
    kind: 'WatermarkAssigner',
    input,
    rowtime,
    watermark: expression,
    fields,
    changelog: input.changelog,
    ...(input.uniqueKey ? { uniqueKey: input.uniqueKey } : {}),
  };
}
