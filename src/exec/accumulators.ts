import { wrapInteger } from '../expr/functions/arithmetic.ts';
import { compareValues } from '../expr/functions/comparison.ts';
import type { Row, Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import type { DataType } from '../types/data-type.ts';
import { divideHalfUp, fitsPrecision, pow10, rescale } from '../types/decimal.ts';
import { type Accumulator, FIXED, PER_VALUE, ValueCounts } from './accumulator.ts';
import { collect, listAgg } from './collection-accumulators.ts';
import { jsonArrayAgg, jsonObjectAgg } from './json-accumulators.ts';
import { lag } from './lag-accumulator.ts';
import { rowKey, valuesEqual } from './row-key.ts';

export type { Accumulator } from './accumulator.ts';

export type AggregateFunction =
  | 'COUNT'
  | 'SUM'
  | 'SUM0'
  | 'AVG'
  | 'MIN'
  | 'MAX'
  | 'FIRST_VALUE'
  | 'LAST_VALUE'
  | 'COLLECT'
  | 'LISTAGG'
  | 'JSON_OBJECTAGG_NULL_ON_NULL'
  | 'JSON_OBJECTAGG_ABSENT_ON_NULL'
  | 'JSON_ARRAYAGG_NULL_ON_NULL'
  | 'JSON_ARRAYAGG_ABSENT_ON_NULL'
  | 'LAG'
  | 'USER_DEFINED';

/** A user-defined aggregate function (src/udf/): its name, and its accumulators, fresh or from what one saved. */
export interface UserDefinedAggregate {
  readonly name: string;
  accumulator(saved?: unknown): Accumulator;
}

/** One aggregate of a group aggregate or window aggregate, as the planner resolved it. */
export interface AggregateCall {
  readonly fn: AggregateFunction;
  /** Input fields of the arguments (none for COUNT(*)). */
  readonly args: readonly number[];
  readonly distinct: boolean;
  /** `FILTER (WHERE ...)`: the BOOLEAN input field; the aggregate reads only rows where it is TRUE. */
  readonly filter?: number;
  readonly type: DataType;
  readonly name: string;
  /** The function of a USER_DEFINED call; its one argument is the ROW of the call's arguments when there are several. */
  readonly userDefined?: UserDefinedAggregate;
}

/**
 * What the accumulator of `call` is given for an input row: TRUE for COUNT(*), the argument's
 * value, or the values of several arguments as an array; undefined when the call's FILTER leaves
 * the row out.
 */
export function callInput(call: AggregateCall): (row: Row) => Value | undefined {
  const [first, second] = call.args;
  const read: (row: Row) => Value =
    first === undefined
      ? () => true
      : second === undefined
        ? (row) => row[first] ?? null
        : (row) => call.args.map((arg) => row[arg] ?? null);
  const filter = call.filter;
  if (filter === undefined) return read;
  return (row) => (row[filter] === true ? read(row) : undefined);
}

/** Adds and subtracts values of one numeric type exactly as that type does (Java overflow, exact DECIMAL). */
interface Arithmetic {
  readonly zero: Value;
  plus(a: Value, b: Value): Value;
  minus(a: Value, b: Value): Value;
}

function arithmeticOf(type: DataType): Arithmetic {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const kind = type.kind;
      return {
        zero: 0,
        plus: (a, b) => wrapInteger(kind, (a as number) + (b as number)),
        minus: (a, b) => wrapInteger(kind, (a as number) - (b as number)),
      };
    }
    case 'BIGINT':
    case 'DECIMAL':
      return {
        zero: 0n,
        plus: (a, b) => BigInt.asIntN(128, (a as bigint) + (b as bigint)),
        minus: (a, b) => (a as bigint) - (b as bigint),
      };
    default:
      return { zero: 0, plus: (a, b) => (a as number) + (b as number), minus: (a, b) => (a as number) - (b as number) };
  }
}

