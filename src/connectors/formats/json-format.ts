import { type JsonTextOptions, jsonText } from '../../expr/json/json-text.ts';
import type { Row, Value } from '../../expr/value.ts';
import { type DataType, formatType, type RowField } from '../../types/data-type.ts';
import { decimalFromDouble, fitsPrecision, parseDecimal } from '../../types/decimal.ts';
import { parseDate, parseTime, parseTimestamp, parseTimestampBeyond } from '../../types/temporal.ts';
import { dayOf, FIRST_DAY, type TimeValue } from '../../types/time-value.ts';
import type { TableShape } from '../table.ts';
import { type ExactJson, parseExactJson } from './exact-json.ts';
import { FormatError, orOnFormatError } from './format.ts';
import { JsonBytes } from './json-bytes.ts';

/** Flink's `json` format options. */
export interface JsonOptions extends JsonTextOptions {
  readonly failOnMissingField: boolean;
  readonly ignoreParseErrors: boolean;
}

export const DEFAULT_JSON_OPTIONS: JsonOptions = {
  timestampStandard: 'SQL',
  failOnMissingField: false,
  ignoreParseErrors: false,
  decimalAsPlainNumber: false,
  ignoreNullFields: false,
  mapNullKeyMode: 'FAIL',
  mapNullKeyLiteral: 'null',
  astralEscaped: true,
};

// ─── encoding ────────────────────────────────────────────────────────────────────────────────────

/** The count of each element of a MULTISET, as Flink's json format reads and writes it. */
const MULTISET_COUNT: DataType = { kind: 'INT', nullable: false };

/**
 * Flink's json format refuses a MAP whose keys are not strings (and so a MULTISET of other
 * elements): the message of its converters, at any depth of the type, or undefined.
 */
export function jsonTypeProblem(type: DataType): string | undefined {
  switch (type.kind) {
    case 'MAP':
    case 'MULTISET': {
      const key = type.kind === 'MAP' ? type.key : type.element;
      if (key.kind !== 'CHAR' && key.kind !== 'VARCHAR')
        return `JSON format doesn't support non-string as key type of map. The type is: ${formatType(type)}`;
      return type.kind === 'MAP' ? jsonTypeProblem(type.value) : undefined;
    }
    case 'ARRAY':
      return jsonTypeProblem(type.element);
    case 'ROW':
      return type.fields.map((field) => jsonTypeProblem(field.type)).find((problem) => problem !== undefined);
    default:
      return undefined;
  }
}

/** The first column of a table whose type the json format refuses, as a format's validate reports it. */
export function jsonColumnsProblem(table: TableShape | undefined): { message: string; hint: string } | undefined {
  for (const [i, type] of (table?.columnTypes ?? []).entries()) {
    const problem = jsonTypeProblem(type);
    if (problem) {
      return {
        message: `column '${table?.columns[i]}': ${problem}`,
        hint: 'declare the MAP with STRING keys (and a MULTISET of STRING), or write the column with another format',
      };
    }
  }
  return undefined;
}

/** Text of a value inside an ARRAY or MAP, and of the types without a byte writer below. */

type Write = (value: Value, out: JsonBytes) => void;

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a value's JSON into bytes: the common types directly, the others through their text. */
function writer(type: DataType, options: JsonOptions): Write {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v, out) => {
        if (typeof v === 'number' && Number.isSafeInteger(v)) out.integer(v);
        else if (typeof v === 'bigint' && v >= SAFE_MIN && v <= SAFE_MAX) out.integer(Number(v));
        else out.raw(String(v));
      };
    case 'CHAR':
    case 'VARCHAR':
      return (v, out) => out.quoted(v as string);
    case 'DECIMAL': {
      const { scale } = type;
      const text = jsonText(type, options);
      // Written as jsonDecimalText does, trailing zeros stripped; up to scale 6 what is left after
      // them is plain, but for a whole number ending in zeros (100 is 1E+2), which takes the text.
      if (scale > 6) return (v, out) => out.raw(text(v));
      return (v, out) => {
        const unscaled = v as bigint;
        if (unscaled < SAFE_MIN || unscaled > SAFE_MAX) return out.raw(text(v));
        let n = Number(unscaled);
        let digits = scale;
        while (digits > 0 && n % 10 === 0) {
          n /= 10;
          digits--;
        }
        if (digits === 0 && n % 10 === 0 && n !== 0) return out.raw(text(v));
        if (n < 0) {
          out.byte(0x2d);
          n = -n;
        }
        if (digits === 0) return out.integer(n);
        const unit = 10 ** digits;
        const whole = Math.floor(n / unit);
        out.integer(whole);
        out.byte(0x2e);
        out.integer(n - whole * unit, digits);
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const separator = options.timestampStandard === 'ISO-8601' ? 0x54 : 0x20;
      const zone = type.kind === 'TIMESTAMP_LTZ';
      return (v, out) => out.timestamp(v as TimeValue, separator, zone);
    }
    case 'ROW':
      return rowWriter(type.fields, options);
    default: {
      const text = jsonText(type, options);
      return (v, out) => out.raw(text(v));
    }
  }
}

