import pg from 'pg';
import { clientConfig } from '../pg/connection.ts';
import type { SourceMetric } from '../source-reader.ts';
import { parseLsn } from './pgoutput.ts';
import type { CdcConnection } from './preflight.ts';

/** How long a scrape waits for the source database to report the slot. */
const SLOT_QUERY_TIMEOUT_MS = 2000;

/** What the source database says of one replication slot. */
interface SlotState {
  readonly retainedBytes: number;
  readonly lagBytes: number | undefined;
  /** The slot's confirmed_flush_lsn: what the job has confirmed the server may recycle up to. */
  readonly confirmedFlushLsn: bigint | undefined;
}

/**
 * Asks a source database for its slots' retained WAL and lag, on a short-lived connection that is
 * given up after SLOT_QUERY_TIMEOUT_MS; undefined when the database does not answer in time.
 */
async function querySlots(
  connection: CdcConnection,
  slots: readonly string[],
): Promise<Map<string, SlotState> | undefined> {
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
    const result = await client.query<{
      slot_name: string;
      retained: string | null;
      lag: string | null;
      confirmed: string | null;
    }>(
      `SELECT slot_name,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag,
              confirmed_flush_lsn::text AS confirmed
         FROM pg_replication_slots
        WHERE slot_name = ANY($1) AND database = current_database()`,
      [slots],
    );
    const states = new Map<string, SlotState>();
    for (const row of result.rows) {
      if (row.retained === null) continue;
      states.set(row.slot_name, {
        retainedBytes: Number(row.retained),
        lagBytes: row.lag === null ? undefined : Number(row.lag),
        confirmedFlushLsn: row.confirmed === null ? undefined : parseLsn(row.confirmed),
      });
    }
    return states;
  })().catch(() => undefined);
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}

/** Slots asked for in the same turn of the event loop, by source database: one query each (a scrape asks for all). */
const asking = new Map<
  string,
  { readonly slots: Set<string>; readonly states: Promise<Map<string, SlotState> | undefined> }
>();

function slotState(connection: CdcConnection, slot: string): Promise<SlotState | undefined> {
  const key = JSON.stringify([connection.host, connection.port, connection.database, connection.user]);
  let batch = asking.get(key);
  if (!batch) {
    const slots = new Set<string>();
    const states = new Promise((resolve) => setImmediate(resolve)).then(() => {
      asking.delete(key);
      return querySlots(connection, [...slots]);
    });
    batch = { slots, states };
    asking.set(key, batch);
  }
  batch.slots.add(slot);
  return batch.states.then((states) => states?.get(slot));
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
  const state = await slotState(connection, slot);
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
  if (state.confirmedFlushLsn !== undefined) {
    samples.push({
      name: 'rivulet_cdc_slot_confirmed_flush_lsn',
      type: 'gauge',
      help: "The replication slot's confirmed_flush_lsn as a byte position in the WAL (0/16B3748 is 0x16B3748): how far the job has confirmed.",
      labels,
      value: Number(state.confirmedFlushLsn),
    });
  }
  return samples;
}
