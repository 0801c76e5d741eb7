import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import type { Change } from '../../exec/change.ts';
import type { Row } from '../../expr/value.ts';
import { describeConnection, textClientConfig } from '../pg/connection.ts';
import { quoteIdentifier, quoteTable } from '../pg/quote.ts';
import { pgRowReader } from '../pg/value-text.ts';
import type { ReplayedBatch, SourceContext, SourceReader } from '../source-reader.ts';
import type { ConnectorTable } from '../table.ts';
import { jdbcConnection } from './url.ts';

/**
 * The rows a partitioned scan reads (Flink's 'scan.partition.*'): those whose partition column lies
 * between the lower and the upper bound, which the partitions cover together; here they are read
 * as one partition.
 */
function partitionFilter(table: ConnectorTable): string {
  const column = table.options.get('scan.partition.column');
  if (column === undefined) return '';
  const lower = BigInt(String(table.options.get('scan.partition.lower-bound')));
  const upper = BigInt(String(table.options.get('scan.partition.upper-bound')));
  return ` WHERE ${quoteIdentifier(String(column))} BETWEEN ${lower} AND ${upper}`;
}

/**
 * A jdbc table read as a bounded source: its rows once, as inserts, through a cursor in one
 * read-only transaction, so the rows are one consistent snapshot. Like a postgres-cdc snapshot,
 * its output may be committed only once the whole table was read (`atCommitPoint`); the position
 * is then 1, and a restarted job does not read it again, unless its operators need the rows to
 * rebuild their state: then it reads them again with output suppressed (`replaying`).
 */
export class JdbcScanReader implements SourceReader {
  readonly newestSourceMicros = 0;
  private finishedReading = false;
  private delivered = false;
  private endCommitted = false;
  private read: ((texts: readonly (string | null)[]) => Row) | undefined;

  private constructor(
    readonly positionTopic: string,
    private readonly table: ConnectorTable,
    private readonly client: pg.Client | undefined,
    private readonly fetchSize: number,
    private readonly replayAll: boolean,
  ) {
    if (!client) {
      this.finishedReading = true;
      this.delivered = true;
    }
  }

  static async open(context: SourceContext): Promise<JdbcScanReader> {
    const { table } = context;
    const name = String(table.options.get('table-name'));
    const topic = `rivulet-jdbc-scan.${name}`;
    const fetchSize = Number(table.options.get('scan.fetch-size') ?? 0) || 2000;
    const done = ((await context.committedPositions(topic)).get(0) ?? 0n) > 0n;
    const replay = done && context.stateful;
    if (done && !replay) return new JdbcScanReader(topic, table, undefined, fetchSize, false);
    const connection = jdbcConnection(table.options);
    const client = new pg.Client(textClientConfig(connection));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const columns = table.fields.map((f) => quoteIdentifier(f.name)).join(', ');
      await client.query(
        `DECLARE rivulet_scan NO SCROLL CURSOR FOR SELECT ${columns} FROM ${quoteTable(name)}${partitionFilter(table)}`,
      );
    } catch (cause) {
      await client.end().catch(() => undefined);
      throw new RivuletError(
        'SCAN_FAILED',
        `cannot read table ${name} at ${describeConnection(connection)}: ${(cause as Error).message}`,
        'check that the table exists with the columns of the jdbc table, and that the user may read it',
        { cause },
      );
    }
    return new JdbcScanReader(topic, table, client, fetchSize, replay);
  }

  get atCommitPoint(): boolean {
    return this.delivered;
  }

  positions(): ReadonlyMap<number, bigint> {
    return new Map([[0, this.delivered ? 1n : 0n]]);
  }

  get replaying(): boolean {
    return this.replayAll && !this.delivered;
  }

  async replay(max: number): Promise<ReplayedBatch> {
    return { replayed: await this.poll(max, 0), fresh: [] };
  }

  get moved(): boolean {
    return this.delivered && !this.endCommitted;
  }

  get ended(): boolean {
    return this.endCommitted;
  }

  committed(positions: ReadonlyMap<number, bigint>): void {
    if (positions.get(0) === 1n) this.endCommitted = true;
  }

  async poll(max: number, timeoutMs: number): Promise<Change[]> {
    if (this.finishedReading || !this.client) {
      this.delivered = true;
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return [];
    }
    const fetch = Math.max(max, this.fetchSize);
    const result = await this.client.query({ text: `FETCH ${fetch} FROM rivulet_scan`, rowMode: 'array' });
    this.read ??= pgRowReader(
      this.table.fields,
      result.fields.map((field) => field.dataTypeID),
      `table ${this.table.options.get('table-name')} (jdbc table '${this.table.name}')`,
    );
    const read = this.read;
    const out: Change[] = (result.rows as (string | null)[][]).map((values) => ({ kind: '+I', row: read(values) }));
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
