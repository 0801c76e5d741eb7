import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import type {
  DecodedValue,
  Log,
  LogReader,
  LogRecord,
  LogTransaction,
  ProduceRecord,
  StartPosition,
  TopicDescription,
  TopicOptions,
} from '../log.ts';
import { onlyPartitions, sentBytes } from '../log.ts';
import { partitionForKey } from '../partitioner.ts';
import { PostgresReader } from './reader.ts';
import { createRecordsSql, ensureSchema, NOTIFY_CHANNEL, recordsTable, SCHEMA, type Topic } from './schema.ts';
import { KEPT_RECORDS, TailCache } from './tail-cache.ts';
import { type SharedBatch, TailShare } from './tail-share.ts';
import { PostgresTransaction } from './transaction.ts';
import { TopicWaiters } from './waiters.ts';
import {
  type AppendGroup,
  firstOffsets,
  sortGroups,
  type WrittenStatement,
  writeStatement,
} from './write-statement.ts';

export interface PostgresLogOptions {
  /** How often compaction and retention run, in milliseconds (0 turns them off). */
  readonly maintenanceIntervalMs?: number;
  /** How long a tombstone stays after compaction before it is removed too. */
  readonly deleteRetentionMs?: number;
  /**
   * How old a superseded record must be before compaction removes it (Kafka's
   * min.compaction.lag.ms): a reader that is behind or stopped for less than this still sees every
   * version of a key, as an append-only consumer of an upsert topic (a status history) needs.
   */
  readonly minCompactionLagMs?: number;
  /**
   * The name of a channel (node:worker_threads BroadcastChannel) over which the logs of this
   * process's threads send each other their commits (see TailShare); the engine's workers share one.
   */
  readonly shareChannel?: string;
}

/**
 * How far (records) a reader of this process may fall behind a write to its partition before the
 * writer waits for it: half the tail cache, so that the reader keeps reading from memory.
 */
export const PACE_RECORDS = KEPT_RECORDS / 2;
/** A reader that has not polled for this long is not waited for: its job is paused or stopped. */
export const PACE_ACTIVE_MS = 1_000;
/** The longest a write waits for readers, so that a job that reads its own output still moves. */
export const PACE_MAX_WAIT_MS = 1_000;

/** A connection string shown without its password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString().replace(/:@/, '@');
  } catch {
    return 'postgres://(unparsable url)';
  }
}

/**
 * Topics as PostgreSQL tables. An append takes the partition's row lock for the rest of its
 * transaction, so offsets become visible in order and readers never skip one; readers wake on
 * NOTIFY sent at commit.
 */
export class PostgresLog implements Log {
  readonly kind = 'postgres';
  readonly description: string;
  readonly pool: pg.Pool;
  private readonly listener: pg.Client;
  private readonly topics = new Map<string, Topic>();
  private readonly waiters = new TopicWaiters();
  /** Wake-ups of writers that wait for this process's readers (see keepPace). */
  private readonly reads = new TopicWaiters();
  private readonly tail = new TailCache();
  /** This process's open readers per topic id: the tail cache keeps what one of them has yet to read. */
  private readonly readers = new Map<number, Set<PostgresReader>>();
  private readonly unseen = new Map<number, number>();
  /** Marks this log's notifications, which its listener skips. */
  readonly origin = randomBytes(6).toString('hex');
  /** Open transactions, aborted by close() so that closing never waits on a dead connection. */
  readonly open = new Set<PostgresTransaction>();
  private maintenance: NodeJS.Timeout | undefined;
  /** Background maintenance runs that failed (each is tried again at the next interval). */
  maintenanceFailures = 0;
  private readonly deleteRetentionMs: number;
  private readonly minCompactionLagMs: number;
  private closed = false;
  private readonly share: TailShare | undefined;
  /** The number of this log's latest commit: a commit's notification carries it (see TailShare). */
  private commits = 0;

  private constructor(url: string, pool: pg.Pool, listener: pg.Client, options: PostgresLogOptions) {
    this.description = describeUrl(url);
    this.pool = pool;
    this.listener = listener;
    this.deleteRetentionMs = options.deleteRetentionMs ?? 24 * 3_600_000;
    this.minCompactionLagMs = options.minCompactionLagMs ?? 3_600_000;
    this.share = options.shareChannel
      ? new TailShare(options.shareChannel, this.origin, {
          apply: (batch) => this.applyShared(batch),
          uncertain: (topicIds) => this.uncertain(topicIds),
        })
      : undefined;
    const interval = options.maintenanceIntervalMs ?? 30_000;
    if (interval > 0) {
      this.maintenance = setInterval(() => {
        this.runMaintenance().catch((error: unknown) => this.maintenanceFailed(error, interval));
      }, interval);
      this.maintenance.unref();
    }
  }

