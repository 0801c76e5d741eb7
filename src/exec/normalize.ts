import type { Row } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector } from './row-key.ts';

/** A row is stored packed already; 80 bytes is its key and Map slot. */
const packedRowCodec: StateCodec<PackedRow> = {
  bytes: (packed) => packed.length + 80,
  encode: (packed) => packed,
  decode: (packed) => packed,
};

/**
 * ChangelogNormalize: turns upserts by key (+I/+U as "this is the row now", -D as "the key is
 * gone") into a retract stream: +I for a new key, -U/+U with the previous row for a changed one,
 * -D with the full previous row for a delete (a tombstone carries only the key). A repeated
 * identical row changes nothing and emits nothing (Flink does so while state TTL is off, which is
 * all Rivulet has). A -U is a delete as well, as in Flink: no +U has to follow it.
 */
export class NormalizeOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  /** The current row of each key, packed (see src/state/packed-row.ts). */
  private readonly state = new SpillableMap(packedRowCodec);

  constructor(key: readonly number[]) {
    this.keyOf = keySelector(key);
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    for (const change of changes) {
      const key = this.keyOf(change.row);
      const previous = this.state.get(key);
      switch (change.kind) {
        case '+I':
        case '+U': {
          const packed = change.packed ?? pack(change.row);
          if (previous === undefined) {
            out.push({ kind: '+I', row: change.row, packed, time: change.time });
          } else if (previous !== packed) {
            out.push(
              { kind: '-U', row: unpack(previous), packed: previous, time: change.time },
              { kind: '+U', row: change.row, packed, time: change.time },
            );
          } else {
            continue;
          }
          this.state.set(key, packed);
          break;
        }
        case '-D':
        case '-U':
          if (previous !== undefined) {
            out.push({ kind: '-D', row: unpack(previous), packed: previous, time: change.time });
            this.state.delete(key);
          }
          break;
      }
    }
    return out;
  }
}
