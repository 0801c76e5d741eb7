import { type DataType, isCharacterString, isInteger, MAX_LENGTH, type RowField } from '../types/data-type.ts';
import {
  decimalFromDouble,
  decimalToDouble,
  fitsPrecision,
  formatDecimal,
  parseDecimal,
  rescale,
  truncateScale,
} from '../types/decimal.ts';
import {
  dayStart,
  formatDate,
  formatTime,
  formatTimestamp,
  instantToLocal,
  localToInstant,
  parseDate,
  parseTime,
  parseTimestamp,
  timeOfDay,
} from '../types/temporal.ts';
import { dayOf, inFlinkRange, type TimeValue, truncateTime } from '../types/time-value.ts';
import { buildMap, mergeCounts } from './collections.ts';
import type { EvalEnv } from './eval-env.ts';
import { EvaluationError, type Value } from './value.ts';

type Convert = (value: Value) => Value;

/**
 * A converter from values of `from` to values of `to`, as Flink's CAST does it. A value that does
 * not convert throws an EvaluationError, or gives NULL when `tryCast` (TRY_CAST) is set.
 */
export function compileCast(from: DataType, to: DataType, env: EvalEnv, tryCast: boolean, explicit = true): Convert {
  const convert = converter(from, to, env, explicit);
  if (!tryCast) return convert;
  return (value) => {
    try {
      return convert(value);
    } catch (error) {
      if (error instanceof EvaluationError) return null;
      throw error;
    }
  };
}

function fail(value: Value, to: DataType, reason?: string): never {
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  throw new EvaluationError('CAST_FAILED', `cannot CAST ${shown} AS ${to.kind}${reason ? `: ${reason}` : ''}`);
}

function converter(from: DataType, to: DataType, env: EvalEnv, explicit: boolean): Convert {
  if (from.kind === 'NULL') return () => null;
  const fromText = isCharacterString(from);
  switch (to.kind) {
    case 'CHAR':
    case 'VARCHAR': {
      const text = toText(from, env);
      if (!explicit || to.length === MAX_LENGTH) return text;
      const length = to.length;
      return to.kind === 'CHAR'
        ? (v) => fitChar(text(v) as string, length)
        : (v) => {
            const s = text(v) as string;
            return s.length > length ? Array.from(s).slice(0, length).join('') : s;
          };
    }
    case 'BOOLEAN':
      if (from.kind === 'BOOLEAN') return (v) => v;
      if (fromText) return (v) => parseBoolean(v as string, to);
      if (isInteger(from) || from.kind === 'DECIMAL') return (v) => (typeof v === 'bigint' ? v !== 0n : v !== 0);
      return (v) => (v as number) !== 0;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return toInteger(from, to);
    case 'DECIMAL':
      return toDecimal(from, to.precision, to.scale, to);
    case 'FLOAT':
    case 'DOUBLE': {
      const round = to.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      if (from.kind === 'DECIMAL') return (v) => round(decimalToDouble(v as bigint, from.scale));
      if (from.kind === 'BIGINT') return (v) => round(Number(v as bigint));
      if (from.kind === 'BOOLEAN') return (v) => (v ? 1 : 0);
      if (fromText) {
        return (v) => {
          const s = (v as string).trim();
          const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|NaN)$/.test(s) ? Number(s) : Number.NaN;
          if (Number.isNaN(n) && !/NaN$/.test(s)) fail(v, to);
          return round(n);
        };
      }
      return (v) => round(v as number);
    }
    case 'BINARY':
    case 'VARBINARY':
      if (fromText) return (v) => new TextEncoder().encode(v as string);
      return (v) => v;
    case 'DATE':
      if (fromText) return (v) => parseDate((v as string).trim()) ?? fail(v, to);
      if (from.kind === 'TIMESTAMP') return (v) => dayOf(v as TimeValue);
      if (from.kind === 'TIMESTAMP_LTZ') return (v) => dayOf(inRange(instantToLocal(env.timeZone, v as TimeValue), to));
      return (v) => v;
    case 'TIME': {
      const precision = to.precision;
      if (fromText) return (v) => truncateTime(parseTime((v as string).trim()) ?? fail(v, to), precision);
      if (from.kind === 'TIMESTAMP') return (v) => truncateTime(timeOfDay(v as TimeValue), precision);
      if (from.kind === 'TIMESTAMP_LTZ')
        return (v) => truncateTime(timeOfDay(instantToLocal(env.timeZone, v as TimeValue)), precision);
      return (v) => truncateTime(v as TimeValue, precision);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const precision = to.precision;
      const keep = (value: TimeValue) => truncateTime(value, precision);
      const toLtz = to.kind === 'TIMESTAMP_LTZ';
      const local = (value: TimeValue) =>
        toLtz ? keep(inRange(localToInstant(env.timeZone, value), to)) : keep(value);
      if (fromText) return (v) => local(parseTimestamp((v as string).trim()) ?? fail(v, to));
      if (from.kind === 'DATE') return (v) => local(dayStart(v as number));
      if (from.kind === 'TIME' || from.kind === 'TIMESTAMP') return (v) => local(v as TimeValue);
      if (from.kind === 'TIMESTAMP_LTZ')
        return toLtz
          ? (v) => keep(v as TimeValue)
          : (v) => keep(inRange(instantToLocal(env.timeZone, v as TimeValue), to));
      return (v) => fail(v, to);
    }
    case 'ARRAY': {
      if (from.kind !== 'ARRAY') return (v) => fail(v, to);
      const element = converter(from.element, to.element, env, explicit);
      return (v) => (v as Value[]).map((item) => (item === null ? null : element(item)));
    }
    case 'MULTISET': {
      if (from.kind !== 'MULTISET') return (v) => fail(v, to);
      const element = converter(from.element, to.element, env, explicit);
      return (v) => mergeCounts(v as ReadonlyMap<Value, Value>, (item) => (item === null ? null : element(item)));
    }
    case 'MAP': {
      if (from.kind !== 'MAP') return (v) => fail(v, to);
      const key = converter(from.key, to.key, env, explicit);
      const value = converter(from.value, to.value, env, explicit);
      return (v) =>
        buildMap(
          [...(v as ReadonlyMap<Value, Value>)].flatMap(([k, x]) => [
            k === null ? null : key(k),
            x === null ? null : value(x),
          ]),
        );
    }
    case 'ROW': {
      if (from.kind !== 'ROW') return (v) => fail(v, to);
      const fields = from.fields.map((field, i) =>
        converter(field.type, (to.fields[i] as RowField).type, env, explicit),
      );
      return (v) => (v as Value[]).map((item, i) => (item === null ? null : (fields[i] as Convert)(item)));
    }
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      return (v) => v;
  }
}

