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

/*
 * COUNT, SUM and AVG are classes over plain fields, and what depends only on the call (its
 * arithmetic, its conversion) is made once per factory: a group gets one small object, not a
 * set of closures.
 */
class Count implements Accumulator {
  constructor(
    private readonly star: boolean,
    private n: bigint,
  ) {}

  add(v: Value): void {
    if (this.star || v !== null) this.n += 1n;
  }

  retract(v: Value): void {
    if (this.star || v !== null) this.n -= 1n;
  }

  result(): Value {
    return this.n;
  }

  save(): unknown {
    return this.n;
  }

  weight(): number {
    return FIXED;
  }
}

/** What a SUM or SUM0 call's accumulators share. */
interface SumCall {
  readonly math: Arithmetic;
  readonly convert: (value: Value) => Value;
  readonly resultType: DataType;
  readonly zeroWhenEmpty: boolean;
}

class Sum implements Accumulator {
  constructor(
    private readonly call: SumCall,
    private total: Value,
    private values: number,
  ) {}

  add(v: Value): void {
    if (v === null) return;
    this.total = this.call.math.plus(this.total, this.call.convert(v));
    this.values += 1;
  }

  retract(v: Value): void {
    if (v === null) return;
    this.total = this.call.math.minus(this.total, this.call.convert(v));
    this.values -= 1;
  }

  result(): Value {
    const { math, resultType, zeroWhenEmpty } = this.call;
    if (this.values === 0) return zeroWhenEmpty ? math.zero : null;
    if (resultType.kind === 'DECIMAL')
      return fitsPrecision(this.total as bigint, resultType.precision) ? this.total : null;
    return this.total;
  }

  save(): unknown {
    return [this.total, this.values];
  }

  weight(): number {
    return FIXED;
  }
}

function sum(argType: DataType, resultType: DataType, zeroWhenEmpty: boolean): (saved: unknown) => Accumulator {
  const call: SumCall = {
    math: arithmeticOf(resultType),
    convert: converter(argType, resultType),
    resultType,
    zeroWhenEmpty,
  };
  return (saved) => {
    const [total, values] = (saved as [Value, number] | undefined) ?? [call.math.zero, 0];
    return new Sum(call, total, values);
  };
}

/** What an AVG call's accumulators share. */
interface AverageCall {
  readonly argType: DataType;
  readonly resultType: DataType;
  readonly exact: boolean;
  readonly toBig: (v: Value) => bigint;
}

class Average implements Accumulator {
  constructor(
    private readonly call: AverageCall,
    private total: number | bigint,
    private values: number,
  ) {}

  add(v: Value): void {
    if (v === null) return;
    this.total = this.call.exact ? (this.total as bigint) + this.call.toBig(v) : (this.total as number) + (v as number);
    this.values += 1;
  }

  retract(v: Value): void {
    if (v === null) return;
    this.total = this.call.exact ? (this.total as bigint) - this.call.toBig(v) : (this.total as number) - (v as number);
    this.values -= 1;
  }

  result(): Value {
    const { argType, resultType, exact } = this.call;
    const { total, values } = this;
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
  }

  save(): unknown {
    return [this.total, this.values];
  }

  weight(): number {
    return FIXED;
  }
}

function average(argType: DataType, resultType: DataType): (saved: unknown) => Accumulator {
  const exact =
    argType.kind === 'DECIMAL' ||
    argType.kind === 'BIGINT' ||
    argType.kind === 'INT' ||
    argType.kind === 'SMALLINT' ||
    argType.kind === 'TINYINT';
  const toBig =
    argType.kind === 'DECIMAL' || argType.kind === 'BIGINT'
      ? (v: Value) => v as bigint
      : (v: Value) => BigInt(v as number);
  const call: AverageCall = { argType, resultType, exact, toBig };
  return (saved) => {
    const [total, values] = (saved as [number | bigint, number] | undefined) ?? [exact ? 0n : 0, 0];
    return new Average(call, total, values);
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
  const argType = argTypes[0] as DataType;
  const make = ((): ((saved: unknown) => Accumulator) => {
    switch (call.fn) {
      case 'COUNT': {
        const star = call.args.length === 0;
        return (saved) => new Count(star, (saved as bigint | undefined) ?? 0n);
      }
      case 'SUM':
      case 'SUM0':
        return sum(argType, call.type, call.fn === 'SUM0');
      case 'AVG':
        return average(argType, call.type);
      case 'MIN':
        return (saved) => extreme(false, saved);
      case 'MAX':
        return (saved) => extreme(true, saved);
      case 'FIRST_VALUE':
        return (saved) => positional(false, saved);
      case 'LAST_VALUE':
        return (saved) => positional(true, saved);
      case 'COLLECT':
        return collect;
      case 'LISTAGG':
        return (saved) => listAgg(call.args.length > 1, saved);
      case 'JSON_OBJECTAGG_NULL_ON_NULL':
      case 'JSON_OBJECTAGG_ABSENT_ON_NULL':
        return (saved) => jsonObjectAgg(call.fn === 'JSON_OBJECTAGG_ABSENT_ON_NULL', saved);
      case 'JSON_ARRAYAGG_NULL_ON_NULL':
      case 'JSON_ARRAYAGG_ABSENT_ON_NULL':
        return (saved) => jsonArrayAgg(call.fn === 'JSON_ARRAYAGG_ABSENT_ON_NULL', saved);
      case 'LAG':
        return (saved) => lag(call.args.length, saved);
      case 'USER_DEFINED': {
        const udf = call.userDefined as UserDefinedAggregate;
        return (saved) => udf.accumulator(saved);
      }
    }
  })();
  if (!call.distinct) return make;
  return (saved) => {
    const [, inner] = (saved as [unknown, unknown] | undefined) ?? [];
    return distinct(make(inner), saved);
  };
}
