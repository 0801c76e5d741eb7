import type { QualifiedName } from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';

const DEFAULT_PATH = ['default_catalog', 'default_database'];

/** The object name of a possibly qualified name in Rivulet's single catalog and database. */
export function objectName(name: QualifiedName, source: SqlSource): string {
  const parts = name.parts;
  const prefix = parts.slice(0, -1);
  const expected = DEFAULT_PATH.slice(DEFAULT_PATH.length - prefix.length);
  if (prefix.length > 2 || prefix.some((part, i) => part !== expected[i])) {
    throw new SqlError(
      'SQL_UNKNOWN_DATABASE',
      source,
      name.at,
      `'${parts.join('.')}' names a catalog or database other than default_catalog.default_database`,
      `Rivulet has one catalog and database; write the table name alone ('${parts[parts.length - 1]}')`,
    );
  }
  return parts[parts.length - 1] as string;
}
