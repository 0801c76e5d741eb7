import { RivuletError } from '../../common/errors.ts';
import type { Log, StartPosition } from '../../log/log.ts';
import type { KafkaTable } from './table.ts';

/** Where a source starts, from `scan.startup.mode` and friends (Flink's names and meanings). */
export async function startPosition(log: Log, table: KafkaTable, group: string): Promise<StartPosition> {
  const mode = table.upsert ? 'earliest-offset' : String(table.options.get('scan.startup.mode') ?? 'group-offsets');
  const reset = table.options.withPrefix('properties.').get('auto.offset.reset') === 'latest' ? 'latest' : 'earliest';
  switch (mode) {
    case 'earliest-offset':
      return { kind: 'earliest' };
    case 'latest-offset':
      return { kind: 'latest' };
    case 'timestamp': {
      const millis = table.options.get('scan.startup.timestamp-millis');
      if (millis === undefined) {
        throw new RivuletError(
          'OPTION_MISSING',
          `table '${table.name}': 'scan.startup.mode' = 'timestamp' needs 'scan.startup.timestamp-millis'`,
        );
      }
      return { kind: 'timestamp', millis: Number(millis) };
    }
    case 'specific-offsets': {
      const spec = String(table.options.get('scan.startup.specific-offsets') ?? '');
      const offsets = new Map<number, bigint>();
      for (const part of spec.split(';').filter(Boolean)) {
        const match = /^\s*partition:(\d+)\s*,\s*offset:(\d+)\s*$/.exec(part);
        if (!match) {
          throw new RivuletError(
            'OPTION_INVALID',
            `table '${table.name}': 'scan.startup.specific-offsets' part '${part}' is not 'partition:N,offset:M'`,
          );
        }
        offsets.set(Number(match[1]), BigInt(match[2] as string));
      }
      return { kind: 'offsets', offsets, otherwise: reset };
    }
    default:
      return { kind: 'offsets', offsets: await log.committedPositions(group, table.topic), otherwise: reset };
  }
}

/**
 * Where a restarted job re-reads a topic from to rebuild its operator state (with output
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
  if (table.upsert) return { kind: 'earliest' };
  if (!stateful) return undefined;
  const mode = String(table.options.get('scan.startup.mode') ?? 'group-offsets');
  if (mode === 'latest-offset') return undefined;
  if (mode === 'group-offsets') {
    const reset = table.options.withPrefix('properties.').get('auto.offset.reset');
    return reset === 'latest' ? undefined : { kind: 'earliest' };
  }
  return startPosition(log, table, group);
}
