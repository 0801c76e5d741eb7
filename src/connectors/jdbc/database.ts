import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import { clientConfig, describeConnection, type PgConnection } from '../pg/connection.ts';
import type { CommitDomain, SourcePositions } from '../sink-writer.ts';
import { POSITIONS_TABLE, positionsStatement, type SinkStatement, singleWriteStatement } from './write-statement.ts';

/** The statements one table's sink staged for the next commit. */
interface StagedTable {
  readonly table: string;
  readonly statements: readonly SinkStatement[];
}

/** The topic under which a commit marker is written among the positions (partition 0, the writer as group). */
const COMMIT_MARKER_TOPIC = 'rivulet-commit-marker';

/**
 * A sink database: the tables a job writes there change in one transaction together with the
 * positions the job has consumed, so that a replay after a crash changes nothing. A commit with
 * nothing held is one statement, retried on transient failures (sink.max-retries) with backoff.
 * Each such commit also writes a random marker among the positions: when a commit fails without
 * an answer (the connection lost while the server committed), the marker tells whether it took
 * place before it is tried again, so a table without a primary key does not get its rows twice.
 */
export class JdbcDatabase implements CommitDomain {
  private readonly pool: pg.Pool;
  private readonly where: string;
  /** The positions table, created once per database object. */
  private positionsTable: Promise<void> | undefined;
  private staged: StagedTable[] = [];
  /** A transaction left open across holds, for output that may only become visible with a later position. */
  private held: JdbcTransaction | undefined;

  /**
   * `writer` names who commits (the job): its commit marker is kept under that name.
   */
  constructor(
    connection: PgConnection,
    private readonly maxRetries = 3,
    private readonly writer = 'rivulet',
  ) {
    this.where = describeConnection(connection);
    this.pool = new pg.Pool({ ...clientConfig(connection), max: 2 });
    this.pool.on('error', () => undefined);
  }

  /** Stages a table's statements for the next hold or commit. */
  stage(table: string, statements: readonly SinkStatement[]): void {
    this.staged.push({ table, statements });
  }

  private failure(tables: string, cause: unknown): RivuletError {
    return new RivuletError(
      'SINK_WRITE_FAILED',
      `writing to table ${tables} at ${this.where} failed: ${(cause as Error).message}`,
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
        (error: Error & { code?: string }) => {
          // Two writers creating it at once (the subtasks of a parallel job): PostgreSQL's IF NOT
          // EXISTS does not cover the race, and the loser fails on the catalog's unique index.
          if (error.code === '23505' || error.code === '42P07') return;
          this.positionsTable = undefined;
          throw error;
        },
      );
    return this.positionsTable;
  }

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

  private takeStaged(): StagedTable[] {
    const staged = this.staged;
    this.staged = [];
    return staged;
  }

  async hold(): Promise<void> {
    const staged = this.takeStaged();
    if (staged.every((t) => t.statements.length === 0)) return;
    this.held ??= await this.begin();
    await this.held.run(staged.flatMap((t) => t.statements));
  }

  async commit(positions: readonly SourcePositions[]): Promise<void> {
    const staged = this.takeStaged();
    const held = this.held;
    if (!held) {
      await this.write(staged, positions);
      return;
    }
    this.held = undefined;
    await this.commitIn(held, staged, positions);
  }

  /**
   * The tables' statements and the positions in one transaction, retried on failure; before a
   * retry, the commit marker tells whether the failed attempt was committed after all.
   */
  private async write(tables: readonly StagedTable[], positions: readonly SourcePositions[]): Promise<void> {
    if (positions.length === 0 && tables.every((t) => t.statements.length === 0)) return;
    const marker: SourcePositions = {
      group: this.writer,
      topic: COMMIT_MARKER_TOPIC,
      positions: new Map([[0, randomBytes(8).readBigUInt64BE() >> 1n]]),
    };
    const marked = [...positions, marker];
    for (let attempt = 0; ; attempt++) {
      try {
        if (attempt > 0 && (await this.committedMarker()) === marker.positions.get(0)) return;
        await this.ensurePositionsTable();
        const single = singleWriteStatement(tables, marked);
        if (single) await this.pool.query(single);
        else await this.commitIn(await this.begin(), tables, marked);
        return;
      } catch (error) {
        if (attempt >= this.maxRetries) throw this.failure(tables.map((t) => t.table).join(', '), error);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  /** The marker of the writer's last commit; undefined before its first. */
  private async committedMarker(): Promise<bigint | undefined> {
    return (await this.committedPositions(this.writer, COMMIT_MARKER_TOPIC)).get(0);
  }

  private async commitIn(
    transaction: JdbcTransaction,
    tables: readonly StagedTable[],
    positions: readonly SourcePositions[],
  ): Promise<void> {
    try {
      await transaction.run(tables.flatMap((t) => t.statements));
      await transaction.commit(positions);
    } catch (error) {
      await transaction.abort();
      throw error;
    }
  }

  /** A transaction of its own connection; not retried: a failure fails the job. */
  private async begin(): Promise<JdbcTransaction> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
    } catch (error) {
      client.release(true);
      throw error;
    }
    return new JdbcTransaction(client, () => this.ensurePositionsTable());
  }

  async abort(): Promise<void> {
    this.staged = [];
    const held = this.held;
    this.held = undefined;
    await held?.abort();
  }

  async close(): Promise<void> {
    await this.abort();
    await this.pool.end();
  }
}

class JdbcTransaction {
  private done = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly ensurePositionsTable: () => Promise<void>,
  ) {}

  async run(statements: readonly SinkStatement[]): Promise<void> {
    for (const statement of statements) await this.client.query(statement.text(0), statement.values);
  }

  async commit(positions: readonly SourcePositions[]): Promise<void> {
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
