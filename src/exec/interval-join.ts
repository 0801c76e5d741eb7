import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';
import type { Change } from './change.ts';
import { type Operator, timersDueAt } from './operator.ts';
import { keySelector } from './row-key.ts';
import { TimerQueue } from './timer-queue.ts';

/**
 * An interval join's time bounds, as Flink's WindowBounds: a left row at time l joins a right row
 * at time r when `leftLowerBound <= l - r <= leftUpperBound` (milliseconds).
 */
export interface IntervalBounds {
  /** Event time (rowtime attributes with watermarks); otherwise processing time. */
  readonly rowtime: boolean;
  readonly leftLowerBound: number;
  readonly leftUpperBound: number;
  /** The time attribute of each side, among that side's fields. */
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
}

export interface IntervalJoinSpec {
  readonly type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly widths: readonly [number, number];
  readonly bounds: IntervalBounds;
  /** The rest of the condition (neither key nor time bound), over left ++ right fields. */
  readonly residual?: BoundExpr;
}

/** A row a side keeps: its time, the row, and whether it has joined a row of the other side yet. */
interface Cached {
  readonly time: number;
  readonly row: PackedRow;
  emitted: boolean;
}

/** The state of one join key: each side's rows by time, and each side's clean-up timer. */
interface KeyState {
  readonly sides: [Cached[], Cached[]];
  /** The time of the timer that expires each side's rows (Flink's right and left timer states). */
  readonly cleanUp: [number | undefined, number | undefined];
  bytes: number;
}

const KEY_BYTES = 160;
const ROW_BYTES = 64;

function bytesOf(state: KeyState): number {
  let bytes = KEY_BYTES;
  for (const side of state.sides) for (const cached of side) bytes += cached.row.length + ROW_BYTES;
  return bytes;
}

const codec: StateCodec<KeyState> = {
  bytes: (state) => state.bytes,
  encode: (state) =>
    pack([
      ...state.sides.flatMap((side) => [side.map((c) => c.time), side.map((c) => c.row), side.map((c) => c.emitted)]),
      state.cleanUp[0] ?? null,
      state.cleanUp[1] ?? null,
    ] as Value[]),
  decode: (packed) => {
    const [lt, lr, le, rt, rr, re, c0, c1] = unpack(packed) as [
      number[],
      PackedRow[],
      boolean[],
      number[],
      PackedRow[],
      boolean[],
      number | null,
      number | null,
    ];
    const side = (times: number[], rows: PackedRow[], emitted: boolean[]): Cached[] =>
      times.map((time, i) => ({ time, row: rows[i] as PackedRow, emitted: emitted[i] as boolean }));
    const state: KeyState = {
      sides: [side(lt, lr, le), side(rt, rr, re)],
      cleanUp: [c0 ?? undefined, c1 ?? undefined],
      bytes: 0,
    };
    state.bytes = bytesOf(state);
    return state;
  },
};

/** Adds a row to a side's rows, kept in order of time (arrival order within a time). */
function insert(rows: Cached[], cached: Cached): void {
  let at = rows.length;
  while (at > 0 && (rows[at - 1] as Cached).time > cached.time) at--;
  rows.splice(at, 0, cached);
}

/**
 * Flink's interval join (TimeIntervalJoin, as RowTimeIntervalJoin and ProcTimeIntervalJoin run it)
 * of two insert-only inputs on equal keys and a time interval: each row is kept by join key while
 * rows of the other side may still join it, joined with the other side's rows in its interval as it
 * arrives (+I), and dropped once the time (the watermark, or the clock) has passed its interval.
 * An outer side's row that joined nothing is emitted padded with NULLs when it is dropped: when its
 * clean-up timer fires, or when a row of the other side finds it expired.
 *
 * As in Flink: a side's rows are expired by an expiration time that is kept for the operator (not
 * per key) and moved on when a row of the other side arrives or a clean-up timer fires; each key has
 * one clean-up timer per side, at the time of its oldest row + the side's relative size + half the
 * interval + 1 ms; the operator time of event time is the watermark (0 before the first); a row that
 * arrives when its whole interval lies behind the other side's operator time is not kept (an outer
 * row is then emitted padded right away). Event-time output holds the watermark back by the larger
 * relative size (Flink's KeyedCoProcessOperatorWithWatermarkDelay), so that the rows it emits are
 * not late downstream. A NULL in the join key matches nothing.
 */
