import type { Row, Value } from '../expr/value.ts';

/** A value as part of a Map key: equal SQL values give equal keys (bigint, bytes and NULL included). */
function part(value: Value): string {
  if (value === null) return '\u0000N';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return `${typeof value}${String(value)}`;
  if (value instanceof Uint8Array) return `b${Buffer.from(value).toString('base64')}`;
  return `j${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v))}`;
}

const SEPARATOR = '\u0001';

/** A function giving the Map key of a row's fields at `indices`. */
export function keySelector(indices: readonly number[]): (row: Row) => string | Value {
  if (indices.length === 1) {
    const index = indices[0] as number;
    // One column: the value itself is a good key, except where types could collide.
    return (row) => {
      const value = row[index] ?? null;
      return typeof value === 'string' || typeof value === 'bigint' ? value : part(value);
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

export function rowsEqual(a: Row, b: Row): boolean {
  return a.length === b.length && rowKey(a) === rowKey(b);
}
