import type { EvalEnv } from '../expr/eval-env.ts';
import type { Row, Value } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { DataType } from '../types/data-type.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';
import { type Accumulator, type AggregateCall, accumulatorFactory, callInput } from './accumulators.ts';
import type { Change } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import { keySelector } from './row-key.ts';

/** `agg(...) OVER (PARTITION BY ... ORDER BY time ROWS | RANGE BETWEEN ... AND CURRENT ROW)`. */
export interface OverSpec {
  readonly partitionKeys: readonly number[];
  /** The time attribute the window is ordered by (ascending). */
  readonly timeField: number;
  readonly timeKind: 'ROWTIME' | 'PROCTIME';
  readonly unit: 'ROWS' | 'RANGE';
  /** ROWS: how many rows before the current one; RANGE: how many milliseconds. Undefined: UNBOUNDED. */
  readonly preceding?: number;
  /** The aggregates, over the input's fields; their results follow the input's fields. */
  readonly calls: readonly AggregateCall[];
}

/** A row of a partition's state: its time (ms) and the row, packed. */
type TimedRow = [number, PackedRow];

interface Partition {
  /** Rows waiting for time to reach them (event time, and RANGE on processing time), by time, then arrival. */
  readonly pending: TimedRow[];
  /** Rows the next row's window may still hold (bounded windows), oldest first. */
  readonly window: TimedRow[];
  readonly accumulators: Accumulator[];
  /** The latest time the partition's timers fired at (Flink's lastTriggeringTs); rows at or before it are late. */
  last: number | undefined;
  /**
   * Event-time RANGE: the cleanup timers registered and not fired yet, ascending; the last one is
   * the one that clears the partition (Flink's cleanupTsState), the earlier ones only move `last`.
   */
  readonly cleanup: number[];
  /** Estimated heap bytes, as of the last time the partition was written. */
  bytes: number;
}

/** Heap bytes of a partition with its key and Map slot, before its rows and accumulators; and per row kept. */
const PARTITION_BYTES = 200;
const ROW_BYTES = 48;

function partitionBytes(partition: Partition): number {
  let bytes = PARTITION_BYTES;
  for (const [, row] of partition.pending) bytes += ROW_BYTES + row.length;
  for (const [, row] of partition.window) bytes += ROW_BYTES + row.length;
  for (const accumulator of partition.accumulators) bytes += accumulator.weight();
  return bytes;
}

/** Inserts a row after the rows of its time and before later ones. */
function insertByTime(rows: TimedRow[], row: TimedRow): void {
  let i = rows.length;
  while (i > 0 && (rows[i - 1] as TimedRow)[0] > row[0]) i--;
  rows.splice(i, 0, row);
}

/**
 * Flink's over aggregates (its RowTime/ProcTime Rows/Range Bounded/Unbounded PrecedingFunctions):
 * each input row is emitted once, as +I, with the aggregates over its window appended: the rows of
 * its partition ordered by the time attribute, from n rows (ROWS) or n milliseconds (RANGE, the
 * bound included) before it, or from the first (UNBOUNDED), up to the row itself. Under RANGE,
 * rows of the same time are peers: each one's window holds them all, so they share one result.
 *
 * - Event time: rows wait until the watermark reaches their time, then are emitted in order of
 *   time (and of arrival among equal times). A late row is dropped and counted: for an unbounded
 *   window one at or behind the watermark when it arrives, for a bounded one one at or before the
 *   latest time its partition emitted at (before any, at or before 1970-01-01 00:00:00, as Flink's
 *   state starting at 0 does).
 * - Processing time: ROWS and UNBOUNDED emit each row as it arrives; a bounded RANGE emits the rows
 *   of millisecond m of the clock by a timer at m + 1, once the clock has passed it, as Flink's
 *   timers do.
 *
 * State per partition, spilled under --state-memory: the rows waiting, the rows still in the
 * window (the last n for ROWS; for RANGE those within n ms of the newest, the others retracted as
 * the window moves past them), and the accumulators. A RANGE partition whose newest row has been
 * out of every later row's window for half the range again is dropped (Flink's cleanup timer).
 */
