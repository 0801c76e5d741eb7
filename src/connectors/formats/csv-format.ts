import { formatJavaDouble, formatJavaFloat } from '../../expr/cast.ts';
import { javaDecimalText } from '../../expr/json/json-text.ts';
import type { Row, Value } from '../../expr/value.ts';
import { type DataType, formatType, type RowField } from '../../types/data-type.ts';
import { fitsPrecision, formatDecimal, parseDecimal } from '../../types/decimal.ts';
import {
  formatDate,
  formatTimestampTrimmed,
  formatTimeTrimmed,
  parseDate,
  parseTime,
  parseTimestamp,
} from '../../types/temporal.ts';
import { type TimeValue, WideTime } from '../../types/time-value.ts';
import { FormatError, orOnFormatError } from './format.ts';

/** Flink's `csv` format options, resolved. */
export interface CsvOptions {
  readonly fieldDelimiter: string;
  /** The quote character, or undefined when 'disable-quote-character' is set. */
  readonly quote: string | undefined;
  readonly allowComments: boolean;
  readonly ignoreParseErrors: boolean;
  readonly arrayElementDelimiter: string;
  readonly escape: string | undefined;
  readonly nullLiteral: string | undefined;
  readonly bigDecimalScientific: boolean;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = {
  fieldDelimiter: ',',
  quote: '"',
  allowComments: false,
  ignoreParseErrors: false,
  arrayElementDelimiter: ';',
  escape: undefined,
  nullLiteral: undefined,
  bigDecimalScientific: true,
};

/**
 * Flink's csv converters refuse MAP, MULTISET and, inside an ARRAY or ROW, anything but a simple
 * type: the message for a column of `type`, or undefined.
 */
export function csvTypeProblem(name: string, type: DataType): string | undefined {
  const simple = (inner: DataType) =>
    !['ARRAY', 'ROW', 'MAP', 'MULTISET', 'INTERVAL_DAY_TIME', 'INTERVAL_YEAR_MONTH'].includes(inner.kind);
  switch (type.kind) {
    case 'MAP':
    case 'MULTISET':
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return `Unsupported type '${formatType(type)}' for field '${name}'.`;
    case 'ARRAY':
    case 'ROW': {
      const inner = type.kind === 'ARRAY' ? [type.element] : type.fields.map((field) => field.type);
      const nested = inner.find((t) => !simple(t));
      return nested
        ? `Only simple types are supported in the second level nesting of fields '${name}' but was: ${formatType(nested)}`
        : undefined;
    }
    case 'TIME':
      return type.precision > 3
        ? `Csv does not support TIME type with precision: ${type.precision}, it only supports precision 0 ~ 3.`
        : undefined;
    default:
      return undefined;
  }
}

// ─── writing ─────────────────────────────────────────────────────────────────────────────────────

/** A value's text, and whether it is a number (never quoted) or a text (quoted when it must be). */
type Text = (value: Value) => string;

function textOf(type: DataType, options: CsvOptions): Text {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'FLOAT':
      return (v) => formatJavaFloat(v as number);
    case 'DOUBLE':
      return (v) => formatJavaDouble(v as number);
    case 'DECIMAL': {
      const { scale } = type;
      return options.bigDecimalScientific
        ? (v) => javaDecimalText(v as bigint, scale)
        : (v) => formatDecimal(v as bigint, scale);
    }
    case 'CHAR':
    case 'VARCHAR':
      return (v) => v as string;
    case 'BINARY':
    case 'VARBINARY':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTimeTrimmed(v as TimeValue);
    case 'TIMESTAMP':
      return (v) => formatTimestampTrimmed(v as TimeValue, ' ');
    case 'TIMESTAMP_LTZ':
      return (v) => `${formatTimestampTrimmed(v as TimeValue, ' ')}Z`;
    case 'ARRAY':
    case 'ROW': {
      // Jackson writes the elements into one column, joined by the array element delimiter.
      const parts = type.kind === 'ARRAY' ? undefined : type.fields.map((field) => textOf(field.type, options));
      const element = type.kind === 'ARRAY' ? textOf(type.element, options) : undefined;
      const nullText = options.nullLiteral ?? '';
      return (v) =>
        (v as Value[])
          .map((item, i) => (item === null ? nullText : ((parts?.[i] ?? element) as Text)(item)))
          .join(options.arrayElementDelimiter);
    }
    default:
      return (v) => String(v);
  }
}

/** Kinds Jackson writes as numbers or booleans: never quoted. */
const UNQUOTED = new Set<DataType['kind']>([
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
]);

/**
 * Jackson's CsvEncoder quoting ("loose" check, its default): a text is quoted when it holds the
 * quote or escape character or any character below the larger of the field delimiter and the quote
 * character, plus one (so with ',' and '"', anything below '-': spaces, commas, line breaks…).
 * Inside quotes a quote character is doubled, or preceded by the escape character when there is one.
 */
