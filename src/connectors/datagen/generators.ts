import type { Value } from '../../expr/value.ts';
import { type DataType, MAX_LENGTH } from '../../types/data-type.ts';
import { fitsPrecision, pow10 } from '../../types/decimal.ts';
import { fromEpochMillis, MICROS_PER_MILLI, truncateTime } from '../../types/time-value.ts';
import { DatagenOptionError, type FieldOptions } from './field-options.ts';
import type { RowRandom } from './row-random.ts';

/** The value of one field of row number `index`, drawn from `random`, at wall-clock `nowMillis`. */
export type Generate = (random: RowRandom, index: number, nowMillis: number) => Value;

export interface FieldGenerator {
  readonly generate: Generate;
  /** A sequence's number of values: the source ends once they are all emitted. */
  readonly rows?: number;
}

const STRING_LENGTH_DEFAULT = 100;
const BYTES_LENGTH_DEFAULT = 100;
const COLLECTION_LENGTH_DEFAULT = 3;
const HEX = '0123456789abcdef';
const JAVA_DOUBLE_MIN_VALUE = 4.9e-324;
const JAVA_FLOAT_MIN_VALUE = 1.4e-45;
const JAVA_FLOAT_MAX_VALUE = 3.4028234663852886e38;
/** Bounds of INTERVAL DAY TO SECOND in milliseconds that keep its microseconds a safe integer. */
const SAFE_INTERVAL_MILLIS = Math.floor(Number.MAX_SAFE_INTEGER / MICROS_PER_MILLI);

/** A field's generator by its `fields.<name>.kind`, as Flink's DataGenTableSourceFactory picks it. */
export function fieldGenerator(type: DataType, options: FieldOptions, kind: string): FieldGenerator {
  if (kind === 'sequence') return sequenceGenerator(type, options);
  if (kind === 'random') return { generate: randomGenerator(type, options) };
  throw new DatagenOptionError(
    `Unsupported generator kind: ${kind}`,
    options.key('kind'),
    "use 'random' or 'sequence'",
  );
}

