import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import { expired, type StateRetention, WriteTimes } from '../state/idle-state.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../state/spillable-map.ts';
import type { Change, RowKind } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector, NULL_KEY } from './row-key.ts';

/** SEMI and ANTI emit rows of the left side only: those with (SEMI) or without (ANTI) a partner. */
export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';

/** A bucket with more distinct rows than this gets an index from identity to position. */
const INDEX_FROM = 16;

/**
 * How the rows of a side are told apart within a bucket: by their whole value; by their unique
 * key; or not at all, where the join key contains the unique key (at most one row per bucket).
 */
type Identity = 'row' | 'unique key' | 'join key';

class Bucket {
  rows: (PackedRow | undefined)[] = [];
  /** The unique key of each row (sides with a unique key the join key does not contain). */
  ids: unknown[] | undefined;
  /** Copies of each row (sides without a unique key). */
  counts: number[] | undefined;
  /** With how many rows of the other side each row joins (outer sides of a join with a residual or a TTL). */
  associations: number[] | undefined;
  // Declared, not defined: buckets of sides without a state TTL (the usual) do not carry them.
  /** When each row was last written (sides with a state TTL). */
  declare written: number[] | undefined;
  /** No row was written before this (sides with a state TTL); may lie before the oldest row. */
  declare oldest: number;
  index: Map<unknown, number> | undefined;
  /** Distinct rows present. */
  live = 0;
  /** Rows present, copies counted. */
  copies = 0;
  /** Estimated heap bytes (see bucketCodec). */
  bytes = BUCKET_BYTES;

  constructor(identity: Identity, associated: boolean, timed: boolean) {
    if (identity === 'row') this.counts = [];
    else if (identity === 'unique key') this.ids = [];
    if (associated) this.associations = [];
    if (timed) {
      this.written = [];
      this.oldest = Number.POSITIVE_INFINITY;
    }
  }

  count(i: number): number {
    return this.counts ? (this.counts[i] as number) : 1;
  }
}

/** Closes the holes of a bucket and indexes it, or drops the index of a bucket grown small. */
function reindex(bucket: Bucket): void {
  const rows: PackedRow[] = [];
  const ids: unknown[] | undefined = bucket.ids ? [] : undefined;
  const counts: number[] | undefined = bucket.counts ? [] : undefined;
  const associations: number[] | undefined = bucket.associations ? [] : undefined;
  const written: number[] | undefined = bucket.written ? [] : undefined;
  for (let i = 0; i < bucket.rows.length; i++) {
    const row = bucket.rows[i];
    if (row === undefined) continue;
    rows.push(row);
    ids?.push(bucket.ids?.[i]);
    counts?.push(bucket.counts?.[i] as number);
    associations?.push(bucket.associations?.[i] as number);
    written?.push(bucket.written?.[i] as number);
  }
  bucket.rows = rows;
  bucket.ids = ids;
  bucket.counts = counts;
  bucket.associations = associations;
  if (written) bucket.written = written;
  if (rows.length > INDEX_FROM / 2) {
    bucket.index = new Map();
    for (let i = 0; i < rows.length; i++) bucket.index.set(ids ? ids[i] : rows[i], i);
  } else {
    bucket.index = undefined;
  }
}

/** Heap bytes of an empty bucket with its key and Map slot, and of each row beyond its packed text. */
const BUCKET_BYTES = 200;
const ROW_BYTES = 48;

function rowBytes(packed: PackedRow): number {
  return packed.length + ROW_BYTES;
}