export class IntervalJoinOperator implements Operator {
  private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown];
  private readonly keys: [readonly number[], readonly number[]];
  private readonly timeIndex: [number, number];
  private readonly outer: [boolean, boolean];
  /** How far each side's rows reach: left rows join right rows up to leftRelativeSize before them. */
  private readonly relativeSize: [number, number];
  private readonly minCleanUpInterval: number;
  private readonly residual: Evaluator | undefined;
  private readonly nulls: [Row, Row];
  private readonly state = new SpillableMap(codec);
  private readonly timers = new TimerQueue();
  /** Rows of each side at or before this time are expired (Flink's left/rightExpirationTime). */
  private readonly expiration: [number, number] = [0, 0];
  private operatorTime = 0;
  private watermark = Number.NEGATIVE_INFINITY;
  private out: Change[] = [];
  /** Processing-time rows skipped because they were re-read after a restart. */
  numReplayedRecordsSkipped = 0;

  constructor(
    private readonly spec: IntervalJoinSpec,
    env: EvalEnv,
    private readonly clock: () => number = () => env.nowMicros() / 1000,
    /** True while the job re-reads records processed before a restart (processing time cannot be rebuilt). */
    private readonly replaying: () => boolean = () => false,
  ) {
    this.keyOf = [keySelector(spec.leftKeys), keySelector(spec.rightKeys)];
    this.keys = [spec.leftKeys, spec.rightKeys];
    this.timeIndex = [spec.bounds.leftTimeIndex, spec.bounds.rightTimeIndex];
    this.outer = [spec.type === 'LEFT' || spec.type === 'FULL', spec.type === 'RIGHT' || spec.type === 'FULL'];
    this.relativeSize = [-spec.bounds.leftLowerBound, spec.bounds.leftUpperBound];
    this.minCleanUpInterval = Math.max(0, Math.trunc((this.relativeSize[0] + this.relativeSize[1]) / 2));
    this.residual = spec.residual ? compileExpression(spec.residual, env) : undefined;
    this.nulls = [new Array<Value>(spec.widths[0]).fill(null), new Array<Value>(spec.widths[1]).fill(null)];
  }

  /** Keys with rows in state, for tests. */
  get keysHeld(): number {
    return this.state.size;
  }

  close(): void {
    this.state.close();
  }

  /** Event time: downstream sees the watermark less the larger relative size. */
  outputWatermark(watermark: number): number {
    return this.spec.bounds.rowtime ? watermark - Math.max(this.relativeSize[0], this.relativeSize[1]) : watermark;
  }

  process(changes: readonly Change[], input: number): Change[] {
    const side = input === 0 ? 0 : 1;
    const rowtime = this.spec.bounds.rowtime;
    if (!rowtime && this.replaying()) {
      this.numReplayedRecordsSkipped += changes.length;
      return [];
    }
    this.out = [];
    for (const change of changes) {
      this.updateOperatorTime();
      const row = change.row;
      let time: number;
      if (rowtime) {
        const value = row[this.timeIndex[side]] ?? null;
        if (value === null) continue;
        time = epochMillis(value as TimeValue);
      } else time = this.operatorTime;
      const nullKey = this.keys[side].some((i) => (row[i] ?? null) === null);
      this.processRow(side, this.keyOf[side](row), row, time, nullKey, change.time);
    }
    return this.out;
  }

  onWatermark(watermark: number): Change[] {
    if (!this.spec.bounds.rowtime) return [];
    this.watermark = watermark;
    return this.fire(watermark);
  }

  onProcessingTime(now: number): Change[] {
    if (this.spec.bounds.rowtime) return [];
    return this.fire(timersDueAt(now));
  }

  private fire(time: number): Change[] {
    this.out = [];
    this.timers.fire(time, (timer, key) => this.onTimer(timer, key));
    return this.out;
  }

  private updateOperatorTime(): void {
    this.operatorTime = this.spec.bounds.rowtime ? Math.max(this.watermark, 0) : this.clock();
  }

  private expirationTime(relativeSize: number): number {
    return this.operatorTime - relativeSize - 1;
  }

  private joined(row: Row, other: Row, side: number): Row {
    return side === 0 ? [...row, ...other] : [...other, ...row];
  }

  private padded(row: Row, side: number): Row {
    return this.joined(row, this.nulls[1 - side] as Row, side);
  }

  private processRow(side: 0 | 1, key: unknown, row: Row, time: number, nullKey: boolean, at?: number): void {
    const other = (1 - side) as 0 | 1;
    const lower = time - (this.relativeSize[other] as number);
    const upper = time + (this.relativeSize[side] as number);
    let state = this.state.get(key);
    let emitted = false;
    if (state && this.expiration[other] < upper) {
      this.expiration[other] = this.expirationTime(this.relativeSize[other] as number);
      const expiration = this.expiration[other];
      const rows = state.sides[other];
      const kept: Cached[] = [];
      for (const cached of rows) {
        if (!nullKey && cached.time >= lower && cached.time <= upper) {
          const pair = this.joined(row, unpack(cached.row), side);
          if (!this.residual || this.residual(pair) === true) {
            this.emit(pair, at);
            emitted = true;
            cached.emitted = true;
          }
        }
        if (cached.time <= expiration) {
          if (this.outer[other] && !cached.emitted) this.emit(this.padded(unpack(cached.row), other));
        } else kept.push(cached);
      }
      state.sides[other] = kept;
    }
    if (this.operatorTime < upper) {
      if (!state) {
        state = { sides: [[], []], cleanUp: [undefined, undefined], bytes: 0 };
        this.state.set(key, state);
      }
      insert(state.sides[side], { time, row: pack(row), emitted });
      if (state.cleanUp[side] === undefined) this.registerCleanUp(state, key, side, time);
    } else if (!emitted && this.outer[side]) {
      this.emit(this.padded(row, side), at);
    }
    if (state) this.settle(key, state);
  }

  private registerCleanUp(state: KeyState, key: unknown, side: 0 | 1, time: number): void {
    const cleanUp = time + (this.relativeSize[side] as number) + this.minCleanUpInterval + 1;
    state.cleanUp[side] = cleanUp;
    this.timers.register(cleanUp, key);
  }

  private onTimer(timer: number, key: unknown): void {
    const state = this.state.get(key);
    if (!state) return;
    this.updateOperatorTime();
    // A processing-time timer fires when the clock has reached it (so rows it keeps get a later one).
    if (!this.spec.bounds.rowtime) this.operatorTime = Math.max(this.operatorTime, timer);
    // Flink checks the timer that expires right rows first.
    for (const side of [1, 0] as const) {
      if (state.cleanUp[side] !== timer) continue;
      this.expiration[side] = this.expirationTime(this.relativeSize[side] as number);
      this.removeExpired(state, key, side, this.expiration[side]);
    }
    this.settle(key, state);
  }

  private removeExpired(state: KeyState, key: unknown, side: 0 | 1, expiration: number): void {
    const kept: Cached[] = [];
    for (const cached of state.sides[side]) {
      if (cached.time <= expiration) {
        if (this.outer[side] && !cached.emitted) this.emit(this.padded(unpack(cached.row), side));
      } else kept.push(cached);
    }
    state.sides[side] = kept;
    const earliest = kept[0];
    if (earliest) this.registerCleanUp(state, key, side, earliest.time);
    else state.cleanUp[side] = undefined;
  }

  /** Accounts for a changed key state, or drops it when it holds no rows and no timer. */
  private settle(key: unknown, state: KeyState): void {
    const empty = state.sides[0].length === 0 && state.sides[1].length === 0;
    if (empty && state.cleanUp[0] === undefined && state.cleanUp[1] === undefined) {
      this.state.delete(key);
      return;
    }
    const bytes = bytesOf(state);
    this.state.grow(bytes - state.bytes);
    state.bytes = bytes;
  }

  private emit(row: Row, time?: number): void {
    this.out.push(time === undefined ? { kind: '+I', row } : { kind: '+I', row, time });
  }
}
