import type pg from 'pg';

/** The schema that holds the log's topics, partitions, records and consumer positions. */
export const SCHEMA = 'rivulet_log';

/** A topic as its row in `rivulet_log.topics` describes it. */
export interface Topic {
  readonly id: number;
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
  readonly retentionMs: number | null;
}

/** Record tables are per topic (`records_<id>`), so each can be compacted, trimmed and sized alone. */
export function recordsTable(topicId: number): string {
  return `${SCHEMA}.records_${topicId}`;
}

export const NOTIFY_CHANNEL = 'rivulet_log';

/** Creates the log's tables when missing; safe to run from several processes at once. */
export async function ensureSchema(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SCHEMA]).catch(() => undefined);
  await client.query(`
    CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.topics (
      id           serial PRIMARY KEY,
      name         text NOT NULL UNIQUE,
      partitions   int NOT NULL CHECK (partitions > 0),
      compacted    boolean NOT NULL,
      retention_ms bigint,
      created_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.partitions (
      topic_id    int NOT NULL REFERENCES ${SCHEMA}.topics (id) ON DELETE CASCADE,
      partition   int NOT NULL,
      next_offset bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (topic_id, partition)
    );
    CREATE TABLE IF NOT EXISTS ${SCHEMA}.positions (
      group_id  text NOT NULL,
      topic_id  int NOT NULL REFERENCES ${SCHEMA}.topics (id) ON DELETE CASCADE,
      partition int NOT NULL,
      next      bigint NOT NULL,
      PRIMARY KEY (group_id, topic_id, partition)
    );
  `);
}

/**
 * The record table of a new topic. Only the primary key is indexed: compaction scans the whole
 * table anyway, and an index on the key would cost every append a second index entry, and its WAL
 * every logical decoder of the cluster (a CDC source in the same server reads all of it).
 */
export function createRecordsSql(topicId: number): string {
  return `
    CREATE TABLE ${recordsTable(topicId)} (
      partition int NOT NULL,
      "offset"  bigint NOT NULL,
      key       bytea,
      value     bytea,
      ts        bigint NOT NULL,
      PRIMARY KEY (partition, "offset")
    );`;
}
