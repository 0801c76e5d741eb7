import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import type { StateRetention } from '../state/idle-state.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import { epochMillis, type TimeValue } from '../types/time-value.ts';
import type { Change, RowKind } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import { keySelector } from './row-key.ts';
import { TimerQueue } from './timer-queue.ts';

export interface TemporalJoinSpec {
  readonly type: 'INNER' | 'LEFT';
  readonly leftKeys: readonly number[];
  readonly rightKeys: readonly number[];
  readonly widths: readonly [number, number];
  /** The rowtime attribute of each side, among that side's fields. */
  readonly leftTimeIndex: number;
  readonly rightTimeIndex: number;
  /** The rest of the condition, over left ++ right fields. */
  readonly residual?: BoundExpr;
}

interface Version {
  readonly time: number;
  readonly row: PackedRow;
  readonly kind: RowKind;
}

interface Waiting {
  readonly row: PackedRow;
  readonly kind: RowKind;
}

/**
 * One join key: left rows waiting for the watermark (arrival order), versions by time, the key's
 * timer, and with a state TTL the processing time at which the key's state is cleared.
 */
interface KeyState {
  left: Waiting[];
  right: Version[];
  timer: number | undefined;
  cleanup?: number | undefined;
  bytes: number;
}

const KEY_BYTES = 160;
const ROW_BYTES = 56;
const KINDS: readonly RowKind[] = ['+I', '-U', '+U', '-D'];

function bytesOf(state: KeyState): number {
  let bytes = KEY_BYTES;
  for (const waiting of state.left) bytes += waiting.row.length + ROW_BYTES;
  for (const version of state.right) bytes += version.row.length + ROW_BYTES;
  return bytes;
}

const codec: StateCodec<KeyState> = {
  bytes: (state) => state.bytes,
  encode: (state) =>
    pack([
      state.left.map((w) => w.row),
      state.left.map((w) => KINDS.indexOf(w.kind)),
      state.right.map((v) => v.time),
      state.right.map((v) => v.row),
      state.right.map((v) => KINDS.indexOf(v.kind)),
      state.timer ?? null,
      state.cleanup ?? null,
    ] as Value[]),
  decode: (packed) => {
    const [leftRows, leftKinds, times, rows, kinds, timer, cleanup] = unpack(packed) as [
      PackedRow[],
      number[],
      number[],
      PackedRow[],
      number[],
      number | null,
      number | null | undefined,
    ];
    const state: KeyState = {
      left: leftRows.map((row, i) => ({ row, kind: KINDS[leftKinds[i] as number] as RowKind })),
      right: times.map((time, i) => ({ time, row: rows[i] as PackedRow, kind: KINDS[kinds[i] as number] as RowKind })),
      timer: timer ?? undefined,
      cleanup: cleanup ?? undefined,
      bytes: 0,
    };
    state.bytes = bytesOf(state);
    return state;
  },
};

/**
 * Flink's event-time temporal join (TemporalRowTimeJoinOperator) of a stream with a versioned table:
 * `JOIN rates FOR SYSTEM_TIME AS OF o.rowtime ON o.currency = r.currency`. Per join key, left rows
 * wait until the watermark reaches their time; then each joins the version of the right row valid
 * at that time (the latest right row whose rowtime is at or before it), and is emitted with its own
 * kind of change, in the order the left rows arrived; a version that is a deletion, a missing
 * version or a residual condition that fails drops the row (INNER) or pads it with NULLs (LEFT).
 * Right rows are kept by their rowtime (a later row with the same rowtime replaces it); a deletion
 * is kept as a version too (at the rowtime of the row it deletes, as ChangelogNormalize gives it).
 * An update's retraction (-U) is ignored: Flink asks the right side for updates without them.
 * When the watermark passes, the versions older than the latest one at or before it are dropped.
 * Each key has one timer, at the earliest time it waits for, as in Flink. A NULL in the join key
 * matches nothing.
 *
 * With a state TTL T (`table.exec.state.ttl`), as Flink's BaseTwoInputStreamOperatorWithStateRetention:
 * each row of a key, and each firing of its timer that leaves rows or versions, moves the key's
 * cleanup to now + 1.5·T (Flink's max retention) when now + T is past it; at the cleanup time the
 * key's state is cleared, waiting left rows (which emit nothing) and versions, the last one too.
 */
