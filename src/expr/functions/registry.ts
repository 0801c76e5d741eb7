import type { ScalarFunction } from '../bound.ts';
import * as arithmetic from './arithmetic.ts';
import * as array from './array.ts';
import * as catalog from './catalog.ts';
import * as collection from './collection.ts';
import * as comparison from './comparison.ts';
import * as conditional from './conditional.ts';
import * as encoding from './encoding.ts';
import * as hashing from './hashing.ts';
import * as json from './json.ts';
import * as logic from './logic.ts';
import * as map from './map.ts';
import * as math from './math.ts';
import * as numeric from './numeric.ts';
import * as random from './random.ts';
import * as similar from './similar.ts';
import * as string from './string.ts';
import * as stringParsing from './string-parsing.ts';
import * as stringPositions from './string-positions.ts';
import * as temporal from './temporal.ts';
import * as watermark from './watermark.ts';

const FUNCTIONS = new Map<string, ScalarFunction>();
for (const family of [
  arithmetic,
  array,
  catalog,
  collection,
  comparison,
  conditional,
  encoding,
  hashing,
  json,
  logic,
  map,
  math,
  numeric,
  random,
  similar,
  string,
  stringParsing,
  stringPositions,
  temporal,
  watermark,
]) {
  for (const value of Object.values(family)) {
    if (typeof value === 'object' && value !== null && 'compile' in value && 'bind' in value) {
      const fn = value as ScalarFunction;
      FUNCTIONS.set(fn.name, fn);
    }
  }
}

/** A scalar function or operator by its canonical upper-case name. */
export function lookupFunction(name: string): ScalarFunction | undefined {
  return FUNCTIONS.get(name);
}

/** Names a user can call (operators, which have their own syntax, left out). */
export function callableFunctionNames(): string[] {
  const operators = new Set([
    'PLUS',
    'MINUS',
    'TIMES',
    'DIVIDE',
    'NEGATE',
    'EQUALS',
    'NOT_EQUALS',
    'LESS_THAN',
    'LESS_THAN_OR_EQUAL',
    'GREATER_THAN',
    'GREATER_THAN_OR_EQUAL',
    'IS_DISTINCT_FROM',
    'IS_NOT_DISTINCT_FROM',
    'IN',
    'AND',
    'OR',
    'NOT',
    'IS_NULL',
    'IS_NOT_NULL',
    'IS_TRUE',
    'IS_NOT_TRUE',
    'IS_FALSE',
    'IS_NOT_FALSE',
    'CASE',
    'CONCAT_OPERATOR',
    'LIKE',
    'SIMILAR_TO',
    'EXTRACT',
    'DATETIME_PLUS',
    'DATETIME_MINUS',
    'ARRAY',
    'MAP',
    'ITEM',
    'DOT',
    'IS_JSON',
  ]);
  return [...FUNCTIONS.keys()].filter((name) => !operators.has(name)).sort();
}
