import { compareTimes, WideTime } from '../types/time-value.ts';
import { EvaluationError, type Value } from './value.ts';

/**
 * Values of ARRAY, MAP, MULTISET and ROW (see value.ts): an ARRAY or ROW is an array of values, a
 * MAP a Map, a MULTISET a Map of each distinct element to its count. JS Maps find primitive keys
 * (numbers, strings, bigints, booleans) by value; keys that are objects (an ARRAY, a BYTES, a wide
 * TIMESTAMP) are found here by their SQL value.
 */

type Entries = ReadonlyMap<Value, Value>;

/** Whether two values (of one type) are the same SQL value, at any depth; NULL equals NULL inside. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') {
    if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
    if (a instanceof WideTime || b instanceof WideTime) return compareTimes(a as number, b as number) === 0;
    return false;
  }
  if (a instanceof WideTime || b instanceof WideTime)
    return compareTimes(a as number | WideTime, b as number | WideTime) === 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a as Entries) {
      const found = findKey(b as Entries, key);
      if (found === NOT_FOUND || !sameValue(value, (b as Entries).get(found) ?? null)) return false;
    }
    return true;
  }
  return false;
}

const NOT_FOUND = Symbol('not found');

/** The key of `map` that is the same SQL value as `key`. */
function findKey(map: Entries, key: Value): Value | typeof NOT_FOUND {
  if (map.has(key)) return key;
  if (key === null || typeof key !== 'object') return NOT_FOUND;
  for (const candidate of map.keys()) if (sameValue(candidate, key)) return candidate;
  return NOT_FOUND;
}

/** `map[key]`: the value of the key, NULL when the map has no such key. */
export function mapGet(map: Entries, key: Value): Value {
  const direct = map.get(key);
  if (direct !== undefined) return direct;
  const found = findKey(map, key);
  return found === NOT_FOUND ? null : (map.get(found) ?? null);
}

/** A MAP of keys and values in turn; a key given twice keeps its last value, as Flink's MAP[...] does. */
export function buildMap(keysAndValues: readonly Value[]): Map<Value, Value> {
  const map = new Map<Value, Value>();
  for (let i = 0; i + 1 < keysAndValues.length; i += 2) {
    const key = keysAndValues[i] as Value;
    const found = findKey(map, key);
    map.set(found === NOT_FOUND ? key : found, keysAndValues[i + 1] as Value);
  }
  return map;
}

/** A MULTISET with each element mapped: elements that become equal add their counts. */
export function mergeCounts(multiset: Entries, map: (element: Value) => Value): Map<Value, Value> {
  const out = new Map<Value, Value>();
  for (const [element, count] of multiset) addCount(out, map(element), count as number);
  return out;
}

/** Adds `count` occurrences of `element` (removes them when negative; none left removes the element). */
export function addCount(multiset: Map<Value, Value>, element: Value, count: number): void {
  const found = findKey(multiset, element);
  const key = found === NOT_FOUND ? element : found;
  const total = ((multiset.get(key) as number | undefined) ?? 0) + count;
  if (total > 0) multiset.set(key, total);
  else multiset.delete(key);
}

/** The number of elements: of an ARRAY its length, of a MAP its entries. */
export function cardinality(value: Value): number {
  return Array.isArray(value) ? value.length : (value as Entries).size;
}

/** Flink's ELEMENT: the sole element of an ARRAY, NULL when empty, an error when there are more. */
export function soleElement(array: readonly Value[]): Value {
  if (array.length === 0) return null;
  if (array.length > 1) throw new EvaluationError('ELEMENT_MORE_THAN_ONE', 'Array has more than one element.');
  return array[0] as Value;
}

/** `array[index]`, 1-based: NULL for an index out of range, as in Flink 1.18. */
export function arrayItem(array: readonly Value[], index: number): Value {
  return index >= 1 && index <= array.length ? (array[index - 1] as Value) : null;
}

/**
 * A text equal for equal values of one type (grouping and join keys): a MAP's entries in a fixed
 * order, so that maps equal as SQL values give one key whatever order they were built in.
 */
export function collectionKey(value: Value): string {
  if (value === null) return 'N';
  switch (typeof value) {
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value}${String(value)}`;
    default:
      break;
  }
  if (value instanceof Uint8Array) return `b${Buffer.from(value).toString('base64')}`;
  if (value instanceof WideTime) return `t${value.nanos}`;
  if (Array.isArray(value)) return `[${value.map(collectionKey).join(',')}]`;
  const entries = [...(value as Entries)].map(([k, v]) => `${collectionKey(k)}:${collectionKey(v)}`).sort();
  return `{${entries.join(',')}}`;
}
