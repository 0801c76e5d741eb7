import type { Row } from '../expr/value.ts';
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
 * one in place), in every column otherwise.
 */
export class UpsertMaterializerOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly same: (a: Row, b: Row) => boolean;
  private readonly byUpsertKey: boolean;
  private readonly held = new SpillableMap(heldCodec);

  constructor(sinkKey: readonly number[], upsertKey?: readonly number[]) {
    this.keyOf = keySelector(sinkKey);
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
    for (const change of changes) {
      const key = this.keyOf(change.row);
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
        out.push({ kind: '-D', row: change.row, time: change.time });
      } else if (wasCurrent) {
        out.push({ kind: '+U', row: list[list.length - 1] as Row, time: change.time });
      }
    }
    return out;
  }
}
