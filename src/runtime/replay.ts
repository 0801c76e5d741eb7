import { type KafkaTable, startPosition } from '../connectors/kafka-table.ts';
import type { Log, StartPosition } from '../log/log.ts';

/**
 * Where a restarted job re-reads a source from to rebuild its operator state (with output
 * suppressed) up to the positions it committed; undefined when it resumes at those positions
 * without replay.
 *
 * - upsert-kafka: from the earliest offset; the compacted topic is the table.
 * - kafka, when no operator keeps state (calc, window table function, sinks): no replay.
 * - kafka, in a job with state (aggregates, joins, event-time windows): from where the job first
 *   started reading, when that can be known again: 'earliest-offset', 'specific-offsets',
 *   'timestamp', and 'group-offsets' with the default `auto.offset.reset` = 'earliest' (the job's
 *   consumer group is its own, so its first start found no committed offsets). With
 *   'latest-offset' or `auto.offset.reset` = 'latest', where the first run began is not recorded:
 *   the job resumes without replay, and state built before the restart is lost.
 */
export async function replayStart(
  log: Log,
  table: KafkaTable,
  group: string,
  stateful: boolean,
): Promise<StartPosition | undefined> {
  if (table.connector === 'upsert-kafka') return { kind: 'earliest' };
  if (!stateful) return undefined;
  const mode = String(table.options.get('scan.startup.mode') ?? 'group-offsets');
  if (mode === 'latest-offset') return undefined;
  if (mode === 'group-offsets') {
    const reset = table.options.withPrefix('properties.').get('auto.offset.reset');
    return reset === 'latest' ? undefined : { kind: 'earliest' };
  }
  return startPosition(log, table, group);
}
