import { collectionKey } from '../expr/collections.ts';
import type { Row, Value } from '../expr/value.ts';
import { WideTime } from '../types/time-value.ts';

/** A value as part of a Map key: equal SQL values give equal keys (bigint, bytes and NULL included). */
function part(value: Value): string {
  if (value === null) return '\u0000N';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return `${typeof value}${String(value)}`;
  if (value instanceof Uint8Array) return `b${Buffer.from(value).toString('base64')}`;
  if (value instanceof WideTime) return `t${value.nanos}`;
  // ARRAY, ROW, MAP, MULTISET: maps equal as SQL values (entries in any order) give one key.
  return `j${collectionKey(value)}`;
}

const SEPARATOR = '\u0001';

/** The key of a NULL in a one-column key: distinct from every value, strings included. */
export const NULL_KEY = Symbol('NULL');

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A function giving the Map key of a row's fields at `indices`. */
export function keySelector(indices: readonly number[]): (row: Row) => unknown {
  if (indices.length === 1) {
    const index = indices[0] as number;
    // One column has one type, so a primitive value is its own key. A bigint (BIGINT, DECIMAL) is
    // a number when that is exact: Maps hash numbers much faster than bigints. Objects (a WideTime
    // of a TIMESTAMP column whose other values are numbers, arrays, ...) are keyed by their text.
    return (row) => {
      const value = row[index] ?? null;
      if (value === null) return NULL_KEY;
      if (typeof value === 'bigint') return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
      return typeof value === 'object' ? part(value) : value;
    };
  }
  return (row) => {
    let key = '';
    for (const index of indices) key += part(row[index] ?? null) + SEPARATOR;
    return key;
  };
}

/** The Map key of a whole row: rows that are equal in every field share it. */
export function rowKey(row: Row): string {
  let key = '';
  for (const value of row) key += part(value) + SEPARATOR;
  return key;
}

/** Whether two values are the same SQL value (as their keys would be equal). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return part(a) === part(b);
  return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
}

export function rowsEqual(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i] as Value, b[i] as Value)) return false;
  return true;
}