export class OverAggregateOperator implements Operator {
  numLateRecordsDropped = 0;
  /** Processing-time RANGE rows skipped because they were re-read after a restart. */
  numReplayedRecordsSkipped = 0;
  private readonly keyOf: (row: Row) => unknown;
  private readonly factories: ((saved?: unknown) => Accumulator)[];
  private readonly inputs: ((row: Row) => Value | undefined)[];
  private readonly state: SpillableMap<Partition>;
  /** Partitions that wait for time: when the next of them is due (ms), kept in memory like Flink's timers. */
  private readonly timers = new Map<unknown, number>();
  private readonly times: WriteTimes | undefined;
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly eventTime: boolean;
  /** Rows wait for time: event time, and a bounded RANGE on processing time. */
  private readonly waits: boolean;
  /** Event-time bounded RANGE: partitions are cleared by Flink's cleanup timers. */
  private readonly cleansByRange: boolean;

  constructor(
    private readonly spec: OverSpec,
    inputTypes: readonly DataType[],
    private readonly env: EvalEnv,
    private readonly retention?: StateRetention,
    /** True while the job re-reads records processed before a restart (their processing time is gone). */
    private readonly replaying: () => boolean = () => false,
  ) {
    this.keyOf = keySelector(spec.partitionKeys);
    this.eventTime = spec.timeKind === 'ROWTIME';
    this.waits = this.eventTime || (spec.unit === 'RANGE' && spec.preceding !== undefined);
    this.cleansByRange = this.eventTime && spec.unit === 'RANGE' && spec.preceding !== undefined;
    this.times = retention ? new WriteTimes(retention) : undefined;
    this.factories = spec.calls.map((call) => accumulatorFactory(call, inputTypes));
    this.inputs = spec.calls.map(callInput);
    this.state = new SpillableMap<Partition>({
      bytes: (partition) => partition.bytes,
      encode: (p) =>
        pack([
          p.pending.map(([time]) => time),
          p.pending.map(([, row]) => row),
          p.window.map(([time]) => time),
          p.window.map(([, row]) => row),
          p.accumulators.map((a) => a.save() as Value),
          p.last ?? null,
          p.cleanup,
          p.bytes,
        ]),
      decode: (packed) => {
        const [pendingTimes, pendingRows, windowTimes, windowRows, saved, last, cleanup, bytes] = unpack(packed) as [
          number[],
          PackedRow[],
          number[],
          PackedRow[],
          Value[],
          number | null,
          number[],
          number,
        ];
        return {
          pending: pendingTimes.map((time, i): TimedRow => [time, pendingRows[i] as PackedRow]),
          window: windowTimes.map((time, i): TimedRow => [time, windowRows[i] as PackedRow]),
          accumulators: this.factories.map((f, i) => f(saved[i])),
          last: last ?? undefined,
          cleanup: [...cleanup],
          bytes,
        };
      },
    });
  }

  /** Partitions held, for tests. */
  get partitions(): number {
    return this.state.size;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const nowMillis = Math.floor(this.env.nowMicros() / 1000);
    if (!this.eventTime && this.waits) {
      if (this.replaying()) {
        this.numReplayedRecordsSkipped += changes.length;
        return out;
      }
      out.push(...this.advanceClock(nowMillis));
    }
    const now = this.retention ? this.retention.now() : 0;
    const written = new Map<unknown, Partition>();
    for (const change of changes) {
      // The planner gives an over aggregate only insert-only inputs.
      if (!isAccumulate(change.kind)) continue;
      const time = this.eventTime ? epochMillis(change.row[this.spec.timeField] as TimeValue) : nowMillis;
      const key = this.keyOf(change.row);
      const partition = written.get(key) ?? this.partition(key, now);
      written.set(key, partition);
      if (!this.waits) {
        out.push(this.emitNow(partition, change));
        continue;
      }
      const late =
        this.eventTime && (this.spec.preceding === undefined ? time <= this.watermark : time <= (partition.last ?? 0));
      if (late) {
        this.numLateRecordsDropped += 1;
        continue;
      }
      insertByTime(partition.pending, [time, change.packed ?? pack(change.row)]);
      const due = this.timers.get(key);
      if (due === undefined || time < due) this.timers.set(key, time);
      if (this.cleansByRange) this.registerCleanup(partition, time);
    }
    for (const [key, partition] of written) this.written(key, partition, now);
    return out;
  }

