import type { Row } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
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
 * -D with the full previous row for a delete (a tombstone carries only the key). A +I equal to the
 * held row emits nothing while state TTL is off; a +U equal to it is emitted as -U/+U like a
 * change, as in Flink 1.18, whose equaliser compares the row kinds too and holds the row as +I
 * (so an upsert-kafka source's repeats, all +U, are all emitted); with a TTL every repeat is
 * emitted, as Flink does so that the state downstream is written too. A key whose
 * row was not written for the TTL is forgotten: its next row is a +I. A -U is a delete as well, as
 * in Flink: no +U has to follow it.
 */
export class NormalizeOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  /** The current row of each key, packed (see src/state/packed-row.ts). */
  private readonly state = new SpillableMap(packedRowCodec);
  private readonly times: WriteTimes | undefined;

  constructor(
    key: readonly number[],
    private readonly retention?: StateRetention,
  ) {
    this.keyOf = keySelector(key);
    this.times = retention ? new WriteTimes(retention) : undefined;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const times = this.times;
    const now = this.retention ? this.retention.now() : 0;
    for (const change of changes) {
      const key = this.keyOf(change.row);
      if (times?.expired(key, now)) {
        this.state.delete(key);
        times.forget(key);
      }
      const previous = this.state.get(key);
      switch (change.kind) {
        case '+I':
        case '+U': {
          const packed = change.packed ?? pack(change.row);
          if (previous === undefined) {
            out.push({ kind: '+I', row: change.row, packed, time: change.time });
          } else if (previous !== packed || change.kind === '+U' || times) {
            out.push(
              { kind: '-U', row: unpack(previous), packed: previous, time: change.time },
              { kind: '+U', row: change.row, packed, time: change.time },
            );
          } else {
            continue;
          }
          this.state.set(key, packed);
          times?.written(key, now);
          break;
        }
        case '-D':
        case '-U':
          if (previous !== undefined) {
            out.push({ kind: '-D', row: unpack(previous), packed: previous, time: change.time });
            this.state.delete(key);
            times?.forget(key);
          }
          break;
      }
    }
    return out;
  }

  /** Gives back the memory of keys whose state has expired. */
  onProcessingTime(): Change[] {
    if (this.times && this.retention) this.times.sweep(this.retention.now(), (key) => this.state.delete(key));
    return [];
  }
}