function quoter(options: CsvOptions): (text: string) => string {
  const { quote, escape: escapeChar, fieldDelimiter } = options;
  if (quote === undefined) return (text) => text;
  const minSafe = Math.max(fieldDelimiter.charCodeAt(0), quote.charCodeAt(0)) + 1;
  const quoteCode = quote.charCodeAt(0);
  const escapeCode = escapeChar === undefined ? -1 : escapeChar.charCodeAt(0);
  const needs = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < minSafe || c === quoteCode || c === escapeCode) return true;
    }
    return false;
  };
  const inner =
    escapeChar === undefined
      ? (text: string) => text.split(quote).join(quote + quote)
      : (text: string) =>
          text.replace(new RegExp(`[${escapeClass(quote)}${escapeClass(escapeChar)}]`, 'g'), (c) => escapeChar + c);
  return (text) => (needs(text) ? `${quote}${inner(text)}${quote}` : text);
}

function escapeClass(char: string): string {
  return char.replace(/[\\\]^-]/g, '\\$&');
}

/** A function that writes rows of `fields` as Flink's csv format does: one line, without a line break. */
export function csvEncoder(
  fields: readonly RowField[],
  options: CsvOptions = DEFAULT_CSV_OPTIONS,
): (row: Row) => Buffer {
  const quote = quoter(options);
  const writers = fields.map((field) => {
    const text = textOf(field.type, options);
    return UNQUOTED.has(field.type.kind) ? text : (v: Value) => quote(text(v));
  });
  const nullText = options.nullLiteral === undefined ? '' : quote(options.nullLiteral);
  return (row) => {
    let line = '';
    for (let i = 0; i < writers.length; i++) {
      if (i > 0) line += options.fieldDelimiter;
      const v = row[i] ?? null;
      line += v === null ? nullText : (writers[i] as Text)(v);
    }
    return Buffer.from(line, 'utf8');
  };
}

// ─── reading ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The fields of the first row of `text`, as Jackson's CsvParser reads them: a field in quotes may
 * hold delimiters and line breaks and doubles the quote character; the escape character, where
 * set, takes the next character as it is. Undefined for a comment line (allow-comments) or an
 * empty record.
 */
export function splitCsvLine(text: string, options: CsvOptions): string[] | undefined {
  if (text.length === 0) return undefined;
  if (options.allowComments && text.charCodeAt(0) === 0x23) return undefined;
  const { fieldDelimiter: delimiter, quote, escape: escapeChar } = options;
  const fields: string[] = [];
  let i = 0;
  let current = '';
  let quoted = false;
  let inQuotes = false;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (escapeChar !== undefined && c === escapeChar && i + 1 < text.length) {
      current += text[++i];
      continue;
    }
    if (inQuotes) {
      if (c === quote) {
        if (text[i + 1] === quote) {
          current += c;
          i++;
        } else inQuotes = false;
      } else current += c;
      continue;
    }
    if (c === quote && current.length === 0 && !quoted) {
      inQuotes = true;
      quoted = true;
    } else if (c === delimiter) {
      fields.push(current);
      current = '';
      quoted = false;
    } else if (c === '\n' || c === '\r') {
      break;
    } else current += c;
  }
  if (inQuotes) throw new FormatError('Missing closing quote for value');
  fields.push(current);
  return fields;
}

type Read = (text: string, path: string) => Value;

function fail(path: string, type: DataType, text: string): never {
  throw new FormatError(`field '${path}' expects ${formatType(type)}, got '${text.slice(0, 60)}'`);
}

const JAVA_INTEGER = /^[+-]?\d+$/;
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;
const SQL_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const NUMERIC = new Set<DataType['kind']>([
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'DECIMAL',
  'BOOLEAN',
]);

/** Reads a value of the type from its text as Flink's CsvToRowDataConverters do; null-literal is handled before. */
function reader(type: DataType, options: CsvOptions): Read {
  const read = strictReader(type, options);
  // Jackson reads an empty number or boolean column as null.
  const emptyIsNull = NUMERIC.has(type.kind);
  const nullable: Read = (text, path) => (emptyIsNull && text.trim() === '' ? null : read(text, path));
  return options.ignoreParseErrors ? orOnFormatError(nullable, null) : nullable;
}