/** Values of the argument converted to the result's representation (a DECIMAL's scale, an INT to BIGINT). */
function converter(from: DataType, to: DataType): (value: Value) => Value {
  if (to.kind === 'DECIMAL') {
    const fromScale = from.kind === 'DECIMAL' ? from.scale : 0;
    return from.kind === 'DECIMAL'
      ? (v) => rescale(v as bigint, fromScale, to.scale)
      : (v) => BigInt(v as number) * pow10(to.scale);
  }
  if (to.kind === 'BIGINT' && from.kind !== 'BIGINT') return (v) => BigInt(v as number);
  return (v) => v;
}

function count(star: boolean, saved: unknown): Accumulator {
  let n = (saved as bigint | undefined) ?? 0n;
  return {
    add: (v) => {
      if (star || v !== null) n += 1n;
    },
    retract: (v) => {
      if (star || v !== null) n -= 1n;
    },
    result: () => n,
    save: () => n,
    weight: () => FIXED,
  };
}

function sum(argType: DataType, resultType: DataType, zeroWhenEmpty: boolean, saved: unknown): Accumulator {
  const math = arithmeticOf(resultType);
  const convert = converter(argType, resultType);
  let [total, values] = (saved as [Value, number] | undefined) ?? [math.zero, 0];
  return {
    add: (v) => {
      if (v === null) return;
      total = math.plus(total, convert(v));
      values += 1;
    },
    retract: (v) => {
      if (v === null) return;
      total = math.minus(total, convert(v));
      values -= 1;
    },
    result: () => {
      if (values === 0) return zeroWhenEmpty ? math.zero : null;
      if (resultType.kind === 'DECIMAL') return fitsPrecision(total as bigint, resultType.precision) ? total : null;
      return total;
    },
    save: () => [total, values],
    weight: () => FIXED,
  };
}

function average(argType: DataType, resultType: DataType, saved: unknown): Accumulator {
  const exact =
    argType.kind === 'DECIMAL' ||
    argType.kind === 'BIGINT' ||
    argType.kind === 'INT' ||
    argType.kind === 'SMALLINT' ||
    argType.kind === 'TINYINT';
  let [total, values] = (saved as [number | bigint, number] | undefined) ?? [exact ? 0n : 0, 0];
  const toBig =
    argType.kind === 'DECIMAL' || argType.kind === 'BIGINT'
      ? (v: Value) => v as bigint
      : (v: Value) => BigInt(v as number);
  return {
    add: (v) => {
      if (v === null) return;
      total = exact ? (total as bigint) + toBig(v) : (total as number) + (v as number);
      values += 1;
    },
    retract: (v) => {
      if (v === null) return;
      total = exact ? (total as bigint) - toBig(v) : (total as number) - (v as number);
      values -= 1;
    },
    result: () => {
      if (values === 0) return null;
      if (!exact) return (total as number) / values;
      if (resultType.kind === 'DECIMAL') {
        const scale = argType.kind === 'DECIMAL' ? argType.scale : 0;
        const average = divideHalfUp((total as bigint) * pow10(resultType.scale - scale), BigInt(values));
        return fitsPrecision(average, resultType.precision) ? average : null;
      }
      // AVG of an integer type is that type, by integer division (Java truncation), as in Flink.
      const quotient = (total as bigint) / BigInt(values);
      return resultType.kind === 'BIGINT'
        ? quotient
        : wrapInteger(resultType.kind as 'INT', Number(BigInt.asIntN(32, quotient)));
    },
    save: () => [total, values],
    weight: () => FIXED,
  };
}

/** MIN and MAX that survive retractions: every value is kept with its multiplicity. */
function extreme(max: boolean, saved: unknown): Accumulator {
  const values = new ValueCounts(saved);
  let best: Value = null;
  let stale = Boolean(saved);
  const better = (a: Value, b: Value) => b === null || (max ? compareValues(a, b) > 0 : compareValues(a, b) < 0);
  return {
    add: (v) => {
      if (v === null) return;
      values.add(v);
      if (!stale && better(v, best)) best = v;
    },
    retract: (v) => {
      if (v === null) return;
      if (values.remove(v) && best !== null && compareValues(v, best) === 0) stale = true;
    },
    result: () => {
      if (stale) {
        best = null;
        for (const { value } of values.values()) if (better(value, best)) best = value;
        stale = false;
      }
      return best;
    },
    save: () => values.save(),
    weight: () => FIXED + PER_VALUE * values.size,
  };
}

