import type pg from 'pg';
import type { LogTransaction, ProduceRecord } from '../log.ts';
import { KEPT_RECORDS } from './tail-cache.ts';
import { type AppendGroup, type PositionRow, type WrittenStatement, writeStatement } from './write-statement.ts';

/** What a transaction needs of its log. */
export interface TransactionHost {
  readonly open: Set<PostgresTransaction>;
  readonly pool: pg.Pool;
  nextCommit(): number;
  mark(seq: number): string;
  committed(seq: number, written: readonly WrittenStatement[], leftOut?: Iterable<number>): void;
  /** A commit whose outcome is unknown: readers must look at these topics' tables again. */
  uncertain(topicIds: Iterable<number>): void;
  groups(records: readonly ProduceRecord[]): Promise<AppendGroup[]>;
  keepPace(groups: readonly AppendGroup[]): Promise<void>;
  topicId(name: string): Promise<number>;
}

/**
 * Output and positions that commit together. Nothing is sent until it must be: a transaction that
 * writes one batch and its positions (a job's usual step) commits as one statement on its own, one
 * round trip instead of BEGIN, append, positions and COMMIT. Only a second batch before the commit
 * (a snapshot written over many steps) opens a transaction on the server.
 */
export class PostgresTransaction implements LogTransaction {
  private client: pg.PoolClient | undefined;
  private held: AppendGroup[] | undefined;
  private positions: PositionRow[] = [];
  /**
   * The write under way in the open transaction: the job reads and encodes its next batch
   * meanwhile. At most one is under way; the next produce or the commit waits for it.
   */
  private writing: Promise<void> | undefined;
  /**
   * The newest batches written on the server inside the open transaction, with the offsets they
   * were given, for the tail cache at commit; older ones (a snapshot's) are left to the table.
   */
  private readonly written: { readonly groups: readonly AppendGroup[]; result?: pg.QueryResult }[] = [];
  private writtenRecords = 0;
  private leftOut = false;
  /** Topics written on the server inside the open transaction. */
  private readonly writtenTopics = new Set<number>();
  private done = false;
  /** This commit's number in its log (see TailShare). */
  private readonly seq: number;

  constructor(private readonly log: TransactionHost) {
    log.open.add(this);
    this.seq = log.nextCommit();
  }

  async produce(records: readonly ProduceRecord[]): Promise<void> {
    const groups = await this.log.groups(records);
    if (groups.length === 0) return;
    await this.settle();
    if (!this.client && !this.held) {
      // Nothing is locked on the server yet: a wait for slower readers here holds up no one else.
      await this.log.keepPace(groups);
      this.held = groups;
      return;
    }
    await this.begin();
    await this.settle();
    this.writing = this.write(groups);
  }

  async commitPositions(group: string, topic: string, positions: ReadonlyMap<number, bigint>): Promise<void> {
    const topicId = await this.log.topicId(topic);
    for (const [partition, next] of positions) this.positions.push({ group, topicId, partition, next });
  }

  async commit(): Promise<void> {
    await this.settle();
    if (this.done) return;
    if (this.client) {
      if (this.positions.length > 0) await this.send(writeStatement([], this.positions, this.log.mark(this.seq)));
      try {
        await this.finish('COMMIT');
      } catch (error) {
        this.log.uncertain(this.writtenTopics);
        throw error;
      }
      // The batches left out of the cache are only in the table: readers must look there.
      const written = this.written.flatMap(({ groups, result }) => (result ? [{ groups, result }] : []));
      this.log.committed(this.seq, written, this.leftOut ? this.writtenTopics : []);
      return;
    }
    const groups = this.held ?? [];
    this.close();
    if (groups.length === 0 && this.positions.length === 0) return;
    let result: pg.QueryResult;
    try {
      result = await this.log.pool.query(writeStatement(groups, this.positions, this.log.mark(this.seq)));
    } catch (error) {
      this.log.uncertain(groups.map((group) => group.topicId));
      throw error;
    }
    this.log.committed(this.seq, [{ groups, result }]);
  }

  async abort(): Promise<void> {
    await this.settle().catch(() => undefined);
    if (this.done) return;
    if (this.client) await this.finish('ROLLBACK');
    else this.close();
  }

  /** Opens the transaction on the server, with the batch held back so far. */
  private async begin(): Promise<void> {
    if (this.client) return;
    this.client = await this.log.pool.connect();
    await this.send('BEGIN');
    const held = this.held;
    this.held = undefined;
    if (held) this.writing = this.write(held);
  }

  /** Waits for the write under way, if any; its failure is the transaction's. */
  private async settle(): Promise<void> {
    const writing = this.writing;
    this.writing = undefined;
    await writing;
  }

  private write(groups: readonly AppendGroup[]): Promise<void> {
    const written: (typeof this.written)[number] = { groups };
    this.written.push(written);
    for (const group of groups) {
      this.writtenTopics.add(group.topicId);
      this.writtenRecords += group.keys.length;
    }
    while (this.writtenRecords > KEPT_RECORDS && this.written.length > 1) {
      const dropped = this.written.shift() as (typeof this.written)[number];
      for (const group of dropped.groups) this.writtenRecords -= group.keys.length;
      this.leftOut = true;
    }
    const writing = this.send(writeStatement(groups, [], this.log.mark(this.seq))).then((result) => {
      written.result = result;
    });
    writing.catch(() => undefined); // reported by settle()
    return writing;
  }

  private async send(query: pg.QueryConfig | string): Promise<pg.QueryResult> {
    try {
      return await (this.client as pg.PoolClient).query(query);
    } catch (error) {
      this.close();
      this.client?.release(error as Error); // a failed transaction's connection is discarded
      this.client = undefined;
      throw error;
    }
  }

  private async finish(statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    const client = this.client as pg.PoolClient;
    await this.send(statement);
    this.close();
    this.client = undefined;
    client.release();
  }

  private close(): void {
    this.done = true;
    this.held = undefined;
    this.log.open.delete(this);
  }
}
