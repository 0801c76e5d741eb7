import type { EvalEnv } from '../expr/eval-env.ts';
import type { Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { DataType } from '../types/data-type.ts';
import { localMillisToInstant } from '../types/temporal.ts';
import { fromEpochMillis } from '../types/time-value.ts';
import { type Accumulator, type AggregateCall, accumulatorFactory, callInput } from './accumulators.ts';
import type { Change } from './change.ts';
import { type WindowProperty, windowProperties } from './group-window.ts';
import { type Operator, timersDueAt } from './operator.ts';
import { keySelector } from './row-key.ts';
import { timerInstant, type WindowTime } from './window-time.ts';

/** GROUP BY SESSION(...) or a window aggregate over a SESSION window TVF: what the operator needs of the plan. */
export interface SessionWindowSpec {
  /** The fields sessions are kept apart by: the group keys other than the window. */
  readonly partitionKeys: readonly number[];
  /** Milliseconds without rows after which a session ends. */
  readonly gap: number;
  readonly calls: readonly AggregateCall[];
  /**
   * The output row: for GROUP BY SESSION(...), the partition keys, the aggregates and the window
   * properties; for a window TVF aggregate, each group key (a partition key by its position among
   * them, or window_start, window_end, window_time) and then the aggregates.
   */
  readonly layout:
    | { readonly kind: 'properties'; readonly properties: readonly WindowProperty[] }
    | { readonly kind: 'windowKeys'; readonly keys: readonly (number | 'start' | 'end' | 'time')[] };
}

/** One session of a key: [start, end) in wall-clock milliseconds and its rows with their arrival numbers. */
interface Session {
  start: number;
  end: number;
  readonly rows: [number, PackedRow][];
}

/** The open sessions of one key. */
interface KeySessions {
  readonly keys: Value[];
  readonly sessions: Session[];
  bytes: number;
}

const KEY_BYTES = 160;
const SESSION_BYTES = 80;
const ROW_BYTES = 48;

/** A binary min-heap of session timers: (trigger, key); stale entries are skipped when they come up. */
class Timers {
  private readonly heap: { trigger: number; key: unknown }[] = [];

  push(trigger: number, key: unknown): void {
    const heap = this.heap;
    heap.push({ trigger, key });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as { trigger: number }).trigger <= trigger) break;
      [heap[i], heap[parent]] = [heap[parent] as { trigger: number; key: unknown }, heap[i] as never];
      i = parent;
    }
  }

  /** Removes and returns the keys of every timer at or before `time`, in order of trigger. */
  popUntil(time: number): unknown[] {
    const keys: unknown[] = [];
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as { trigger: number }).trigger <= time) {
      keys.push((heap[0] as { key: unknown }).key);
      const last = heap.pop() as { trigger: number; key: unknown };
      if (heap.length === 0) break;
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (
          left < heap.length &&
          (heap[left] as { trigger: number }).trigger < (heap[smallest] as { trigger: number }).trigger
        )
          smallest = left;
        if (
          right < heap.length &&
          (heap[right] as { trigger: number }).trigger < (heap[smallest] as { trigger: number }).trigger
        )
          smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as { trigger: number; key: unknown }, heap[i] as never];
        i = smallest;
      }
    }
    return keys;
  }
}

/**
 * Session windows, as Flink's merging window operator keeps them: per key, each row opens the
 * window [time, time + gap), which merges with every open session it overlaps or touches
 * (Flink's TimeWindow.intersects: start <= other end and end >= other start) into one session
 * from the earliest start to the latest end. A session fires when time reaches its end - 1 ms
 * (the watermark for event time; for processing time the clock has passed it, see timersDueAt): one +I with its keys, its
 * aggregates and its bounds; then it is gone. An event-time row whose own window has fired and
 * touches no open session is late: dropped and counted. Sessions keep their rows (packed, with
 * their arrival numbers), so that merged sessions aggregate them in arrival order; the sessions of
 * a key live in a SpillableMap, so they spill under the state memory budget.
 */
export class SessionWindowAggregateOperator implements Operator {
  numLateRecordsDropped = 0;
  /** Processing-time rows skipped because they were re-read after a restart (see `replaying`). */
  numReplayedRecordsSkipped = 0;
  private readonly keyOf: (row: Row) => unknown;
  private readonly state: SpillableMap<KeySessions>;
  private readonly timers = new Timers();
  private readonly factories: ((saved?: unknown) => Accumulator)[];
  private readonly properties: ((start: number, end: number) => Value[]) | undefined;
  private progress = Number.NEGATIVE_INFINITY;
  private arrivals = 0;

  constructor(
    private readonly spec: SessionWindowSpec,
    inputTypes: readonly DataType[],
    private readonly time: WindowTime,
    env: EvalEnv,
    /** A row's time (wall-clock milliseconds), null when it has none. */
    private readonly timeOf: (row: Row) => number | null,
    /** True while the job re-reads records processed before a restart (processing time skips them). */
    private readonly replaying: () => boolean = () => false,
  ) {
    this.keyOf = keySelector(spec.partitionKeys);
    this.factories = spec.calls.map((call) => accumulatorFactory(call, inputTypes));
    this.properties =
      spec.layout.kind === 'properties' ? windowProperties(spec.layout.properties, time, env) : undefined;
    this.state = new SpillableMap<KeySessions>({
      bytes: (entry) => entry.bytes,
      encode: (entry) =>
        pack([entry.keys, entry.sessions.map((s) => [s.start, s.end, s.rows] as unknown as Value), entry.bytes]),
      decode: (packed) => {
        const [keys, sessions, bytes] = unpack(packed) as [Value[], [number, number, [number, PackedRow][]][], number];
        return {
          keys: [...keys],
          sessions: sessions.map(([start, end, rows]) => ({ start, end, rows: rows.map(([n, row]) => [n, row]) })),
          bytes,
        };
      },
    });
  }