const NULL = Buffer.from('null');

function rowWriter(fields: readonly RowField[], options: JsonOptions): Write {
  // Each field's name with what goes before it: the row's brace for the first written, else a comma.
  const firsts = fields.map((field) => Buffer.from(`{${JSON.stringify(field.name)}:`));
  const names = fields.map((field) => Buffer.from(`,${JSON.stringify(field.name)}:`));
  const writes = fields.map((field) => writer(field.type, options));
  const skipNulls = options.ignoreNullFields;
  return (value, out) => {
    const row = value as Row;
    let first = true;
    for (let i = 0; i < writes.length; i++) {
      const v = row[i] ?? null;
      if (v === null && skipNulls) continue;
      out.bytes((first ? firsts[i] : names[i]) as Buffer);
      first = false;
      if (v === null) out.bytes(NULL);
      else (writes[i] as Write)(v, out);
    }
    if (first) out.byte(0x7b);
    out.byte(0x7d);
  };
}

/** A function that writes rows of `fields` as Flink's json format writes them (UTF-8 bytes). */
export function jsonEncoder(
  fields: readonly RowField[],
  options: JsonOptions = DEFAULT_JSON_OPTIONS,
): (row: Row) => Buffer {
  const write = rowWriter(fields, options);
  const out = new JsonBytes();
  return (row) => {
    out.clear();
    write(row, out);
    return out.take();
  };
}

// ─── rows that skip the bytes ─────────────────────────────────────────────────────────────────────

/** Types whose values this format decodes back to what it encoded (FLOAT is rounded, nested types are rebuilt). */
const KEPT_KINDS = new Set<DataType['kind']>([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'DOUBLE',
  'DECIMAL',
  'CHAR',
  'VARCHAR',
  'BINARY',
  'VARBINARY',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
]);

function keptType(type: DataType): string {
  return type.kind === 'DECIMAL' ? `DECIMAL(${type.precision},${type.scale})` : type.kind;
}

/** The format a writer encoded its rows with, as far as a reader needs it to take those rows. */
export class JsonRowFormat {
  constructor(
    readonly options: string,
    /** Each field's position and type, by name. */
    readonly fields: ReadonlyMap<string, { readonly index: number; readonly type: string }>,
  ) {}
}

/**
 * Whether a value of the type reads back as itself, for the types where it might not: a number out
 * of its integer type's range fails to decode, a DECIMAL beyond its precision
 * as null, a timestamp before year 0 fails. Undefined for types whose every value reads back.
 */
function readsBack(type: DataType): ((value: Value) => boolean) | undefined {
  switch (type.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const limit = 2 ** ({ TINYINT: 8, SMALLINT: 16, INT: 32 }[type.kind] - 1);
      return (v) => Number.isInteger(v) && (v as number) >= -limit && (v as number) < limit;
    }
    case 'BIGINT':
      return (v) => typeof v === 'bigint' && BigInt.asIntN(64, v) === v;
    case 'DECIMAL': {
      const { precision } = type;
      return (v) => typeof v === 'bigint' && fitsPrecision(v, precision);
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      // A window that starts before year 0 is written with a negative year, which is not read back.
      return (v) => typeof v === 'number' || dayOf(v as TimeValue) >= FIRST_DAY;
    default:
      return undefined;
  }
}