/**
 * A value moved across time zones stays in Flink's range, or the cast fails: an instant of
 * 9999-12-31 23:00 UTC is 10000-01-01 07:00 on a wall clock in Shanghai.
 */
function inRange(value: TimeValue, to: DataType): TimeValue {
  if (inFlinkRange(value)) return value;
  throw new EvaluationError(
    'DATETIME_OUT_OF_RANGE',
    `cannot CAST to ${to.kind}: the time in the session time zone lies outside 0000-01-01 to 9999-12-31`,
  );
}

function fitChar(s: string, length: number): string {
  const chars = Array.from(s);
  return chars.length >= length ? chars.slice(0, length).join('') : s + ' '.repeat(length - chars.length);
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

function parseBoolean(text: string, to: DataType): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return fail(text, to);
}

const INTEGER_BITS = { TINYINT: 8, SMALLINT: 16, INT: 32, BIGINT: 64 } as const;

/** Narrowing keeps the low bits, as Java's primitive casts do; a double saturates and truncates. */
function toInteger(from: DataType, to: DataType & { kind: keyof typeof INTEGER_BITS }): Convert {
  const bits = INTEGER_BITS[to.kind];
  const big = to.kind === 'BIGINT';
  const fromBig = (n: bigint): Value => (big ? BigInt.asIntN(64, n) : Number(BigInt.asIntN(bits, n)));
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      if (big) return (v) => BigInt(v as number);
      return INTEGER_BITS[from.kind] <= bits ? (v) => v : (v) => Number(BigInt.asIntN(bits, BigInt(v as number)));
    case 'BIGINT':
      return (v) => fromBig(v as bigint);
    case 'DECIMAL': {
      const scale = from.scale;
      return (v) => fromBig(truncateScale(v as bigint, scale, 0));
    }
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => {
        const n = v as number;
        if (Number.isNaN(n)) return big ? 0n : 0;
        if (big)
          return n >= 9.223372036854776e18
            ? 2n ** 63n - 1n
            : n <= -9.223372036854776e18
              ? -(2n ** 63n)
              : BigInt(Math.trunc(n));
        // Java narrows a double to int first (saturating), then to the smaller type by bits.
        const asInt = n >= 2147483647 ? 2147483647 : n <= -2147483648 ? -2147483648 : Math.trunc(n);
        return bits === 32 ? asInt : Number(BigInt.asIntN(bits, BigInt(asInt)));
      };
    case 'BOOLEAN':
      return (v) => (big ? (v ? 1n : 0n) : v ? 1 : 0);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const text = (v as string).trim();
        const match = /^([+-]?\d+)(?:\.\d*)?$/.exec(text);
        if (!match) return fail(v, to);
        const n = BigInt(match[1] as string);
        if (big ? n !== BigInt.asIntN(64, n) : n < min || n > max) fail(v, to, 'out of range');
        return big ? n : Number(n);
      };
    default:
      return (v) => fail(v, to);
  }
}

