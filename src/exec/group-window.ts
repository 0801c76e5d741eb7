import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Row, Value } from '../expr/value.ts';
import { pack, unpack } from '../state/packed-row.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { DataType } from '../types/data-type.ts';
import { instantMillisToLocal, localMillisToInstant } from '../types/temporal.ts';
import { epochMillis, fromEpochMillis, type TimeValue } from '../types/time-value.ts';
import { type Accumulator, type AggregateCall, accumulatorFactory } from './accumulators.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { rowKey } from './row-key.ts';
import { assignWindows, type TimeWindow, type WindowSpec, type WindowTime } from './window.ts';
import { WindowIndex } from './window-index.ts';

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

/** One group of one window: its keys, the window's start, and its accumulators. */
interface Pane {
  readonly keys: Value[];
  readonly start: number;
  readonly accumulators: Accumulator[];
  bytes: number;
}

const PANE_BYTES = 200;

function paneBytes(pane: Pane): number {
  let bytes = PANE_BYTES + 16 * pane.keys.length;
  for (const accumulator of pane.accumulators) bytes += accumulator.weight();
  return bytes;
}

/**
 * Flink's legacy group window aggregate (GroupWindowAggregate) over tumbling and hopping windows:
 * each row is assigned the windows its time falls in (TUMBLE one, HOP size/slide of them) and
 * accumulated into its group there; when time reaches a window's end - 1 ms (the watermark for
 * event time, the clock for processing time), each of its groups emits one +I of its keys, its
 * aggregates and the window properties asked for, and the window's state is dropped. An
 * event-time row whose windows have all fired is late: dropped and counted. Groups live in a
 * SpillableMap, so they spill under the state memory budget. (SESSION windows merge: see
 * session-window.ts.)
 */
export class GroupWindowAggregateOperator implements Operator {
  numLateRecordsDropped = 0;
  /** Processing-time rows skipped because they were re-read after a restart (see `replaying`). */
  numReplayedRecordsSkipped = 0;
  private readonly panes: SpillableMap<Pane>;
  private readonly index: WindowIndex;
  private readonly factories: ((saved?: unknown) => Accumulator)[];
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
    this.index = new WindowIndex(time);
    this.timeOf = rowTime(spec.window, time, env);
    this.properties = windowProperties(spec.properties, time, env);
    this.factories = spec.calls.map((call) =>
      accumulatorFactory(call, call.args[0] === undefined ? undefined : inputTypes[call.args[0]]),
    );
    this.panes = new SpillableMap<Pane>({
      bytes: (pane) => pane.bytes,
      encode: (pane) => pack([pane.keys, pane.start, pane.accumulators.map((a) => a.save() as Value), pane.bytes]),
      decode: (packed) => {
        const [keys, start, saved, bytes] = unpack(packed) as [Value[], number, Value[], number];
        return { keys: [...keys], start, accumulators: this.factories.map((f, i) => f(saved[i])), bytes };
      },
    });
  }

  /** Open windows, for tests and metrics. */
  get openWindows(): number {
    return this.index.size;
  }

  close(): void {
    this.panes.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    if (this.spec.window.timeKind === 'PROCTIME' && this.replaying()) {
      this.numReplayedRecordsSkipped += changes.length;
      return [];
    }
    const { groupKeys, calls } = this.spec;
    for (const change of changes) {
      // The planner gives a group window aggregate an insert-only input.
      const timestamp = this.timeOf(change.row);
      if (timestamp === null) continue;
      const windows: TimeWindow[] = assignWindows(this.spec.window, timestamp);
      let assigned = false;
      for (const { start, end } of windows) {
        if (this.index.isLate(end)) continue;
        assigned = true;
        const keys = groupKeys.map((i) => change.row[i] ?? null);
        const key = `${end}\u0002${rowKey(keys)}`;
        let pane = this.panes.get(key);
        if (!pane) {
          pane = { keys, start, accumulators: this.factories.map((f) => f()), bytes: PANE_BYTES };
          this.panes.set(key, pane);
          this.index.add(end, key);
        }
        for (let i = 0; i < calls.length; i++) {
          const call = calls[i] as AggregateCall;
          (pane.accumulators[i] as Accumulator).add(
            call.args.length === 0 ? true : (change.row[call.args[0] as number] ?? null),
          );
        }
        const bytes = paneBytes(pane);
        this.panes.grow(bytes - pane.bytes);
        pane.bytes = bytes;
      }
      if (!assigned && windows.length > 0) this.numLateRecordsDropped += 1;
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.fire(this.index.onTime('ROWTIME', watermark));
  }

  onProcessingTime(now: number): Change[] {
    return this.fire(this.index.onTime('PROCTIME', now));
  }

  private fire(due: ReturnType<WindowIndex['due']>): Change[] {
    const out: Change[] = [];
    for (const { end, keys } of due) {
      for (const key of keys) {
        const pane = this.panes.get(key);
        if (!pane) continue;
        this.panes.delete(key);
        out.push({
          kind: '+I',
          row: [...pane.keys, ...pane.accumulators.map((a) => a.result()), ...this.properties(pane.start, end)],
        });
      }
    }
    return out;
  }
}
