import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';
import type { Change } from './change.ts';
import type { JoinType } from './join.ts';
import type { Operator } from './operator.ts';
import { keySelector } from './row-key.ts';
import { WindowIndex } from './window-index.ts';
import type { WindowTime } from './window-time.ts';

/** A window join: equal windows (window_end fields) and equal join keys on both sides. */
export interface WindowJoinSpec {
  readonly type: JoinType;
  /** Each side's window_end field: a window's rows are joined when time passes its end. */
  readonly windowEnds: readonly [number, number];
  /** The join keys besides the window, pairwise. */
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  /** Per key pair: whether NULL matches NULL (IS NOT DISTINCT FROM). */
  readonly nullSafe?: readonly boolean[];
  readonly widths: readonly [number, number];
  /** The other conditions, over left ++ right fields. */
  readonly residual?: BoundExpr;
}

/** The rows one window and join key holds on each side, packed, in arrival order. */
interface WindowKeyState {
  readonly sides: [PackedRow[], PackedRow[]];
  bytes: number;
}

const ENTRY_BYTES = 160;
const ROW_BYTES = 64;

function bytesOf(state: WindowKeyState): number {
  let bytes = ENTRY_BYTES;
  for (const side of state.sides) for (const row of side) bytes += row.length + ROW_BYTES;
  return bytes;
}

const codec: StateCodec<WindowKeyState> = {
  bytes: (state) => state.bytes,
  encode: (state) => pack(state.sides as unknown as Value[]),
  decode: (packed) => {
    const [left, right] = unpack(packed) as unknown as [PackedRow[], PackedRow[]];
    const state: WindowKeyState = { sides: [left, right], bytes: 0 };
    state.bytes = bytesOf(state);
    return state;
  },
};

/**
 * Flink's WindowJoinOperator (event time): each side's rows are kept per window and join key,
 * nothing is emitted as they come; when the watermark reaches the window's end - 1 ms, the
 * window's rows are joined (INNER, LEFT, RIGHT, FULL: each left row with each right row meeting
 * the residual, in arrival order, then the outer sides' rows that met none padded with NULLs;
 * SEMI / ANTI: each left row that meets a right row / meets none), emitted once as +I, and the
 * window's state is gone. A row of a window that has already fired is late: dropped and counted.
 * A NULL in a join key (not IS NOT DISTINCT FROM) matches nothing. State lives in a SpillableMap,
 * so it spills under the state memory budget.
 */
export class WindowJoinOperator implements Operator {
  numLateRecordsDropped = 0;
  private readonly keyOf: [(row: Row) => string, (row: Row) => string];
  private readonly residual: Evaluator | undefined;
  private readonly nulls: [Row, Row];
  private readonly outer: [boolean, boolean];
  private readonly state = new SpillableMap(codec);
  private readonly index: WindowIndex;

  constructor(
    private readonly spec: WindowJoinSpec,
    time: WindowTime,
    env: EvalEnv,
  ) {
    let unmatched = 0;
    const keyOf = (keys: readonly number[]) => {
      const select = keySelector(keys);
      return (row: Row): string => {
        // A NULL key matches nothing: each such row is alone under a key of its own.
        if (keys.some((k, i) => !spec.nullSafe?.[i] && (row[k] ?? null) === null)) return `u${unmatched++}`;
        const key = select(row);
        return `${typeof key === 'symbol' ? 'N' : typeof key}:${String(key)}`;
      };
    };
    this.keyOf = [keyOf(spec.leftKeys), keyOf(spec.rightKeys)];
    this.residual = spec.residual ? compileExpression(spec.residual, env) : undefined;
    this.nulls = [new Array<Value>(spec.widths[0]).fill(null), new Array<Value>(spec.widths[1]).fill(null)];
    this.outer = [spec.type === 'LEFT' || spec.type === 'FULL', spec.type === 'RIGHT' || spec.type === 'FULL'];
    this.index = new WindowIndex(time);
  }

  /** Window and key entries held, for tests. */
  get entriesHeld(): number {
    return this.state.size;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], input: number): Change[] {
    const side = input === 0 ? 0 : 1;
    for (const change of changes) {
      // The planner gives a window join insert-only inputs.
      const value = change.row[this.spec.windowEnds[side]] ?? null;
      if (value === null) continue;
      const end = epochMillis(value as TimeValue);
      if (this.index.isLate(end)) {
        this.numLateRecordsDropped += 1;
        continue;
      }
      const mapKey = `${end}\u0002${this.keyOf[side](change.row)}`;
      let entry = this.state.get(mapKey);
      if (!entry) {
        entry = { sides: [[], []], bytes: ENTRY_BYTES };
        this.state.set(mapKey, entry);
        this.index.add(end, mapKey);
      }
      const packed = change.packed ?? pack(change.row);
      entry.sides[side].push(packed);
      entry.bytes += packed.length + ROW_BYTES;
      this.state.grow(packed.length + ROW_BYTES);
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.fire(this.index.onTime('ROWTIME', watermark));
  }

  private fire(due: ReturnType<WindowIndex['due']>): Change[] {
    const out: Change[] = [];
    for (const { keys } of due) {
      for (const key of keys) {
        const entry = this.state.get(key);
        if (!entry) continue;
        this.state.delete(key);
        this.join(entry.sides[0].map(unpack), entry.sides[1].map(unpack), out);
      }
    }
    return out;
  }

  private join(left: readonly Row[], right: readonly Row[], out: Change[]): void {
    const { type } = this.spec;
    const rightMatched = new Array<boolean>(right.length).fill(false);
    for (const l of left) {
      let matched = false;
      for (const [i, r] of right.entries()) {
        const pair = [...l, ...r];
        if (this.residual && this.residual(pair) !== true) continue;
        matched = true;
        rightMatched[i] = true;
        if (type === 'SEMI' || type === 'ANTI') break;
        out.push({ kind: '+I', row: pair });
      }
      if (type === 'SEMI' ? matched : type === 'ANTI' && !matched) out.push({ kind: '+I', row: l });
      else if (!matched && this.outer[0]) out.push({ kind: '+I', row: [...l, ...this.nulls[1]] });
    }
    if (!this.outer[1]) return;
    for (const [i, r] of right.entries()) if (!rightMatched[i]) out.push({ kind: '+I', row: [...this.nulls[0], ...r] });
  }
}
