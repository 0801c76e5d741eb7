import type { DecodedValue } from '../log.ts';

/** Records kept per partition at most, for readers of the process that have not taken them yet. */
export const KEPT_RECORDS = 10_000;

export interface TailRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly decoded: DecodedValue | undefined;
}

/** One produce batch of a committed transaction on one partition: offsets base, base + 1, … */
export interface Segment {
  readonly base: bigint;
  readonly records: readonly TailRecord[];
  /** The producer's transactional id: one producer's transactions follow each other on the broker. */
  readonly writer: string;
  /** Whether it is its transaction's last batch on the partition: the commit marker comes next. */
  readonly endsTransaction: boolean;
}

const end = (segment: Segment) => segment.base + BigInt(segment.records.length);

/**
 * The records of transactions this process committed, by partition, so that a reader of the same
 * process takes them from memory instead of fetching them back, as the postgres log's tail cache
 * does. A reader may take a segment only where nothing else can be between its position and the
 * segment: the segment starts at the position, or the one offset between is the commit marker of
 * the segment before it, written by the same producer (whose next transaction the broker starts
 * only once that marker is written). Anything else (another producer's records, an aborted
 * transaction) leaves a gap, and the reader fetches.
 */
export class CommittedTail {
  private readonly partitions = new Map<string, { segments: Segment[]; count: number }>();

  add(topic: string, partition: number, segment: Segment): void {
    const key = `${partition}/${topic}`;
    let kept = this.partitions.get(key);
    if (!kept) {
      kept = { segments: [], count: 0 };
      this.partitions.set(key, kept);
    }
    // Transactions of different producers commit in any order; keep the segments in offset order.
    let at = kept.segments.length;
    while (at > 0 && (kept.segments[at - 1] as Segment).base > segment.base) at--;
    kept.segments.splice(at, 0, segment);
    kept.count += segment.records.length;
    while (kept.count > KEPT_RECORDS && kept.segments.length > 1) {
      kept.count -= (kept.segments.shift() as Segment).records.length;
    }
  }

  /**
   * The segment a reader at `position` reads next, if it is known to be that: it starts at the
   * position, or right after the commit marker of the segment that ends there.
   */
  next(topic: string, partition: number, position: bigint): Segment | undefined {
    const segments = this.partitions.get(`${partition}/${topic}`)?.segments;
    if (!segments) return undefined;
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i] as Segment;
      if (segment.base === position) return segment;
      if (segment.base === position + 1n) {
        const before = segments[i - 1];
        const markerBetween = before && end(before) === position && before.endsTransaction;
        return markerBetween && before.writer === segment.writer ? segment : undefined;
      }
      if (segment.base < position) return undefined;
    }
    return undefined;
  }

  /** The row a committed record was encoded from, for a reader that fetched the record. */
  row(topic: string, partition: number, offset: bigint): DecodedValue | undefined {
    const segments = this.partitions.get(`${partition}/${topic}`)?.segments;
    if (!segments) return undefined;
    for (let i = segments.length - 1; i >= 0; i--) {
      const segment = segments[i] as Segment;
      if (offset >= segment.base) return segment.records[Number(offset - segment.base)]?.decoded;
    }
    return undefined;
  }

  /**
   * Forgets the segments that end before `offset`: every reader of the process is past them. One
   * that ends right at it stays: a reader there takes the same writer's next segment by it.
   */
  dropBefore(topic: string, partition: number, offset: bigint): void {
    const kept = this.partitions.get(`${partition}/${topic}`);
    if (!kept) return;
    while (kept.segments.length > 0 && end(kept.segments[0] as Segment) < offset) {
      kept.count -= (kept.segments.shift() as Segment).records.length;
    }
    if (kept.segments.length === 0) this.partitions.delete(`${partition}/${topic}`);
  }

  /** Whether a committed segment of this process lies beyond `position`: there is more to read. */
  hasBeyond(topic: string, partition: number, position: bigint): boolean {
    const segments = this.partitions.get(`${partition}/${topic}`)?.segments;
    const last = segments?.[segments.length - 1];
    return last !== undefined && end(last) > position;
  }
}