/**
 * For a writer of rows of `fields` that this format decodes back into equal rows: its format, and
 * a test of one row (see readsBack). Undefined for fields or options under which some rows would
 * change.
 */
export function jsonRoundTrip(
  fields: readonly RowField[],
  options: JsonOptions = DEFAULT_JSON_OPTIONS,
): { readonly format: JsonRowFormat; readonly keeps: (row: Row) => boolean } | undefined {
  if (options.ignoreNullFields && options.failOnMissingField) return undefined;
  if (!fields.every((field) => KEPT_KINDS.has(field.type.kind))) return undefined;
  const format = new JsonRowFormat(
    JSON.stringify(options),
    new Map(fields.map(({ name, type }, index) => [name, { index, type: keptType(type) }])),
  );
  const checks = fields.flatMap(({ type }, i) => {
    const check = readsBack(type);
    return check ? [[i, check] as const] : [];
  });
  const count = fields.length;
  return {
    format,
    keeps: (row) => {
      if (row.length !== count) return false;
      for (const [i, check] of checks) {
        const value = row[i];
        if (value !== null && value !== undefined && !check(value)) return false;
      }
      return true;
    },
  };
}

/**
 * For a reader of rows of `fields`: given the format a record's row was written with, a function
 * that makes of that row what decoding its bytes would make (the row itself, or its fields this
 * reader declares), or undefined when the bytes must be decoded: other options, a field missing or
 * of another type. The answer for each writer's format is kept.
 */
export function jsonRowReuse(
  fields: readonly RowField[],
  options: JsonOptions = DEFAULT_JSON_OPTIONS,
): (format: object) => ((row: Row) => Row) | undefined {
  const known = new WeakMap<object, ((row: Row) => Row) | null>();
  const ownOptions = JSON.stringify(options);
  const same = (row: Row) => row;
  const reuse = (format: JsonRowFormat): ((row: Row) => Row) | null => {
    if (format.options !== ownOptions) return null;
    const indices: number[] = [];
    for (const { name, type } of fields) {
      const written = format.fields.get(name);
      if (written === undefined || written.type !== keptType(type)) return null;
      indices.push(written.index);
    }
    if (indices.length === format.fields.size && indices.every((index, i) => index === i)) return same;
    return (row) => indices.map((index) => row[index] ?? null);
  };
  return (format) => {
    let found = known.get(format);
    if (found === undefined) {
      found = format instanceof JsonRowFormat ? reuse(format) : null;
      known.set(format, found);
    }
    return found ?? undefined;
  };
}

// ─── decoding ────────────────────────────────────────────────────────────────────────────────────

type Decode = (json: unknown, path: string) => Value;

/**
 * A timestamp's text as Flink's json format reads it (ISO_LOCAL_DATE): year 0 is read, as
 * 0000-01-01 begins Flink's range, and a year past 9999 written with a '+' (the end of a window in
 * the last days of 9999). A negative year is refused.
 */
function jsonTimestamp(text: string): TimeValue | null {
  return text.charCodeAt(0) === 0x2b ? parseTimestampBeyond(text) : parseTimestamp(text, true);
}

const exactNumber = (json: unknown): string | undefined =>
  typeof json === 'object' && json !== null && 'number' in json ? (json as { number: string }).number : undefined;

function mismatch(path: string, type: string, json: unknown): never {
  const shown = JSON.stringify(json, (_, v) =>
    typeof v === 'object' && v !== null && 'number' in v ? Number(v.number) : v,
  );
  throw new FormatError(`field '${path}' expects ${type}, got ${shown?.slice(0, 60)}`);
}

/**
 * The decoder of a value of the type. With ignore-parse-errors a value that does not fit reads as
 * null, at every depth (a field, an element, a map value), as Flink's converters do.
 */
function decoder(type: DataType, options: JsonOptions): Decode {
  const decode = strictDecoder(type, options);
  return options.ignoreParseErrors ? orOnFormatError(decode, null) : decode;
}

