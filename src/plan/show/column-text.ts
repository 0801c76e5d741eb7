import type { CreateTableStatement } from '../../sql/ast.ts';
import { type Token, tokenize } from '../../sql/lexer.ts';
import type { SqlSource } from '../../sql/source.ts';
import { type DataType, formatType, withoutTimeAttribute } from '../../types/data-type.ts';

/** `AS expr` of a computed column, `METADATA FROM 'key' VIRTUAL` of a metadata column. */
export function columnExtras(column: CreateTableStatement['columns'][number], source: SqlSource): string | null {
  switch (column.kind) {
    case 'physical':
      return null;
    case 'computed':
      return `AS ${expressionAfterAs(source, column.at)}`;
    case 'metadata':
      return `METADATA${column.key !== undefined ? ` FROM '${column.key.replace(/'/g, "''")}'` : ''}${column.virtual ? ' VIRTUAL' : ''}`;
  }
}

/**
 * The text of the expression after the first AS from `at` (a computed column's, a watermark's) as
 * written: up to the `,` or `)` that ends it, or a COMMENT after it.
 */
export function expressionAfterAs(source: SqlSource, at: number): string {
  let depth = 0;
  let start: number | undefined;
  let end = at;
  for (const token of tokenize(source)) {
    if (token.offset < at) continue;
    if (token.kind === 'eof') break;
    if (start === undefined) {
      if (token.kind === 'word' && token.upper === 'AS') start = -1;
      continue;
    }
    if (token.kind === 'symbol' && (token.value === '(' || token.value === '[')) depth++;
    else if (token.kind === 'symbol' && (token.value === ')' || token.value === ']')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isSymbol(token, ',') || (token.kind === 'word' && token.upper === 'COMMENT'))) break;
    if (start < 0) start = token.offset;
    end = token.end;
  }
  return start === undefined || start < 0 ? '' : source.text.slice(start, end);
}

function isSymbol(token: Token, symbol: string): boolean {
  return token.kind === 'symbol' && token.value === symbol;
}

/** Flink's serializable spelling of a type, as SHOW CREATE TABLE writes it: `VARCHAR(2147483647)` for STRING. */
export function serializableType(type: DataType): string {
  return formatType(withoutTimeAttribute(type))
    .replace(/(?<![`\w])STRING(?![`\w])/g, 'VARCHAR(2147483647)')
    .replace(/(?<![`\w])BYTES(?![`\w])/g, 'VARBINARY(2147483647)');
}