export class TemporalJoinOperator implements Operator {
  private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown];
  private readonly keys: [readonly number[], readonly number[]];
  private readonly residual: Evaluator | undefined;
  private readonly nulls: Row;
  private readonly state = new SpillableMap(codec);
  private readonly timers = new TimerQueue();
  /** Processing-time cleanup timers, when there is a state TTL. */
  private readonly cleanups = new TimerQueue();
  private watermark = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly spec: TemporalJoinSpec,
    env: EvalEnv,
    private readonly retention?: StateRetention,
  ) {
    this.keyOf = [keySelector(spec.leftKeys), keySelector(spec.rightKeys)];
    this.keys = [spec.leftKeys, spec.rightKeys];
    this.residual = spec.residual ? compileExpression(spec.residual, env) : undefined;
    this.nulls = new Array<Value>(spec.widths[1]).fill(null);
  }

  /** Keys with rows in state, for tests. */
  get keysHeld(): number {
    return this.state.size;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], input: number): Change[] {
    const out: Change[] = [];
    const side = input === 0 ? 0 : 1;
    for (const change of changes) {
      const row = change.row;
      if (side === 1 && change.kind === '-U') continue;
      const value = row[side === 0 ? this.spec.leftTimeIndex : this.spec.rightTimeIndex] ?? null;
      if (value === null) continue;
      const time = epochMillis(value as TimeValue);
      if (this.keys[side].some((i) => (row[i] ?? null) === null)) {
        // A NULL key joins nothing: a LEFT row goes out padded once the watermark reaches it.
        if (side === 1 || this.spec.type !== 'LEFT') continue;
      }
      const key = this.keyOf[side](row);
      let state = this.state.get(key);
      if (!state) {
        state = { left: [], right: [], timer: undefined, bytes: 0 };
        this.state.set(key, state);
      }
      if (side === 0) state.left.push({ row: pack(row), kind: change.kind });
      else this.putVersion(state, { time, row: pack(row), kind: change.kind });
      if (state.timer === undefined || state.timer > time) {
        state.timer = time;
        this.timers.register(time, key);
      }
      this.registerCleanup(key, state);
      this.settle(key, state);
    }
    return out;
  }

  /** Clears the state of the keys whose cleanup time has come. */
  onProcessingTime(): Change[] {
    if (!this.retention) return [];
    this.cleanups.fire(this.retention.now(), (time, key) => {
      const state = this.state.get(key);
      if (state?.cleanup === time) this.state.delete(key);
    });
    return [];
  }

  /** Moves the key's cleanup to now + 1.5·T when now + T is past it (Flink's registerProcessingCleanupTimer). */
  private registerCleanup(key: unknown, state: KeyState): void {
    if (!this.retention) return;
    const now = this.retention.now();
    const { ttlMs } = this.retention;
    if (state.cleanup !== undefined && now + ttlMs <= state.cleanup) return;
    state.cleanup = now + Math.floor((ttlMs * 3) / 2);
    this.cleanups.register(state.cleanup, key);
  }

  onWatermark(watermark: number): Change[] {
    this.watermark = watermark;
    const out: Change[] = [];
    this.timers.fire(watermark, (timer, key) => this.onTimer(timer, key, out));
    return out;
  }

  private putVersion(state: KeyState, version: Version): void {
    const right = state.right;
    let at = right.length;
    while (at > 0 && (right[at - 1] as Version).time > version.time) at--;
    if (at > 0 && (right[at - 1] as Version).time === version.time) right[at - 1] = version;
    else right.splice(at, 0, version);
  }

  private onTimer(timer: number, key: unknown, out: Change[]): void {
    const state = this.state.get(key);
    if (!state || state.timer !== timer) return;
    state.timer = undefined;
    const watermark = this.watermark;
    const waiting: Waiting[] = [];
    let lastUnprocessed = Number.POSITIVE_INFINITY;
    for (const left of state.left) {
      const row = unpack(left.row);
      const time = epochMillis(row[this.spec.leftTimeIndex] as TimeValue);
      if (time > watermark) {
        waiting.push(left);
        lastUnprocessed = Math.min(lastUnprocessed, time);
        continue;
      }
      const version = this.versionAt(state.right, time);
      const joined = version && isAccumulate(version.kind) ? [...row, ...unpack(version.row)] : undefined;
      if (joined && (!this.residual || this.residual(joined) === true)) out.push({ kind: left.kind, row: joined });
      else if (this.spec.type === 'LEFT') out.push({ kind: left.kind, row: [...row, ...this.nulls] });
    }
    state.left = waiting;
    // Keep the latest version at or before the watermark, and every later one.
    let keep = state.right.findIndex((v) => v.time > watermark) - 1;
    if (keep < -1) keep = state.right.length - 1;
    if (keep > 0) state.right = state.right.slice(keep);
    if (lastUnprocessed < Number.POSITIVE_INFINITY) {
      state.timer = lastUnprocessed;
      this.timers.register(lastUnprocessed, key);
    }
    if (lastUnprocessed < Number.POSITIVE_INFINITY || state.right.length > 0) this.registerCleanup(key, state);
    else state.cleanup = undefined;
    this.settle(key, state);
  }

  /** The latest version at or before `time`. */
  private versionAt(right: readonly Version[], time: number): Version | undefined {
    let low = 0;
    let high = right.length - 1;
    let found: Version | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const version = right[mid] as Version;
      if (version.time <= time) {
        found = version;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }

  private settle(key: unknown, state: KeyState): void {
    if (state.left.length === 0 && state.right.length === 0 && state.timer === undefined) {
      this.state.delete(key);
      return;
    }
    const bytes = bytesOf(state);
    this.state.grow(bytes - state.bytes);
    state.bytes = bytes;
  }
}
