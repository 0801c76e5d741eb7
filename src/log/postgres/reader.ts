import type { LogReader, LogRecord } from '../log.ts';
import type { Topic } from './schema.ts';

/** What a reader needs of its log. */
export interface ReaderHost {
  appendCount(topicId: number): number;
  waitForAppend(topicId: number, seen: number, timeoutMs: number): Promise<void>;
  cached(topicId: number, partition: number, from: bigint, max: number): LogRecord[] | undefined;
  cachedEnd(topicId: number, partition: number): bigint | undefined;
  unseenWrites(topicId: number): number;
  fetch(topic: Topic, partition: number, from: bigint, max: number): Promise<LogRecord[]>;
  releaseRead(topicId: number, partition: number): void;
  forgetReader(topicId: number, reader: PostgresReader): void;
}

/**
 * A reader of one topic: from the tail cache where this process has just committed what it reads
 * next, otherwise from the topic's table.
 */
export class PostgresReader implements LogReader {
  readonly topic: string;
  private next = 0;
  /** The topic's notification count at which the latest read found nothing. */
  private emptyAt: number | undefined;
  /**
   * Per partition, the topic's count of uncertain writes when its table was last read: while the
   * count stays, the table holds nothing past the tail cache's end that this reader has not read.
   */
  private readonly readAt = new Map<number, number>();
  /** The partitions read: those the reader was opened at. */
  private readonly partitions: readonly number[];
  /** When the latest poll began (ms): a reader that stopped polling is not waited for. */
  polledAt = Date.now();

  constructor(
    private readonly log: ReaderHost,
    private readonly meta: Topic,
    private readonly offsets: Map<number, bigint>,
  ) {
    this.topic = meta.name;
    this.partitions = [...offsets.keys()].sort((a, b) => a - b);
  }

  positions(): ReadonlyMap<number, bigint> {
    return this.offsets;
  }

  async poll(max: number, timeoutMs: number): Promise<LogRecord[]> {
    this.polledAt = Date.now();
    const deadline = this.polledAt + timeoutMs;
    for (;;) {
      const seen = this.log.appendCount(this.meta.id);
      // Nothing was there at this count: nothing new can be before the next notification.
      const records = seen === this.emptyAt ? [] : await this.readOnce(max);
      this.emptyAt = records.length === 0 ? seen : undefined;
      if (records.length > 0) return records;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      await this.log.waitForAppend(this.meta.id, seen, remaining);
    }
  }

  /** One pass over the partitions, starting where the last pass stopped so none starves. */
  private async readOnce(max: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    const partitions = this.partitions.length;
    for (let i = 0; i < partitions && out.length < max; i++) {
      const partition = this.partitions[(this.next + i) % partitions] as number;
      const from = this.offsets.get(partition) ?? 0n;
      const records =
        this.log.cached(this.meta.id, partition, from, max - out.length) ??
        (this.atEnd(partition, from) ? [] : await this.readTable(partition, from, max - out.length));
      if (records.length > 0) {
        this.offsets.set(partition, (records[records.length - 1] as LogRecord).offset + 1n);
        out.push(...records);
        this.log.releaseRead(this.meta.id, partition);
      }
    }
    this.next = partitions === 0 ? 0 : (this.next + 1) % partitions;
    return out;
  }

  /** Whether the reader has every record of the partition: nothing uncertain since its last table read. */
  private atEnd(partition: number, from: bigint): boolean {
    if (this.readAt.get(partition) !== this.log.unseenWrites(this.meta.id)) return false;
    const end = this.log.cachedEnd(this.meta.id, partition);
    return end === undefined || end <= from;
  }

  private async readTable(partition: number, from: bigint, max: number): Promise<LogRecord[]> {
    const unseen = this.log.unseenWrites(this.meta.id);
    const records = await this.log.fetch(this.meta, partition, from, max);
    if (records.length < max) this.readAt.set(partition, unseen);
    else this.readAt.delete(partition);
    return records;
  }

  /** The next offset this reader reads in a partition; undefined for one it does not read. */
  nextOffset(partition: number): bigint | undefined {
    return this.offsets.get(partition);
  }

  async close(): Promise<void> {
    this.log.forgetReader(this.meta.id, this);
  }
}
