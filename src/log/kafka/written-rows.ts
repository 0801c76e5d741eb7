import type { DecodedValue } from '../log.ts';

/** Rows kept per partition; a reader further behind decodes the values it reads. */
export const KEPT_ROWS = 10_000;

interface Batch {
  readonly first: bigint;
  readonly rows: readonly (DecodedValue | undefined)[];
}

/**
 * The rows this process encoded into the records it wrote, by the offsets the broker gave them.
 * A reader of the same process hands them on with the records (LogRecord.decoded) instead of
 * having the values decoded again, as the postgres log's tail cache does. An offset is given once:
 * the rows of a transaction that aborts are never asked for, since its records are never read.
 */
export class WrittenRows {
  private readonly partitions = new Map<string, { batches: Batch[]; count: number }>();

  add(topic: string, partition: number, first: bigint, rows: readonly (DecodedValue | undefined)[]): void {
    if (!rows.some((row) => row !== undefined)) return;
    const key = `${partition}/${topic}`;
    let kept = this.partitions.get(key);
    if (!kept) {
      kept = { batches: [], count: 0 };
      this.partitions.set(key, kept);
    }
    kept.batches.push({ first, rows });
    kept.count += rows.length;
    while (kept.count > KEPT_ROWS && kept.batches.length > 1) {
      kept.count -= (kept.batches.shift() as Batch).rows.length;
    }
  }

  get(topic: string, partition: number, offset: bigint): DecodedValue | undefined {
    const kept = this.partitions.get(`${partition}/${topic}`);
    if (!kept) return undefined;
    for (let i = kept.batches.length - 1; i >= 0; i--) {
      const batch = kept.batches[i] as Batch;
      if (offset < batch.first) continue;
      return batch.rows[Number(offset - batch.first)];
    }
    return undefined;
  }
}
