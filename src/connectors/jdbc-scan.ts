import pg from 'pg';
import { RivuletError } from '../common/errors.ts';
import type { Change } from '../exec/change.ts';
import type { Value } from '../expr/value.ts';
import type { RowField } from '../types/data-type.ts';
import { pgTextReader } from './cdc/pg-values.ts';
import { RAW_TYPES, TEXT_OUTPUT_OPTIONS } from './cdc/replication-stream.ts';
import type { ResolvedOptions } from './factory.ts';
import { jdbcConnection, quoteIdentifier, quoteTable } from './jdbc-sink.ts';

/** A jdbc table read as a bounded source: its rows once, as inserts. */
export interface JdbcScanTable {
  readonly name: string;
  readonly connector: 'jdbc';
  readonly fields: readonly RowField[];
  readonly options: ResolvedOptions;
}

/** Where a scan's progress is committed: offset 1 of partition 0 once the whole table was read. */
export function jdbcScanPositionTopic(table: JdbcScanTable): string {
  return `rivulet-jdbc-scan.${String(table.options.get('table-name'))}`;
}

/**
 * Reads a table through a cursor in one read-only transaction, so the rows are one consistent
 * snapshot. Like a postgres-cdc snapshot, its output may be committed only once the whole table
 * was read (`atCommitPoint`); then the position is 1 and a restarted job does not read it again.
 */
export class JdbcScanReader {
  private finishedReading = false;
  private delivered = false;
  private readers: ((text: string) => Value)[] | undefined;

  private constructor(
    private readonly table: JdbcScanTable,
    private readonly client: pg.Client | undefined,
    private readonly fetchSize: number,
  ) {
    if (!client) {
      this.finishedReading = true;
      this.delivered = true;
    }
  }

  /** Opens the scan, or a finished one when the job committed it before (`done`). */
  static async open(table: JdbcScanTable, done: boolean): Promise<JdbcScanReader> {
    const fetchSize = Number(table.options.get('scan.fetch-size') ?? 0) || 2000;
    if (done) return new JdbcScanReader(table, undefined, fetchSize);
    const username = table.options.get('username');
    const password = table.options.get('password');
    const connection = jdbcConnection(
      String(table.options.get('url')),
      username === undefined ? undefined : String(username),
      password === undefined ? undefined : String(password),
    );
    const client = new pg.Client({ ...connection, options: TEXT_OUTPUT_OPTIONS, types: RAW_TYPES });
    client.on('error', () => undefined);
    const name = String(table.options.get('table-name'));
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const columns = table.fields.map((f) => quoteIdentifier(f.name)).join(', ');
      await client.query(`DECLARE rivulet_scan NO SCROLL CURSOR FOR SELECT ${columns} FROM ${quoteTable(name)}`);
    } catch (cause) {
      await client.end().catch(() => undefined);
      throw new RivuletError(
        'SCAN_FAILED',
        `cannot read table ${name} at ${connection.display}: ${(cause as Error).message}`,
        'check that the table exists with the columns of the jdbc table, and that the user may read it',
        { cause },
      );
    }
    return new JdbcScanReader(table, client, fetchSize);
  }

  get atCommitPoint(): boolean {
    return this.delivered;
  }

  get position(): bigint {
    return this.delivered ? 1n : 0n;
  }

  /** Whether every row was handed over. */
  get finished(): boolean {
    return this.delivered;
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    if (this.finishedReading || !this.client) {
      this.delivered = true;
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return [];
    }
    const fetch = Math.max(max, this.fetchSize);
    const result = await this.client.query({ text: `FETCH ${fetch} FROM rivulet_scan`, rowMode: 'array' });
    this.readers ??= result.fields.map((field, i) =>
      pgTextReader((this.table.fields[i] as RowField).type, field.dataTypeID),
    );
    const readers = this.readers;
    const out: Change[] = (result.rows as (string | null)[][]).map((values) => ({
      kind: '+I',
      row: values.map((text, i) => (text === null ? null : (readers[i] as (t: string) => Value)(text))),
    }));
    if (result.rows.length < fetch) {
      await this.client.query('COMMIT');
      this.finishedReading = true;
    }
    this.delivered = this.finishedReading;
    return out;
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
  }
}
