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
    fetchSize: Number(get('scan.snapshot.fetch.size')),
  };
}
