import { compareValues } from '../expr/functions/comparison.ts';
import type { Row, Value } from '../expr/value.ts';
import { type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import type { Change } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import { keySelector } from './row-key.ts';

/** ROW_NUMBER() OVER (PARTITION BY keys ORDER BY time attribute) = 1. */
export interface DeduplicateSpec {
  readonly keys: readonly number[];
  /** ORDER BY the time attribute DESC: the last row is kept (otherwise the first). */
  readonly keepLastRow: boolean;
  /** The time attribute is event time (a rowtime); otherwise processing time. */
  readonly rowtime: boolean;
  /** The time attribute's field (read for a rowtime). */
  readonly timeField: number;
}

/** The row a key holds, packed; 80 bytes is its key and Map slot. */
const rowCodec: StateCodec<PackedRow> = {
  bytes: (packed) => packed.length + 80,
  encode: (packed) => packed,
  decode: (packed) => packed,
};

/** NULL times sort first, as NULLs do in an ORDER BY. */
function compareTimes(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareValues(a, b);
}

/**
 * Flink's Deduplicate (its deduplicate functions without mini-batches), for an insert-only input:
 * - first row on processing time: the first row of each key is emitted (+I), later ones dropped;
 * - last row on processing time: each row replaces the key's previous one (+I, then -U/+U),
 *   a row equal to the previous one emits nothing unless a state TTL is set;
 * - on event time: a row replaces the previous one when its rowtime is not older (last row) or
 *   strictly older (first row), emitting +I or -U/+U; a row that does not is dropped. Rows are
 *   processed as they arrive, without waiting for the watermark, as in Flink.
 * With a state TTL, a key not written for that long is forgotten: its next row is a +I.
 */
export class DeduplicateOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly state = new SpillableMap(rowCodec);
  private readonly times: WriteTimes | undefined;

  constructor(
    private readonly spec: DeduplicateSpec,
    private readonly retention?: StateRetention,
  ) {
    this.keyOf = keySelector(spec.keys);
    this.times = retention ? new WriteTimes(retention) : undefined;
  }

  close(): void {
    this.state.close();
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const times = this.times;
    const now = this.retention ? this.retention.now() : 0;
    const { keepLastRow, rowtime, timeField } = this.spec;
    for (const change of changes) {
      // The planner gives a deduplicate only insert-only inputs.
      if (!isAccumulate(change.kind)) continue;
      const key = this.keyOf(change.row);
      if (times?.expired(key, now)) {
        this.state.delete(key);
        times.forget(key);
      }
      const previous = this.state.get(key);
      const time = change.time;
      if (!rowtime && !keepLastRow) {
        if (previous !== undefined) continue;
        this.state.set(key, '' as PackedRow);
        times?.written(key, now);
        out.push({ kind: '+I', row: change.row, time });
        continue;
      }
      const packed = change.packed ?? pack(change.row);
      const previousRow = previous === undefined ? undefined : unpack(previous);
      if (rowtime && previousRow) {
        const c = compareTimes(change.row[timeField] ?? null, previousRow[timeField] ?? null);
        if (keepLastRow ? c < 0 : c >= 0) continue;
      }
      if (!rowtime && previous === packed && !times) continue;
      this.state.set(key, packed);
      times?.written(key, now);
      if (previousRow === undefined) {
        out.push({ kind: '+I', row: change.row, packed, time });
      } else {
        out.push(
          { kind: '-U', row: previousRow, packed: previous, time },
          { kind: '+U', row: change.row, packed, time },
        );
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
