import type { Row, Value } from '../expr/value.ts';
import { pack, unpack } from '../state/packed-row.ts';
import { SpillableMap } from '../state/spillable-map.ts';
import type { DataType } from '../types/data-type.ts';
import { type Accumulator, type AggregateCall, accumulatorFactory, callInput } from './accumulators.ts';
import type { RowKind } from './change.ts';
import { isAccumulate } from './operator.ts';
import { rowKey } from './row-key.ts';
import { WindowIndex } from './window-index.ts';
import type { WindowTime } from './window-time.ts';

/** One group of one window: its keys, the window's start, its row count and accumulators. */
export interface Pane {
  readonly keys: Value[];
  readonly start: number;
  rows: number;
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
 * The groups of the open windows of a window aggregate (a window TVF's, or a legacy TUMBLE or
 * HOP): a pane per window and group key, with the group aggregate's accumulators, in a
 * SpillableMap (so panes spill under the state memory budget), and the open windows in a
 * WindowIndex that says when each fires.
 */
export class WindowPanes {
  private readonly panes: SpillableMap<Pane>;
  readonly index: WindowIndex;
  private readonly factories: ((saved?: unknown) => Accumulator)[];
  private readonly inputs: ((row: Row) => Value | undefined)[];

  constructor(
    private readonly groupKeys: readonly number[],
    calls: readonly AggregateCall[],
    inputTypes: readonly DataType[],
    time: WindowTime,
  ) {
    this.index = new WindowIndex(time);
    this.factories = calls.map((call) => accumulatorFactory(call, inputTypes));
    this.inputs = calls.map(callInput);
    this.panes = new SpillableMap<Pane>({
      bytes: (pane) => pane.bytes,
      encode: (pane) =>
        pack([pane.keys, pane.start, pane.rows, pane.accumulators.map((a) => a.save() as Value), pane.bytes]),
      decode: (packed) => {
        const [keys, start, rows, saved, bytes] = unpack(packed) as [Value[], number, number, Value[], number];
        return { keys: [...keys], start, rows, accumulators: this.factories.map((f, i) => f(saved[i])), bytes };
      },
    });
  }

  close(): void {
    this.panes.close();
  }

  /**
   * Adds (or takes back) a row in its group of the window [start, end); false when the window has
   * already fired (the row is late for it).
   */
  add(kind: RowKind, row: Row, start: number, end: number): boolean {
    if (this.index.isLate(end)) return false;
    const keys = this.groupKeys.map((i) => row[i] ?? null);
    const key = `${end}\u0002${rowKey(keys)}`;
    const accumulate = isAccumulate(kind);
    let pane = this.panes.get(key);
    if (!pane) {
      if (!accumulate) return true;
      pane = { keys, start, rows: 0, accumulators: this.factories.map((f) => f()), bytes: PANE_BYTES };
      this.panes.set(key, pane);
      this.index.add(end, key);
    }
    pane.rows += accumulate ? 1 : -1;
    for (let i = 0; i < this.inputs.length; i++) {
      const value = (this.inputs[i] as (row: Row) => Value | undefined)(row);
      if (value === undefined) continue;
      const accumulator = pane.accumulators[i] as Accumulator;
      if (accumulate) accumulator.add(value);
      else accumulator.retract(value);
    }
    const bytes = paneBytes(pane);
    this.panes.grow(bytes - pane.bytes);
    pane.bytes = bytes;
    return true;
  }

  /**
   * The groups of every window complete at `time` on the windows' own time kind (the watermark for
   * event time, the clock for processing time), in order of window end, with that end; their
   * state is dropped. Groups whose rows were all taken back are left out.
   */
  fire(kind: WindowTime['kind'], time: number): { readonly pane: Pane; readonly end: number }[] {
    const out: { pane: Pane; end: number }[] = [];
    for (const { end, keys } of this.index.onTime(kind, time)) {
      for (const key of keys) {
        const pane = this.panes.get(key);
        if (!pane) continue;
        this.panes.delete(key);
        if (pane.rows > 0) out.push({ pane, end });
      }
    }
    return out;
  }
}