function strictReader(type: DataType, options: CsvOptions): Read {
  switch (type.kind) {
    case 'BOOLEAN':
      // Java's Boolean.parseBoolean: 'true' in any case, anything else false.
      return (text) => text.trim().toLowerCase() === 'true';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const limit = 2 ** ({ TINYINT: 8, SMALLINT: 16, INT: 32 }[type.kind] - 1);
      return (text, path) => {
        const trimmed = text.trim();
        const n = Number(trimmed);
        if (!JAVA_INTEGER.test(trimmed) || n < -limit || n >= limit) return fail(path, type, text);
        return n;
      };
    }
    case 'BIGINT':
      return (text, path) => {
        const trimmed = text.trim();
        if (!JAVA_INTEGER.test(trimmed)) return fail(path, type, text);
        const n = BigInt(trimmed);
        return BigInt.asIntN(64, n) === n ? n : fail(path, type, text);
      };
    case 'FLOAT':
    case 'DOUBLE': {
      const round = type.kind === 'FLOAT' ? Math.fround : (x: number) => x;
      return (text, path) => {
        const trimmed = text.trim();
        if (!JAVA_DOUBLE.test(trimmed)) return fail(path, type, text);
        return round(Number(trimmed.replace(/[fFdD]$/, '')));
      };
    }
    case 'DECIMAL': {
      const { precision, scale } = type;
      return (text, path) => {
        const value = parseDecimal(text, scale);
        if (value === null) return fail(path, type, text);
        return fitsPrecision(value, precision) ? value : null;
      };
    }
    case 'CHAR':
    case 'VARCHAR':
      return (text) => text;
    case 'BINARY':
    case 'VARBINARY':
      return (text, path) =>
        /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : fail(path, type, text);
    case 'DATE':
      return (text, path) => (/^\d{4}-\d{1,2}-\d{1,2}$/.test(text) ? parseDate(text) : null) ?? fail(path, type, text);
    case 'TIME': {
      const unit = 10 ** (6 - Math.min(type.precision, 3));
      return (text, path) => {
        const time = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(text) ? parseTime(text) : null;
        if (time === null) return fail(path, type, text);
        const micros = time instanceof WideTime ? Number(time.nanos / 1000n) : time;
        return Math.floor(micros / unit) * unit;
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const zoned = type.kind === 'TIMESTAMP_LTZ';
      return (text, path) => {
        let trimmed = text.trim();
        if (zoned) {
          if (!trimmed.endsWith('Z')) return fail(path, type, text);
          trimmed = trimmed.slice(0, -1);
        }
        return (SQL_TIMESTAMP.test(trimmed) ? parseTimestamp(trimmed, true) : null) ?? fail(path, type, text);
      };
    }
    case 'ARRAY':
    case 'ROW': {
      const elements =
        type.kind === 'ARRAY'
          ? undefined
          : type.fields.map((field) => ({ name: field.name, read: reader(field.type, options) }));
      const element = type.kind === 'ARRAY' ? reader(type.element, options) : undefined;
      const arity = elements?.length ?? 0;
      return (text, path) => {
        const items = text.length === 0 ? [] : text.split(options.arrayElementDelimiter);
        if (elements) {
          if (items.length === 0) return null;
          if (items.length !== arity && !options.ignoreParseErrors)
            throw new FormatError(`Row length mismatch. ${arity} fields expected but was ${items.length}.`);
          return elements.map(({ name, read }, i) => {
            const item = items[i];
            return item === undefined || item === options.nullLiteral ? null : read(item, `${path}.${name}`);
          });
        }
        return items.map((item, i) => (item === options.nullLiteral ? null : (element as Read)(item, `${path}[${i}]`)));
      };
    }
    default:
      return (_, path) => fail(path, type, '');
  }
}

/**
 * A function that reads one record of Flink csv into a row of `fields`: the fields by position,
 * a field equal to null-literal is NULL. Undefined for a record that holds no row (empty, a
 * comment). A FormatError when a field does not fit, or the record has another number of fields
 * ("Row length mismatch"; with ignore-parse-errors the missing ones are NULL, as in Flink).
 */
export function csvDecoder(
  fields: readonly RowField[],
  options: CsvOptions = DEFAULT_CSV_OPTIONS,
): (bytes: Uint8Array) => Row | undefined {
  const reads = fields.map((field) => reader(field.type, options));
  const names = fields.map((field) => field.name);
  const { nullLiteral } = options;
  return (bytes) => {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    const parts = splitCsvLine(text, options);
    if (!parts) return undefined;
    if (parts.length > reads.length)
      throw new FormatError(`Too many entries: expected at most ${reads.length}, the record has ${parts.length}`);
    if (parts.length < reads.length && !options.ignoreParseErrors)
      throw new FormatError(`Row length mismatch. ${reads.length} fields expected but was ${parts.length}.`);
    const row: Value[] = new Array(reads.length);
    for (let i = 0; i < reads.length; i++) {
      const part = parts[i];
      row[i] = part === undefined || part === nullLiteral ? null : (reads[i] as Read)(part, names[i] as string);
    }
    return row;
  };
}
