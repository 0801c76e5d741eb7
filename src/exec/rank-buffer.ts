import { compareValues } from '../expr/functions/comparison.ts';
import type { Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import type { StateCodec } from '../state/spillable-map.ts';
import { rowsEqual } from './row-key.ts';

/** One ORDER BY column of a ROW_NUMBER window: NULLs sort first unless `nullsFirst` says otherwise. */
export interface SortField {
  readonly field: number;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** The rows of one sort key, in arrival order (ties keep it, as in Flink's TopNBuffer). */
export interface RankEntry {
  readonly key: Value[];
  readonly rows: Row[];
}

/**
 * The rows one partition holds, sorted by their sort key, with their estimated heap bytes, and
 * the partition's rank end when it is read from the rows (fixed by the first row, as Flink keeps it).
 */
export interface RankPartition {
  readonly entries: RankEntry[];
  bytes: number;
  rankEnd?: number;
}

/** Heap bytes of a partition's entry and Map slot, of a sort key entry, and of a row. */
const PARTITION_BYTES = 120;
const ENTRY_BYTES = 64;

export function rowBytes(row: Row): number {
  let bytes = 32 + 16 * row.length;
  for (const value of row) if (typeof value === 'string') bytes += 2 * value.length;
  return bytes;
}

export function emptyPartition(): RankPartition {
  return { entries: [], bytes: PARTITION_BYTES };
}

export const partitionCodec: StateCodec<RankPartition> = {
  bytes: (partition) => partition.bytes,
  encode: (partition) =>
    pack([
      partition.entries.map((entry) => [entry.key, entry.rows.map((row) => pack(row))]),
      partition.bytes,
      partition.rankEnd ?? null,
    ]),
  decode: (packed) => {
    const [entries, bytes, rankEnd] = unpack(packed) as [[Value[], PackedRow[]][], number, number | null | undefined];
    return {
      entries: entries.map(([key, rows]) => ({ key: [...key], rows: rows.map(unpack) })),
      bytes,
      ...(typeof rankEnd === 'number' ? { rankEnd } : {}),
    };
  },
};

/** Orders sort keys as the ORDER BY of the window says (NULL lowest unless NULLS FIRST/LAST is written). */
export function sortKeyComparator(fields: readonly SortField[]): (a: readonly Value[], b: readonly Value[]) => number {
  return (a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as SortField;
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      let c: number;
      if (x === null || y === null) {
        if (x === y) continue;
        c = (x === null) === field.nullsFirst ? -1 : 1;
      } else {
        c = compareValues(x, y);
        if (field.descending) c = -c;
      }
      if (c !== 0) return c;
    }
    return 0;
  };
}

/**
 * A partition's sorted rows with the operations the Top-N algorithms need; `bytes` is kept up to
 * date and `grown` reports each change of it to the keyed state.
 */
export class SortedRows {
  constructor(
    readonly partition: RankPartition,
    private readonly compare: (a: readonly Value[], b: readonly Value[]) => number,
    private readonly grown: (bytes: number) => void,
  ) {}

  get entries(): RankEntry[] {
    return this.partition.entries;
  }

  /** The number of rows held. */
  count(): number {
    let n = 0;
    for (const entry of this.partition.entries) n += entry.rows.length;
    return n;
  }

  /** The index of the entry of `key`, or -(insertion point) - 1. */
  find(key: readonly Value[]): number {
    const entries = this.partition.entries;
    let low = 0;
    let high = entries.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const c = this.compare((entries[mid] as RankEntry).key, key);
      if (c < 0) low = mid + 1;
      else if (c > 0) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }

  /** Adds a row after the rows of its sort key; returns its position among them (1-based). */
  add(key: Value[], row: Row): number {
    let at = this.find(key);
    if (at < 0) {
      at = -at - 1;
      this.partition.entries.splice(at, 0, { key, rows: [] });
      this.account(ENTRY_BYTES + rowBytes(key));
    }
    const rows = (this.partition.entries[at] as RankEntry).rows;
    rows.push(row);
    this.account(rowBytes(row));
    return rows.length;
  }

  /** Removes the `index`-th row of the entry at `at`, and the entry when it is left empty. */
  removeAt(at: number, index: number): Row {
    const entry = this.partition.entries[at] as RankEntry;
    const [row] = entry.rows.splice(index, 1) as [Row];
    this.account(-rowBytes(row));
    if (entry.rows.length === 0) this.removeEntry(at);
    return row;
  }

  /** Removes the first row equal to `row` under its sort key; false when none is held. */
  remove(key: readonly Value[], row: Row): boolean {
    const at = this.find(key);
    if (at < 0) return false;
    const index = (this.partition.entries[at] as RankEntry).rows.findIndex((held) => rowsEqual(held, row));
    if (index < 0) return false;
    this.removeAt(at, index);
    return true;
  }

  removeEntry(at: number): void {
    const [entry] = this.partition.entries.splice(at, 1) as [RankEntry];
    let bytes = ENTRY_BYTES + rowBytes(entry.key);
    for (const row of entry.rows) bytes += rowBytes(row);
    this.account(-bytes);
  }

  /** Removes every entry from `at` on. */
  truncate(at: number): void {
    while (this.partition.entries.length > at) this.removeEntry(this.partition.entries.length - 1);
  }

  /** The row now in place of `previous` (same position), for a row whose content changed. */
  replace(at: number, index: number, row: Row): void {
    const rows = (this.partition.entries[at] as RankEntry).rows;
    this.account(rowBytes(row) - rowBytes(rows[index] as Row));
    rows[index] = row;
  }

  private account(bytes: number): void {
    this.partition.bytes += bytes;
    this.grown(bytes);
  }
}