  onWatermark(watermark: number): Change[] {
    if (!this.eventTime) return [];
    if (watermark > this.watermark) this.watermark = watermark;
    return this.advance(watermark);
  }

  onProcessingTime(now: number): Change[] {
    const out = !this.eventTime && this.waits ? this.advanceClock(now) : [];
    if (this.times && this.retention)
      this.times.sweep(this.retention.now(), (key) => {
        this.state.delete(key);
        this.timers.delete(key);
      });
    return out;
  }

  /** A partition's state, new or expired ones fresh. */
  private partition(key: unknown, now: number): Partition {
    if (this.times?.expired(key, now)) {
      this.state.delete(key);
      this.timers.delete(key);
      this.times.forget(key);
    }
    const held = this.state.get(key);
    if (held) return held;
    const fresh: Partition = {
      pending: [],
      window: [],
      accumulators: this.factories.map((f) => f()),
      last: undefined,
      cleanup: [],
      bytes: PARTITION_BYTES,
    };
    this.state.set(key, fresh);
    return fresh;
  }

  private written(key: unknown, partition: Partition, now: number): void {
    const bytes = partitionBytes(partition);
    this.state.grow(bytes - partition.bytes);
    partition.bytes = bytes;
    this.times?.written(key, now);
  }

  /** Processing time, ROWS or UNBOUNDED: the row with the aggregates over the rows so far. */
  private emitNow(partition: Partition, change: Change): Change {
    const packed = change.packed ?? pack(change.row);
    this.accumulate(partition, change.row);
    const preceding = this.spec.preceding;
    if (preceding !== undefined) {
      partition.window.push([0, packed]);
      if (partition.window.length > preceding + 1)
        this.retract(partition, unpack(partition.window.shift()?.[1] as PackedRow));
    }
    return { kind: '+I', row: [...change.row, ...this.results(partition)], time: change.time };
  }

  /**
   * Event-time RANGE: Flink's cleanup timer of a row at `time`, registered unless the current one
   * comes late enough: a partition whose rows are all out of every later window is cleared.
   */
  private registerCleanup(partition: Partition, time: number): void {
    const preceding = this.spec.preceding as number;
    const current = partition.cleanup[partition.cleanup.length - 1];
    if (current !== undefined && current >= time + preceding + 1) return;
    partition.cleanup.push(time + Math.floor(preceding * 1.5) + 1);
  }

  /** The next time a partition's timers fire at (ms), if any. */
  private nextTimer(partition: Partition): number | undefined {
    const row = partition.pending[0]?.[0];
    const cleanup = partition.cleanup[0];
    if (row !== undefined && cleanup !== undefined) return Math.min(row, cleanup);
    if (row !== undefined || cleanup !== undefined) return row ?? cleanup;
    // Processing-time RANGE: once no later row's window can reach the partition's rows, it goes.
    const preceding = this.spec.preceding;
    if (!this.eventTime && preceding !== undefined && partition.last !== undefined)
      return partition.last + preceding + 1;
    return undefined;
  }

  /**
   * The processing-time timers the clock `now` has passed: Flink fires a timer 1 ms after its
   * time (SystemProcessingTimeService), so a cleanup at t fires once now > t, and the rows of
   * millisecond m, whose timer is at m + 1, once now > m + 1.
   */
  private advanceClock(now: number): Change[] {
    return this.advance(now - 1, now - 2);
  }

