import { RivuletError } from '../common/errors.ts';
import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator } from '../expr/value.ts';
import type { DataType } from '../types/data-type.ts';
import { instantMillisToLocal, localMillisToInstant } from '../types/temporal.ts';
import { epochMillis, fromEpochMillis, type TimeValue } from '../types/time-value.ts';
import type { AggregateCall } from './accumulators.ts';
import type { Change } from './change.ts';
import { type Operator, timersDueAt } from './operator.ts';
import { WindowPanes } from './window-panes.ts';
import type { WindowTime } from './window-time.ts';

const MICROS_PER_MILLI = 1000;

/**
 * Flink's TimeWindow.getWindowStartWithOffset: the start of the window of `size` holding
 * `timestamp`, windows starting at `offset` plus multiples of `size` (the remainder taken
 * non-negative, so that times before 1970 fall in the window that holds them).
 */
function windowStart(timestamp: number, size: number, offset = 0): number {
  return timestamp - ((((timestamp - offset) % size) + size) % size);
}

/** The windows a window table function assigns rows to. */
export interface WindowSpec {
  readonly type: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
  /** The time attribute column of the input. */
  readonly timeField: number;
  readonly timeKind: 'ROWTIME' | 'PROCTIME';
  /** Microseconds; SESSION's gap (the time without rows after which a session ends). */
  readonly size: number;
  /** HOP's slide or CUMULATE's step, in microseconds. */
  readonly slide?: number;
  /** TUMBLE's, HOP's and CUMULATE's offset, in microseconds (may be negative), when one is given. */
  readonly offset?: number;
  /** SESSION's PARTITION BY columns of the input: sessions are per value of these. */
  readonly partitionKeys?: readonly number[];
}

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The windows a timestamp belongs to, in the order Flink's assigners list them: TUMBLE one;
 * HOP every window of `size` starting at a multiple of `slide` that holds it, latest start first;
 * CUMULATE the windows [start, start + k·step) of its period that hold it, smallest first;
 * SESSION the window [time, time + gap) of the row alone, which sessions merge with the windows of
 * other rows they overlap or touch (see session-window.ts).
 * Times and windows are in whole milliseconds since 1970, as Flink's assigners count (and exact
 * as numbers over the whole range of TIMESTAMP).
 */
export function assignWindows(window: WindowSpec, timestamp: number): TimeWindow[] {
  const size = window.size / MICROS_PER_MILLI;
  const offset = (window.offset ?? 0) / MICROS_PER_MILLI;
  switch (window.type) {
    case 'TUMBLE': {
      const start = windowStart(timestamp, size, offset);
      return [{ start, end: start + size }];
    }
    case 'HOP': {
      const slide = (window.slide as number) / MICROS_PER_MILLI;
      const windows: TimeWindow[] = [];
      for (let start = windowStart(timestamp, slide, offset); start > timestamp - size; start -= slide)
        windows.push({ start, end: start + size });
      return windows;
    }
    case 'CUMULATE': {
      const step = (window.slide as number) / MICROS_PER_MILLI;
      const start = windowStart(timestamp, size, offset);
      const windows: TimeWindow[] = [];
      for (let end = windowStart(timestamp, step, offset) + step; end <= start + size; end += step)
        windows.push({ start, end });
      return windows;
    }
    case 'SESSION':
      return [{ start: timestamp, end: timestamp + size }];
  }
}

/**
 * Flink's WatermarkAssigner with bounded out-of-orderness: every row passes through unchanged,
 * and the watermark is the largest value its WATERMARK expression has taken (to the millisecond;
 * rows where it is NULL leave it as it was). A NULL rowtime fails the job, as in Flink.
 */
export class WatermarkAssignerOperator implements Operator {
  private readonly watermark: Evaluator;
  private current: number | undefined;

