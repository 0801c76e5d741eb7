import type { Row, Value } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { Change, RowKind } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import {
  emptyPartition,
  partitionCodec,
  type RankEntry,
  SortedRows,
  type SortField,
  sortKeyComparator,
} from './rank-buffer.ts';
import { keySelector, rowsEqual } from './row-key.ts';

export type { SortField } from './rank-buffer.ts';

/**
 * How Flink's Rank processes its input (RankProcessStrategy): AppendFast for an insert-only input
 * (AppendOnlyTopNFunction: only the top N rows are kept), UpdateFast for an input keyed by `rowKey`
 * whose sort key only moves towards the top (UpdatableTopNFunction), Retract for any other
 * changelog (RetractableTopNFunction: every row is kept).
 */
export type RankStrategy =
  | { readonly kind: 'AppendFast' }
  | { readonly kind: 'Retract' }
  | { readonly kind: 'UpdateFast'; readonly rowKey: readonly number[] };

/** ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) filtered to the ranks rankStart..rankEnd. */
export interface RankSpec {
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortField[];
  readonly rankStart: number;
  /** The last rank kept, unless `rankEndField` gives it. */
  readonly rankEnd: number;
  /**
   * Flink's VariableRankRange (`WHERE rn <= col`): the rank end is this input field's value in the
   * first row a partition receives, kept for the partition from then on (a later row's other value
   * is ignored, as Flink only counts it). rankStart is 1 then.
   */
  readonly rankEndField?: number;
  /** Whether each output row carries its rank (a BIGINT appended to the input's fields). */
  readonly outputRankNumber: boolean;
  readonly strategy: RankStrategy;
}

type Emit = (kind: RowKind, row: Row, rank: number) => void;

/**
 * Flink's streaming Top-N (its Rank operator with ROW_NUMBER), change for change: per partition
 * the rows sorted by the ORDER BY (ties in arrival order), and the changes of the ranks in range.
 * With the rank number in the output every rank that changes is updated (-U/+U of that rank);
 * without it only rows entering and leaving the range are emitted (+I/-D), as Flink does. The
 * operator emits -U before each +U (Flink's generateUpdateBefore, which Rivulet always asks for).
 * With a state TTL, a partition not written for that long is forgotten.
 */
export class RankOperator implements Operator {
  private readonly partitionOf: (row: Row) => unknown;
  private readonly compare: (a: readonly Value[], b: readonly Value[]) => number;
  private readonly rowKeyOf: ((row: Row) => unknown) | undefined;
  private readonly state = new SpillableMap(partitionCodec);
  private readonly times: WriteTimes | undefined;
  private readonly withNumber: boolean;

  constructor(
    private readonly spec: RankSpec,
    private readonly retention?: StateRetention,
  ) {
    this.partitionOf = keySelector(spec.partitionKeys);
    this.compare = sortKeyComparator(spec.orderKeys);
    this.rowKeyOf = spec.strategy.kind === 'UpdateFast' ? keySelector(spec.strategy.rowKey) : undefined;
    this.times = retention ? new WriteTimes(retention) : undefined;
    // Flink's algorithms without rank numbers cannot skip ranks: an offset takes the other one.
    this.withNumber = spec.outputRankNumber || spec.rankStart > 1;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const times = this.times;
    const now = this.retention ? this.retention.now() : 0;
    const { rankStart, outputRankNumber, rankEndField } = this.spec;
    const variable = rankEndField !== undefined;
    for (const change of changes) {
      const key = this.partitionOf(change.row);
      if (times?.expired(key, now)) {
        this.state.delete(key);
        times.forget(key);
      }
      let partition = this.state.get(key);
      if (!partition) {
        // Flink reads a variable rank end from any first row, a retraction too.
        if (!variable && !isAccumulate(change.kind) && this.spec.strategy.kind !== 'UpdateFast') continue;
        partition = emptyPartition();
        if (variable) partition.rankEnd = rankEndOf(change.row[rankEndField]);
        this.state.set(key, partition);
      }
      const rankEnd = partition.rankEnd ?? this.spec.rankEnd;
      const sorted = new SortedRows(partition, this.compare, (bytes) => this.state.grow(bytes));
      const time = change.time;
      const emit: Emit = (kind, row, rank) => {
        if (rank !== 0 && (rank < rankStart || rank > rankEnd)) return;
        out.push({ kind, row: outputRankNumber ? [...row, BigInt(rank)] : row, time });
      };
      const sortKey = this.spec.orderKeys.map((order) => change.row[order.field] ?? null);
      switch (this.spec.strategy.kind) {
        case 'AppendFast':
          if (isAccumulate(change.kind)) this.appendOnly(sorted, sortKey, change.row, rankEnd, emit);
          break;
        case 'Retract':
          if (isAccumulate(change.kind)) this.retractableAdd(sorted, sortKey, change.row, rankEnd, emit);
          else this.retractableRemove(sorted, sortKey, change.row, rankEnd, emit);
          break;
        case 'UpdateFast':
          // The input is keyed by the row key: an update's -U carries nothing its +U does not.
          if (change.kind !== '-U') this.updatable(sorted, sortKey, change.row, rankEnd, emit);
          break;
      }
      // A variable rank end outlives the partition's rows, as Flink's rank end state does.
      if (partition.entries.length === 0 && !variable) {
        this.state.delete(key);
        times?.forget(key);
      } else {
        times?.written(key, now);
      }
    }
    return out;
  }

