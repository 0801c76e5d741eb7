import { isUtf8 } from 'node:buffer';
import pg from 'pg';
import { RivuletError } from '../../common/errors.ts';
import type {
  Log,
  LogReader,
  LogRecord,
  LogTransaction,
  ProduceRecord,
  StartPosition,
  TopicDescription,
  TopicOptions,
} from '../log.ts';
import { partitionForKey } from '../partitioner.ts';
import { createRecordsSql, ensureSchema, NOTIFY_CHANNEL, recordsTable, SCHEMA } from './schema.ts';
import { TopicWaiters } from './waiters.ts';

interface Topic {
  readonly id: number;
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
  readonly retentionMs: number | null;
}

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
}

const SEPARATOR = '\u001e';
const NULL_MARK = '\u001f';

/**
 * The statement that appends records to one partition: it reserves offsets by moving the
 * partition's next offset (holding that row's lock until commit, which keeps offsets visible in
 * order), inserts the records, and notifies readers at commit.
 *
 * Keys and values that are text without control separators (JSON always is) travel as one string
 * each, split by PostgreSQL: about twice as fast as an array parameter, whose every quote node-pg
 * escapes and PostgreSQL unescapes. Other bytes travel as a bytea array.
 */
function appendQuery(
  topicId: number,
  partition: number,
  keys: readonly (Buffer | null)[],
  values: readonly (Buffer | null)[],
  times: readonly number[],
): pg.QueryConfig {
  const asText = keys.every(isPlainText) && values.every(isPlainText);
  const insert = (rows: string) => `WITH next AS (
             UPDATE rivulet_log.partitions SET next_offset = next_offset + cardinality($5::bigint[])
              WHERE topic_id = $1 AND partition = $2
          RETURNING next_offset - cardinality($5::bigint[]) AS first
           ), appended AS (
             INSERT INTO ${recordsTable(topicId)} (partition, "offset", key, value, ts)
             SELECT $2, next.first + u.n - 1, u.k, u.v, u.t FROM next, ${rows}
             RETURNING 1
           )
           SELECT (SELECT count(*) FROM appended) AS appended, pg_notify('${NOTIFY_CHANNEL}', $1::text)`;
  if (asText) {
    return {
      name: `rivulet_log_append_text_${topicId}`,
      text: insert(`LATERAL (
               SELECT convert_to(k, 'UTF8') AS k, convert_to(v, 'UTF8') AS v, t, n
                 FROM unnest(string_to_array($3, E'\\x1e', E'\\x1f'), string_to_array($4, E'\\x1e', E'\\x1f'), $5::bigint[])
                      WITH ORDINALITY AS x(k, v, t, n)
             ) AS u`),
      values: [topicId, partition, joinText(keys), joinText(values), times],
    };
  }
  return {
    name: `rivulet_log_append_bytes_${topicId}`,
    text: insert('unnest($3::bytea[], $4::bytea[], $5::bigint[]) WITH ORDINALITY AS u(k, v, t, n)'),
    values: [topicId, partition, keys, values, times],
  };
}

function isPlainText(buffer: Buffer | null): boolean {
  return buffer === null || (isUtf8(buffer) && !buffer.includes(0) && !buffer.includes(0x1e) && !buffer.includes(0x1f));
}