/** Timestamp text in the layout timestamp-format.standard gives, before its value is read. */
function timestampLayout(options: JsonOptions, zoned: boolean): RegExp {
  // Flink: SQL is `yyyy-MM-dd HH:mm:ss[.fraction]`, ISO-8601 `yyyy-MM-ddTHH:mm[:ss[.fraction]]`;
  // TIMESTAMP_LTZ ends in a literal 'Z' in both.
  const time =
    options.timestampStandard === 'SQL'
      ? ' \\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?'
      : 'T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?';
  // Years past 9999 (a window's end) are written with a sign and five digits, as ISO-8601 has them.
  return new RegExp(`^(?:\\d{4}|\\+\\d{5,})-\\d{2}-\\d{2}${time}${zoned ? 'Z' : ''}$`);
}

function strictDecoder(type: DataType, options: JsonOptions): Decode {
  switch (type.kind) {
    case 'BOOLEAN':
      return (json, path) => {
        if (typeof json === 'boolean') return json;
        if (json === 'true' || json === 'false') return json === 'true';
        return mismatch(path, 'BOOLEAN', json);
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const bits = { TINYINT: 8, SMALLINT: 16, INT: 32 }[type.kind];
      const limit = 2 ** (bits - 1);
      return (json, path) => {
        const n =
          typeof json === 'number' ? json : Number(exactNumber(json) ?? (typeof json === 'string' ? json : Number.NaN));
        if (!Number.isInteger(n) || n < -limit || n >= limit) return mismatch(path, type.kind, json);
        return n;
      };
    }
    case 'BIGINT':
      return (json, path) => {
        const text =
          exactNumber(json) ??
          (typeof json === 'string'
            ? json.trim()
            : typeof json === 'number' && Number.isSafeInteger(json)
              ? String(json)
              : undefined);
        if (text === undefined || !/^-?\d+$/.test(text)) return mismatch(path, 'BIGINT', json);
        const value = BigInt(text);
        if (value !== BigInt.asIntN(64, value)) return mismatch(path, 'BIGINT', json);
        return value;
      };
    case 'DECIMAL': {
      const { precision, scale } = type;
      return (json, path) => {
        let value: bigint | null;
        if (typeof json === 'number') value = decimalFromDouble(json, scale);
        else if (typeof json === 'string') value = parseDecimal(json, scale);
        else {
          const text = exactNumber(json);
          value = text === undefined ? null : parseDecimal(text, scale);
        }
        if (value === null) return mismatch(path, `DECIMAL(${precision}, ${scale})`, json);
        return fitsPrecision(value, precision) ? value : null;
      };
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const round = type.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return (json, path) => {
        const n =
          typeof json === 'number' ? json : Number(exactNumber(json) ?? (typeof json === 'string' ? json : Number.NaN));
        if (Number.isNaN(n) && json !== 'NaN') return mismatch(path, type.kind, json);
        return round(n);
      };
    }
    case 'CHAR':
    case 'VARCHAR':
      return (json) => {
        if (typeof json === 'string') return json;
        const number = exactNumber(json);
        if (number !== undefined) return number;
        return typeof json === 'object' ? JSON.stringify(json) : String(json);
      };
    case 'BINARY':
    case 'VARBINARY':
      return (json, path) =>
        typeof json === 'string' ? new Uint8Array(Buffer.from(json, 'base64')) : mismatch(path, 'BYTES', json);
    case 'DATE':
      return (json, path) =>
        typeof json === 'string' ? (parseDate(json) ?? mismatch(path, 'DATE', json)) : mismatch(path, 'DATE', json);
    case 'TIME':
      return (json, path) =>
        typeof json === 'string' ? (parseTime(json) ?? mismatch(path, 'TIME', json)) : mismatch(path, 'TIME', json);
    // Year 0 is read, as Flink's json format reads it (ISO_LOCAL_DATE): 0000-01-01 begins Flink's range.
    case 'TIMESTAMP': {
      const layout = timestampLayout(options, false);
      const expected = `TIMESTAMP (${options.timestampStandard})`;
      return (json, path) =>
        typeof json === 'string' && layout.test(json)
          ? (jsonTimestamp(json) ?? mismatch(path, expected, json))
          : mismatch(path, expected, json);
    }
    case 'TIMESTAMP_LTZ': {
      const layout = timestampLayout(options, true);
      const expected = `TIMESTAMP_LTZ (${options.timestampStandard}, ending in Z)`;
      return (json, path) =>
        typeof json === 'string' && layout.test(json)
          ? (jsonTimestamp(json.slice(0, -1)) ?? mismatch(path, expected, json))
          : mismatch(path, expected, json);
    }
    case 'ARRAY': {
      const element = decoder(type.element, options);
      return (json, path) =>
        Array.isArray(json)
          ? json.map((item, i) => (item === null ? null : element(item, `${path}[${i}]`)))
          : mismatch(path, 'ARRAY', json);
    }
    case 'MAP':
    case 'MULTISET': {
      const value = decoder(type.kind === 'MAP' ? type.value : MULTISET_COUNT, options);
      const key = decoder(type.kind === 'MAP' ? type.key : type.element, options);
      return (json, path) => {
        if (typeof json !== 'object' || json === null || Array.isArray(json)) return mismatch(path, type.kind, json);
        return new Map(
          Object.entries(json).map(([k, v]) => [key(k, path), v === null ? null : value(v, `${path}.${k}`)]),
        );
      };
    }
    case 'ROW':
      return rowDecoder(type.fields, options);
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
    case 'NULL':
      return () => null;
  }
}