  constructor(
    private readonly rowtime: number,
    watermark: BoundExpr,
    env: EvalEnv,
    private readonly rowtimeName = `$${rowtime}`,
  ) {
    this.watermark = compileExpression(watermark, env);
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    for (const change of changes) {
      if (change.row[this.rowtime] == null) {
        throw new RivuletError(
          'ROWTIME_NULL',
          `the rowtime field '${this.rowtimeName}' should not be NULL (a WATERMARK is declared on it)`,
          'filter out rows without a time, or declare the watermark on a computed column that is never NULL (e.g. COALESCE(...))',
        );
      }
      const value = this.watermark(change.row);
      if (value === null) continue;
      const watermark = epochMillis(value as TimeValue);
      if (this.current === undefined || watermark > this.current) this.current = watermark;
    }
    return [...changes];
  }

  generatedWatermark(): number | undefined {
    return this.current;
  }
}

/**
 * A window table function (TUMBLE, HOP, CUMULATE): each row once per window it belongs to, with
 * window_start and window_end (TIMESTAMP(3), wall clock) and window_time (window_end - 1 ms, of
 * the time attribute's type) appended. Event time takes the row's time column (a row whose time is
 * NULL belongs to no window); processing time reads the clock when the row arrives. Nothing is
 * dropped as late here: that is the window aggregate's decision, as in Flink.
 */
export class WindowTableFunctionOperator implements Operator {
  /** Processing-time rows skipped because they were re-read after a restart (see `replaying`). */
  numReplayedRecordsSkipped = 0;

  constructor(
    private readonly window: WindowSpec,
    private readonly time: WindowTime,
    private readonly env: EvalEnv,
    /** True while the job re-reads records processed before a restart: the time they were processed is gone. */
    private readonly replaying: () => boolean = () => false,
  ) {}

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const { zone } = this.time;
    const proctime = this.time.kind === 'PROCTIME';
    if (proctime && this.replaying()) {
      this.numReplayedRecordsSkipped += changes.length;
      return out;
    }
    for (const change of changes) {
      const value = proctime ? this.env.nowMicros() : (change.row[this.window.timeField] ?? null);
      if (value === null) continue;
      const timestamp = epochMillis(value as TimeValue);
      for (const { start, end } of assignWindows(
        this.window,
        zone ? instantMillisToLocal(zone, timestamp) : timestamp,
      )) {
        const windowTime = zone ? localMillisToInstant(zone, end - 1) : end - 1;
        out.push({
          kind: change.kind,
          row: [...change.row, fromEpochMillis(start), fromEpochMillis(end), fromEpochMillis(windowTime)],
          time: change.time,
        });
      }
    }
    return out;
  }
}

/**
 * GROUP BY window_start, window_end, ... over a window table function. Rows accumulate per window
 * and group (with the group aggregate's accumulators, in panes that spill under the state memory
 * budget); when time reaches window_end - 1 ms (the watermark for event time, the clock for
 * processing time), each group of the window emits one +I with its keys and results, and the
 * window's state is dropped. An event-time row whose window has already fired is late: it is
 * dropped and counted in `numLateRecordsDropped`, as Flink does.
 */
export class WindowAggregateOperator implements Operator {
  numLateRecordsDropped = 0;
  private readonly windowEnd: number;
  private readonly panes: WindowPanes;

  constructor(
    groupKeys: readonly number[],
    /** Position of window_end among the group keys. */
    windowEndKey: number,
    calls: readonly AggregateCall[],
    inputTypes: readonly DataType[],
    time: WindowTime,
  ) {
    this.windowEnd = groupKeys[windowEndKey] as number;
    this.panes = new WindowPanes(groupKeys, calls, inputTypes, time);
  }

  /** Open windows, for tests and metrics. */
  get openWindows(): number {
    return this.panes.index.size;
  }

  close(): void {
    this.panes.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    for (const change of changes) {
      const end = epochMillis(change.row[this.windowEnd] as TimeValue);
      // The window's start plays no part in its output: it is a group key.
      if (!this.panes.add(change.kind, change.row, end, end)) this.numLateRecordsDropped += 1;
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.fire('ROWTIME', watermark);
  }

  onProcessingTime(now: number): Change[] {
    return this.fire('PROCTIME', timersDueAt(now));
  }

  private fire(kind: WindowTime['kind'], time: number): Change[] {
    return this.panes
      .fire(kind, time)
      .map(({ pane }) => ({ kind: '+I', row: [...pane.keys, ...pane.accumulators.map((a) => a.result())] }));
  }
}
