import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import type { LookupCache, LookupResult } from '../../exec/lookup-join.ts';
import { rowKey } from '../../exec/row-key.ts';
import type { Row, Value } from '../../expr/value.ts';
import type { RowField } from '../../types/data-type.ts';
import type { LookupContext, LookupSource, OpenedLookup } from '../lookup-source.ts';
import { describeConnection, type PgConnection, textClientConfig } from '../pg/connection.ts';
import { quoteIdentifier, quoteTable } from '../pg/quote.ts';
import { pgType } from '../pg/types.ts';
import { pgRowReader, toText } from '../pg/value-text.ts';
import type { ResolvedOptions } from '../table.ts';
import { jdbcConnection } from './url.ts';

export interface JdbcLookupOptions {
  readonly connection: PgConnection;
  readonly table: string;
  /** The table's physical columns, in the order the join appends them. */
  readonly fields: readonly RowField[];
  /** The columns looked up by, positions in `fields`. */
  readonly keyColumns: readonly number[];
  readonly maxRetries: number;
}

/** A jdbc table as a lookup source, cached as Flink's options (and their legacy jdbc spellings) say. */
export function openJdbcLookup({ table }: LookupContext): OpenedLookup {
  const source = new JdbcLookup({
    connection: jdbcConnection(table.options),
    table: String(table.options.get('table-name')),
    fields: table.fields,
    keyColumns: table.key,
    maxRetries: Number(table.options.get('lookup.max-retries') ?? 3),
  });
  return { source, cache: lookupCache(table.options) };
}

function lookupCache(options: ResolvedOptions): LookupCache {
  const maxRows = options.get('lookup.partial-cache.max-rows') ?? options.get('lookup.cache.max-rows');
  const ttl = options.get('lookup.partial-cache.expire-after-write') ?? options.get('lookup.cache.ttl');
  const idle = options.get('lookup.partial-cache.expire-after-access');
  return {
    partial: options.get('lookup.cache') === 'PARTIAL' || maxRows !== undefined,
    maxRows: maxRows === undefined ? Number.POSITIVE_INFINITY : Number(maxRows),
    expireAfterWriteMs: ttl === undefined ? Number.POSITIVE_INFINITY : Number(ttl),
    expireAfterAccessMs: idle === undefined ? Number.POSITIVE_INFINITY : Number(idle),
    cacheMissingKey:
      (options.get('lookup.partial-cache.cache-missing-key') ?? options.get('lookup.cache.caching-missing-key')) !==
      false,
  };
}

/**
 * Reads the rows of a PostgreSQL table for a set of keys in one query (a join with the keys as
 * arrays), values in their text form read into the declared Flink types as the CDC source does.
 */
export class JdbcLookup implements LookupSource {
  private readonly pool: pg.Pool;
  private readonly sql: string;
  private readonly keyTexts: ((value: Value) => string | null)[];
  private read: ((texts: readonly (string | null)[]) => Row) | undefined;

  constructor(private readonly options: JdbcLookupOptions) {
    this.pool = new pg.Pool({ ...textClientConfig(options.connection), max: 1 });
    this.pool.on('error', () => undefined);
    const columns = options.fields.map((f) => `t.${quoteIdentifier(f.name)}`).join(', ');
    const arrays = options.keyColumns.map((_, n) => `$${n + 1}::text[]`).join(', ');
    const names = options.keyColumns.map((_, n) => `k${n}`).join(', ');
    const on = options.keyColumns
      .map((column, n) => {
        const field = options.fields[column] as RowField;
        return `t.${quoteIdentifier(field.name)} = k.k${n}::${pgType(field.type)}`;
      })
      .join(' AND ');
    this.sql = `SELECT ${columns} FROM ${quoteTable(options.table)} t JOIN unnest(${arrays}) AS k(${names}) ON ${on}`;
    this.keyTexts = options.keyColumns.map((column) => toText((options.fields[column] as RowField).type));
  }

  async lookup(keys: readonly Value[][]): Promise<LookupResult> {
    const params = this.options.keyColumns.map((_, n) => keys.map((key) => this.keyTexts[n]?.(key[n] ?? null) ?? null));
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.pool.query({ text: this.sql, values: params, rowMode: 'array' });
        this.read ??= pgRowReader(
          this.options.fields,
          result.fields.map((field) => field.dataTypeID),
          `table ${this.options.table} (lookup)`,
        );
        const read = this.read;
        const found = new Map<string, Row[]>();
        for (const values of result.rows as (string | null)[][]) {
          const row = read(values);
          const key = rowKey(this.options.keyColumns.map((column) => row[column] ?? null));
          const rows = found.get(key);
          if (rows) rows.push(row);
          else found.set(key, [row]);
        }
        return found;
      } catch (cause) {
        // A row that does not fit its columns is read the same way on every attempt.
        if (cause instanceof RivuletError) throw cause;
        if (attempt >= this.options.maxRetries) {
          throw new RivuletError(
            'LOOKUP_FAILED',
            `looking up ${keys.length} keys in table ${this.options.table} at ${describeConnection(this.options.connection)} failed: ${(cause as Error).message}`,
            'check that the table exists with the columns of the lookup table, and that the user may read it',
            { cause },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
