import type { Row } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector, rowsEqual } from './row-key.ts';

/** The rows one sink key holds, with their estimated heap bytes. */
interface Held {
  readonly rows: Row[];
  bytes: number;
}

/** Heap bytes of a key's entry, and of a row: its array, a slot per field and the text of its strings. */
const HELD_BYTES = 120;

function rowBytes(row: Row): number {
  let bytes = 32 + 16 * row.length;
  for (const value of row) if (typeof value === 'string') bytes += 2 * value.length;
  return bytes;
}

const heldCodec: StateCodec<Held> = {
  bytes: (held) => held.bytes,
  encode: (held) => pack([held.rows.map((row) => pack(row)), held.bytes]),
  decode: (packed) => {
    const [rows, bytes] = unpack(packed) as [PackedRow[], number];
    return { rows: rows.map((row) => unpack(row)), bytes };
  },
};

/**
 * Flink's SinkUpsertMaterializer, for a sink keyed differently from its input: per sink key it
 * keeps the rows the input currently holds, in arrival order, so that a retraction of one of them
 * (which the sink could not tell apart by its key) turns into the right upsert or delete. The last
 * row is the one the sink shows. A retraction removes the first stored row equal to it: equal in
 * the input's upsert key when the input has one (a new row for that key then replaces the stored
 * one in place), in every column otherwise. With a state TTL, a sink key not written for that
 * long is forgotten, as Flink's state is: a later retraction of it changes nothing.
 */
export class UpsertMaterializerOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly same: (a: Row, b: Row) => boolean;
  private readonly byUpsertKey: boolean;
  private readonly held = new SpillableMap(heldCodec);
  private readonly times: WriteTimes | undefined;

  constructor(
    sinkKey: readonly number[],
    upsertKey?: readonly number[],
    private readonly retention?: StateRetention,
  ) {
    this.keyOf = keySelector(sinkKey);
    this.times = retention ? new WriteTimes(retention) : undefined;
    this.byUpsertKey = upsertKey !== undefined && upsertKey.length > 0;
    if (this.byUpsertKey) {
      const upsertKeyOf = keySelector(upsertKey as readonly number[]);
      this.same = (a, b) => upsertKeyOf(a) === upsertKeyOf(b);
    } else {
      this.same = rowsEqual;
    }
  }

  private indexOf(list: readonly Row[], row: Row): number {
    for (let i = 0; i < list.length; i++) if (this.same(list[i] as Row, row)) return i;
    return -1;
  }

  close(): void {
    this.held.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const times = this.times;
    const now = this.retention ? this.retention.now() : 0;
    for (const change of changes) {
      const key = this.keyOf(change.row);
      if (times?.expired(key, now)) {
        this.held.delete(key);
        times.forget(key);
      }
      let held = this.held.get(key);
      if (change.kind === '+I' || change.kind === '+U') {
        if (!held) {
          held = { rows: [], bytes: HELD_BYTES };
          this.held.set(key, held);
        }
        const list = held.rows;
        const kind = list.length === 0 ? '+I' : '+U';
        const index = this.byUpsertKey ? this.indexOf(list, change.row) : -1;
        const grown = rowBytes(change.row) - (index < 0 ? 0 : rowBytes(list[index] as Row));
        if (index < 0) list.push(change.row);
        else list[index] = change.row;
        held.bytes += grown;
        this.held.grow(grown);
        times?.written(key, now);
        out.push({ kind, row: change.row, time: change.time });
        continue;
      }
      if (!held) continue;
      const list = held.rows;
      const index = this.indexOf(list, change.row);
      if (index < 0) continue;
      const wasCurrent = index === list.length - 1;
      const shrunk = rowBytes(list[index] as Row);
      list.splice(index, 1);
      held.bytes -= shrunk;
      this.held.grow(-shrunk);
      if (list.length === 0) {
        this.held.delete(key);
        times?.forget(key);
        out.push({ kind: '-D', row: change.row, time: change.time });
        continue;
      }
      times?.written(key, now);
      if (wasCurrent) out.push({ kind: '+U', row: list[list.length - 1] as Row, time: change.time });
    }
    return out;
  }

  /** Gives back the memory of sink keys whose state has expired. */
  onProcessingTime(): Change[] {
    if (this.times && this.retention) this.times.sweep(this.retention.now(), (key) => this.held.delete(key));
    return [];
  }
}