/** Flink's RandomGeneratorVisitor: values of the type within the field's options. */
export function randomGenerator(type: DataType, options: FieldOptions): Generate {
  switch (type.kind) {
    case 'BOOLEAN':
      return withNulls(options, (random) => random.next() % 2 === 0);
    case 'CHAR':
      return withNulls(options, hexString(type.length, false));
    case 'VARCHAR': {
      const length = options.length(type.length === MAX_LENGTH ? STRING_LENGTH_DEFAULT : type.length);
      return withNulls(options, hexString(length, options.boolean('var-len')));
    }
    case 'BINARY':
      return bytes(type.length, false);
    case 'VARBINARY': {
      const length = options.length(type.length === MAX_LENGTH ? BYTES_LENGTH_DEFAULT : type.length);
      return bytes(length, options.boolean('var-len'));
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const bits = type.kind === 'TINYINT' ? 8 : type.kind === 'SMALLINT' ? 16 : 32;
      const limit = 2 ** (bits - 1);
      const min = narrow(options.int('min', -limit), bits);
      const max = narrow(options.int('max', limit - 1), bits);
      checkRange(options, min, max);
      return withNulls(options, (random) => random.int(min, max));
    }
    case 'BIGINT': {
      const min = options.long('min', -(2n ** 63n));
      const max = options.long('max', 2n ** 63n - 1n);
      checkRange(options, min, max);
      return withNulls(options, (random) => random.bigint(min, max));
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const float = type.kind === 'FLOAT';
      const min = options.double('min', float ? JAVA_FLOAT_MIN_VALUE : JAVA_DOUBLE_MIN_VALUE);
      const max = options.double('max', float ? JAVA_FLOAT_MAX_VALUE : Number.MAX_VALUE);
      checkRange(options, min, max);
      const draw = (random: RowRandom) => min + random.float() * (max - min);
      return withNulls(options, float ? (random) => Math.fround(draw(random)) : draw);
    }
    case 'DECIMAL':
      return randomDecimal(type.precision, type.scale, options);
    case 'INTERVAL_YEAR_MONTH': {
      const min = options.int('min', 0);
      const max = options.int('max', 120000);
      checkRange(options, min, max);
      return withNulls(options, (random) => random.int(min, max));
    }
    case 'INTERVAL_DAY_TIME': {
      const min = Number(options.long('min', BigInt(-SAFE_INTERVAL_MILLIS)));
      const max = Number(options.long('max', BigInt(SAFE_INTERVAL_MILLIS)));
      checkRange(options, min, max);
      return withNulls(options, (random) => random.int(min, max) * MICROS_PER_MILLI);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const maxPast = options.durationMillis('max-past');
      const nullRate = options.nullRate();
      const precision = type.precision;
      return (random, _index, now) => {
        if (nullRate > 0 && random.float() <= nullRate) return null;
        const past = maxPast > 0 ? Math.floor(random.float() * maxPast) : 0;
        return truncateTime(fromEpochMillis(now - past), precision);
      };
    }
    case 'DATE':
    case 'TIME':
      return nowGenerator(type);
    case 'ARRAY': {
      const length = options.length(COLLECTION_LENGTH_DEFAULT);
      const element = randomGenerator(type.element, options.nested('element'));
      return withNulls(options, (random, index, now) => Array.from({ length }, () => element(random, index, now)));
    }
    case 'MULTISET': {
      const length = options.length(COLLECTION_LENGTH_DEFAULT);
      const element = randomGenerator(type.element, options.nested('element'));
      return withNulls(options, (random, index, now) => {
        const bag = new Map<Value, Value>();
        for (let i = 0; i < length; i++) bag.set(element(random, index, now), random.int(0, 10));
        return bag;
      });
    }
    case 'MAP': {
      const length = options.length(COLLECTION_LENGTH_DEFAULT);
      const key = randomGenerator(type.key, options.nested('key'));
      const value = randomGenerator(type.value, options.nested('value'));
      return withNulls(options, (random, index, now) => {
        const map = new Map<Value, Value>();
        for (let i = 0; i < length; i++) map.set(key(random, index, now), value(random, index, now));
        return map;
      });
    }
    case 'ROW': {
      const fields = type.fields.map((field) => randomGenerator(field.type, options.nested(field.name)));
      return withNulls(options, (random, index, now) => fields.map((field) => field(random, index, now)));
    }
    case 'NULL':
      throw new DatagenOptionError(`Unsupported type: NULL (field '${options.path}')`, undefined);
  }
}

/**
 * Flink's SequenceGeneratorVisitor: `start`, `start + 1`, … `end` (each required); a string
 * holds the number's digits, a binary string its 8 bytes (big-endian, as Guava's Longs writes them).
 */
function sequenceGenerator(type: DataType, options: FieldOptions): FieldGenerator {
  const readLong = (name: string) => options.long(name, 0n);
  const readInt = (name: string) => BigInt(options.int(name, 0));
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR': {
      const { start, end } = options.sequenceBounds(readLong);
      return sequence(start, end, (value) => value.toString());
    }
    case 'BINARY':
    case 'VARBINARY': {
      const { start, end } = options.sequenceBounds(readLong);
      return sequence(start, end, (value) => {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigInt64(0, value);
        return bytes;
      });
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const bits = type.kind === 'TINYINT' ? 8 : type.kind === 'SMALLINT' ? 16 : 32;
      const { start, end } = options.sequenceBounds((name) => BigInt(narrow(Number(readInt(name)), bits)));
      return sequence(start, end, (value) => Number(value));
    }
    case 'BIGINT': {
      const { start, end } = options.sequenceBounds(readLong);
      return sequence(start, end, (value) => value);
    }
    case 'FLOAT': {
      // Flink reads a FLOAT sequence's bounds as ints and narrows them to shorts.
      const { start, end } = options.sequenceBounds((name) => BigInt(narrow(Number(readInt(name)), 16)));
      return sequence(start, end, (value) => Number(value));
    }
    case 'DOUBLE': {
      const { start, end } = options.sequenceBounds(readInt);
      return sequence(start, end, (value) => Number(value));
    }
    case 'DECIMAL': {
      const { start, end } = options.sequenceBounds(readInt);
      const factor = pow10(type.scale);
      const precision = type.precision;
      return sequence(start, end, (value) => {
        const unscaled = value * factor;
        return fitsPrecision(unscaled, precision) ? unscaled : null;
      });
    }
    default:
      throw new DatagenOptionError(
        `Unsupported type for the sequence generator: ${type.kind} (field '${options.path}')`,
        options.key('kind'),
        "sequences are of numbers and strings; use 'random' for this field",
      );
  }
}