  /** Gives back the memory of partitions whose state has expired. */
  onProcessingTime(): Change[] {
    if (this.times && this.retention) this.times.sweep(this.retention.now(), (key) => this.state.delete(key));
    return [];
  }

  /** Whether a row of `key` enters the buffer of the top `rankEnd` rows (ties go after the held ones). */
  private inBufferRange(sorted: SortedRows, key: readonly Value[], rankEnd: number): boolean {
    const last = sorted.entries.at(-1);
    if (!last) return true;
    return this.compare(key, last.key) < 0 || sorted.count() < rankEnd;
  }

  // ─── AppendFastStrategy (AppendOnlyTopNFunction) ─────────────────────────────────────────────

  private appendOnly(sorted: SortedRows, key: Value[], row: Row, rankEnd: number, emit: Emit): void {
    if (!this.inBufferRange(sorted, key, rankEnd)) return;
    sorted.add(key, row);
    if (this.withNumber) {
      const stop = this.shiftDown(sorted, key, row, rankEnd, emit);
      // Sort keys past the top N are no longer needed.
      sorted.truncate(stop);
      return;
    }
    if (sorted.count() > rankEnd) {
      const lastAt = sorted.entries.length - 1;
      const last = sorted.entries[lastAt] as RankEntry;
      const dropped = sorted.removeAt(lastAt, last.rows.length - 1);
      if (rowsEqual(dropped, row)) return;
      emit('-D', dropped, 0);
    }
    emit('+I', row, 0);
  }

  /**
   * A row was added under `key` (after its ties): every row ranked after it moves down one rank
   * (-U of the rank's old row, +U of its new one), and the last rank within range is an insert
   * when the range was not full. Returns the index of the first entry not visited.
   */
  private shiftDown(sorted: SortedRows, key: readonly Value[], row: Row, rankEnd: number, emit: Emit): number {
    const entries = sorted.entries;
    let rank = 0;
    let found = false;
    let current: Row = row;
    let at = 0;
    while (at < entries.length && rank <= rankEnd) {
      const entry = entries[at] as RankEntry;
      at++;
      if (!found && this.compare(entry.key, key) === 0) {
        rank += entry.rows.length;
        found = true;
      } else if (found) {
        for (let i = 0; i < entry.rows.length && rank <= rankEnd; i++) {
          const previous = entry.rows[i] as Row;
          emit('-U', previous, rank);
          emit('+U', current, rank);
          current = previous;
          rank++;
        }
      } else {
        rank += entry.rows.length;
      }
    }
    if (rank <= rankEnd) emit('+I', current, rank);
    return at;
  }

  // ─── RetractStrategy (RetractableTopNFunction) ───────────────────────────────────────────────

  private retractableAdd(sorted: SortedRows, key: Value[], row: Row, rankEnd: number, emit: Emit): void {
    sorted.add(key, row);
    if (this.withNumber) {
      this.shiftDown(sorted, key, row, rankEnd, emit);
      return;
    }
    const entries = sorted.entries;
    let rank = 0;
    let found = false;
    let collect = false;
    let dropped: Row | undefined;
    for (let at = 0; at < entries.length && rank <= rankEnd; at++) {
      const entry = entries[at] as RankEntry;
      if (!found && this.compare(entry.key, key) === 0) {
        rank += entry.rows.length;
        collect = rank <= rankEnd;
        found = true;
      } else if (found) {
        const last = rank + entry.rows.length;
        if (last <= rankEnd) {
          rank = last;
        } else {
          dropped = entry.rows[rankEnd - rank];
          break;
        }
      } else {
        rank += entry.rows.length;
      }
    }
    if (dropped) emit('-D', dropped, 0);
    if (collect) emit('+I', row, 0);
  }

