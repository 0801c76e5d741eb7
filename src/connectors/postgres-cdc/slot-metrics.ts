import pg from 'pg';
import { clientConfig } from '../pg/connection.ts';
import type { SourceMetric } from '../source-reader.ts';
import type { CdcConnection } from './preflight.ts';

/** How long a scrape waits for the source database to report the slot. */
const SLOT_QUERY_TIMEOUT_MS = 2000;

/** What the source database says of one replication slot. */
interface SlotState {
  readonly retainedBytes: number;
  readonly lagBytes: number | undefined;
}

/**
 * Asks the source database for the slot's retained WAL and lag, on a short-lived connection that
 * is given up after SLOT_QUERY_TIMEOUT_MS; undefined when the database does not answer in time.
 */
async function querySlot(connection: CdcConnection, slot: string): Promise<SlotState | undefined> {
  const client = new pg.Client({
    ...clientConfig(connection),
    connectionTimeoutMillis: Math.min(connection.connectTimeoutMs || SLOT_QUERY_TIMEOUT_MS, SLOT_QUERY_TIMEOUT_MS),
    query_timeout: SLOT_QUERY_TIMEOUT_MS,
    statement_timeout: SLOT_QUERY_TIMEOUT_MS,
    application_name: 'rivulet-metrics',
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SLOT_QUERY_TIMEOUT_MS);
  });
  const query = (async () => {
    await client.connect();
    const result = await client.query<{ retained: string | null; lag: string | null }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
         FROM pg_replication_slots
        WHERE slot_name = $1 AND database = current_database()`,
      [slot],
    );
    const row = result.rows[0];
    if (!row || row.retained === null) return undefined;
    return { retainedBytes: Number(row.retained), lagBytes: row.lag === null ? undefined : Number(row.lag) };
  })().catch(() => undefined);
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}

/** The samples of one postgres-cdc source: its lag behind the source, and its slot as the server sees it. */
export async function slotMetrics(
  connection: CdcConnection,
  slot: string,
  lagSeconds: number,
): Promise<readonly SourceMetric[]> {
  const labels = { slot };
  const samples: SourceMetric[] = [
    {
      name: 'rivulet_cdc_source_lag_seconds',
      type: 'gauge',
      help: 'Now minus the source commit time of the last transaction read from the slot; 0 when the slot stream is idle and caught up, or before the first transaction.',
      labels,
      value: lagSeconds,
    },
  ];
  const state = await querySlot(connection, slot);
  samples.push({
    name: 'rivulet_cdc_slot_metrics_up',
    type: 'gauge',
    help: '1 when the source database reported the replication slot in time for this scrape, 0 otherwise.',
    labels,
    value: state ? 1 : 0,
  });
  if (!state) return samples;
  samples.push({
    name: 'rivulet_cdc_slot_retained_wal_bytes',
    type: 'gauge',
    help: 'WAL the replication slot keeps on the source server: pg_current_wal_lsn() - restart_lsn.',
    labels,
    value: state.retainedBytes,
  });
  if (state.lagBytes !== undefined) {
    samples.push({
      name: 'rivulet_cdc_lag_bytes',
      type: 'gauge',
      help: 'WAL written after the position the job confirmed to the slot: pg_current_wal_lsn() - confirmed_flush_lsn.',
      labels,
      value: state.lagBytes,
    });
  }
  return samples;
}