function sequence(start: bigint, end: bigint, value: (n: bigint) => Value): FieldGenerator {
  const rows = end - start + 1n;
  return {
    rows: rows > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(rows),
    generate: (_random, index) => value(start + BigInt(index)),
  };
}

/** DATE and TIME take the current day or time of day, random or sequence, as Flink's DataGenVisitorBase. */
function nowGenerator(type: DataType & { kind: 'DATE' | 'TIME' }): Generate {
  const millisPerDay = 86_400_000;
  const local = (now: number) => now - new Date(now).getTimezoneOffset() * 60_000;
  if (type.kind === 'DATE') return (_random, _index, now) => Math.floor(local(now) / millisPerDay);
  const precision = type.precision;
  return (_random, _index, now) =>
    truncateTime((((local(now) % millisPerDay) + millisPerDay) % millisPerDay) * MICROS_PER_MILLI, precision);
}

/** Flink's DecimalDataRandomGenerator: a double between the bounds, cut to the type's precision. */
function randomDecimal(precision: number, scale: number, options: FieldOptions): Generate {
  const largest = 10 ** (precision - scale) - 10 ** -scale;
  const min = Math.max(-largest, options.double('min', JAVA_DOUBLE_MIN_VALUE));
  const max = Math.min(largest, options.double('max', Number.MAX_VALUE));
  if (!(min < max))
    throw new DatagenOptionError(`min bound must be less than max [${min}, ${max}]`, options.key('min'));
  const factor = 10 ** scale;
  const limit = pow10(precision) - 1n;
  return withNulls(options, (random) => {
    const unscaled = BigInt(Math.trunc((min + random.float() * (max - min)) * factor));
    return unscaled > limit ? limit : unscaled < -limit ? -limit : unscaled;
  });
}

function hexString(length: number, varLen: boolean): Generate {
  return (random) => {
    const size = varLen ? varLength(random, length) : length;
    let text = '';
    for (let i = 0; i < size; i += 8) {
      let bits = random.next();
      for (let j = i; j < Math.min(size, i + 8); j++, bits >>>= 4) text += HEX[bits & 15];
    }
    return text;
  };
}

function bytes(length: number, varLen: boolean): Generate {
  return (random) => {
    const out = new Uint8Array(varLen ? varLength(random, length) : length);
    for (let i = 0; i < out.length; i++) out[i] = random.next() & 255;
    return out;
  };
}

/** Flink's `var-len`: a length from 1 up to, not including, the field's length. */
function varLength(random: RowRandom, length: number): number {
  return length > 1 ? random.int(1, length - 1) : length;
}

/** `null-rate`: the share of values that are NULL, drawn before the value as Flink does. */
function withNulls(options: FieldOptions, generate: Generate): Generate {
  const rate = options.nullRate();
  if (rate === 0) return generate;
  return (random, index, now) => (random.float() <= rate ? null : generate(random, index, now));
}

/** Java's narrowing of an int to a byte or a short (Flink's `.byteValue()`, `.shortValue()`). */
function narrow(value: number, bits: number): number {
  if (bits === 32) return value;
  const span = 2 ** bits;
  const wrapped = ((value % span) + span) % span;
  return wrapped >= span / 2 ? wrapped - span : wrapped;
}

function checkRange<N extends number | bigint>(options: FieldOptions, min: N, max: N): void {
  if (min > max)
    throw new DatagenOptionError(
      `'${options.key('min')}' (${min}) is greater than '${options.key('max')}' (${max})`,
      options.key('min'),
    );
}
