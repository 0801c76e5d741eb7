import { RivuletError } from '../../common/errors.ts';
import type { Log, LogReader, LogRecord, StartPosition } from '../../log/log.ts';
import { groupOffsets, offsetsGroup, requiredMillis, specificOffsets } from './start-position.ts';
import type { KafkaTable } from './table.ts';

/** The offsets per partition where a reader opened at `start` would begin. */
async function offsetsAt(log: Log, topic: string, start: StartPosition): Promise<ReadonlyMap<number, bigint>> {
  const reader = await log.openReader(topic, start);
  try {
    return new Map(reader.positions());
  } finally {
    await reader.close();
  }
}

/**
 * Where a bounded source stops reading each partition ('scan.bounded.mode', Flink's meanings): the
 * latest offsets when it starts ('latest-offset'), the first offset whose record is at or after a
 * time ('timestamp'; the latest offset when there is none), the given offsets ('specific-offsets';
 * a partition not listed is not read), or the offsets 'properties.group.id' has committed
 * ('group-offsets'). Undefined for an unbounded source ('unbounded', the default). The ends are
 * taken when the reader opens, also after a restart.
 */
export async function boundedEnds(
  log: Log,
  table: KafkaTable,
  group: string,
): Promise<ReadonlyMap<number, bigint> | undefined> {
  const mode = String(table.options.get('scan.bounded.mode') ?? 'unbounded');
  switch (mode) {
    case 'unbounded':
      return undefined;
    case 'latest-offset':
      return offsetsAt(log, table.topic, { kind: 'latest' });
    case 'timestamp':
      return offsetsAt(log, table.topic, {
        kind: 'timestamp',
        millis: requiredMillis(table, 'scan.bounded.mode', 'scan.bounded.timestamp-millis'),
      });
    case 'specific-offsets':
      return specificOffsets(table, 'scan.bounded.specific-offsets');
    default: {
      const consumer = offsetsGroup(table, group);
      const offsets = await groupOffsets(log, table, consumer);
      const partitions = await log.partitions(table.topic);
      for (let partition = 0; partition < partitions; partition++) {
        if (!offsets.has(partition)) {
          throw new RivuletError(
            'KAFKA_NO_COMMITTED_OFFSET',
            `table '${table.name}': 'scan.bounded.mode' = 'group-offsets', but consumer group '${consumer}' has no committed offset for partition ${partition} of topic '${table.topic}'`,
            "set 'properties.group.id' to a group that has committed offsets, or choose another 'scan.bounded.mode'",
          );
        }
      }
      return offsets;
    }
  }
}

/**
 * A reader that stops at the ends of a bounded source: records at or past a partition's end are
 * dropped, positions never pass it, and it is `finished` once every partition has reached its end
 * (a partition without an end, or that started past it, counts as there from the start).
 */
export class BoundedLogReader implements LogReader {
  private readonly ends: ReadonlyMap<number, bigint>;

  constructor(
    private readonly inner: LogReader,
    ends: ReadonlyMap<number, bigint>,
  ) {
    const stops = new Map<number, bigint>();
    for (const [partition, start] of inner.positions()) {
      const end = ends.get(partition);
      // A partition without an end, or one the reader starts past, is at its end from the start.
      stops.set(partition, end !== undefined && end > start ? end : start);
    }
    this.ends = stops;
  }

  get topic(): string {
    return this.inner.topic;
  }

  get finished(): boolean {
    const positions = this.inner.positions();
    for (const [partition, end] of this.ends) if ((positions.get(partition) ?? 0n) < end) return false;
    return true;
  }

  /** Whether committed `positions` are at the ends: nothing more will come. */
  covers(positions: ReadonlyMap<number, bigint>): boolean {
    for (const [partition, end] of this.ends) if ((positions.get(partition) ?? 0n) < end) return false;
    return true;
  }

  async poll(max: number, timeoutMs: number): Promise<LogRecord[]> {
    if (this.finished) {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return [];
    }
    const records = await this.inner.poll(max, timeoutMs);
    return records.filter((record) => record.offset < (this.ends.get(record.partition) ?? 0n));
  }

  positions(): ReadonlyMap<number, bigint> {
    const clamped = new Map<number, bigint>();
    for (const [partition, position] of this.inner.positions()) {
      const end = this.ends.get(partition);
      clamped.set(partition, end !== undefined && end < position ? end : position);
    }
    return clamped;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
