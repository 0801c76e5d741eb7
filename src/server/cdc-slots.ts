import type { Engine } from '../runtime/engine.ts';
import { formatLsn } from '../types/lsn.ts';
import { tableOf } from './job-insight.ts';
import { sourceSamples } from './metrics.ts';

/**
 * Retained WAL beyond which a slot is flagged: PostgreSQL's default max_wal_size (1 GB). WAL past it
 * would have been recycled by the server's checkpoints if no slot held it back.
 */
export const RETAINED_WAL_WARNING_BYTES = 1024 ** 3;

/**
 * The replication slots of the running jobs' sources that read one (their source samples carry a
 * `slot` label), as the source databases report them: the samples of /metrics, whose connector asks
 * once per source database and gives up after 2 s. A slot holding back more than `warningBytes`
 * (the engine's --alert-wal threshold) is flagged.
 */
export async function cdcSlots(engine: Engine, warningBytes = RETAINED_WAL_WARNING_BYTES) {
  const slots = [];
  for (const [job, sources] of await sourceSamples(engine)) {
    for (const { vertex, samples } of sources) {
      const slot = samples.find((sample) => sample.labels.slot !== undefined)?.labels.slot;
      if (slot === undefined) continue;
      const value = (name: string) => samples.find((sample) => sample.name === name)?.value ?? null;
      const retained = value('rivulet_cdc_slot_retained_wal_bytes');
      const reported = value('rivulet_cdc_slot_metrics_up') === 1;
      const confirmed = value('rivulet_cdc_slot_confirmed_flush_lsn');
      slots.push({
        jid: job.id,
        job: job.plan.name,
        table: vertex.scan.table.name,
        database: tableOf(vertex.scan.table, 'source').database,
        slot,
        reported,
        'lag-seconds': value('rivulet_cdc_source_lag_seconds'),
        'retained-wal-bytes': retained,
        'lag-bytes': value('rivulet_cdc_lag_bytes'),
        'confirmed-flush-lsn': confirmed === null ? null : formatLsn(BigInt(confirmed)),
        warning: !reported ? 'not-reported' : retained !== null && retained > warningBytes ? 'wal-retained' : null,
      });
    }
  }
  return { slots, 'retained-wal-warning-bytes': warningBytes };
}