/** Buckets on disk: their fields packed as one row; the index is rebuilt. A NULL unique key is written as null. */
function bucketCodec(identity: Identity, associated: boolean, timed: boolean): StateCodec<Bucket> {
  return {
    bytes: (bucket) => bucket.bytes,
    encode: (bucket) => {
      if (bucket.index) reindex(bucket);
      const ids = bucket.ids ? (bucket.ids.map((id) => (id === NULL_KEY ? null : id)) as Value[]) : null;
      return pack([
        bucket.rows as PackedRow[],
        ids,
        bucket.counts ?? null,
        bucket.associations ?? null,
        bucket.written ?? null,
        bucket.live,
        bucket.copies,
        bucket.bytes,
      ]);
    },
    decode: (packed) => {
      const [rows, ids, counts, associations, written, live, copies, bytes] = unpack(packed) as [
        PackedRow[],
        Value[] | null,
        number[] | null,
        number[] | null,
        number[] | null,
        number,
        number,
        number,
      ];
      const bucket = new Bucket(identity, associated, timed);
      bucket.rows = rows;
      bucket.ids = ids ? ids.map((id) => (id === null ? NULL_KEY : id)) : undefined;
      bucket.counts = counts ?? undefined;
      bucket.associations = associations ?? undefined;
      if (written) {
        bucket.written = written;
        bucket.oldest = written.reduce((oldest, at) => Math.min(oldest, at), Number.POSITIVE_INFINITY);
      }
      bucket.live = live;
      bucket.copies = copies;
      bucket.bytes = bytes;
      if (live > INDEX_FROM) reindex(bucket);
      return bucket;
    },
  };
}

/**
 * A regular join of two changelogs on equal keys, as Flink's StreamingJoinOperator runs it: both
 * sides are kept in state by join key; an accumulating change joins the other side's rows, a
 * retracting one retracts the same pairs. Pairs are emitted with the input's own kind (+I/+U,
 * -U/-D) when neither side is outer; otherwise as +I and -D. An outer side's row without partner
 * is emitted padded with NULLs, retracted (-D) as soon as a partner arrives, and emitted again
 * (+I) when the last partner leaves. A NULL in the join key matches nothing.
 *
 * A side whose rows have a unique key (`uniqueKeys`) is stored by that key, one row per key, as
 * Flink does; otherwise rows are stored by their whole value with a count of identical copies.
 * A retraction of a row the state does not hold changes nothing and emits nothing. Without a
 * residual condition every row of a join key joins every row of the other side with that key, so
 * how many partners a row has is the size of the other side's bucket and is not stored per row.
 *
 * With a state TTL for a side (`retentions`), a row of that side not written for that long is
 * gone, as in Flink: it joins nothing more. A retraction of a row the side does not hold then
 * retracts its pairs with the other side's rows all the same, as Flink does, since they may have
 * been emitted before the row expired. How many partners an outer row has is then stored per row
 * and written like the row, so that an expired partner does not count as having left.
 *
 * SEMI and ANTI joins (`IN`/`EXISTS` subqueries, INTERSECT, EXCEPT) run as Flink's
 * StreamingSemiAntiJoinOperator: the left side is kept like an outer side, with its partners
 * counted, and only left rows are emitted. A left change passes with its own kind when it has a
 * partner (SEMI) or none (ANTI). A right row that gives a left row its first partner emits that
 * row with the right change's kind (SEMI) or as -D (ANTI); one that takes its last partner away
 * emits it with the right change's kind (SEMI) or as +I (ANTI). Keys marked `nullSafe` match NULL
 * to NULL (IS NOT DISTINCT FROM); other keys holding NULL match nothing.
 */
