import type { LogRecord } from '../log.ts';

/** Records kept per partition; a reader further behind reads from the table. */
export const KEPT_RECORDS = 10_000;

interface Batch {
  readonly first: bigint;
  readonly records: readonly LogRecord[];
}

interface Partition {
  readonly batches: Batch[];
  /** Records in the batches. */
  count: number;
  /** The offset after the newest batch this process committed. */
  end: bigint;
}

/**
 * The batches this process has just committed to each partition, at the offsets the commit gave
 * them: a reader of the same process whose position is where one starts takes it from here
 * instead of reading it back from the table, which saves a round trip per layer of a pipeline.
 * A batch holds exactly the records committed at its offsets, so reading it equals the read it
 * saves; anything else (another process's writes, a reader behind) is read from the table.
 */
export class TailCache {
  private readonly partitions = new Map<string, Partition>();

  add(topicId: number, partition: number, records: readonly LogRecord[]): void {
    const first = records[0]?.offset;
    if (first === undefined) return;
    const key = `${topicId}/${partition}`;
    let kept = this.partitions.get(key);
    if (!kept) {
      kept = { batches: [], count: 0, end: first };
      this.partitions.set(key, kept);
    }
    const { batches } = kept;
    // Commits of concurrent transactions may return out of offset order: keep the batches sorted.
    let at = batches.length;
    while (at > 0 && (batches[at - 1] as Batch).first > first) at--;
    batches.splice(at, 0, { first, records });
    const end = first + BigInt(records.length);
    if (end > kept.end) kept.end = end;
    kept.count += records.length;
    // Keep the newest batches that fit in KEPT_RECORDS, and always the newest one.
    let drop = 0;
    while (kept.count > KEPT_RECORDS && drop < batches.length - 1) {
      kept.count -= (batches[drop] as Batch).records.length;
      drop++;
    }
    if (drop > 0) batches.splice(0, drop);
  }

  /** Forgets the partition's batches that end at or before `next`: every reader has read them. */
  release(topicId: number, partition: number, next: bigint): void {
    const kept = this.partitions.get(`${topicId}/${partition}`);
    if (!kept) return;
    const { batches } = kept;
    let drop = 0;
    while (drop < batches.length) {
      const batch = batches[drop] as Batch;
      if (batch.first + BigInt(batch.records.length) > next) break;
      kept.count -= batch.records.length;
      drop++;
    }
    if (drop > 0) batches.splice(0, drop);
  }

  /** The offset after the last record this process committed to the partition, if it wrote any. */
  end(topicId: number, partition: number): bigint | undefined {
    return this.partitions.get(`${topicId}/${partition}`)?.end;
  }

  /** Whether the record at `offset` is here. */
  holds(topicId: number, partition: number, offset: bigint): boolean {
    const kept = this.partitions.get(`${topicId}/${partition}`);
    const first = kept?.batches[0]?.first;
    return first !== undefined && offset >= first && offset < (kept as Partition).end;
  }

  /** Up to `max` records from offset `from` on, as far as they are here without a gap; undefined if none. */
  read(topicId: number, partition: number, from: bigint, max: number): LogRecord[] | undefined {
    const batches = this.partitions.get(`${topicId}/${partition}`)?.batches;
    if (!batches) return undefined;
    const out: LogRecord[] = [];
    // Readers keep up with the tail, so the batch they need is found searching from the newest.
    let i = batches.length - 1;
    while (i >= 0 && (batches[i] as Batch).first > from) i--;
    for (; i >= 0 && i < batches.length && out.length < max; i++) {
      const batch = batches[i] as Batch;
      const start = from + BigInt(out.length) - batch.first;
      if (start < 0n || start >= BigInt(batch.records.length)) break;
      for (let n = Number(start); n < batch.records.length && out.length < max; n++) {
        out.push(batch.records[n] as LogRecord);
      }
    }
    return out.length > 0 ? out : undefined;
  }

  clear(): void {
    this.partitions.clear();
  }
}
