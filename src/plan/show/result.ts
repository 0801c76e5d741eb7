/** A cell of a statement's answer: text, a boolean (DESCRIBE's `null`), or NULL. */
export type Cell = string | boolean | null;

/**
 * The answer to one SHOW or DESCRIBE statement, as the SQL client gives it: a table of columns and
 * rows, or (SHOW CREATE TABLE) one text that it prints as it is.
 */
export type StatementResult =
  | {
      readonly kind: 'table';
      readonly statement: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly Cell[])[];
    }
  | { readonly kind: 'text'; readonly statement: string; readonly text: string };

/**
 * The table layout of Flink's SQL client (`sql-client.execution.result-mode` = `tableau`): every
 * cell right-aligned, NULL as empty in DESCRIBE's optional columns, booleans as TRUE and FALSE,
 * and `N rows in set`, `1 row in set` or `Empty set` after it. A text answer is printed as it is.
 */
export function tableau(result: StatementResult): string {
  if (result.kind === 'text') return result.text.endsWith('\n') ? result.text : `${result.text}\n`;
  if (result.rows.length === 0) return 'Empty set\n';
  const text = (cell: Cell) => (cell === null ? '' : typeof cell === 'boolean' ? (cell ? 'TRUE' : 'FALSE') : cell);
  const widths = result.columns.map((column, i) =>
    Math.max(column.length, ...result.rows.map((row) => text(row[i] ?? null).length)),
  );
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  const line = (cells: readonly string[]) =>
    `|${cells.map((cell, i) => ` ${cell.padStart(widths[i] ?? 0)} `).join('|')}|`;
  const count = result.rows.length;
  return [
    rule,
    line(result.columns),
    rule,
    ...result.rows.map((row) => line(row.map(text))),
    rule,
    `${count} ${count === 1 ? 'row' : 'rows'} in set`,
    '',
  ].join('\n');
}
