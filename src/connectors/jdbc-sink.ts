import pg from 'pg';
import { RivuletError } from '../common/errors.ts';
import type { Change } from '../exec/change.ts';
import { keySelector } from '../exec/row-key.ts';
import type { Row, Value } from '../expr/value.ts';
import type { DataType, RowField } from '../types/data-type.ts';
import { formatDecimal } from '../types/decimal.ts';
import { formatDate, formatTime, formatTimestamp } from '../types/temporal.ts';
import { POSITIONS_TABLE, positionsStatement, singleWriteStatement } from './jdbc-write-statement.ts';
import { type ColumnArray, columnArray } from './pg-binary-array.ts';

/** The consumed positions a sink write covers: where the job resumes after a crash. */
export interface SinkPositions {
  readonly group: string;
  readonly topic: string;
  readonly positions: ReadonlyMap<number, bigint>;
}

/** pg connection settings from a PostgreSQL JDBC URL (its password never goes into messages). */
export function jdbcConnection(
  url: string,
  username?: string,
  password?: string,
): pg.ClientConfig & { readonly display: string } {
  const match = /^jdbc:postgresql:\/\/([^/:?]+)(?::(\d+))?\/([^?]+)(?:\?(.*))?$/.exec(url);
  if (!match) {
    throw new RivuletError('OPTION_INVALID', `'url' must look like jdbc:postgresql://host:port/database, got '${url}'`);
  }
  const params = new URLSearchParams(match[4] ?? '');
  const user = username ?? params.get('user') ?? undefined;
  const secret = password ?? params.get('password') ?? undefined;
  const host = match[1] as string;
  const port = Number(match[2] ?? 5432);
  const database = match[3] as string;
  return {
    host,
    port,
    database,
    ...(user !== undefined ? { user } : {}),
    ...(secret !== undefined ? { password: secret } : {}),
    display: `postgresql://${user ? `${user}@` : ''}${host}:${port}/${database}`,
  };
}

/** The PostgreSQL type a value of `type` is written as: each column is cast to it after `unnest`. */
export function pgType(type: DataType): string {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
      return 'smallint';
    case 'INT':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'DECIMAL':
      return 'numeric';
    case 'FLOAT':
      return 'real';
    case 'DOUBLE':
      return 'double precision';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
      return 'timestamp';
    case 'TIMESTAMP_LTZ':
      return 'timestamptz';
    case 'BINARY':
    case 'VARBINARY':
      return 'bytea';
    default:
      return 'text';
  }
}

