import { isSensitiveKey } from '../../connectors/options.ts';
import { shownOptionValue } from '../../connectors/secret-text.ts';
import type { CreateTableStatement } from '../../sql/ast.ts';
import type { SqlSource } from '../../sql/source.ts';
import type { CatalogTable } from '../catalog.ts';
import { columnExtras, expressionAfterAs, serializableType } from './column-text.ts';

const INDENT = '  ';

/**
 * Flink 1.18's SHOW CREATE TABLE (ShowCreateUtil.buildShowCreateTableRow): the full name, each
 * column with its serializable type and extras, the watermark, the primary key as a named
 * constraint (`PK_<columns joined by _>`, the name Flink gives an unnamed one), the comment and the
 * options as written, sensitive values (and passwords inside URLs) shown as `******`. Expressions are shown as written.
 */
export function showCreateTable(table: CatalogTable, create: CreateTableStatement, source: SqlSource): string {
  const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
  const text = (value: string) => value.replace(/'/g, "''");
  const lines = table.columns.map((column) => {
    const definition = create.columns.find((c) => c.name.name === column.name);
    const extras = definition ? columnExtras(definition, source) : null;
    if (definition?.kind === 'computed') return `${INDENT}${quote(column.name)} ${extras}`;
    return `${INDENT}${quote(column.name)} ${serializableType(column.type)}${extras ? ` ${extras}` : ''}`;
  });
  if (create.watermark) {
    lines.push(
      `${INDENT}WATERMARK FOR ${quote(create.watermark.column.name)} AS ${expressionAfterAs(source, create.watermark.at)}`,
    );
  }
  if (table.primaryKey) {
    lines.push(
      `${INDENT}CONSTRAINT ${quote(`PK_${table.primaryKey.join('_')}`)} PRIMARY KEY (${table.primaryKey.map(quote).join(', ')}) NOT ENFORCED`,
    );
  }
  const name = ['default_catalog', 'default_database', table.name].map(quote).join('.');
  let out = `CREATE ${create.temporary ? 'TEMPORARY ' : ''}TABLE ${name} (\n${lines.join(',\n')}\n) `;
  if (create.comment) out += `COMMENT '${text(create.comment)}'\n`;
  const { specs, written } = table.connector;
  const options = written.map((option) => {
    const value = shownOptionValue(option.value, specs.get(option.key)?.sensitive || isSensitiveKey(option.key));
    return `${INDENT}'${text(option.key)}' = '${text(value)}'`;
  });
  if (options.length > 0) out += `WITH (\n${options.join(',\n')}\n)\n`;
  return out;
}
