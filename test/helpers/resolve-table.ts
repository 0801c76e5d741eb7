import assert from 'node:assert/strict';
import { type ResolvedConnector, resolveConnector } from '../../src/connectors/registry.ts';
import type { CreateTableStatement } from '../../src/sql/ast.ts';
import { parseScript } from '../../src/sql/parser.ts';
import { SqlError } from '../../src/sql/sql-error.ts';
import { substituteVariables } from '../../src/sql/substitute.ts';

/** The connector and options of a `CREATE TABLE` statement (file `t.sql`), checked as the catalog checks them. */
export function resolveTable(ddl: string): ResolvedConnector {
  const source = substituteVariables('t.sql', ddl, new Map(), {});
  const table = parseScript(source)[0] as CreateTableStatement;
  return resolveConnector(
    {
      name: table.name.parts.join('.'),
      primaryKey: table.primaryKey?.columns.map((c) => c.name),
      hasWatermark: table.watermark !== undefined,
      columns: table.columns.flatMap((column) => (column.kind === 'physical' ? [column.name.name] : [])),
      ...(table.partitionedBy ? { partitionKeys: table.partitionedBy.map((key) => key.name) } : {}),
    },
    table.at,
    table.options,
    source,
  );
}

/** The SqlError that `run` throws; fails the test when it throws none or another error. */
export function failure(run: () => unknown): SqlError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof SqlError, String(error));
    return error;
  }
  assert.fail('expected an error');
}
