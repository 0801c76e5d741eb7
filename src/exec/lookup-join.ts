import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { rowKey } from './row-key.ts';

/** Rows of the looked-up table for some keys: the rows of each key, by the key's `rowKey`. */
export type LookupResult = ReadonlyMap<string, readonly Row[]>;

export interface LookupCache {
  /** Keep rows across batches (lookup.cache = PARTIAL), or look every batch up afresh (NONE). */
  readonly partial: boolean;
  readonly maxRows: number;
  /** Milliseconds a cached key lives after it was loaded. */
  readonly expireAfterWriteMs: number;
  /** Milliseconds a cached key lives after a row last used it. */
  readonly expireAfterAccessMs: number;
  readonly cacheMissingKey: boolean;
}

/**
 * A lookup join (`JOIN t FOR SYSTEM_TIME AS OF proctime`): each input row is joined with the rows
 * of the table that match its key when it arrives. Operators are synchronous, so the rows come
 * from a cache that the job fills between batches: a row whose key is not cached stops the batch
 * there (keeping the order of the changes), the job looks the missing keys up (`missingKeys`,
 * `fill`) and then resumes the batch (`resume`).
 */
export class LookupJoinOperator implements Operator {
  private readonly cache = new Map<string, { rows: readonly Row[]; loadedAt: number; usedAt: number }>();
  private pending: Change[] = [];
  private readonly residual: Evaluator | undefined;
  private readonly nulls: Value[];
  /** The clock of the cache (ms): the job's, as CURRENT_TIMESTAMP reads it. */
  private readonly now: () => number;

  constructor(
    private readonly type: 'INNER' | 'LEFT',
    /** Input field of each lookup key column, and how its value becomes the column's type. */
    private readonly inputKeys: readonly number[],
    private readonly toColumnType: readonly ((value: Value) => Value)[],
    lookupWidth: number,
    residual: BoundExpr | undefined,
    env: EvalEnv,
    private readonly options: LookupCache,
  ) {
    this.residual = residual ? compileExpression(residual, env) : undefined;
    this.nulls = new Array(lookupWidth).fill(null);
    this.now = () => env.nowMicros() / 1000;
  }

  keyOf(row: Row): Value[] {
    return this.inputKeys.map((i, n) => {
      const value = row[i] ?? null;
      return value === null ? null : (this.toColumnType[n] as (value: Value) => Value)(value);
    });
  }

  process(changes: readonly Change[]): Change[] {
    if (this.pending.length > 0) {
      this.pending.push(...changes);
      return [];
    }
    return this.run(changes, false);
  }

  /** Joins changes until one's key is not cached; `resuming` takes what was just filled as fresh. */
  private run(changes: readonly Change[], resuming: boolean): Change[] {
    const out: Change[] = [];
    const now = this.now();
    for (let i = 0; i < changes.length; i++) {
      const change = changes[i] as Change;
      const key = this.keyOf(change.row);
      let matches: readonly Row[];
      if (key.some((value) => value === null)) {
        matches = []; // a NULL key matches nothing, as in SQL
      } else {
        const cached = this.cache.get(rowKey(key));
        if (!cached || (!resuming && this.expired(cached, now))) {
          this.pending = changes.slice(i);
          return out;
        }
        cached.usedAt = now;
        matches = cached.rows;
      }
      let joined = false;
      for (const match of matches) {
        const row = [...change.row, ...match];
        if (this.residual && this.residual(row) !== true) continue;
        out.push({ kind: change.kind, row, time: change.time });
        joined = true;
      }
      if (!joined && this.type === 'LEFT')
        out.push({ kind: change.kind, row: [...change.row, ...this.nulls], time: change.time });
    }
    return out;
  }

  /** Whether a cached key must be read again: loaded, or last used, longer ago than the cache allows. */
  private expired(cached: { readonly loadedAt: number; readonly usedAt: number }, now: number): boolean {
    return (
      now - cached.loadedAt > this.options.expireAfterWriteMs || now - cached.usedAt > this.options.expireAfterAccessMs
    );
  }

  /** Keys of the waiting changes that must be looked up before the batch can go on. */
  missingKeys(): Value[][] {
    const now = this.now();
    const seen = new Map<string, Value[]>();
    for (const change of this.pending) {
      const key = this.keyOf(change.row);
      if (key.some((value) => value === null)) continue;
      const text = rowKey(key);
      const cached = this.cache.get(text);
      if (!seen.has(text) && (!cached || this.expired(cached, now))) seen.set(text, key);
    }
    return [...seen.values()];
  }

  /** The table's rows for keys that were missing; a key without rows has none. */
  fill(keys: readonly Value[][], found: LookupResult): void {
    const now = this.now();
    for (const key of keys) {
      const text = rowKey(key);
      this.cache.set(text, { rows: found.get(text) ?? [], loadedAt: now, usedAt: now });
    }
  }

  /** Goes on with the waiting changes once their keys are cached. */
  resume(): Change[] {
    const waiting = this.pending;
    this.pending = [];
    return this.run(waiting, true);
  }

  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** The end of a batch: without a partial cache nothing is kept; with one, it is held to its size. */
  endBatch(): void {
    if (!this.options.partial) {
      this.cache.clear();
      return;
    }
    if (!this.options.cacheMissingKey) {
      for (const [key, entry] of this.cache) if (entry.rows.length === 0) this.cache.delete(key);
    }
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.options.maxRows) break;
      this.cache.delete(key); // the oldest first: a Map keeps insertion order
    }
  }
}