  private retractableRemove(sorted: SortedRows, key: Value[], row: Row, rankEnd: number, emit: Emit): void {
    const removed = this.withNumber
      ? this.retractWithNumber(sorted, key, row, rankEnd, emit)
      : this.retractWithoutNumber(sorted, key, row, rankEnd, emit);
    // A row ranked past the end was not reached: it leaves the state without output.
    if (!removed) sorted.remove(key, row);
  }

  /** The rows after the retracted one move up a rank; the last rank in range is deleted. */
  private retractWithNumber(sorted: SortedRows, key: readonly Value[], row: Row, rankEnd: number, emit: Emit): boolean {
    const entries = sorted.entries;
    let rank = 0;
    let previous: Row | undefined;
    let found = false;
    for (let at = 0; at < entries.length && rank <= rankEnd; at++) {
      const entry = entries[at] as RankEntry;
      if (!found && this.compare(entry.key, key) === 0) {
        let removeIndex = -1;
        for (let i = 0; i < entry.rows.length && rank <= rankEnd; i++) {
          const current = entry.rows[i] as Row;
          if (!found && rowsEqual(current, row)) {
            previous = current;
            found = true;
            removeIndex = i;
          } else if (found) {
            emit('-U', previous as Row, rank);
            emit('+U', current, rank);
            previous = current;
          }
          rank++;
        }
        if (removeIndex >= 0) {
          sorted.removeAt(at, removeIndex);
          if (!entries[at] || entries[at] !== entry) at--;
        }
      } else if (found) {
        for (let i = 0; i < entry.rows.length && rank <= rankEnd; i++) {
          const current = entry.rows[i] as Row;
          emit('-U', previous as Row, rank);
          emit('+U', current, rank);
          previous = current;
          rank++;
        }
      } else {
        rank += entry.rows.length;
      }
    }
    if (found && rank <= rankEnd) emit('-D', previous as Row, rank);
    return found;
  }

  /** The retracted row is deleted, and the row that moves up to the last rank is inserted. */
  private retractWithoutNumber(
    sorted: SortedRows,
    key: readonly Value[],
    row: Row,
    rankEnd: number,
    emit: Emit,
  ): boolean {
    const entries = sorted.entries;
    let next = 1;
    let found = false;
    for (let at = 0; at < entries.length && next <= rankEnd; at++) {
      const entry = entries[at] as RankEntry;
      if (!found && this.compare(entry.key, key) === 0) {
        let removeIndex = -1;
        for (let i = 0; i < entry.rows.length && next <= rankEnd; i++) {
          const current = entry.rows[i] as Row;
          if (!found && rowsEqual(current, row)) {
            emit('-D', current, 0);
            next--;
            found = true;
            removeIndex = i;
          } else if (found && next === rankEnd) {
            emit('+I', current, 0);
          }
          next++;
        }
        if (removeIndex >= 0) {
          sorted.removeAt(at, removeIndex);
          if (entries[at] !== entry) at--;
        }
      } else if (found) {
        const last = next + entry.rows.length - 1;
        if (last < rankEnd) {
          next = last + 1;
        } else {
          emit('+I', entry.rows[rankEnd - next] as Row, 0);
          break;
        }
      } else {
        next += entry.rows.length;
      }
    }
    return found;
  }

  // ─── UpdateFastStrategy (UpdatableTopNFunction) ──────────────────────────────────────────────

