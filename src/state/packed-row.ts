import { writeText as writeUtf8 } from '../common/text-bytes.ts';
import type { Row, Value } from '../expr/value.ts';
import { WideTime } from '../types/time-value.ts';

/**
 * A row as operator state keeps it: its values written into one string of byte-sized characters.
 * A row array costs a pointer per field plus a heap object per bigint and per non-integer number;
 * packed, a 16-column order takes less than half the memory. Equal rows pack to equal strings,
 * so packed rows compare with ===. An operator that emits a row it keeps packed passes the string
 * on (Change.packed), so that the next operator keeping the row shares it.
 */
export type PackedRow = string & { readonly __packed: never };

// Tags of the values in a packed row.
const NULL = 0;
const FALSE = 1;
const TRUE = 2;
/** A number that is a 32-bit integer: zigzag varint. */
const INTEGER = 3;
const FLOAT64 = 4;
/** A bigint within ±2^52: zigzag varint. */
const SMALL_BIGINT = 5;
const BIGINT = 6;
const STRING = 7;
const BYTES = 8;
const ARRAY = 9;
const MAP = 10;
/** A WideTime (a TIME or TIMESTAMP beyond a number of microseconds): its nanoseconds as text. */
const WIDE_TIME = 11;

let buffer = Buffer.allocUnsafe(64 * 1024);
let view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
let at = 0;

function reserve(bytes: number): void {
  if (at + bytes <= buffer.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(buffer.length * 2, at + bytes));
  buffer.copy(bigger, 0, 0, at);
  buffer = bigger;
  view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function writeLength(n: number): void {
  reserve(5);
  while (n >= 0x80) {
    buffer[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buffer[at++] = n;
}

function readLength(): number {
  let n = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[at++] as number;
    n |= (byte & 0x7f) << shift;
    if (byte < 0x80) return n >>> 0;
    shift += 7;
  }
}

const VARINT_LIMIT = 2 ** 52;
const BIG_VARINT_LIMIT = BigInt(VARINT_LIMIT);

/** Writes a 32-bit integer as a zigzag varint (the same bytes as writeInteger, faster). */
function writeInt32(value: number): void {
  let n = ((value << 1) ^ (value >> 31)) >>> 0;
  while (n >= 0x80) {
    buffer[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buffer[at++] = n;
}

/** Writes an integer within ±2^52 as a zigzag varint (7 bits a byte, small magnitudes first). */
function writeInteger(value: number): void {
  let n = value < 0 ? -2 * value - 1 : 2 * value;
  while (n >= 0x80) {
    buffer[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buffer[at++] = n;
}

function readInteger(): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const byte = buffer[at++] as number;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) break;
    scale *= 0x80;
  }
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function write(value: Value): void {
  reserve(10);
  if (value === null) {
    buffer[at++] = NULL;
    return;
  }
  switch (typeof value) {
    case 'boolean':
      buffer[at++] = value ? TRUE : FALSE;
      return;
    case 'number':
      if ((value | 0) === value && !(value === 0 && 1 / value < 0)) {
        buffer[at++] = INTEGER;
        writeInt32(value);
      } else {
        buffer[at++] = FLOAT64;
        view.setFloat64(at, Number.isNaN(value) ? Number.NaN : value, true);
        at += 8;
      }
      return;
    case 'bigint':
      if (value <= BIG_VARINT_LIMIT && value >= -BIG_VARINT_LIMIT) {
        buffer[at++] = SMALL_BIGINT;
        const n = Number(value);
        if ((n | 0) === n) writeInt32(n);
        else writeInteger(n);
      } else {
        buffer[at++] = BIGINT;
        writeText(value.toString());
      }
      return;
    case 'string':
      buffer[at++] = STRING;
      writeText(value);
      return;
  }
  if (value instanceof Uint8Array) {
    buffer[at++] = BYTES;
    writeLength(value.length);
    reserve(value.length);
    buffer.set(value, at);
    at += value.length;
  } else if (value instanceof WideTime) {
    buffer[at++] = WIDE_TIME;
    writeText(value.nanos.toString());
  } else if (value instanceof Map) {
    buffer[at++] = MAP;
    writeLength(value.size);
    for (const [k, v] of value) {
      write(k);
      write(v);
    }
  } else {
    const items = value as readonly Value[];
    buffer[at++] = ARRAY;
    writeLength(items.length);
    for (const item of items) write(item);
  }
}

/** Longest text (in UTF-16 units) written by the loop below: 3 bytes a unit stay under 128 bytes. */
const SHORT_TEXT = 42;

function writeText(text: string): void {
  const length = text.length;
  if (length > SHORT_TEXT) {
    const bytes = Buffer.byteLength(text, 'utf8');
    writeLength(bytes);
    reserve(bytes);
    at += buffer.write(text, at, bytes, 'utf8');
    return;
  }
  // Short text is encoded here; its byte length, under 128, takes the one byte reserved before it.
  reserve(1 + 3 * length);
  const start = at++;
  at = writeUtf8(buffer, at, text, false);
  buffer[start] = at - start - 1;
}

function readText(): string {
  const length = readLength();
  const text = buffer.toString('utf8', at, at + length);
  at += length;
  return text;
}

function read(): Value {
  const tag = buffer[at++];
  switch (tag) {
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INTEGER:
      return readInteger();
    case FLOAT64: {
      const value = view.getFloat64(at, true);
      at += 8;
      return value;
    }
    case SMALL_BIGINT:
      return BigInt(readInteger());
    case BIGINT:
      return BigInt(readText());
    case STRING:
      return readText();
    case BYTES: {
      const length = readLength();
      const bytes = new Uint8Array(buffer.subarray(at, at + length));
      at += length;
      return bytes;
    }
    case WIDE_TIME:
      return new WideTime(BigInt(readText()));
    case MAP: {
      const size = readLength();
      const map = new Map<Value, Value>();
      for (let i = 0; i < size; i++) {
        const key = read();
        map.set(key, read());
      }
      return map;
    }
    case ARRAY: {
      const length = readLength();
      const items = new Array<Value>(length);
      for (let i = 0; i < length; i++) items[i] = read();
      return items;
    }
    default:
      throw new Error(`corrupt packed row (tag ${tag})`);
  }
}

/** The packed form of a row. */
export function pack(row: Row): PackedRow {
  at = 0;
  writeLength(row.length);
  for (let i = 0; i < row.length; i++) write(row[i] ?? null);
  return buffer.toString('latin1', 0, at) as PackedRow;
}

/** The row of a packed row. */
export function unpack(packed: PackedRow): Row {
  at = 0;
  reserve(packed.length);
  buffer.write(packed, 0, 'latin1');
  const length = readLength();
  const row = new Array<Value>(length);
  for (let i = 0; i < length; i++) row[i] = read();
  return row;
}