  close(): void {
    this.state.close();
  }

  private trigger(end: number): number {
    return this.time.zone ? timerInstant(this.time.zone, end - 1) : end - 1;
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    if (this.time.kind === 'PROCTIME' && this.replaying()) {
      this.numReplayedRecordsSkipped += changes.length;
      return [];
    }
    const gap = this.spec.gap;
    const eventTime = this.time.kind === 'ROWTIME';
    for (const change of changes) {
      // The planner gives a session window aggregate an insert-only input.
      const timestamp = this.timeOf(change.row);
      if (timestamp === null) continue;
      const key = this.keyOf(change.row);
      const entry = this.state.get(key);
      let start = timestamp;
      let end = timestamp + gap;
      const merged: Session[] = [];
      for (const session of entry?.sessions ?? []) {
        if (session.start <= end && session.end >= start) merged.push(session);
      }
      for (const session of merged) {
        start = Math.min(start, session.start);
        end = Math.max(end, session.end);
      }
      const trigger = this.trigger(end);
      if (eventTime && trigger <= this.progress) {
        this.numLateRecordsDropped += 1;
        continue;
      }
      const packed = change.packed ?? pack(change.row);
      const rows: [number, PackedRow][] = merged.flatMap((s) => s.rows);
      rows.sort((a, b) => a[0] - b[0]);
      rows.push([this.arrivals++, packed]);
      const session: Session = { start, end, rows };
      const current: KeySessions = entry ?? {
        keys: this.spec.partitionKeys.map((i) => change.row[i] ?? null),
        sessions: [],
        bytes: KEY_BYTES,
      };
      const kept = current.sessions.filter((s) => !merged.includes(s));
      current.sessions.length = 0;
      current.sessions.push(...kept, session);
      const bytes = KEY_BYTES + current.sessions.reduce((n, s) => n + SESSION_BYTES + rowsBytes(s.rows), 0);
      if (entry) {
        this.state.grow(bytes - entry.bytes);
        entry.bytes = bytes;
      } else {
        current.bytes = bytes;
        this.state.set(key, current);
      }
      this.timers.push(trigger, key);
    }
    return [];
  }

  onWatermark(watermark: number): Change[] {
    return this.time.kind === 'ROWTIME' ? this.fire(watermark) : [];
  }

  onProcessingTime(now: number): Change[] {
    return this.time.kind === 'PROCTIME' ? this.fire(timersDueAt(now)) : [];
  }

  /** Emits every session complete at `time`, in order of their end (then of their first row). */
  private fire(time: number): Change[] {
    if (time > this.progress) this.progress = time;
    const due: { trigger: number; first: number; keys: Value[]; session: Session }[] = [];
    for (const key of new Set(this.timers.popUntil(time))) {
      const entry = this.state.get(key);
      if (!entry) continue;
      const open = entry.sessions.filter((s) => {
        const trigger = this.trigger(s.end);
        if (trigger > time) return true;
        due.push({ trigger, first: (s.rows[0] as [number, PackedRow])[0], keys: entry.keys, session: s });
        return false;
      });
      if (open.length === 0) {
        this.state.delete(key);
        continue;
      }
      const bytes = KEY_BYTES + open.reduce((n, s) => n + SESSION_BYTES + rowsBytes(s.rows), 0);
      entry.sessions.length = 0;
      entry.sessions.push(...open);
      this.state.grow(bytes - entry.bytes);
      entry.bytes = bytes;
    }
    due.sort((a, b) => a.trigger - b.trigger || a.first - b.first);
    return due.map(({ keys, session }) => ({ kind: '+I', row: this.output(keys, session) }));
  }

  private output(keys: Value[], session: Session): Row {
    const inputs = this.spec.calls.map(callInput);
    const accumulators = this.factories.map((f) => f());
    for (const [, packed] of session.rows) {
      const row = unpack(packed);
      inputs.forEach((input, i) => {
        const value = input(row);
        if (value !== undefined) (accumulators[i] as Accumulator).add(value);
      });
    }
    const results = accumulators.map((a) => a.result());
    const layout = this.spec.layout;
    if (layout.kind === 'properties') {
      const properties = this.properties as (start: number, end: number) => Value[];
      return [...keys, ...results, ...properties(session.start, session.end)];
    }
    const { start, end } = session;
    const zone = this.time.zone;
    return [
      ...layout.keys.map((key): Value => {
        if (typeof key === 'number') return keys[key] ?? null;
        if (key === 'start') return fromEpochMillis(start);
        if (key === 'end') return fromEpochMillis(end);
        return fromEpochMillis(zone ? localMillisToInstant(zone, end - 1) : end - 1);
      }),
      ...results,
    ];
  }
}

function rowsBytes(rows: readonly [number, PackedRow][]): number {
  let bytes = 0;
  for (const [, packed] of rows) bytes += ROW_BYTES + packed.length;
  return bytes;
}
