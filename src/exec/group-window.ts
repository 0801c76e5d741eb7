import type { EvalEnv } from '../expr/eval-env.ts';
import type { Row, Value } from '../expr/value.ts';
import type { DataType } from '../types/data-type.ts';
import { instantMillisToLocal, localMillisToInstant } from '../types/temporal.ts';
import { epochMillis, fromEpochMillis, type TimeValue } from '../types/time-value.ts';
import type { AggregateCall } from './accumulators.ts';
import type { Change } from './change.ts';
import { type Operator, timersDueAt } from './operator.ts';
import { assignWindows, type WindowSpec } from './window.ts';
import { WindowPanes } from './window-panes.ts';
import type { WindowTime } from './window-time.ts';

/**
 * The window properties a legacy group window aggregate appends to its keys and aggregates, in
 * this order (Flink's w$start, w$end, w$rowtime, w$proctime): TUMBLE_START, TUMBLE_END,
 * TUMBLE_ROWTIME and TUMBLE_PROCTIME (and HOP_..., SESSION_...).
 */
export type WindowProperty = 'start' | 'end' | 'rowtime' | 'proctime';

export const WINDOW_PROPERTIES: readonly WindowProperty[] = ['start', 'end', 'rowtime', 'proctime'];

/** A GROUP BY TUMBLE(...), HOP(...) or SESSION(...) aggregate: what the operator needs of the plan. */
export interface GroupWindowAggregateSpec {
  /** The window; its `timeField` is a field of the aggregate's input. */
  readonly window: WindowSpec;
  readonly groupKeys: readonly number[];
  readonly calls: readonly AggregateCall[];
  readonly properties: readonly WindowProperty[];
}

/**
 * The values of the window properties of a window [start, end) (wall-clock milliseconds): start
 * and end as TIMESTAMP(3); the rowtime (end - 1 ms) of the time attribute's type, an instant for
 * a TIMESTAMP_LTZ; the proctime, the clock when the window fires.
 */
export function windowProperties(
  properties: readonly WindowProperty[],
  time: WindowTime,
  env: EvalEnv,
): (start: number, end: number) => Value[] {
  return (start, end) => properties.map((property) => propertyValue(property, start, end, time, env));
}

function propertyValue(property: WindowProperty, start: number, end: number, time: WindowTime, env: EvalEnv): Value {
  switch (property) {
    case 'start':
      return fromEpochMillis(start);
    case 'end':
      return fromEpochMillis(end);
    case 'rowtime':
      return fromEpochMillis(time.zone ? localMillisToInstant(time.zone, end - 1) : end - 1);
    case 'proctime':
      return fromEpochMillis(Math.floor(env.nowMicros() / 1000));
  }
}

/**
 * The time (wall-clock milliseconds) a row of a group window aggregate belongs to: its time
 * attribute, or the clock when it arrives for processing time; null for a NULL time.
 */
export function rowTime(window: WindowSpec, time: WindowTime, env: EvalEnv): (row: Row) => number | null {
  const proctime = window.timeKind === 'PROCTIME';
  const zone = time.zone;
  return (row) => {
    const value = proctime ? env.nowMicros() : (row[window.timeField] ?? null);
    if (value === null) return null;
    const millis = epochMillis(value as TimeValue);
    return zone ? instantMillisToLocal(zone, millis) : millis;
  };
}

/**
 * Flink's legacy group window aggregate (GroupWindowAggregate) over tumbling and hopping windows:
 * each row is assigned the windows its time falls in (TUMBLE one, HOP size/slide of them) and
 * accumulated into its group there; when time reaches a window's end - 1 ms (the watermark for
 * event time; for processing time the clock has passed it, see timersDueAt), each of its groups emits one +I of its keys, its
 * aggregates and the window properties asked for, and the window's state is dropped. An
 * event-time row whose windows have all fired is late: dropped and counted. Groups live in a
 * SpillableMap, so they spill under the state memory budget. (SESSION windows merge: see
 * session-window.ts.)
 */
export class GroupWindowAggregateOperator implements Operator {
  numLateRecordsDropped = 0;
  /** Processing-time rows skipped because they were re-read after a restart (see `replaying`). */
  numReplayedRecordsSkipped = 0;
  private readonly panes: WindowPanes;
  private readonly timeOf: (row: Row) => number | null;
  private readonly properties: (start: number, end: number) => Value[];

  constructor(
    private readonly spec: GroupWindowAggregateSpec,
    inputTypes: readonly DataType[],
    time: WindowTime,
    env: EvalEnv,
    /** True while the job re-reads records processed before a restart: the time they were processed is gone. */
    private readonly replaying: () => boolean = () => false,
  ) {
    this.panes = new WindowPanes(spec.groupKeys, spec.calls, inputTypes, time);
    this.timeOf = rowTime(spec.window, time, env);
    this.properties = windowProperties(spec.properties, time, env);
  }

  /** Open windows, for tests and metrics. */
  get openWindows(): number {
    return this.panes.index.size;
  }

  close(): void {
    this.panes.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    if (this.spec.window.timeKind === 'PROCTIME' && this.replaying()) {
      this.numReplayedRecordsSkipped += changes.length;
      return [];
    }
    for (const change of changes) {
      // The planner gives a group window aggregate an insert-only input.
      const timestamp = this.timeOf(change.row);
      if (timestamp === null) continue;
      const windows = assignWindows(this.spec.window, timestamp);
      let assigned = false;
      for (const { start, end } of windows) if (this.panes.add(change.kind, change.row, start, end)) assigned = true;
      if (!assigned && windows.length > 0) this.numLateRecordsDropped += 1;
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
    return this.panes.fire(kind, time).map(({ pane, end }) => ({
      kind: '+I',
      row: [...pane.keys, ...pane.accumulators.map((a) => a.result()), ...this.properties(pane.start, end)],
    }));
  }
}
