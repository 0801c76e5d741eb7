import { writeText } from '../../common/text-bytes.ts';
import type { Value } from '../../expr/value.ts';
import type { DataType } from '../../types/data-type.ts';
import { roundedMicros, type TimeValue } from '../../types/time-value.ts';

/**
 * One column of a batch as a single statement parameter: a PostgreSQL array in its binary format
 * (the server's `array_recv`), expanded by `unnest`. Numbers, dates and times travel as the
 * server's own binary values, so neither side formats or parses their text; other types travel as
 * `text[]` and are cast by the statement.
 */
export interface ColumnArray {
  /** The array type the statement gives the parameter, e.g. `int8[]`. */
  readonly sqlType: string;
  readonly encode: (values: readonly Value[]) => Buffer;
}

const HEADER_BYTES = 20;
const TEXT_OID = 25;
/** PostgreSQL's dates and timestamps count from 2000-01-01; Rivulet's from 1970-01-01. */
const DAYS_1970_TO_2000 = 10_957;
const MICROS_1970_TO_2000 = DAYS_1970_TO_2000 * 86_400_000_000;
const BIG_MICROS_1970_TO_2000 = BigInt(MICROS_1970_TO_2000);

/** The array header: one dimension, whether an element is null, the element type, the length, lower bound 1. */
function header(buffer: Buffer, count: number, hasNull: boolean, elementOid: number): void {
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(hasNull ? 1 : 0, 4);
  buffer.writeInt32BE(elementOid, 8);
  buffer.writeInt32BE(count, 12);
  buffer.writeInt32BE(1, 16);
}

/** Elements of a fixed size: each is its length, then `write` puts its bytes at `at`. */
function fixedSize(
  sqlType: string,
  elementOid: number,
  size: number,
  write: (buffer: Buffer, value: Value, at: number) => void,
): ColumnArray {
  return {
    sqlType,
    encode(values) {
      let nulls = 0;
      for (let i = 0; i < values.length; i++) if (values[i] === null) nulls++;
      const buffer = Buffer.allocUnsafe(HEADER_BYTES + 4 * values.length + size * (values.length - nulls));
      header(buffer, values.length, nulls > 0, elementOid);
      let at = HEADER_BYTES;
      for (let i = 0; i < values.length; i++) {
        const value = values[i] as Value;
        if (value === null) {
          at = buffer.writeInt32BE(-1, at);
          continue;
        }
        at = buffer.writeInt32BE(size, at);
        write(buffer, value, at);
        at += size;
      }
      return buffer;
    },
  };
}

const TWO_32 = 2 ** 32;

/** A safe integer as 8 bytes, big-endian two's complement, without making a bigint of it. */
function writeInt64(buffer: Buffer, value: number, at: number): void {
  const high = Math.floor(value / TWO_32);
  buffer.writeInt32BE(high, at);
  buffer.writeUInt32BE(value - high * TWO_32, at + 4);
}

function writeBigint(buffer: Buffer, value: Value, at: number): void {
  if (typeof value === 'bigint') buffer.writeBigInt64BE(value, at);
  else writeInt64(buffer, value as number, at);
}

/**
 * A TIMESTAMP as PostgreSQL's microseconds since 2000. A WideTime (beyond the years 1684-2255, or
 * with nanoseconds) is rounded to microseconds half up, as PostgreSQL's JDBC driver does.
 */
function writeTimestamp(buffer: Buffer, value: Value, at: number): void {
  if (typeof value === 'number') {
    const micros = value - MICROS_1970_TO_2000;
    if (micros >= Number.MIN_SAFE_INTEGER) {
      writeInt64(buffer, micros, at);
      return;
    }
  }
  buffer.writeBigInt64BE(roundedMicros(value as TimeValue) - BIG_MICROS_1970_TO_2000, at);
}

/** A TIME as microseconds of the day; 23:59:59.9999995 rounds to 24:00:00, which PostgreSQL's time holds. */
function writeTime(buffer: Buffer, value: Value, at: number): void {
  if (typeof value === 'number') writeInt64(buffer, value, at);
  else buffer.writeBigInt64BE(roundedMicros(value as TimeValue), at);
}

/**
 * A `text[]` of the texts of the values: each element is its byte length (-1 for null) and its
 * UTF-8 bytes. Nothing is quoted or escaped, as an array literal would need. Written in one pass
 * into a buffer sized for the worst case (3 UTF-8 bytes per UTF-16 unit).
 */
export function textArray(toText: (value: Value) => string | null): ColumnArray {
  return {
    sqlType: 'text[]',
    encode(values) {
      const texts = values.map(toText);
      let bound = HEADER_BYTES + 4 * texts.length;
      let hasNull = false;
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i] as string | null;
        if (text === null) hasNull = true;
        else bound += 3 * text.length;
      }
      const buffer = Buffer.allocUnsafe(bound);
      header(buffer, texts.length, hasNull, TEXT_OID);
      let at = HEADER_BYTES;
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i] as string | null;
        if (text === null) {
          at = buffer.writeInt32BE(-1, at);
          continue;
        }
        const end = writeText(buffer, at + 4, text, false);
        buffer.writeInt32BE(end - at - 4, at);
        at = end;
      }
      return buffer.subarray(0, at);
    },
  };
}

/** How a column of `type` travels; `toText` gives the text of the types that travel as text. */
export function columnArray(type: DataType, toText: (value: Value) => string | null): ColumnArray {
  switch (type.kind) {
    case 'BOOLEAN':
      return fixedSize('bool[]', 16, 1, (b, v, at) => b.writeUInt8(v ? 1 : 0, at));
    case 'TINYINT':
    case 'SMALLINT':
      return fixedSize('int2[]', 21, 2, (b, v, at) => b.writeInt16BE(v as number, at));
    case 'INT':
      return fixedSize('int4[]', 23, 4, (b, v, at) => b.writeInt32BE(v as number, at));
    case 'BIGINT':
      return fixedSize('int8[]', 20, 8, writeBigint);
    case 'FLOAT':
      return fixedSize('float4[]', 700, 4, (b, v, at) => b.writeFloatBE(v as number, at));
    case 'DOUBLE':
      return fixedSize('float8[]', 701, 8, (b, v, at) => b.writeDoubleBE(v as number, at));
    case 'DATE':
      return fixedSize('date[]', 1082, 4, (b, v, at) => b.writeInt32BE((v as number) - DAYS_1970_TO_2000, at));
    case 'TIME':
      return fixedSize('time[]', 1083, 8, writeTime);
    case 'TIMESTAMP':
      return fixedSize('timestamp[]', 1114, 8, writeTimestamp);
    case 'TIMESTAMP_LTZ':
      return fixedSize('timestamptz[]', 1184, 8, writeTimestamp);
    default:
      return textArray(toText);
  }
}