/**
 * FIRST_VALUE / LAST_VALUE of the non-null values still present, in arrival order. A retraction
 * removes the earliest copy of its value, as Flink's First/LastValueWithRetractAggFunction do.
 */
function positional(last: boolean, saved: unknown): Accumulator {
  const values: Value[] = saved === undefined ? [] : [...unpack(saved as PackedRow)];
  return {
    add: (v) => {
      if (v !== null) values.push(v);
    },
    retract: (v) => {
      if (v === null) return;
      for (let i = 0; i < values.length; i++) {
        if (valuesEqual(values[i] as Value, v)) {
          values.splice(i, 1);
          return;
        }
      }
    },
    result: () => (values.length === 0 ? null : ((last ? values[values.length - 1] : values[0]) as Value)),
    save: () => pack(values),
    weight: () => FIXED + (PER_VALUE / 2) * values.length,
  };
}

/** DISTINCT: the inner aggregate sees each distinct value once, while any copy of it remains. */
function distinct(inner: Accumulator, saved: unknown): Accumulator {
  const seen = new Map<string, number>(saved === undefined ? [] : (saved as [[string, number][], unknown])[0]);
  return {
    add: (v) => {
      if (v === null) return;
      const key = rowKey([v]);
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      if (n === 0) inner.add(v);
    },
    retract: (v) => {
      if (v === null) return;
      const key = rowKey([v]);
      const n = seen.get(key) ?? 0;
      if (n <= 1) {
        seen.delete(key);
        if (n === 1) inner.retract(v);
      } else {
        seen.set(key, n - 1);
      }
    },
    result: () => inner.result(),
    save: () => [[...seen], inner.save()],
    weight: () => FIXED + PER_VALUE * seen.size + inner.weight(),
  };
}

/**
 * A factory of accumulators for one aggregate call over the fields `inputTypes`: fresh ones, or
 * ones holding what an accumulator of the same call saved.
 */
export function accumulatorFactory(
  call: AggregateCall,
  inputTypes: readonly DataType[],
): (saved?: unknown) => Accumulator {
  const argTypes = call.args.map((arg) => inputTypes[arg] as DataType);
  const argType = argTypes[0];
  const make = (saved: unknown): Accumulator => {
    switch (call.fn) {
      case 'COUNT':
        return count(call.args.length === 0, saved);
      case 'SUM':
      case 'SUM0':
        return sum(argType as DataType, call.type, call.fn === 'SUM0', saved);
      case 'AVG':
        return average(argType as DataType, call.type, saved);
      case 'MIN':
        return extreme(false, saved);
      case 'MAX':
        return extreme(true, saved);
      case 'FIRST_VALUE':
        return positional(false, saved);
      case 'LAST_VALUE':
        return positional(true, saved);
      case 'COLLECT':
        return collect(saved);
      case 'LISTAGG':
        return listAgg(call.args.length > 1, saved);
      case 'JSON_OBJECTAGG_NULL_ON_NULL':
      case 'JSON_OBJECTAGG_ABSENT_ON_NULL':
        return jsonObjectAgg(call.fn === 'JSON_OBJECTAGG_ABSENT_ON_NULL', saved);
      case 'JSON_ARRAYAGG_NULL_ON_NULL':
      case 'JSON_ARRAYAGG_ABSENT_ON_NULL':
        return jsonArrayAgg(call.fn === 'JSON_ARRAYAGG_ABSENT_ON_NULL', saved);
      case 'LAG':
        return lag(call.args.length, saved);
      case 'USER_DEFINED':
        return (call.userDefined as UserDefinedAggregate).accumulator(saved);
    }
  };
  if (!call.distinct) return make;
  return (saved) => {
    const [, inner] = (saved as [unknown, unknown] | undefined) ?? [];
    return distinct(make(inner), saved);
  };
}
