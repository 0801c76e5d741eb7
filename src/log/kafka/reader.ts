import { type Consumer, type fetchV17, IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import type { LogReader, LogRecord } from '../log.ts';
import type { CommittedTail, TailRecord } from './committed-tail.ts';

export type Bytes = Buffer | undefined;

export const READ_COMMITTED = 1;

/** Records a reader fetches ahead of its job at most. */
const READ_AHEAD_RECORDS = 20_000;
/** Bytes per partition per fetch, Kafka's default max.partition.fetch.bytes. */
const PARTITION_FETCH_BYTES = 1_048_576;
const FETCH_BYTES = 10 * PARTITION_FETCH_BYTES;
/** How long the broker holds a fetch that finds nothing new. */
const FETCH_WAIT_MS = 50;
/**
 * While commits of this process feed a reader from memory, how often it asks the broker whether
 * another writer has added records: the longest those may wait then.
 */
const PROBE_MS = 100;
const ABORT_MARKER = 0;
const OFFSET_OUT_OF_RANGE = 1;
const EARLIEST = -2n;

/**
 * The partitions a failed fetch answered with OFFSET_OUT_OF_RANGE, when that was its only error;
 * undefined otherwise. The client throws the broker's answer as a ResponseError that carries it,
 * sometimes inside an error that collects the attempts.
 */
function outOfRangePartitions(error: unknown): number[] | undefined {
  const response = (error as { response?: fetchV17.FetchResponse }).response;
  if (response?.responses) {
    const failed = response.responses.flatMap((topic) => topic.partitions.filter((p) => p.errorCode !== 0));
    if (response.errorCode !== 0 || failed.some((p) => p.errorCode !== OFFSET_OUT_OF_RANGE)) return undefined;
    return failed.length > 0 ? failed.map((p) => p.partitionIndex) : undefined;
  }
  const inner = (error as { errors?: unknown[] }).errors;
  return Array.isArray(inner) && inner.length > 0 ? outOfRangePartitions(inner[inner.length - 1]) : undefined;
}

/**
 * Reads committed records of one topic, fetching ahead of the job. Records of aborted transactions
 * are left out as Kafka's Java consumer does (Fetcher's aborted-transaction filter): a fetch response
 * lists the aborted transactions it overlaps, and their batches are skipped up to their abort marker,
 * also when that marker is in a later response. (The client's own filter needs the marker in the
 * same response: a transaction larger than a fetch would come through.)
 */
export class KafkaReader implements LogReader {
  private readonly buffer: LogRecord[] = [];
  /** The next offset to fetch per partition: past what is buffered, and past skipped batches. */
  private readonly fetchFrom: Map<number, bigint>;
  private wake: (() => void) | undefined;
  private resume: (() => void) | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly fetching: Promise<void>;
  /** Whether commits of this process feed the reader: it then fetches only to look for other writers. */
  private fed = false;
  private notified: (() => void) | undefined;
  /** When the last fetch was sent, and how many records fetches have buffered in all. */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private fetchedRecords = 0;

  constructor(
    readonly topic: string,
    private readonly consumer: Consumer<Bytes, Bytes, Bytes, Bytes>,
    private readonly offsets: Map<number, bigint>,
    /** Records committed by this process: taken from memory, or their rows when fetched. */
    private readonly tail: CommittedTail,
    /** False for a topic whose timestamps the broker sets (LogAppendTime): memory has other ones. */
    private readonly fromMemory: boolean,
    private readonly onClose: () => void,
  ) {
    this.fetchFrom = new Map(offsets);
    this.fetching = this.fetchLoop();
  }

  private async fetchLoop(): Promise<void> {
    try {
      while (!this.closed) {
        const goOn = await this.step().then(
          () => true,
          (error) => this.skipDeleted(error),
        );
        if (!goOn) return;
      }
    } catch (error) {
      if (this.closed) return;
      this.failure = error as Error;
      this.wake?.();
    }
  }

  /**
   * A transaction of this process has committed records to the topic: the reader takes them now,
   * also while a fetch is under way (its answer skips what is taken, see take), since the broker
   * makes them readable only once it has written the commit markers, after it answered the commit.
   */
  notify(): void {
    if (this.closed || this.buffer.length >= READ_AHEAD_RECORDS) return;
    if (this.takeFromTail()) {
      this.fed = true;
      this.wake?.();
    }
    this.notified?.();
  }

  /**
   * Records from memory, a wait for the next commit of this process, or one fetch from every
   * partition's leader; a wait while the job has enough to read.
   */
  private async step(): Promise<void> {
    if (this.buffer.length >= READ_AHEAD_RECORDS) {
      await new Promise<void>((resolve) => {
        this.resume = resolve;
      });
      this.resume = undefined;
      return;
    }
    if (this.takeFromTail()) {
      this.fed = true;
      this.wake?.();
      if (performance.now() - this.fetchedAt < PROBE_MS) return;
    } else if (!this.fed || this.moreBeyond()) {
      return this.fetchOnce(FETCH_WAIT_MS);
    } else {
      // Fed from memory: wait for the next commit of the process, at most until the next look.
      const wait = this.fetchedAt + PROBE_MS - performance.now();
      if (wait > 0 && (await this.notifiedWithin(wait))) return;
      if (this.closed) return;
    }
    // A look at the broker, without waiting, every PROBE_MS however often commits come: another
    // writer's records end the feeding, and the reader long-polls the broker again.
    const before = this.fetchedRecords;
    await this.fetchOnce(0);
    if (this.fetchedRecords > before) this.fed = false;
  }

  /** Whether a commit of the process notified the reader within `ms`. */
  private notifiedWithin(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.notified = undefined;
        resolve(false);
      }, ms);
      this.notified = () => {
        clearTimeout(timer);
        this.notified = undefined;
        resolve(true);
      };
    });
  }

  /** Takes what commits of this process put right after each partition's fetch offset. */
  private takeFromTail(): boolean {
    if (!this.fromMemory) return false;
    let took = false;
    for (const [partition, from] of this.fetchFrom) {
      let position = from;
      let segment = this.tail.next(this.topic, partition, position);
      for (; segment; segment = this.tail.next(this.topic, partition, position)) {
        const { base, records } = segment;
        for (let i = 0; i < records.length; i++) {
          const record = records[i] as TailRecord;
          this.buffer.push({
            topic: this.topic,
            partition,
            offset: base + BigInt(i),
            key: record.key,
            value: record.value,
            timestamp: record.timestamp,
            decoded: record.decoded,
          });
        }
        position = base + BigInt(records.length);
        took = true;
      }
      this.fetchFrom.set(partition, position);
    }
    return took;
  }

  /** Whether this process committed records beyond a partition's fetch offset that memory cannot give. */
  private moreBeyond(): boolean {
    for (const [partition, from] of this.fetchFrom) if (this.tail.hasBeyond(this.topic, partition, from)) return true;
    return false;
  }

  /** The next offset the reader takes from a partition: it has everything before it; undefined for one it does not read. */
  fetchOffset(partition: number): bigint | undefined {
    return this.fetchFrom.get(partition);
  }

  /** One fetch from every partition's leader, held by the broker up to `maxWaitTime` when there is nothing. */
  private async fetchOnce(maxWaitTime: number): Promise<void> {
    this.fetchedAt = performance.now();
    const metadata = await this.consumer.metadata({ topics: [this.topic] });
    const topic = metadata.topics.get(this.topic);
    if (!topic) throw new Error(`topic '${this.topic}' has no metadata`);
    const byLeader = new Map<number, fetchV17.FetchRequestPartition[]>();
    for (const [partition, fetchOffset] of this.fetchFrom) {
      const leader = topic.partitions[partition]?.leader ?? -1;
      const partitions = byLeader.get(leader) ?? [];
      partitions.push({
        partition,
        fetchOffset,
        partitionMaxBytes: PARTITION_FETCH_BYTES,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
      byLeader.set(leader, partitions);
    }
    const responses = await Promise.all(
      [...byLeader].map(([node, partitions]) =>
        this.consumer.fetch({
          node,
          topics: [{ topicId: topic.id, partitions }],
          maxWaitTime,
          minBytes: 1,
          maxBytes: FETCH_BYTES,
          isolationLevel: READ_COMMITTED,
        }),
      ),
    );
    if (this.closed) return;
    const before = this.buffer.length;
    for (const response of responses) {
      for (const answer of response.responses) for (const partition of answer.partitions) this.take(partition);
    }
    if (this.buffer.length > before) this.wake?.();
  }

  /**
   * After a fetch failed: when it failed only because retention (or DeleteRecords) removed the
   * records at a partition's fetch position, moves that position to the partition's first record
   * and says to go on, as the postgres log skips records it no longer has. Any other failure is
   * thrown. Whether the loop goes on (false once the reader is closed).
   */
  private async skipDeleted(error: unknown): Promise<boolean> {
    if (this.closed) return false;
    const removed = outOfRangePartitions(error);
    if (removed === undefined) throw error;
    const earliest = (await this.consumer.listOffsets({ topics: [this.topic], timestamp: EARLIEST })).get(this.topic);
    for (const partition of removed) {
      const first = earliest?.[partition];
      const at = this.fetchFrom.get(partition);
      // A position past the partition's end is not a deletion: that is an error to report.
      if (first === undefined || at === undefined || at >= first) throw error;
      this.fetchFrom.set(partition, first);
    }
    return true;
  }

  /** Buffers the committed records of one partition's answer and moves its fetch offset past it. */
  private take(answer: fetchV17.FetchResponsePartition): void {
    const partition = answer.partitionIndex;
    const requested = this.fetchFrom.get(partition);
    if (requested === undefined) return;
    const aborted = [...answer.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
    const abortedProducers = new Set<bigint>();
    let nextAborted = 0;
    let next = requested;
    for (const batch of answer.records ?? []) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      while (nextAborted < aborted.length && (aborted[nextAborted]?.firstOffset as bigint) <= last) {
        abortedProducers.add(aborted[nextAborted++]?.producerId as bigint);
      }
      if (last >= next) next = last + 1n;
      if (batch.attributes & IS_CONTROL) {
        if (batch.records[0]?.key?.readInt16BE(2) === ABORT_MARKER) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.attributes & IS_TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta);
        if (offset < requested) continue;
        this.buffer.push({
          topic: this.topic,
          partition,
          offset,
          key: record.key ?? null,
          value: record.value ?? null,
          timestamp: Number(batch.firstTimestamp + record.timestampDelta),
          decoded: this.tail.row(this.topic, partition, offset),
          ...(record.headers.length > 0 ? { headers: record.headers } : {}),
        });
        this.fetchedRecords++;
      }
    }
    this.fetchFrom.set(partition, next);
  }

  positions(): ReadonlyMap<number, bigint> {
    return this.offsets;
  }

  async poll(max: number, timeoutMs: number): Promise<LogRecord[]> {
    if (this.buffer.length === 0 && !this.failure) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
    if (this.failure) throw this.failure;
    const records = this.buffer.splice(0, max);
    // The last record of each partition gives its position (records come in offset order).
    const last = new Map<number, bigint>();
    for (const record of records) last.set(record.partition, record.offset);
    for (const [partition, offset] of last) this.offsets.set(partition, offset + 1n);
    this.resume?.();
    return records;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.wake?.();
    this.resume?.();
    this.notified?.();
    await this.fetching;
    await this.consumer.close().catch(() => undefined);
  }
}
