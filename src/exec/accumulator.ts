import type { Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { rowKey } from './row-key.ts';

/**
 * The running state of one aggregate of one group; every value it took can be taken back. Its
 * state can be saved (as plain data the v8 serializer writes) and given to the factory again.
 */
export interface Accumulator {
  add(value: Value): void;
  retract(value: Value): void;
  result(): Value;
  save(): unknown;
  /** Estimated heap bytes. */
  weight(): number;
}

/** Heap bytes of an accumulator of fixed size, and of each value one keeps. */
export const FIXED = 64;
export const PER_VALUE = 96;

/** Non-null values, each with how many copies are present; saved as the values packed and their counts. */
export class ValueCounts {
  private readonly entries = new Map<string, { value: Value; count: number }>();

  constructor(saved: unknown) {
    if (!saved) return;
    const [packed, counts] = saved as [PackedRow, number[]];
    unpack(packed).forEach((value, i) => {
      this.entries.set(rowKey([value]), { value, count: counts[i] as number });
    });
  }

  get size(): number {
    return this.entries.size;
  }

  add(value: Value): void {
    const key = rowKey([value]);
    const entry = this.entries.get(key);
    if (entry) entry.count += 1;
    else this.entries.set(key, { value, count: 1 });
  }

  /** Takes a copy back; true when that was the last one. A value not present is ignored. */
  remove(value: Value): boolean {
    const key = rowKey([value]);
    const entry = this.entries.get(key);
    if (!entry) return false;
    entry.count -= 1;
    if (entry.count > 0) return false;
    this.entries.delete(key);
    return true;
  }

  values(): IterableIterator<{ readonly value: Value; readonly count: number }> {
    return this.entries.values();
  }

  save(): unknown {
    const all = [...this.entries.values()];
    return [pack(all.map((entry) => entry.value)), all.map((entry) => entry.count)];
  }
}
