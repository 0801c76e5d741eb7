import type { Row } from '../expr/value.ts';

/**
 * The log: named topics of keyed records in partitions, read by offset, as Kafka has them. Two
 * implementations share this interface: PostgreSQL tables (the embedded default) and Apache Kafka.
 */

export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  /** null is a tombstone: the key was deleted. */
  readonly value: Buffer | null;
  /** Milliseconds since the epoch, given by the producer or taken at append. */
  readonly timestamp: number;
  /** The row the value was encoded from, on records a reader takes from its own process's writes. */
  readonly decoded?: DecodedValue;
  /**
   * Kafka record headers, in their order, on a kafka log's records that have any (written by other
   * producers: Rivulet writes none, and the postgres log keeps none).
   */
  readonly headers?: readonly (readonly [Buffer | null, Buffer | null])[];
}

/**
 * The row a record's value was encoded from, and the format that encoded it (the connector's own
 * description of fields and options). A reader that would decode the value into an equal row, or
 * into some of its fields, takes them from here instead.
 */
export interface DecodedValue {
  readonly format: object;
  readonly row: Row;
}

export interface ProduceRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Defaults to the key's hash (Kafka's murmur2 partitioner), or partition 0 without a key. */
  readonly partition?: number;
  readonly timestamp?: number;
  readonly decoded?: DecodedValue;
}

export interface TopicOptions {
  readonly partitions?: number;
  /** Keep only the newest record per key (an upsert topic). */
  readonly compacted?: boolean;
  /** Delete records older than this (append topics); undefined keeps them. */
  readonly retentionMs?: number;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly messages: number;
  readonly bytes: number;
  readonly compacted: boolean;
}

/** Where a reader starts in each partition. */
export type StartPosition =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'timestamp'; readonly millis: number }
  | {
      readonly kind: 'offsets';
      readonly offsets: ReadonlyMap<number, bigint>;
      readonly otherwise: 'earliest' | 'latest';
    };

export interface LogReader {
  readonly topic: string;
  /**
   * Up to `max` records in offset order per partition, waiting at most `timeoutMs` for the first
   * one to arrive. Returns an empty array on timeout.
   */
  poll(max: number, timeoutMs: number): Promise<LogRecord[]>;
  /** The next offset to read in each partition. */
  positions(): ReadonlyMap<number, bigint>;
  close(): Promise<void>;
}

/** Output and consumed positions that become visible together, or not at all. */
export interface LogTransaction {
  produce(records: readonly ProduceRecord[]): Promise<void>;
  /** Records that `group` has consumed `topic` up to (next offsets) as part of this transaction. */
  commitPositions(group: string, topic: string, positions: ReadonlyMap<number, bigint>): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface Log {
  readonly kind: 'postgres' | 'kafka';
  /** A printable description without secrets, e.g. `postgres://127.0.0.1:5433/rivulet`. */
  readonly description: string;
  /** Failed runs of the log's own background maintenance, on a log that runs any (postgres). */
  readonly maintenanceFailures?: number;
  /**
   * Whether Kafka brokers given as `host:port[,host:port]` belong to the cluster this log keeps its
   * topics in; only a kafka log has brokers (a postgres log keeps topics as tables, and has none).
   */
  servesBrokers?(servers: string): Promise<boolean>;
  ensureTopic(name: string, options?: TopicOptions): Promise<void>;
  describeTopics(): Promise<TopicDescription[]>;
  /** The number of partitions of a topic; LOG_TOPIC_NOT_FOUND when there is no such topic. */
  partitions(topic: string): Promise<number>;
  /** Appends records outside any transaction (each call is atomic). */
  produce(records: readonly ProduceRecord[]): Promise<void>;
  /**
   * `writer` names who writes (a job), the same name across restarts: a log whose crashed
   * writers can leave a transaction open (Kafka) ends that transaction when the writer of the
   * same name begins one.
   */
  beginTransaction(writer?: string): Promise<LogTransaction>;
  /** A reader of all the topic's partitions, or of `partitions` only (a subtask's key groups). */
  openReader(topic: string, start: StartPosition, partitions?: readonly number[]): Promise<LogReader>;
  /** The positions `group` committed for `topic` (next offsets), by partition. */
  committedPositions(group: string, topic: string): Promise<ReadonlyMap<number, bigint>>;
  close(): Promise<void>;
}

/** `positions` of `partitions` only; all of them when undefined. */
export function onlyPartitions(
  positions: Map<number, bigint>,
  partitions: readonly number[] | undefined,
): Map<number, bigint> {
  if (!partitions) return positions;
  return new Map([...positions].filter(([partition]) => partitions.includes(partition)));
}

/**
 * A key or value that another thread of the process sent (the logs' shared tails): a structured
 * clone makes a Buffer a plain Uint8Array, which gets its Buffer view back here without a copy.
 */
export function sentBytes(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