  private updatable(sorted: SortedRows, key: Value[], row: Row, rankEnd: number, emit: Emit): void {
    const rowKeyOf = this.rowKeyOf as (row: Row) => unknown;
    const id = rowKeyOf(row);
    const held = this.locate(sorted, (candidate) => rowKeyOf(candidate) === id);
    if (held && this.compare(key, (sorted.entries[held.at] as RankEntry).key) > 0) {
      // The sort key moved away from the top, which the planner rules out (monotonic input);
      // Flink logs it and carries on: here the row leaves and comes in again.
      const old = sorted.removeAt(held.at, held.index);
      if (this.withNumber) this.retractWithNumberAt(sorted, held.rank, old, rankEnd, emit);
      else emit('-D', old, 0);
      this.updatable(sorted, key, row, rankEnd, emit);
      return;
    }
    if (!this.withNumber) {
      if (held) {
        const old = (sorted.entries[held.at] as RankEntry).rows[held.index] as Row;
        if (this.compare(key, (sorted.entries[held.at] as RankEntry).key) !== 0) {
          sorted.removeAt(held.at, held.index);
          sorted.add(key, row);
        } else {
          sorted.replace(held.at, held.index, row);
        }
        emit('-U', old, 0);
        emit('+U', row, 0);
      } else if (this.inBufferRange(sorted, key, rankEnd)) {
        sorted.add(key, row);
        if (sorted.count() > rankEnd) {
          const lastAt = sorted.entries.length - 1;
          const last = sorted.entries[lastAt] as RankEntry;
          emit('-D', sorted.removeAt(lastAt, last.rows.length - 1), 0);
        }
        emit('+I', row, 0);
      }
      return;
    }
    if (held) {
      const entry = sorted.entries[held.at] as RankEntry;
      const old = entry.rows[held.index] as Row;
      if (this.compare(key, entry.key) === 0) {
        sorted.replace(held.at, held.index, row);
        emit('-U', old, held.rank);
        emit('+U', row, held.rank);
        return;
      }
      sorted.removeAt(held.at, held.index);
      sorted.add(key, row);
      this.moveUp(sorted, key, row, old, held.rank, rankEnd, emit);
    } else if (this.inBufferRange(sorted, key, rankEnd)) {
      sorted.add(key, row);
      const stop = this.shiftDown(sorted, key, row, rankEnd, emit);
      sorted.truncate(stop);
    }
  }

  /**
   * A held row's sort key moved up from `oldRank`: the rows between its new and old rank move
   * down one rank, and its old rank gets the row just above it.
   */
  private moveUp(
    sorted: SortedRows,
    key: readonly Value[],
    row: Row,
    old: Row,
    oldRank: number,
    rankEnd: number,
    emit: Emit,
  ): void {
    const entries = sorted.entries;
    let rank = 0;
    let current: Row = row;
    let found = false;
    let oldRetracted = false;
    for (let at = 0; at < entries.length && rank <= rankEnd; at++) {
      const entry = entries[at] as RankEntry;
      if (!found && this.compare(entry.key, key) === 0) {
        rank += entry.rows.length;
        found = true;
      } else if (found) {
        for (let i = 0; i < entry.rows.length && rank < oldRank; i++) {
          const previous = entry.rows[i] as Row;
          emit('-U', previous, rank);
          if (current === row && !oldRetracted) {
            emit('-U', old, oldRank);
            oldRetracted = true;
          }
          emit('+U', current, rank);
          current = previous;
          rank++;
        }
        if (rank >= oldRank) break;
      } else {
        rank += entry.rows.length;
      }
    }
    if (rank <= rankEnd) {
      if (!oldRetracted) emit('-U', old, oldRank);
      emit('+U', current, rank);
    }
  }

  /** A held row at `rank` was removed: the rows after it move up, the last rank in range is deleted. */
  private retractWithNumberAt(sorted: SortedRows, rank: number, removed: Row, rankEnd: number, emit: Emit): void {
    let position = 0;
    let previous = removed;
    let current = rank;
    for (const entry of sorted.entries) {
      for (const held of entry.rows) {
        position++;
        if (position < rank) continue;
        if (current > rankEnd) return;
        emit('-U', previous, current);
        emit('+U', held, current);
        previous = held;
        current++;
      }
    }
    if (current <= rankEnd) emit('-D', previous, current);
  }

  /** Where a held row is: its entry, its index there and its rank. */
  private locate(
    sorted: SortedRows,
    match: (row: Row) => boolean,
  ): { at: number; index: number; rank: number } | undefined {
    let rank = 0;
    for (let at = 0; at < sorted.entries.length; at++) {
      const rows = (sorted.entries[at] as RankEntry).rows;
      for (let index = 0; index < rows.length; index++) {
        rank++;
        if (match(rows[index] as Row)) return { at, index, rank };
      }
    }
    return undefined;
  }
}

/** A rank end read from a row: a NULL ranks nothing (Flink reads it as 0). */
function rankEndOf(value: Value | undefined): number {
  return typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
}
