import { compareValues } from '../expr/functions/comparison.ts';
import type { Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';
import type { Change } from './change.ts';
import { type Operator, timersDueAt } from './operator.ts';
import {
  emptyPartition,
  partitionCodec,
  type RankEntry,
  SortedRows,
  type SortField,
  sortKeyComparator,
} from './rank-buffer.ts';
import { keySelector } from './row-key.ts';
import { WindowIndex } from './window-index.ts';
import type { WindowTime } from './window-time.ts';

/** ROW_NUMBER() OVER (PARTITION BY window_start, window_end, ... ORDER BY ...) filtered to rankStart..rankEnd. */
export interface WindowRankSpec {
  /** The input's window_end field: rows of one window are ranked when it completes. */
  readonly windowEnd: number;
  /** The PARTITION BY fields, window_start and window_end among them. */
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortField[];
  readonly rankStart: number;
  readonly rankEnd: number;
  /** Whether each output row carries its rank (a BIGINT appended to the input's fields). */
  readonly outputRankNumber: boolean;
}

/** ROW_NUMBER() OVER (PARTITION BY window_start, window_end, ... ORDER BY rowtime [DESC]) = 1. */
export interface WindowDeduplicateSpec {
  readonly windowEnd: number;
  /** The PARTITION BY fields, window_start and window_end among them. */
  readonly keys: readonly number[];
  /** ORDER BY the rowtime DESC: the last row is kept (otherwise the first). */
  readonly keepLastRow: boolean;
  /** The rowtime field ordered by. */
  readonly timeField: number;
}

/** The window end (wall-clock milliseconds) of a row. */
function endOf(row: Row, field: number): number {
  return epochMillis(row[field] as TimeValue);
}

/**
 * Flink's WindowRank: the rows of each window and partition are held (only the top rankEnd of
 * them, as the input only inserts), and when time reaches the window's end - 1 ms (the watermark,
 * or the clock for processing time) the ranks rankStart..rankEnd are emitted once, as +I, in rank
 * order (ties in arrival order), with their rank number when asked for; then the window's state
 * is gone. A row of a window that has already fired is late: dropped and counted. Partitions live
 * in a SpillableMap, so they spill under the state memory budget.
 */
export class WindowRankOperator implements Operator {
  numLateRecordsDropped = 0;
  private readonly partitionOf: (row: Row) => unknown;
  private readonly compare: (a: readonly Value[], b: readonly Value[]) => number;
  private readonly state = new SpillableMap(partitionCodec);
  private readonly index: WindowIndex;

  constructor(
    private readonly spec: WindowRankSpec,
    time: WindowTime,
  ) {
    this.partitionOf = keySelector(spec.partitionKeys);
    this.compare = sortKeyComparator(spec.orderKeys);
    this.index = new WindowIndex(time);
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const rankEnd = this.spec.rankEnd;
    for (const change of changes) {
      // The planner gives a window rank an insert-only input.
      const end = endOf(change.row, this.spec.windowEnd);
      if (this.index.isLate(end)) {
        this.numLateRecordsDropped += 1;
        continue;
      }
      const key = this.partitionOf(change.row);
      let partition = this.state.get(key);
      if (!partition) {
        partition = emptyPartition();
        this.state.set(key, partition);
        this.index.add(end, key);
      }
      const sorted = new SortedRows(partition, this.compare, (bytes) => this.state.grow(bytes));
      const sortKey = this.spec.orderKeys.map((order) => change.row[order.field] ?? null);
      const last = sorted.entries.at(-1);
      // Past the top rankEnd (after the rows of its sort key that came first) a row never ranks.
      if (last && sorted.count() >= rankEnd && this.compare(sortKey, last.key) >= 0) continue;
      sorted.add(sortKey, change.row);
      while (sorted.count() > rankEnd) {
        const lastAt = sorted.entries.length - 1;
        sorted.removeAt(lastAt, (sorted.entries[lastAt] as RankEntry).rows.length - 1);
      }
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.fire(this.index.onTime('ROWTIME', watermark));
  }

  onProcessingTime(now: number): Change[] {
    return this.fire(this.index.onTime('PROCTIME', timersDueAt(now)));
  }

  private fire(due: ReturnType<WindowIndex['due']>): Change[] {
    const out: Change[] = [];
    const { rankStart, rankEnd, outputRankNumber } = this.spec;
    for (const { keys } of due) {
      for (const key of keys) {
        const partition = this.state.get(key);
        if (!partition) continue;
        this.state.delete(key);
        let rank = 0;
        for (const entry of partition.entries) {
          for (const row of entry.rows) {
            rank++;
            if (rank < rankStart || rank > rankEnd) continue;
            out.push({ kind: '+I', row: outputRankNumber ? [...row, BigInt(rank)] : row });
          }
        }
      }
    }
    return out;
  }
}

/** The row a window and key holds, packed; 100 bytes is its key and Map slot. */
const rowCodec: StateCodec<PackedRow> = {
  bytes: (packed) => packed.length + 100,
  encode: (packed) => packed,
  decode: (packed) => packed,
};

/** NULL times sort first, as NULLs do in an ORDER BY. */
function compareTimes(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareValues(a, b);
}

/**
 * Flink's WindowDeduplicate (event time): per window and key, the row with the earliest rowtime
 * (first row; a later row replaces it only when strictly older) or the latest (last row; a row
 * replaces it unless older), emitted once as +I when the watermark reaches the window's end - 1
 * ms; then the window's state is gone. Rows of a window that has already fired are late: dropped
 * and counted. The rows held live in a SpillableMap, so they spill under the state memory budget.
 */
export class WindowDeduplicateOperator implements Operator {
  numLateRecordsDropped = 0;
  private readonly keyOf: (row: Row) => unknown;
  private readonly state = new SpillableMap(rowCodec);
  private readonly index: WindowIndex;

  constructor(
    private readonly spec: WindowDeduplicateSpec,
    time: WindowTime,
  ) {
    this.keyOf = keySelector(spec.keys);
    this.index = new WindowIndex(time);
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const { keepLastRow, timeField } = this.spec;
    for (const change of changes) {
      const end = endOf(change.row, this.spec.windowEnd);
      if (this.index.isLate(end)) {
        this.numLateRecordsDropped += 1;
        continue;
      }
      const key = this.keyOf(change.row);
      const previous = this.state.get(key);
      if (previous !== undefined) {
        const c = compareTimes(change.row[timeField] ?? null, unpack(previous)[timeField] ?? null);
        if (keepLastRow ? c < 0 : c >= 0) continue;
      } else {
        this.index.add(end, key);
      }
      this.state.set(key, change.packed ?? pack(change.row));
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.fire(this.index.onTime('ROWTIME', watermark));
  }

  onProcessingTime(now: number): Change[] {
    return this.fire(this.index.onTime('PROCTIME', timersDueAt(now)));
  }

  private fire(due: ReturnType<WindowIndex['due']>): Change[] {
    const out: Change[] = [];
    for (const { keys } of due) {
      for (const key of keys) {
        const packed = this.state.get(key);
        if (packed === undefined) continue;
        this.state.delete(key);
        out.push({ kind: '+I', row: unpack(packed), packed });
      }
    }
    return out;
  }
}
