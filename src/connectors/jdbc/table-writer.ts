import type { Change } from '../../exec/change.ts';
import { keySelector } from '../../exec/row-key.ts';
import type { Row } from '../../expr/value.ts';
import type { RowField } from '../../types/data-type.ts';
import { type ColumnArray, columnArray } from '../pg/binary-array.ts';
import { quoteIdentifier, quoteTable } from '../pg/quote.ts';
import { pgType } from '../pg/types.ts';
import { toText } from '../pg/value-text.ts';
import type { SinkStatement } from './write-statement.ts';

export interface JdbcTableOptions {
  readonly table: string;
  readonly fields: readonly RowField[];
  /** Positions of the primary key columns; empty for an append-only table. */
  readonly key: readonly number[];
}

/**
 * One sink table: Flink's jdbc sink semantics (upsert by primary key with INSERT … ON CONFLICT …
 * DO UPDATE, DELETE for -D, plain INSERT without a key), applied within a transaction of its
 * database. Of several changes to one key in a batch only the last counts, so a batch's deletes
 * and upserts never touch the same row.
 */
export class JdbcTableWriter {
  readonly table: string;
  private readonly keyOf: (row: Row) => unknown;
  private readonly columns: ColumnArray[];
  private readonly upsertSql: (base: number) => string;
  private readonly deleteSql: ((base: number) => string) | undefined;

  constructor(private readonly options: JdbcTableOptions) {
    this.table = options.table;
    this.keyOf = keySelector(options.key);
    this.columns = options.fields.map((field) => columnArray(field.type, toText(field.type)));
    const table = quoteTable(options.table);
    const columns = options.fields.map((f) => quoteIdentifier(f.name));
    // Multi-argument unnest walks each array once; a subscript per row would walk from the start.
    const rows = (base: number, indices: readonly number[]) =>
      `FROM unnest(${indices.map((column, i) => `$${base + i + 1}::${(this.columns[column] as ColumnArray).sqlType}`).join(', ')}) AS u(${indices.map((_, i) => `c${i}`).join(', ')})`;
    const all = options.fields.map((_, i) => i);
    const select = (base: number) =>
      `SELECT ${options.fields.map((f, i) => `c${i}::${pgType(f.type)}`).join(', ')} ${rows(base, all)}`;
    if (options.key.length > 0) {
      const keyColumns = options.key.map((i) => columns[i] as string);
      const updates = columns.filter((_, i) => !options.key.includes(i)).map((c) => `${c} = EXCLUDED.${c}`);
      this.upsertSql = (base) => `INSERT INTO ${table} (${columns.join(', ')}) ${select(base)}
        ON CONFLICT (${keyColumns.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`;
      const keySelect = (base: number) =>
        `SELECT ${options.key.map((i, j) => `c${j}::${pgType((options.fields[i] as RowField).type)}`).join(', ')} ${rows(base, options.key)}`;
      this.deleteSql = (base) => `DELETE FROM ${table} WHERE (${keyColumns.join(', ')}) IN (${keySelect(base)})`;
    } else {
      this.upsertSql = (base) => `INSERT INTO ${table} (${columns.join(', ')}) ${select(base)}`;
      this.deleteSql = undefined;
    }
  }

  private columnArrays(rows: readonly Row[], indices: readonly number[]): Buffer[] {
    return indices.map((i) => (this.columns[i] as ColumnArray).encode(rows.map((row) => row[i] ?? null)));
  }

  /** The statements that apply a batch of changes: a delete, an upsert, both or none. */
  statements(changes: readonly Change[]): SinkStatement[] {
    const upserts: Row[] = [];
    const deletes: Row[] = [];
    if (this.options.key.length > 0) {
      const last = new Map<unknown, Change>();
      // Of several changes to a key only the last counts; a -U on its own (a filter dropped the +U
      // of an update) is a delete, as in Flink.
      for (const change of changes) last.set(this.keyOf(change.row), change);
      for (const change of last.values())
        (change.kind === '-D' || change.kind === '-U' ? deletes : upserts).push(change.row);
    } else {
      for (const change of changes) if (change.kind === '+I' || change.kind === '+U') upserts.push(change.row);
    }
    const out: SinkStatement[] = [];
    if (deletes.length > 0 && this.deleteSql)
      out.push({ text: this.deleteSql, values: this.columnArrays(deletes, this.options.key) });
    if (upserts.length > 0)
      out.push({
        text: this.upsertSql,
        values: this.columnArrays(
          upserts,
          this.options.fields.map((_, i) => i),
        ),
      });
    return out;
  }
}