/** Into DECIMAL(p, s), rounding HALF_UP; a value with more than p digits becomes NULL, as in Flink. */
function toDecimal(from: DataType, precision: number, scale: number, to: DataType): Convert {
  const fit = (n: bigint | null): Value => (n !== null && fitsPrecision(n, precision) ? n : null);
  switch (from.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      return (v) => fit(BigInt(v as number) * 10n ** BigInt(scale));
    case 'BIGINT':
      return (v) => fit((v as bigint) * 10n ** BigInt(scale));
    case 'DECIMAL': {
      const fromScale = from.scale;
      return (v) => fit(rescale(v as bigint, fromScale, scale));
    }
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => fit(decimalFromDouble(v as number, scale));
    case 'BOOLEAN':
      return (v) => fit((v ? 1n : 0n) * 10n ** BigInt(scale));
    case 'CHAR':
    case 'VARCHAR':
      return (v) => {
        const parsed = parseDecimal(v as string, scale);
        return parsed === null ? fail(v, to) : fit(parsed);
      };
    default:
      return (v) => fail(v, to);
  }
}

/** The text of a value as CAST(... AS STRING) writes it. */
export function toText(from: DataType, env: EvalEnv): Convert {
  switch (from.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return (v) => v;
    case 'BOOLEAN':
      return (v) => (v ? 'TRUE' : 'FALSE');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'DECIMAL': {
      const scale = from.scale;
      return (v) => formatDecimal(v as bigint, scale);
    }
    case 'FLOAT':
      return (v) => formatJavaFloat(v as number);
    case 'DOUBLE':
      return (v) => formatJavaDouble(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME': {
      const precision = from.precision;
      return (v) => formatTime(v as TimeValue, precision);
    }
    case 'TIMESTAMP': {
      const precision = from.precision;
      return (v) => formatTimestamp(v as TimeValue, precision);
    }
    case 'TIMESTAMP_LTZ': {
      const precision = from.precision;
      return (v) => formatTimestamp(instantToLocal(env.timeZone, v as TimeValue), precision);
    }
    case 'BINARY':
    case 'VARBINARY':
      return (v) => new TextDecoder().decode(v as Uint8Array);
    case 'ARRAY': {
      const element = toText(from.element, env);
      return (v) => `[${(v as Value[]).map((item) => (item === null ? 'NULL' : element(item))).join(', ')}]`;
    }
    case 'MAP': {
      const key = toText(from.key, env);
      const value = toText(from.value, env);
      return (v) =>
        `{${[...(v as Map<Value, Value>)].map(([k, x]) => `${k === null ? 'NULL' : key(k)}=${x === null ? 'NULL' : value(x)}`).join(', ')}}`;
    }
    case 'MULTISET': {
      const element = toText(from.element, env);
      return (v) =>
        `{${[...(v as Map<Value, Value>)].map(([k, n]) => `${k === null ? 'NULL' : element(k)}=${n}`).join(', ')}}`;
    }
    case 'ROW': {
      const fields = from.fields.map((field) => toText(field.type, env));
      return (v) =>
        `(${(v as Value[]).map((item, i) => (item === null ? 'NULL' : (fields[i] as Convert)(item))).join(', ')})`;
    }
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      return (v) => String(v);
  }
}

/** Java's Double.toString: '1.0', '0.001', '1.0E7', '1.5E-4', 'NaN', 'Infinity'. */
export function formatJavaDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    if (!/e/.test(text)) return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${digits}E${Number(exponent)}`;
}

/**
 * Java's Float.toString: the nearest decimal of the fewest digits that reads back as the same float, in
 * Double.toString's layout ('0.1'). Java considers two digits at least, so the smallest float is '1.4E-45'.
 */
export function formatJavaFloat(value: number): string {
  if (!Number.isFinite(value) || value === 0) return formatJavaDouble(value);
  for (let digits = 2; digits < 10; digits++) {
    const shortest = Number(value.toPrecision(digits));
    if (Math.fround(shortest) === value) return formatJavaDouble(shortest);
  }
  return formatJavaDouble(value);
}
