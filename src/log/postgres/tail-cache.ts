import type { LogRecord } from '../log.ts';

/** Records kept per partition; a reader further behind reads from the table. */
const KEPT_RECORDS = 10_000;

interface Batch {
  readonly first: bigint;
  readonly records: readonly LogRecord[];
}

/**
 * The batches this process has just committed to each partition, at the offsets the commit gave
 * them: a reader of the same process whose position is where one starts takes it from here
 * instead of reading it back from the table, which saves a round trip per layer of a pipeline.
 * A batch holds exactly the records committed at its offsets, so reading it equals the read it
 * saves; anything else (another process's writes, a reader behind) is read from the table.
 */
export class TailCache {
  private readonly partitions = new Map<string, Batch[]>();

  add(topicId: number, partition: number, records: readonly LogRecord[]): void {
    const first = records[0]?.offset;
    if (first === undefined) return;
    const key = `${topicId}/${partition}`;
    let batches = this.partitions.get(key);
    if (!batches) {
      batches = [];
      this.partitions.set(key, batches);
    }
    batches.push({ first, records });
    let kept = 0;
    for (let i = batches.length - 1; i >= 0; i--) {
      kept += (batches[i] as Batch).records.length;
      if (kept > KEPT_RECORDS && i < batches.length - 1) {
        batches.splice(0, i + 1);
        break;
      }
    }
  }

  /** Up to `max` records from offset `from` on, as far as they are here without a gap; undefined if none. */
  read(topicId: number, partition: number, from: bigint, max: number): LogRecord[] | undefined {
    const batches = this.partitions.get(`${topicId}/${partition}`);
    if (!batches) return undefined;
    const out: LogRecord[] = [];
    for (let found = true; found && out.length < max; ) {
      found = false;
      const next = from + BigInt(out.length);
      for (const batch of batches) {
        const start = next - batch.first;
        if (start < 0n || start >= BigInt(batch.records.length)) continue;
        for (let i = Number(start); i < batch.records.length && out.length < max; i++) {
          out.push(batch.records[i] as LogRecord);
        }
        found = true;
        break;
      }
    }
    return out.length > 0 ? out : undefined;
  }

  clear(): void {
    this.partitions.clear();
  }
}