  /**
   * Fires the timers of every partition that `time` has reached (`rowTime` for its rows' times),
   * in order of time across partitions, as Flink's timer service does: each emits the partition's
   * rows of its time, or clears the partition when it is the partition's cleanup time; either
   * moves its latest time.
   */
  private advance(time: number, rowTime = time): Change[] {
    const due: [number, unknown][] = [];
    for (const [key, at] of this.timers) {
      if (at > time) continue;
      const partition = this.state.get(key) as Partition;
      const times = new Set<number>();
      for (const [pendingTime] of partition.pending) {
        if (pendingTime > rowTime) break;
        times.add(pendingTime);
      }
      for (const cleanup of partition.cleanup) if (cleanup <= time) times.add(cleanup);
      if (times.size === 0 && partition.pending[0]?.[0] !== at) times.add(at);
      for (const t of times) due.push([t, key]);
    }
    due.sort((a, b) => a[0] - b[0]);
    const out: Change[] = [];
    const now = this.retention ? this.retention.now() : 0;
    const touched = new Map<unknown, Partition>();
    for (const [at, key] of due) {
      const partition = this.state.get(key);
      if (!partition) continue;
      const cleanupAt = partition.cleanup[partition.cleanup.length - 1];
      const ended = cleanupAt !== undefined ? cleanupAt <= at : !this.eventTime && partition.pending.length === 0;
      if (ended) {
        this.drop(key);
        touched.delete(key);
        continue;
      }
      touched.set(key, partition);
      while (partition.cleanup.length > 0 && (partition.cleanup[0] as number) <= at) partition.cleanup.shift();
      let count = 0;
      while (count < partition.pending.length && (partition.pending[count] as TimedRow)[0] === at) count++;
      if (count > 0) {
        const rows = partition.pending.splice(0, count).map(([, row]) => row);
        out.push(...this.emitAt(partition, at, rows));
      }
      partition.last = at;
    }
    for (const [key, partition] of touched) {
      const next = this.nextTimer(partition);
      if (next === undefined) this.timers.delete(key);
      else this.timers.set(key, next);
      this.written(key, partition, now);
    }
    return out;
  }

  private drop(key: unknown): void {
    this.state.delete(key);
    this.timers.delete(key);
    this.times?.forget(key);
  }

  /** The rows of one time of one partition, each with its aggregates. */
  private emitAt(partition: Partition, at: number, packed: readonly PackedRow[]): Change[] {
    const rows = packed.map((p) => unpack(p));
    const preceding = this.spec.preceding;
    const out: Change[] = [];
    if (this.spec.unit === 'RANGE') {
      if (preceding !== undefined) {
        while (partition.window.length > 0 && at - (partition.window[0] as TimedRow)[0] > preceding)
          this.retract(partition, unpack((partition.window.shift() as TimedRow)[1]));
        for (const p of packed) partition.window.push([at, p]);
      }
      for (const row of rows) this.accumulate(partition, row);
      const results = this.results(partition);
      for (const row of rows) out.push({ kind: '+I', row: [...row, ...results] });
      return out;
    }
    rows.forEach((row, i) => {
      this.accumulate(partition, row);
      if (preceding !== undefined) {
        partition.window.push([at, packed[i] as PackedRow]);
        if (partition.window.length > preceding + 1)
          this.retract(partition, unpack((partition.window.shift() as TimedRow)[1]));
      }
      out.push({ kind: '+I', row: [...row, ...this.results(partition)] });
    });
    return out;
  }

  private accumulate(partition: Partition, row: Row): void {
    for (let i = 0; i < this.inputs.length; i++) {
      const value = (this.inputs[i] as (row: Row) => Value | undefined)(row);
      if (value !== undefined) (partition.accumulators[i] as Accumulator).add(value);
    }
  }

  private retract(partition: Partition, row: Row): void {
    for (let i = 0; i < this.inputs.length; i++) {
      const value = (this.inputs[i] as (row: Row) => Value | undefined)(row);
      if (value !== undefined) (partition.accumulators[i] as Accumulator).retract(value);
    }
  }

  private results(partition: Partition): Value[] {
    return partition.accumulators.map((a) => a.result());
  }
}