export class JoinOperator implements Operator {
  private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown];
  /** Identity of a row of each side within its bucket: its unique key, or undefined (the whole row). */
  private readonly uniqueOf: [((row: Row) => unknown) | undefined, ((row: Row) => unknown) | undefined];
  private readonly identities: [Identity, Identity];
  private readonly state: [SpillableMap<Bucket>, SpillableMap<Bucket>];
  /** When each join key of a side with a state TTL was last written. */
  private readonly times: [WriteTimes | undefined, WriteTimes | undefined];
  private readonly outer: [boolean, boolean];
  /** SEMI or ANTI: only left rows are emitted. */
  private readonly filtering: 'SEMI' | 'ANTI' | undefined;
  /** The key positions of each side where a NULL matches nothing (all but the null-safe ones). */
  private readonly nullRejecting: [readonly number[], readonly number[]];
  /** Whether the partners of outer rows are counted per row (with a residual or a state TTL). */
  private readonly perRow: boolean;
  /** The processing time of the batch being processed (ms), with a state TTL. */
  private now = 0;
  private readonly residual: Evaluator | undefined;
  private readonly nulls: [Row, Row];
  // The matches of the change being processed (bucket positions, other rows, output rows), reused.
  private readonly matchedAt: number[] = [];
  private readonly matchedOthers: Row[] = [];
  private readonly matchedRows: Row[] = [];

  constructor(
    type: JoinType,
    leftKeys: readonly number[],
    rightKeys: readonly number[],
    widths: [number, number],
    residual: BoundExpr | undefined,
    env: EvalEnv,
    uniqueKeys: readonly [(readonly number[] | undefined)?, (readonly number[] | undefined)?] = [],
    private readonly retentions: readonly [(StateRetention | undefined)?, (StateRetention | undefined)?] = [],
    nullSafe: readonly boolean[] = [],
  ) {
    this.keyOf = [keySelector(leftKeys), keySelector(rightKeys)];
    const [leftUnique, rightUnique] = uniqueKeys;
    this.uniqueOf = [
      leftUnique && leftUnique.length > 0 ? keySelector(leftUnique) : undefined,
      rightUnique && rightUnique.length > 0 ? keySelector(rightUnique) : undefined,
    ];
    const identity = (unique: readonly number[] | undefined, keys: readonly number[]): Identity =>
      !unique || unique.length === 0 ? 'row' : unique.every((i) => keys.includes(i)) ? 'join key' : 'unique key';
    this.identities = [identity(leftUnique, leftKeys), identity(rightUnique, rightKeys)];
    this.filtering = type === 'SEMI' || type === 'ANTI' ? type : undefined;
    this.outer = [
      type === 'LEFT' || type === 'FULL' || this.filtering !== undefined,
      type === 'RIGHT' || type === 'FULL',
    ];
    this.nullRejecting = [
      leftKeys.filter((_, i) => nullSafe[i] !== true),
      rightKeys.filter((_, i) => nullSafe[i] !== true),
    ];
    this.nulls = [new Array<Value>(widths[0]).fill(null), new Array<Value>(widths[1]).fill(null)];
    this.residual = residual ? compileExpression(residual, env) : undefined;
    const [left, right] = retentions;
    this.times = [left ? new WriteTimes(left) : undefined, right ? new WriteTimes(right) : undefined];
    this.perRow = this.residual !== undefined || left !== undefined || right !== undefined;
    this.state = [
      new SpillableMap(bucketCodec(this.identities[0], this.perRow && this.outer[0], left !== undefined)),
      new SpillableMap(bucketCodec(this.identities[1], this.perRow && this.outer[1], right !== undefined)),
    ];
  }

  close(): void {
    for (const state of this.state) state.close();
  }

  /** A row of `side` at `at` was written now. */
  private written(side: number, key: unknown, bucket: Bucket, at: number): void {
    const times = this.times[side];
    if (!times || !bucket.written) return;
    bucket.written[at] = this.now;
    times.written(key, this.now);
  }

  /**
   * The bucket of a join key of `side` without the rows that have expired (none without a state
   * TTL); undefined when none is left.
   */
  private live(side: number, key: unknown, bucket: Bucket | undefined): Bucket | undefined {
    const retention = this.retentions[side];
    if (!bucket || !retention || !expired(bucket.oldest, retention, this.now)) return bucket;
    const written = bucket.written as number[];
    let oldest = Number.POSITIVE_INFINITY;
    let freed = 0;
    for (let at = 0; at < bucket.rows.length; at++) {
      const row = bucket.rows[at];
      if (row === undefined) continue;
      const when = written[at] as number;
      if (!expired(when, retention, this.now)) {
        oldest = Math.min(oldest, when);
        continue;
      }
      freed += rowBytes(row);
      bucket.live -= 1;
      bucket.copies -= bucket.count(at);
      bucket.rows[at] = undefined;
    }
    if (freed > 0) {
      this.grow(side, bucket, -freed);
      reindex(bucket);
    }
    bucket.oldest = oldest;
    if (bucket.live > 0) return bucket;
    (this.state[side] as SpillableMap<Bucket>).delete(key);
    this.times[side]?.forget(key);
    return undefined;
  }

  /** Gives back the memory of join keys whose rows have all expired. */
  onProcessingTime(): Change[] {
    for (const [side, times] of this.times.entries()) {
      const retention = this.retentions[side];
      if (times && retention)
        times.sweep(retention.now(), (key) => (this.state[side] as SpillableMap<Bucket>).delete(key));
    }
    return [];
  }

  /** A bucket of `side` changed in place by `bytes`. */
  private grow(side: number, bucket: Bucket, bytes: number): void {
    bucket.bytes += bytes;
    (this.state[side] as SpillableMap<Bucket>).grow(bytes);
  }

  /** The output row of a row of `side` and a row of the other side. */
  private static pair(row: Row, other: Row, side: number): Row {
    const left = side === 0 ? row : other;
    const right = side === 0 ? other : row;
    const leftWidth = left.length;
    const rightWidth = right.length;
    const out = new Array<Value>(leftWidth + rightWidth);
    for (let i = 0; i < leftWidth; i++) out[i] = left[i] as Value;
    for (let i = 0; i < rightWidth; i++) out[leftWidth + i] = right[i] as Value;
    return out;
  }

  private padded(row: Row, side: number): Row {
    return JoinOperator.pair(row, this.nulls[1 - side] as Row, side);
  }

  private hasNullKey(row: Row, side: number): boolean {
    for (const index of this.nullRejecting[side] as readonly number[]) if ((row[index] ?? null) === null) return true;
    return false;
  }

  /** The identity of a row of `side`: its unique key, or (without one) the packed row. */
  private identity(change: Change, side: number): unknown {
    switch (this.identities[side]) {
      case 'join key':
        return undefined;
      case 'unique key':
        return (this.uniqueOf[side] as (row: Row) => unknown)(change.row);
      case 'row':
        return change.packed ?? pack(change.row);
    }
  }

  /** Where the row with this identity is in the bucket, or -1. */
  private find(bucket: Bucket, id: unknown): number {
    if (bucket.index) return bucket.index.get(id) ?? -1;
    if (!bucket.ids && !bucket.counts) return bucket.rows.length > 0 ? 0 : -1; // one row per join key
    const ids = bucket.ids ?? bucket.rows;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
    return -1;
  }

  private add(side: number, bucket: Bucket, packed: PackedRow, id: unknown, associations: number): void {
    this.grow(side, bucket, rowBytes(packed));
    const at = bucket.rows.length;
    bucket.live += 1;
    bucket.copies += 1;
    if (bucket.written) bucket.oldest = Math.min(bucket.oldest, this.now);
    if (bucket.index) {
      bucket.rows.push(packed);
      bucket.ids?.push(id);
      bucket.counts?.push(1);
      bucket.associations?.push(associations);
      bucket.written?.push(this.now);
      bucket.index.set(id, at);
      return;
    }
    if (at === 0) {
      // Most buckets hold one row (a user, an order's only line): arrays of exactly one.
      bucket.rows = [packed];
      if (bucket.ids) bucket.ids = [id];
      if (bucket.counts) bucket.counts = [1];
      if (bucket.associations) bucket.associations = [associations];
      if (bucket.written) bucket.written = [this.now];
    } else {
      bucket.rows.push(packed);
      bucket.ids?.push(id);
      bucket.counts?.push(1);
      bucket.associations?.push(associations);
      bucket.written?.push(this.now);
    }
    if (bucket.live > INDEX_FROM) reindex(bucket);
  }

  private remove(side: number, bucket: Bucket, at: number): void {
    this.grow(side, bucket, -rowBytes(bucket.rows[at] as PackedRow));
    bucket.live -= 1;
    bucket.copies -= 1;
    if (!bucket.index) {
      bucket.rows.splice(at, 1);
      bucket.ids?.splice(at, 1);
      bucket.counts?.splice(at, 1);
      bucket.associations?.splice(at, 1);
      bucket.written?.splice(at, 1);
      return;
    }
    bucket.index.delete(bucket.ids ? bucket.ids[at] : bucket.rows[at]);
    bucket.rows[at] = undefined;
    if (bucket.rows.length > 2 * bucket.live + INDEX_FROM) reindex(bucket);
  }

  /** Fills matchedAt/matchedRows with the other side's rows that join `row`; returns how many. */
  private match(row: Row, side: number, bucket: Bucket | undefined): number {
    const at = this.matchedAt;
    const others = this.matchedOthers;
    const joined = this.matchedRows;
    at.length = 0;
    others.length = 0;
    joined.length = 0;
    if (!bucket) return 0;
    const residual = this.residual;
    const rows = bucket.rows;
    for (let i = 0; i < rows.length; i++) {
      const packed = rows[i];
      if (packed === undefined) continue;
      const other = unpack(packed);
      const pair = JoinOperator.pair(row, other, side);
      if (residual && residual(pair) !== true) continue;
      at.push(i);
      others.push(other);
      joined.push(pair);
    }
    return at.length;
  }

  process(changes: readonly Change[], inputSide: number): Change[] {
    const out: Change[] = [];
    const side = inputSide === 0 ? 0 : 1;
    const otherSide = 1 - side;
    const keyOf = this.keyOf[side];
    const state = this.state[side];
    const otherState = this.state[otherSide] as SpillableMap<Bucket>;
    const inputOuter = this.outer[side];
    const otherOuter = this.outer[otherSide] as boolean;
    const innerOnly = !inputOuter && !otherOuter;
    const filtering = this.filtering;
    // Partners are counted per row only where they can differ between rows of one join key.
    const perRow = this.perRow;
    const timed = this.times[side];
    const otherTimed = this.times[otherSide] !== undefined;
    const retention = this.retentions[0] ?? this.retentions[1];
    if (retention) this.now = retention.now();
    const identity = this.identities[side];
    const counted = identity === 'row';
    const matchedAt = this.matchedAt;
    const matchedOthers = this.matchedOthers;
    const matchedRows = this.matchedRows;
    for (const change of changes) {
      const row = change.row;
      const key = keyOf(row);
      let otherBucket = this.hasNullKey(row, side) ? undefined : otherState.get(key);
      if (otherTimed) otherBucket = this.live(otherSide, key, otherBucket);
      let bucket = state.get(key);
      if (timed) bucket = this.live(side, key, bucket);
      if (change.kind === '+I' || change.kind === '+U') {
        const before = bucket ? bucket.copies : 0;
        const matches = this.match(row, side, otherBucket);
        let partners = 0;
        if (matches === 0) {
          if (inputOuter && filtering !== 'SEMI')
            out.push({
              kind: filtering ? change.kind : '+I',
              row: filtering ? row : this.padded(row, side),
              time: change.time,
            });
        } else {
          const other = otherBucket as Bucket;
          if (otherOuter) {
            for (let m = 0; m < matches; m++) {
              const i = matchedAt[m] as number;
              const associations = perRow ? (other.associations?.[i] as number) : before;
              if (associations === 0) {
                // The other row had no partner: its padded row goes (SEMI: it comes; ANTI: it goes).
                const kind = filtering === 'SEMI' ? change.kind : '-D';
                const gone = filtering ? (matchedOthers[m] as Row) : this.padded(matchedOthers[m] as Row, otherSide);
                for (let c = other.count(i); c > 0; c--) out.push({ kind, row: gone, time: change.time });
              }
              if (perRow) {
                (other.associations as number[])[i] = associations + 1;
                this.written(otherSide, key, other, i);
              }
            }
          }
          if (filtering) {
            for (let m = 0; m < matches; m++) partners += other.count(matchedAt[m] as number);
            if (filtering === 'SEMI' && side === 0) out.push({ kind: change.kind, row, time: change.time });
          } else {
            const kind: RowKind = innerOnly ? change.kind : '+I';
            for (let m = 0; m < matches; m++) {
              const copies = other.count(matchedAt[m] as number);
              const joined = matchedRows[m] as Row;
              for (let c = copies; c > 0; c--) out.push({ kind, row: joined, time: change.time });
              partners += copies;
            }
          }
        }
        if (!bucket) {
          bucket = new Bucket(identity, perRow && inputOuter, timed !== undefined);
          state.set(key, bucket);
        }
        const id = this.identity(change, side);
        const at = this.find(bucket, id);
        if (at < 0) {
          this.add(side, bucket, change.packed ?? pack(row), id, partners);
          timed?.written(key, this.now);
        } else if (counted) {
          (bucket.counts as number[])[at] = bucket.count(at) + 1;
          bucket.copies += 1;
          this.written(side, key, bucket, at);
        } else {
          // A new row for a unique key replaces the stored one (as Flink's state does).
          const packed = change.packed ?? pack(row);
          this.grow(side, bucket, packed.length - (bucket.rows[at] as PackedRow).length);
          bucket.rows[at] = packed;
          if (bucket.associations) bucket.associations[at] = partners;
          this.written(side, key, bucket, at);
        }
      } else {
        const at = bucket ? this.find(bucket, this.identity(change, side)) : -1;
        // A row never held is noise without a TTL; with one, it may have expired after its
        // pairs were emitted: they are retracted all the same, as Flink does.
        if (at < 0 && !timed) continue;
        if (bucket && at >= 0) {
          if (bucket.counts && bucket.count(at) > 1) {
            bucket.counts[at] = bucket.count(at) - 1;
            bucket.copies -= 1;
            this.written(side, key, bucket, at);
          } else {
            this.remove(side, bucket, at);
            if (bucket.live === 0) {
              state.delete(key);
              timed?.forget(key);
            }
          }
        }
        const copiesLeft = bucket ? bucket.copies : 0;
        const matches = this.match(row, side, otherBucket);
        if (matches === 0) {
          if (inputOuter && filtering !== 'SEMI')
            out.push({
              kind: filtering ? change.kind : '-D',
              row: filtering ? row : this.padded(row, side),
              time: change.time,
            });
          continue;
        }
        const other = otherBucket as Bucket;
        if (filtering) {
          if (filtering === 'SEMI' && side === 0) out.push({ kind: change.kind, row, time: change.time });
        } else {
          const kind: RowKind = inputOuter ? '-D' : change.kind;
          for (let m = 0; m < matches; m++) {
            const joined = matchedRows[m] as Row;
            for (let c = other.count(matchedAt[m] as number); c > 0; c--)
              out.push({ kind, row: joined, time: change.time });
          }
        }
        if (otherOuter) {
          for (let m = 0; m < matches; m++) {
            const i = matchedAt[m] as number;
            const associations = perRow ? (other.associations?.[i] as number) : copiesLeft + 1;
            if (associations === 1) {
              // The other row lost its last partner: its padded row comes back (SEMI: it goes; ANTI: it comes).
              const kind = filtering === 'SEMI' ? change.kind : '+I';
              const back = filtering ? (matchedOthers[m] as Row) : this.padded(matchedOthers[m] as Row, otherSide);
              for (let c = other.count(i); c > 0; c--) out.push({ kind, row: back, time: change.time });
            }
            if (perRow) {
              (other.associations as number[])[i] = associations - 1;
              this.written(otherSide, key, other, i);
            }
          }
        }
      }
    }
    matchedAt.length = 0;
    matchedOthers.length = 0;
    matchedRows.length = 0;
    return out;
  }
}
