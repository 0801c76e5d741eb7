import type { OptionValue } from '../options.ts';
import type { SourceColumn } from '../source-reader.ts';
import type { ConnectorTable } from '../table.ts';
import type { CdcConnection, CdcTarget } from './preflight.ts';

/** What the postgres-cdc connector needs to know of its table. */
export interface CdcTable extends ConnectorTable {
  /** For each field: a physical column, or a metadata key. */
  readonly columns: readonly SourceColumn[];
}

export interface CdcSettings {
  readonly connection: CdcConnection;
  readonly target: CdcTarget;
  readonly startup: 'initial' | 'latest-offset';
  readonly heartbeatMs: number;
  readonly dropSlotOnStop: boolean;
  readonly fetchSize: number;
  /** Changes of the stream not read (Debezium's skipped.operations). */
  readonly skipped: ReadonlySet<Operation>;
  /** The most changes of a poll, if limited (Debezium's max.batch.size). */
  readonly maxBatchSize?: number;
  /** Replication messages buffered before the stream is paused (Debezium's max.queue.size). */
  readonly queueSize: number;
}

/** Debezium's operation letters: create, update, delete, truncate. */
export type Operation = 'c' | 'u' | 'd' | 't';

/**
 * What Debezium 1.9 refuses of max.batch.size and max.queue.size (CommonConnectorConfig): each
 * positive, the queue larger than a batch, either compared with the other's default (2048, 8192)
 * when only one is given. Flink CDC fails a job on it, so Rivulet refuses it too.
 */
export function debeziumQueueProblem(
  batch: OptionValue | undefined,
  queue: OptionValue | undefined,
): { message: string; hint: string; option: string } | undefined {
  if (batch !== undefined && Number(batch) <= 0)
    return {
      message: "'debezium.max.batch.size' must be positive",
      hint: 'give a positive number',
      option: 'debezium.max.batch.size',
    };
  if (batch === undefined && queue === undefined) return undefined;
  const batchSize = Number(batch ?? 2048);
  const queueSize = Number(queue ?? 8192);
  if (queueSize > batchSize) return undefined;
  return {
    message: `'debezium.max.queue.size' (${queueSize}${queue === undefined ? ", Debezium's default" : ''}) must be larger than 'debezium.max.batch.size' (${batchSize}${batch === undefined ? ", Debezium's default" : ''}), as Debezium requires`,
    hint: "make 'debezium.max.queue.size' larger than 'debezium.max.batch.size'",
    option: queue === undefined ? 'debezium.max.batch.size' : 'debezium.max.queue.size',
  };
}

/** The operations of a `skipped.operations` value, or the first entry that is none. */
export function skippedOperations(value: string): ReadonlySet<Operation> | string {
  const skipped = new Set<Operation>();
  for (const entry of value.split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === 'c' || entry === 'u' || entry === 'd' || entry === 't') skipped.add(entry);
    else if (entry !== 'none') return entry;
  }
  return skipped;
}

/** Where the positions of a slot are committed: a one-partition topic of the log (offset = LSN). */
export function cdcPositionTopic(table: CdcTable): string {
  return `rivulet-cdc-positions.${String(table.options.get('slot.name'))}`;
}

/** The connector's options, with Debezium's spellings taking effect where Flink CDC's are unset. */
export function cdcSettings(table: CdcTable): CdcSettings {
  const get = (key: string) => table.options.get(key);
  const slot = String(get('slot.name'));
  const named = get('publication.name') ?? get('debezium.publication.name');
  const heartbeatInMs = get('heartbeat.interval.ms') ?? get('debezium.heartbeat.interval.ms');
  const debeziumDrop = get('debezium.slot.drop.on.stop');
  const skipped = skippedOperations(String(get('debezium.skipped.operations') ?? 'none'));
  const maxBatch = get('debezium.max.batch.size');
  return {
    connection: {
      host: String(get('hostname')),
      port: Number(get('port')),
      user: String(get('username')),
      password: String(get('password')),
      database: String(get('database-name')),
      connectTimeoutMs: Number(get('connect.timeout')),
      connectRetries: Number(get('connect.max-retries')),
    },
    target: {
      schema: String(get('schema-name')),
      table: String(get('table-name')),
      slot,
      publication: named === undefined ? `rivulet_${slot}` : String(named),
      managePublication: named === undefined || get('debezium.publication.autocreate.mode') === 'filtered',
      columns: table.columns.flatMap((column) => ('physical' in column ? [column.physical] : [])),
    },
    startup:
      get('debezium.snapshot.mode') === 'never'
        ? 'latest-offset'
        : (get('scan.startup.mode') as 'initial' | 'latest-offset'),
    heartbeatMs: heartbeatInMs !== undefined ? Number(heartbeatInMs) : Number(get('heartbeat.interval')),
    dropSlotOnStop: (debeziumDrop ?? get('slot.drop-on-stop')) === true,
    // Debezium's own snapshot (not incremental, as Rivulet's) reads its fetch size, so it wins when given.
    fetchSize: Number(get('debezium.snapshot.fetch.size') ?? get('scan.snapshot.fetch.size')),
    skipped: skipped as ReadonlySet<Operation>,
    ...(maxBatch === undefined ? {} : { maxBatchSize: Number(maxBatch) }),
    queueSize: Number(get('debezium.max.queue.size') ?? 20_000),
  };
}