function joinText(buffers: readonly (Buffer | null)[]): string {
  return buffers.map((buffer) => (buffer === null ? NULL_MARK : buffer.toString('utf8'))).join(SEPARATOR);
}

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
  private readonly pool: pg.Pool;
  private readonly listener: pg.Client;
  private readonly topics = new Map<string, Topic>();
  private readonly waiters = new TopicWaiters();
  /** Open transactions, aborted by close() so that closing never waits on a dead connection. */
  readonly open = new Set<PostgresTransaction>();
  private maintenance: NodeJS.Timeout | undefined;
  private readonly deleteRetentionMs: number;
  private readonly minCompactionLagMs: number;
  private closed = false;

  private constructor(url: string, pool: pg.Pool, listener: pg.Client, options: PostgresLogOptions) {
    this.description = describeUrl(url);
    this.pool = pool;
    this.listener = listener;
    this.deleteRetentionMs = options.deleteRetentionMs ?? 24 * 3_600_000;
    this.minCompactionLagMs = options.minCompactionLagMs ?? 3_600_000;
    const interval = options.maintenanceIntervalMs ?? 30_000;
    if (interval > 0) {
      this.maintenance = setInterval(() => {
        this.runMaintenance().catch(() => undefined);
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
      for (const id of (message.payload ?? '').split(',')) log.waiters.wake(Number(id));
    });
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
        await client.query(createRecordsSql(id, options.compacted ?? false));
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

  async produce(records: readonly ProduceRecord[]): Promise<void> {
    const only = records.length > 0 ? await this.singlePartition(records) : undefined;
    if (only) {
      // One statement is its own transaction: one round trip instead of three.
      await this.pool.query(
        appendQuery(
          only.topic.id,
          only.partition,
          records.map((r) => r.key),
          records.map((r) => r.value),
          records.map((r) => r.timestamp ?? Date.now()),
        ),
      );
      return;
    }
    const transaction = await this.beginTransaction();
    try {
      await transaction.produce(records);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** The one topic and partition all records go to, if there is one. */
  private async singlePartition(
    records: readonly ProduceRecord[],
  ): Promise<{ topic: Topic; partition: number } | undefined> {
    const first = records[0] as ProduceRecord;
    const topic = await this.topic(first.topic);
    const partitionOf = (record: ProduceRecord) => record.partition ?? partitionForKey(record.key, topic.partitions);
    const partition = partitionOf(first);
    if (partition < 0 || partition >= topic.partitions) return undefined;
    return records.every((record) => record.topic === first.topic && partitionOf(record) === partition)
      ? { topic, partition }
      : undefined;
  }

  async beginTransaction(): Promise<LogTransaction> {
    const client = await this.pool.connect();
    await client.query('BEGIN');
    return new PostgresTransaction(this, client);
  }

  /** Appends within `client`'s transaction, grouped by topic and partition. */
  async append(client: pg.PoolClient, records: readonly ProduceRecord[]): Promise<void> {
    const groups = new Map<
      string,
      { topic: Topic; partition: number; keys: (Buffer | null)[]; values: (Buffer | null)[]; times: number[] }
    >();
    const now = Date.now();
    for (const record of records) {
      const topic = await this.topic(record.topic);
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
        group = { topic, partition, keys: [], values: [], times: [] };
        groups.set(groupKey, group);
      }
      group.keys.push(record.key);
      group.values.push(record.value);
      group.times.push(record.timestamp ?? now);
    }
    for (const group of groups.values())
      await client.query(appendQuery(group.topic.id, group.partition, group.keys, group.values, group.times));
  }

  async commitPositions(
    client: pg.PoolClient,
    group: string,
    topicName: string,
    positions: ReadonlyMap<number, bigint>,
  ): Promise<void> {
    const topic = await this.topic(topicName);
    const partitions = [...positions.keys()];
    const offsets = partitions.map((p) => (positions.get(p) as bigint).toString());
    await client.query(
      `INSERT INTO rivulet_log.positions (group_id, topic_id, partition, next)
       SELECT $1, $2, p, o FROM unnest($3::int[], $4::bigint[]) AS u(p, o)
       ON CONFLICT (group_id, topic_id, partition) DO UPDATE SET next = EXCLUDED.next`,
      [group, topic.id, partitions, offsets],
    );
  }

  async committedPositions(group: string, topicName: string): Promise<ReadonlyMap<number, bigint>> {
    const topic = await this.topic(topicName);
    const result = await this.pool.query<{ partition: number; next: string }>(
      'SELECT partition, next FROM rivulet_log.positions WHERE group_id = $1 AND topic_id = $2',
      [group, topic.id],
    );
    return new Map(result.rows.map((row) => [row.partition, BigInt(row.next)]));
  }

  async openReader(topicName: string, start: StartPosition): Promise<LogReader> {
    const topic = await this.topic(topicName);
    const positions = await this.startPositions(topic, start);
    return new PostgresReader(this, topic, positions);
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.maintenance) clearInterval(this.maintenance);
    this.waiters.wakeAll();
    await Promise.all([...this.open].map((transaction) => transaction.abort().catch(() => undefined)));
    await this.listener.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

class PostgresTransaction implements LogTransaction {
  private done = false;

  constructor(
    private readonly log: PostgresLog,
    private readonly client: pg.PoolClient,
  ) {
    log.open.add(this);
  }

  produce(records: readonly ProduceRecord[]): Promise<void> {
    return this.log.append(this.client, records);
  }

  commitPositions(group: string, topic: string, positions: ReadonlyMap<number, bigint>): Promise<void> {
    return this.log.commitPositions(this.client, group, topic, positions);
  }

  commit(): Promise<void> {
    return this.finish('COMMIT');
  }

  abort(): Promise<void> {
    return this.finish('ROLLBACK');
  }

  private async finish(statement: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.log.open.delete(this);
    try {
      await this.client.query(statement);
      this.client.release();
    } catch (error) {
      this.client.release(error as Error); // a broken connection is discarded, not reused
      throw error;
    }
  }
}

class PostgresReader implements LogReader {
  readonly topic: string;
  private next = 0;

  constructor(
    private readonly log: PostgresLog,
    private readonly meta: Topic,
    private readonly offsets: Map<number, bigint>,
  ) {
    this.topic = meta.name;
  }

  positions(): ReadonlyMap<number, bigint> {
    return this.offsets;
  }

  async poll(max: number, timeoutMs: number): Promise<LogRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.log.appendCount(this.meta.id);
      const records = await this.readOnce(max);
      if (records.length > 0) return records;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      await this.log.waitForAppend(this.meta.id, seen, remaining);
    }
  }

  /** One pass over the partitions, starting where the last pass stopped so none starves. */
  private async readOnce(max: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    const partitions = this.meta.partitions;
    for (let i = 0; i < partitions && out.length < max; i++) {
      const partition = (this.next + i) % partitions;
      const from = this.offsets.get(partition) ?? 0n;
      const records = await this.log.fetch(this.meta, partition, from, max - out.length);
      if (records.length > 0) {
        this.offsets.set(partition, (records[records.length - 1] as LogRecord).offset + 1n);
        out.push(...records);
      }
    }
    this.next = (this.next + 1) % partitions;
    return out;
  }

  async close(): Promise<void> {}
}