  static async open(url: string, options: PostgresLogOptions = {}): Promise<PostgresLog> {
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    // A lost connection surfaces as the failure of the query that used it; not as a process crash.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const listener = new pg.Client({ connectionString: url });
    listener.on('error', () => undefined);
    try {
      await listener.connect();
      await ensureSchema(listener);
      await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (cause) {
      await listener.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw new RivuletError(
        'LOG_UNREACHABLE',
        `cannot open the log at ${describeUrl(url)}: ${(cause as Error).message}`,
        'check that the database is running and the URL (host, port, database, user) is right',
        { cause },
      );
    }
    const log = new PostgresLog(url, pool, listener, options);
    listener.on('notification', (message) => {
      const [topics = '', origin = '', seq] = (message.payload ?? '').split(';');
      // This log's own commits woke its readers when they returned.
      if (origin === log.origin) return;
      const topicIds = topics.split(',').map(Number);
      if (log.share?.notified(origin, Number(seq), topicIds)) return;
      log.uncertain(topicIds);
    });
    // Without its listener the log no longer hears of other processes' writes: read every table.
    listener.on('end', () => log.uncertain([...log.topics.values()].map((topic) => topic.id)));
    return log;
  }

  async ensureTopic(name: string, options: TopicOptions = {}): Promise<void> {
    if (this.topics.has(name)) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${SCHEMA}.topic.${name}`]);
      const existing = await client.query('SELECT id FROM rivulet_log.topics WHERE name = $1', [name]);
      if (existing.rowCount === 0) {
        const partitions = options.partitions ?? 1;
        const created = await client.query<{ id: number }>(
          'INSERT INTO rivulet_log.topics (name, partitions, compacted, retention_ms) VALUES ($1, $2, $3, $4) RETURNING id',
          [name, partitions, options.compacted ?? false, options.retentionMs ?? null],
        );
        const id = created.rows[0]?.id as number;
        await client.query(createRecordsSql(id));
        await client.query(
          'INSERT INTO rivulet_log.partitions (topic_id, partition) SELECT $1, p FROM generate_series(0, $2 - 1) AS p',
          [id, partitions],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async topic(name: string): Promise<Topic> {
    const cached = this.topics.get(name);
    if (cached) return cached;
    const result = await this.pool.query<{
      id: number;
      partitions: number;
      compacted: boolean;
      retention_ms: string | null;
    }>('SELECT id, partitions, compacted, retention_ms FROM rivulet_log.topics WHERE name = $1', [name]);
    const row = result.rows[0];
    if (!row) {
      throw new RivuletError(
        'LOG_TOPIC_NOT_FOUND',
        `topic '${name}' does not exist in the log at ${this.description}`,
        "run `rivulet topics` to see the topics; a job's sink creates its topic when it starts",
      );
    }
    const topic: Topic = {
      id: row.id,
      name,
      partitions: row.partitions,
      compacted: row.compacted,
      retentionMs: row.retention_ms === null ? null : Number(row.retention_ms),
    };
    this.topics.set(name, topic);
    return topic;
  }

  async partitions(topic: string): Promise<number> {
    return (await this.topic(topic)).partitions;
  }

  async describeTopics(): Promise<TopicDescription[]> {
    const topics = await this.pool.query<{ id: number; name: string; partitions: number; compacted: boolean }>(
      'SELECT id, name, partitions, compacted FROM rivulet_log.topics ORDER BY name',
    );
    const out: TopicDescription[] = [];
    for (const row of topics.rows) {
      const table = recordsTable(row.id);
      const stats = await this.pool.query<{ messages: string; bytes: string }>(
        `SELECT (SELECT count(*) FROM ${table}) AS messages, pg_total_relation_size('${table}') AS bytes`,
      );
      const stat = stats.rows[0];
      out.push({
        name: row.name,
        partitions: row.partitions,
        compacted: row.compacted,
        messages: Number(stat?.messages ?? 0),
        bytes: Number(stat?.bytes ?? 0),
      });
    }
    return out;
  }

  /** Appends records in one statement, its own transaction: all of them or none. */
  async produce(records: readonly ProduceRecord[]): Promise<void> {
    const groups = await this.groups(records);
    if (groups.length === 0) return;
    await this.keepPace(groups);
    const seq = this.nextCommit();
    this.committed(seq, [{ groups, result: await this.pool.query(writeStatement(groups, [], this.mark(seq))) }]);
  }

  /**
   * Topics that may hold records this process has not seen committed: other processes' writes
   * (their notifications) and commits of its own whose outcome it does not know. A reader reads
   * such a topic's table again instead of trusting the tail cache to know its end.
   */
  uncertain(topicIds: Iterable<number>): void {
    for (const id of new Set(topicIds)) {
      this.unseen.set(id, (this.unseen.get(id) ?? 0) + 1);
      this.waiters.wake(id);
    }
  }

  /** How many times the topic became uncertain; unchanged means every write since was seen. */
  unseenWrites(topicId: number): number {
    return this.unseen.get(topicId) ?? 0;
  }

  /** The offset after this process's last commit to a partition, if it wrote any. */
  cachedEnd(topicId: number, partition: number): bigint | undefined {
    return this.tail.end(topicId, partition);
  }

  /** The number of a new commit of this log. */
  nextCommit(): number {
    return ++this.commits;
  }

  /** What a commit's notification names its writer by: this log's origin and the commit's number. */
  mark(seq: number): string {
    return `${this.origin};${seq}`;
  }

  /**
   * Keeps what commit `seq` wrote (its write statements with their results) for this process's
   * readers, wakes them, and sends it to the logs of this process's other threads. `leftOut`: topics
   * it wrote more records of than are kept, which readers must read from the table.
   */
  committed(seq: number, written: readonly WrittenStatement[], leftOut: Iterable<number> = []): void {
    const shared: SharedBatch[] = [];
    const uncertain = new Set(leftOut);
    const woken = new Set<number>();
    for (const { groups, result } of written) {
      const firsts = firstOffsets(result);
      for (const [i, group] of groups.entries()) {
        const first = firsts[i];
        if (first === undefined) {
          uncertain.add(group.topicId);
          continue;
        }
        const { topic, topicId, partition, keys, values, times } = group;
        const batch: SharedBatch = { topic, topicId, partition, first, keys, values, times };
        this.keep(topicId, partition, recordsAt(batch, ownBytes, group.decoded));
        woken.add(topicId);
        if (this.share) shared.push(batch);
      }
    }
    for (const id of woken) this.waiters.wake(id);
    if (uncertain.size > 0) this.uncertain(uncertain);
    this.share?.publish({ origin: this.origin, seq, batches: shared, uncertain: [...uncertain] });
  }

  /** Records another thread's log has just committed (see TailShare): kept as this log's own. */
  private applyShared(batch: SharedBatch): void {
    this.keep(batch.topicId, batch.partition, recordsAt(batch, sentBytes));
    this.waiters.wake(batch.topicId);
  }

  private keep(topicId: number, partition: number, records: readonly LogRecord[]): void {
    this.tail.add(topicId, partition, records);
    this.releaseRead(topicId, partition);
  }

  /** Records this process has just committed, from `from` on, if it still has them. */
  cached(topicId: number, partition: number, from: bigint, max: number): LogRecord[] | undefined {
    return this.tail.read(topicId, partition, from, max);
  }

  /**
   * Forgets the cached records of a partition that every reader of this process has read (all of
   * them when it has none). Records are then dropped while young, which is cheap for the garbage
   * collector; a reader that comes later, or falls behind, reads from the table.
   */
  releaseRead(topicId: number, partition: number): void {
    let next = this.tail.end(topicId, partition);
    if (next === undefined) return;
    for (const reader of this.readers.get(topicId) ?? []) {
      const position = reader.nextOffset(partition);
      if (position !== undefined && position < next) next = position;
    }
    this.tail.release(topicId, partition, next);
    this.reads.wake(topicId);
  }

  forgetReader(topicId: number, reader: PostgresReader): void {
    this.readers.get(topicId)?.delete(reader);
    this.reads.wake(topicId);
  }

  /**
   * Flow control between the jobs of this process: waits while one of its readers of a partition
   * about to be written is more than PACE_RECORDS behind this process's last write there, and
   * still reads from the tail cache. Without it, in a burst the upstream jobs race ahead, their
   * readers fall out of the cache and read every record back from the table and decode it again.
   * Readers that stopped polling are not waited for, and no write waits longer than
   * PACE_MAX_WAIT_MS, so a paused job or one that reads its own output never stops a writer.
   */
  async keepPace(groups: readonly AppendGroup[]): Promise<void> {
    const deadline = Date.now() + PACE_MAX_WAIT_MS;
    for (const { topicId, partition } of groups) {
      for (;;) {
        const seen = this.reads.count(topicId);
        if (!this.readerBehind(topicId, partition)) break;
        const left = deadline - Date.now();
        if (left <= 0 || this.closed) return;
        await this.reads.wait(topicId, seen, left);
      }
    }
  }

  private readerBehind(topicId: number, partition: number): boolean {
    const end = this.tail.end(topicId, partition);
    const readers = this.readers.get(topicId);
    if (end === undefined || !readers) return false;
    const active = Date.now() - PACE_ACTIVE_MS;
    for (const reader of readers) {
      const next = reader.nextOffset(partition);
      if (next === undefined) continue;
      if (end - next > PACE_RECORDS && reader.polledAt >= active && this.tail.holds(topicId, partition, next)) {
        return true;
      }
    }
    return false;
  }

  async beginTransaction(): Promise<LogTransaction> {
    return new PostgresTransaction(this);
  }

  async topicId(name: string): Promise<number> {
    return (await this.topic(name)).id;
  }

  /** Records grouped by topic and partition (keyed records partitioned as Kafka does). */
  async groups(records: readonly ProduceRecord[]): Promise<AppendGroup[]> {
    const groups = new Map<string, AppendGroup>();
    const now = Date.now();
    let topic: Topic | undefined;
    for (const record of records) {
      if (topic?.name !== record.topic) topic = await this.topic(record.topic);
      const partition = record.partition ?? partitionForKey(record.key, topic.partitions);
      if (partition < 0 || partition >= topic.partitions) {
        throw new RivuletError(
          'LOG_BAD_PARTITION',
          `topic '${topic.name}' has no partition ${partition} (it has ${topic.partitions})`,
        );
      }
      const groupKey = `${topic.id}/${partition}`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { topic: topic.name, topicId: topic.id, partition, keys: [], values: [], times: [], decoded: [] };
        groups.set(groupKey, group);
      }
      group.keys.push(record.key);
      group.values.push(record.value);
      group.times.push(record.timestamp ?? now);
      group.decoded.push(record.decoded);
    }
    return sortGroups([...groups.values()]);
  }

  async committedPositions(group: string, topicName: string): Promise<ReadonlyMap<number, bigint>> {
    const topic = await this.topic(topicName);
    const result = await this.pool.query<{ partition: number; next: string }>(
      'SELECT partition, next FROM rivulet_log.positions WHERE group_id = $1 AND topic_id = $2',
      [group, topic.id],
    );
    return new Map(result.rows.map((row) => [row.partition, BigInt(row.next)]));
  }

  async openReader(topicName: string, start: StartPosition, partitions?: readonly number[]): Promise<LogReader> {
    const topic = await this.topic(topicName);
    const positions = onlyPartitions(await this.startPositions(topic, start), partitions);
    const reader = new PostgresReader(this, topic, positions);
    let readers = this.readers.get(topic.id);
    if (!readers) {
      readers = new Set();
      this.readers.set(topic.id, readers);
    }
    readers.add(reader);
    return reader;
  }

  private async startPositions(topic: Topic, start: StartPosition): Promise<Map<number, bigint>> {
    const table = recordsTable(topic.id);
    const bounds = await this.pool.query<{ partition: number; next_offset: string; first: string | null }>(
      `SELECT p.partition, p.next_offset, (SELECT min("offset") FROM ${table} r WHERE r.partition = p.partition) AS first
         FROM rivulet_log.partitions p WHERE p.topic_id = $1 ORDER BY p.partition`,
      [topic.id],
    );
    const positions = new Map<number, bigint>();
    for (const row of bounds.rows) {
      const earliest = row.first === null ? BigInt(row.next_offset) : BigInt(row.first);
      const latest = BigInt(row.next_offset);
      switch (start.kind) {
        case 'earliest':
          positions.set(row.partition, earliest);
          break;
        case 'latest':
          positions.set(row.partition, latest);
          break;
        case 'offsets':
          positions.set(
            row.partition,
            start.offsets.get(row.partition) ?? (start.otherwise === 'earliest' ? earliest : latest),
          );
          break;
        case 'timestamp': {
          const found = await this.pool.query<{ offset: string | null }>(
            `SELECT min("offset") AS offset FROM ${table} WHERE partition = $1 AND ts >= $2`,
            [row.partition, start.millis],
          );
          const offset = found.rows[0]?.offset;
          positions.set(row.partition, offset === null || offset === undefined ? latest : BigInt(offset));
          break;
        }
      }
    }
    return positions;
  }

  /** Reads records of one partition from `from` on. */
  async fetch(topic: Topic, partition: number, from: bigint, max: number): Promise<LogRecord[]> {
    const result = await this.pool.query<{ offset: string; key: Buffer | null; value: Buffer | null; ts: string }>({
      name: `rivulet_log_fetch_${topic.id}`,
      text: `SELECT "offset", key, value, ts FROM ${recordsTable(topic.id)}
              WHERE partition = $1 AND "offset" >= $2 ORDER BY "offset" LIMIT $3`,
      values: [partition, from.toString(), max],
    });
    return result.rows.map((row) => ({
      topic: topic.name,
      partition,
      offset: BigInt(row.offset),
      key: row.key,
      value: row.value,
      timestamp: Number(row.ts),
    }));
  }

  /** Resolves when the topic may have new records, or after `timeoutMs`. */
  waitForAppend(topicId: number, seen: number, timeoutMs: number): Promise<void> {
    return this.waiters.wait(topicId, seen, timeoutMs);
  }

  appendCount(topicId: number): number {
    return this.waiters.count(topicId);
  }

  /** Compaction of upsert topics and retention of append topics; run periodically in the background. */
  async runMaintenance(): Promise<void> {
    const topics = await this.pool.query<{ id: number; compacted: boolean; retention_ms: string | null }>(
      'SELECT id, compacted, retention_ms FROM rivulet_log.topics',
    );
    for (const topic of topics.rows) {
      const table = recordsTable(topic.id);
      if (topic.compacted) {
        await this.pool.query(
          `DELETE FROM ${table} r USING (
             SELECT partition, key, max("offset") AS newest FROM ${table}
              WHERE key IS NOT NULL GROUP BY partition, key HAVING count(*) > 1
           ) superseded
           WHERE r.partition = superseded.partition AND r.key = superseded.key AND r."offset" < superseded.newest
             AND r.ts < $1`,
          [Date.now() - this.minCompactionLagMs],
        );
        await this.pool.query(`DELETE FROM ${table} WHERE value IS NULL AND ts < $1`, [
          Date.now() - this.deleteRetentionMs,
        ]);
      } else if (topic.retention_ms !== null) {
        await this.pool.query(`DELETE FROM ${table} WHERE ts < $1`, [Date.now() - Number(topic.retention_ms)]);
      }
    }
  }

  private maintenanceFailed(error: unknown, intervalMs: number): void {
    // A run that close() cut short did not fail.
    if (this.closed) return;
    this.maintenanceFailures++;
    const message = error instanceof Error ? error.message : String(error);
    console.warn(
      `compaction and retention of the log at ${this.description} failed (${message}); tried again in ${intervalMs} ms`,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenance) clearInterval(this.maintenance);
    this.share?.close();
    this.waiters.wakeAll();
    this.reads.wakeAll();
    this.tail.clear();
    this.readers.clear();
    await Promise.all([...this.open].map((transaction) => transaction.abort().catch(() => undefined)));
    await this.listener.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/** A key or value this process wrote: the Buffer it was given. */
const ownBytes = (bytes: Uint8Array | null) => bytes as Buffer | null;

/**
 * The records of a batch committed at offsets first, first + 1, …: `bytes` gives each key and
 * value as a Buffer, `decoded` the rows they were encoded from where this process has them.
 */
function recordsAt(
  batch: SharedBatch,
  bytes: (value: Uint8Array | null) => Buffer | null,
  decoded?: readonly (DecodedValue | undefined)[],
): LogRecord[] {
  const records: LogRecord[] = new Array(batch.keys.length);
  for (let n = 0; n < records.length; n++) {
    records[n] = {
      topic: batch.topic,
      partition: batch.partition,
      offset: batch.first + BigInt(n),
      key: bytes(batch.keys[n] ?? null),
      value: bytes(batch.values[n] ?? null),
      timestamp: batch.times[n] as number,
      decoded: decoded?.[n],
    };
  }
  return records;
}