function rowDecoder(fields: readonly RowField[], options: JsonOptions): Decode {
  const parts = fields.map((field) => ({ name: field.name, decode: decoder(field.type, options) }));
  return (json, path) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      return mismatch(path || 'record', 'a JSON object', json);
    const object = json as Record<string, unknown>;
    const row: Value[] = new Array(parts.length);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as { name: string; decode: Decode };
      const raw = object[part.name];
      if (raw === undefined) {
        if (options.failOnMissingField)
          throw new FormatError(`field '${path ? `${path}.` : ''}${part.name}' is missing`);
        row[i] = null;
      } else if (raw === null) {
        row[i] = null;
      } else {
        row[i] = part.decode(raw, path ? `${path}.${part.name}` : part.name);
      }
    }
    return row;
  };
}

/** Whether JSON.parse may have rounded a value of this type (BIGINT beyond 2^53, long DECIMALs). */
function needsExactCheck(type: DataType): boolean {
  return (
    type.kind === 'BIGINT' ||
    (type.kind === 'DECIMAL' && type.precision > 15) ||
    type.kind === 'ARRAY' ||
    type.kind === 'ROW' ||
    type.kind === 'MAP' ||
    type.kind === 'MULTISET'
  );
}

function lostPrecision(value: unknown): boolean {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return !Number.isSafeInteger(value);
    return String(value).replace(/^-?0?\.?|e.*$|\./gi, '').length > 15;
  }
  if (Array.isArray(value)) return value.some(lostPrecision);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(lostPrecision);
  return false;
}

/**
 * With json.ignore-parse-errors, as Flink: a record that is not a JSON object at all is skipped
 * (undefined); `decode` has already nulled the values at fault within one.
 */
export function skippingUnreadable(decode: (bytes: Uint8Array) => Row): (bytes: Uint8Array) => Row | undefined {
  return orOnFormatError(decode, undefined);
}

/**
 * A function that reads Flink json bytes into a row of `fields`. Throws FormatError for bytes that
 * are not JSON or do not fit the schema; with `ignoreParseErrors` it nulls the values at fault (and
 * still throws for bytes that are not a JSON object: see skippingUnreadable).
 */
export function jsonDecoder(
  fields: readonly RowField[],
  options: JsonOptions = DEFAULT_JSON_OPTIONS,
): (bytes: Uint8Array) => Row {
  const decode = rowDecoder(fields, options);
  const checked = fields.map((field, i) => (needsExactCheck(field.type) ? i : -1)).filter((i) => i >= 0);
  const names = fields.map((field) => field.name);
  return (bytes) => {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new FormatError(`not valid JSON: ${(error as Error).message}`);
    }
    if (checked.length > 0 && typeof json === 'object' && json !== null) {
      const object = json as Record<string, unknown>;
      if (checked.some((i) => lostPrecision(object[names[i] as string]))) json = parseExactJson(text) as ExactJson;
    }
    return decode(json, '') as Row;
  };
}
