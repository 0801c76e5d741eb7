import { RivuletError } from '../../common/errors.ts';
import type { Log, StartPosition } from '../../log/log.ts';
import type { KafkaTable } from './table.ts';

/** Offsets per partition as Flink writes them: `partition:0,offset:42;partition:1,offset:300`. */
export function specificOffsets(table: KafkaTable, option: string): Map<number, bigint> {
  const spec = String(table.options.get(option) ?? '');
  const offsets = new Map<number, bigint>();
  for (const part of spec.split(';').filter(Boolean)) {
    const match = /^\s*partition:(\d+)\s*,\s*offset:(\d+)\s*$/.exec(part);
    if (!match) {
      throw new RivuletError(
        'OPTION_INVALID',
        `table '${table.name}': '${option}' part '${part}' is not 'partition:N,offset:M'`,
      );
    }
    offsets.set(Number(match[1]), BigInt(match[2] as string));
  }
  return offsets;
}

/** A timestamp option that its mode needs. */
export function requiredMillis(table: KafkaTable, mode: string, option: string): number {
  const millis = table.options.get(option);
  if (millis === undefined) {
    throw new RivuletError('OPTION_MISSING', `table '${table.name}': '${mode}' = 'timestamp' needs '${option}'`);
  }
  return Number(millis);
}

/**
 * The consumer group whose committed offsets 'group-offsets' means: 'properties.group.id', or
 * the job's own group (which has committed nothing before the job's first start).
 */
export function offsetsGroup(table: KafkaTable, group: string): string {
  return table.options.withPrefix('properties.').get('group.id') ?? group;
}

/**
 * The committed offsets of `group` for the table's topic; with 'auto.offset.reset' = 'none', a
 * partition without one is an error, as in Kafka's consumer.
 */
export async function groupOffsets(log: Log, table: KafkaTable, group: string): Promise<ReadonlyMap<number, bigint>> {
  const offsets = await log.committedPositions(group, table.topic);
  if (table.options.withPrefix('properties.').get('auto.offset.reset') === 'none') {
    const partitions = await log.partitions(table.topic);
    for (let partition = 0; partition < partitions; partition++) {
      if (!offsets.has(partition)) {
        throw new RivuletError(
          'KAFKA_NO_COMMITTED_OFFSET',
          `table '${table.name}': consumer group '${group}' has no committed offset for partition ${partition} of topic '${table.topic}', and 'properties.auto.offset.reset' is 'none'`,
          "set 'properties.auto.offset.reset' to 'earliest' or 'latest', or choose another 'scan.startup.mode'",
        );
      }
    }
  }
  return offsets;
}

/** Where a source starts, from `scan.startup.mode` and friends (Flink's names and meanings). */
export async function startPosition(log: Log, table: KafkaTable, group: string): Promise<StartPosition> {
  const mode = table.upsert ? 'earliest-offset' : String(table.options.get('scan.startup.mode') ?? 'group-offsets');
  const reset = table.options.withPrefix('properties.').get('auto.offset.reset') === 'latest' ? 'latest' : 'earliest';
  switch (mode) {
    case 'earliest-offset':
      return { kind: 'earliest' };
    case 'latest-offset':
      return { kind: 'latest' };
    case 'timestamp':
      return { kind: 'timestamp', millis: requiredMillis(table, 'scan.startup.mode', 'scan.startup.timestamp-millis') };
    case 'specific-offsets':
      return { kind: 'offsets', offsets: specificOffsets(table, 'scan.startup.specific-offsets'), otherwise: reset };
    default:
      return { kind: 'offsets', offsets: await groupOffsets(log, table, offsetsGroup(table, group)), otherwise: reset };
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
 *   'timestamp', and 'group-offsets' of 'properties.group.id' (whose offsets Rivulet does not
 *   move) or, without it, with the default `auto.offset.reset` = 'earliest' (the job's consumer
 *   group is its own, so its first start found no committed offsets). With 'latest-offset' or
 *   `auto.offset.reset` = 'latest', where the first run began is not recorded: the job resumes
 *   without replay, and state built before the restart is lost.
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
  if (mode === 'group-offsets' && offsetsGroup(table, group) === group) {
    const reset = table.options.withPrefix('properties.').get('auto.offset.reset');
    return reset === 'latest' ? undefined : { kind: 'earliest' };
  }
  return startPosition(log, table, group);
}