/** A value as the text PostgreSQL reads for its column type. */
export function toText(type: DataType): (value: Value) => string | null {
  switch (type.kind) {
    case 'DECIMAL': {
      const scale = type.scale;
      return (v) => (v === null ? null : formatDecimal(v as bigint, scale));
    }
    case 'DATE':
      return (v) => (v === null ? null : formatDate(v as number));
    case 'TIME':
      return (v) => (v === null ? null : formatTime(v as number, 6));
    case 'TIMESTAMP':
      return (v) => (v === null ? null : formatTimestamp(v as number, 6));
    case 'TIMESTAMP_LTZ':
      return (v) => (v === null ? null : `${formatTimestamp(v as number, 6)}Z`);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => (v === null ? null : `\\x${Buffer.from(v as Uint8Array).toString('hex')}`);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => (v === null ? null : (v as string));
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
      return (v) => (v === null ? null : JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
    default:
      return (v) => (v === null ? null : String(v));
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` or `table`, each part quoted. */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}

export interface JdbcTableOptions {
  readonly table: string;
  readonly fields: readonly RowField[];
  /** Positions of the primary key columns; empty for an append-only table. */
  readonly key: readonly number[];
}

/** A statement of a sink write: its text with parameters numbered from `base` + 1, and their values. */
export interface SinkStatement {
  readonly text: (base: number) => string;
  /** One array per parameter, in PostgreSQL's binary format (see pg-binary-array.ts). */
  readonly values: Buffer[];
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

/**
 * A sink database: the tables a job writes there change in one transaction together with the
 * positions the job has consumed, so that a replay after a crash changes nothing. Transient
 * failures are retried (sink.max-retries) with backoff.
 */
export class JdbcDatabase {
  private readonly pool: pg.Pool;
  private readonly display: string;
  /** The positions table, created once per database object. */
  private positionsTable: Promise<void> | undefined;

  constructor(
    url: string,
    username: string | undefined,
    password: string | undefined,
    private readonly maxRetries = 3,
  ) {
    const connection = jdbcConnection(url, username, password);
    this.display = connection.display;
    this.pool = new pg.Pool({ ...connection, max: 2 });
    this.pool.on('error', () => undefined);
  }

  private failure(tables: string, cause: unknown): RivuletError {
    return new RivuletError(
      'SINK_WRITE_FAILED',
      `writing to table ${tables} at ${this.display} failed: ${(cause as Error).message}`,
      'check that the table exists with the columns of the sink table, and that the user may write to it',
      { cause },
    );
  }

  private ensurePositionsTable(): Promise<void> {
    this.positionsTable ??= this.pool
      .query(`CREATE TABLE IF NOT EXISTS ${POSITIONS_TABLE} (
        group_id  text NOT NULL,
        topic     text NOT NULL,
        partition int NOT NULL,
        next      bigint NOT NULL,
        PRIMARY KEY (group_id, topic, partition)
      )`)
      .then(
        () => undefined,
        (error: Error) => {
          this.positionsTable = undefined;
          throw error;
        },
      );
    return this.positionsTable;
  }

  /** Positions committed for a job's source topic, where the job resumes. */
  async committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>> {
    try {
      await this.ensurePositionsTable();
      const result = await this.pool.query<{ partition: number; next: string }>(
        `SELECT partition, next FROM ${POSITIONS_TABLE} WHERE group_id = $1 AND topic = $2`,
        [group, topic],
      );
      return new Map(result.rows.map((row) => [row.partition, BigInt(row.next)]));
    } catch (cause) {
      throw this.failure('(positions)', cause);
    }
  }

  /** Applies each table's changes and records the positions, all in one transaction. */
  async write(
    writes: readonly { writer: JdbcTableWriter; changes: readonly Change[] }[],
    positions: readonly SinkPositions[] = [],
  ): Promise<void> {
    const tables = writes.map((w) => w.writer.table).join(', ');
    const statements = writes.map((w) => ({ table: w.writer.table, statements: w.writer.statements(w.changes) }));
    if (positions.length === 0 && statements.every((t) => t.statements.length === 0)) return;
    for (let attempt = 0; ; attempt++) {
      try {
        if (positions.length > 0) await this.ensurePositionsTable();
        const single = singleWriteStatement(statements, positions);
        if (single) await this.pool.query(single);
        else await this.writeInTransaction(statements, positions);
        return;
      } catch (error) {
        if (attempt >= this.maxRetries) throw this.failure(tables, error);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private async writeInTransaction(
    tables: readonly { readonly statements: readonly SinkStatement[] }[],
    positions: readonly SinkPositions[],
  ): Promise<void> {
    const transaction = await this.begin();
    try {
      await transaction.run(tables.flatMap((t) => t.statements));
      await transaction.commit(positions);
    } catch (error) {
      await transaction.abort();
      throw error;
    }
  }

  /**
   * A transaction left open across several writes, for output that may only become visible with a
   * later position (a source snapshot, a large source transaction). Not retried: a failure fails the job.
   */
  async begin(): Promise<JdbcTransaction> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(true);
      throw error;
    }
    return new JdbcTransaction(client, () => this.ensurePositionsTable());
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export class JdbcTransaction {
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly ensurePositionsTable: () => Promise<void>,
  ) {}

  async apply(writes: readonly { writer: JdbcTableWriter; changes: readonly Change[] }[]): Promise<void> {
    for (const { writer, changes } of writes) await this.run(writer.statements(changes));
  }

  async run(statements: readonly SinkStatement[]): Promise<void> {
    for (const statement of statements) await this.client.query(statement.text(0), statement.values);
  }

  async commit(positions: readonly SinkPositions[]): Promise<void> {
    if (positions.length > 0) {
      await this.ensurePositionsTable();
      await this.client.query(positionsStatement(positions));
    }
    await this.client.query('COMMIT');
    this.done = true;
    this.client.release();
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.client.query('ROLLBACK').catch(() => undefined);
    this.client.release(true);
  }
}
