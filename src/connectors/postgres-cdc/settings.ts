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
    queueSize: Number(get('debezium.max.queue.size')),
  };
}
