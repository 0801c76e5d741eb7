import { RivuletError } from '../../common/errors.ts';
import type { Row, Value } from '../../expr/value.ts';
import type { DataType, RowField } from '../../types/data-type.ts';
import { fitsPrecision, formatDecimal, parseDecimal } from '../../types/decimal.ts';
import {
  civilFromDays,
  dateInFlinkRange,
  daysFromCivil,
  formatDate,
  formatTime,
  parseTime,
  readIsoTimestamp,
  timeOfDay,
  timestampOfDay,
} from '../../types/temporal.ts';
import {
  dayOf,
  fromNanos,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  plusMicros,
  roundedMicros,
  type TimeValue,
} from '../../types/time-value.ts';

/** Type OIDs whose text form needs its own reading. */
const TIMESTAMPTZ = 1184;
const TIMETZ = 1266;

/** A column value PostgreSQL sent that does not fit the Flink column it is read into. */
export class ValueError extends Error {}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

const INT_RANGES = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
} as const;

/**
 * Any timestamp or timestamptz text of PostgreSQL's ISO style (TimeZone UTC): years past 9999,
 * ' BC' for years before 1 (1 BC is year 0), an offset for timestamptz, 'infinity'. Values
 * outside Flink's range (PostgreSQL's runs from 4713 BC to 294276) throw a ValueError.
 */
const PG_TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

function pgTimestamp(text: string, type: DataType): TimeValue {
  const match = PG_TIMESTAMP.exec(text);
  if (!match) {
    if (text.endsWith('infinity')) throw new ValueError(`'${text}' has no ${type.kind} value: ${RANGE}`);
    throw new ValueError(`'${text}' is not a valid ${type.kind}`);
  }
  const year = match[12] ? 1 - Number(match[1]) : Number(match[1]);
  const days = daysFromCivil(year, Number(match[2]), Number(match[3]));
  const fraction = (match[7] ?? '').padEnd(9, '0');
  let value = timestampOfDay(days, Number(match[4]), Number(match[5]), Number(match[6]), Number(fraction));
  if (value !== null && match[8] !== undefined) {
    const offset =
      (Number(match[9]) * 60 + Number(match[10] ?? 0)) * MICROS_PER_MINUTE + Number(match[11] ?? 0) * MICROS_PER_SECOND;
    value = plusMicros(value, match[8] === '-' ? offset : -offset);
    if (!dateInFlinkRange(dayOf(value))) value = null;
  }
  if (value === null) throw new ValueError(`'${text}' is outside ${RANGE}`);
  return value;
}

const RANGE = "Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59.999999999";

/** PostgreSQL's usual output 'YYYY-MM-DD HH:MM:SS[.ffffff]' read digit by digit (a snapshot reads millions), anything else by pgTimestamp. */
function readTimestamp(text: string, type: DataType): TimeValue {
  return readIsoTimestamp(text, 1) ?? pgTimestamp(text, type);
}

/** A date of PostgreSQL's ISO style: 'YYYY-MM-DD', years past 9999, ' BC', 'infinity'. */
function readDate(text: string, type: DataType): number {
  const match = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/.exec(text);
  if (!match) {
    if (text.endsWith('infinity')) throw new ValueError(`'${text}' has no DATE value: ${RANGE}`);
    throw new ValueError(`'${text}' is not a valid ${type.kind}`);
  }
  const year = match[4] ? 1 - Number(match[1]) : Number(match[1]);
  const days = daysFromCivil(year, Number(match[2]), Number(match[3]));
  if (!dateInFlinkRange(days)) throw new ValueError(`'${text}' is outside ${RANGE}`);
  return days;
}

/** A date as PostgreSQL reads it, and whether ' BC' must follow (PostgreSQL has no year 0: it is 1 BC). */
function pgDate(days: number): { readonly text: string; readonly bc: boolean } {
  const { year } = civilFromDays(days);
  const monthDay = formatDate(days).slice(-6);
  return { text: `${String(year >= 1 ? year : 1 - year).padStart(4, '0')}${monthDay}`, bc: year < 1 };
}

function pgDateText(days: number): string {
  const { text, bc } = pgDate(days);
  return bc ? `${text} BC` : text;
}

/**
 * The text PostgreSQL reads for a TIME or TIMESTAMP, rounded to its microseconds half up, as
 * PostgreSQL's JDBC driver (and so Flink's jdbc connector) writes it: 23:59:59.9999995 is 24:00:00.
 */
function pgTimestampText(value: TimeValue): string {
  const rounded = fromNanos(roundedMicros(value) * 1000n);
  const { text, bc } = pgDate(dayOf(rounded));
  return `${text} ${formatTime(timeOfDay(rounded), 6)}${bc ? ' BC' : ''}`;
}

function pgTimeText(value: TimeValue): string {
  const micros = roundedMicros(value);
  return micros === 86_400_000_000n ? '24:00:00' : formatTime(fromNanos(micros * 1000n), 6);
}

/** A one-dimensional PostgreSQL array literal: '{1,2,NULL,"a b"}'. */
function parseArray(text: string): (string | null)[] {
  if (!text.startsWith('{') || !text.endsWith('}')) throw new ValueError(`'${text}' is not an array`);
  const items: (string | null)[] = [];
  const body = text.slice(1, -1);
  if (body === '') return items;
  let i = 0;
  while (i <= body.length) {
    if (body[i] === '{') throw new ValueError('multi-dimensional arrays are read as STRING only');
    if (body[i] === '"') {
      let item = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i];
        i++;
      }
      items.push(item);
      i += 2; // closing quote and comma
    } else {
      const end = body.indexOf(',', i);
      const item = body.slice(i, end === -1 ? body.length : end);
      items.push(item === 'NULL' ? null : item);
      i = end === -1 ? body.length + 1 : end + 1;
    }
  }
  return items;
}

function parseBytea(text: string): Uint8Array {
  if (!text.startsWith('\\x')) throw new ValueError('bytea must be in hex output format (bytea_output = hex)');
  return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
}

function checked<T>(value: T | null, text: string, type: DataType): T {
  if (value === null) throw new ValueError(`'${text}' is not a valid ${type.kind}`);
  return value;
}

/**
 * A reader of PostgreSQL's text output for a column of type `oid` into the Flink type it is declared
 * as. Nothing is approximated: a value that does not fit (numeric NaN into DECIMAL, too many
 * digits, an infinite timestamp) throws a ValueError.
 */
export function pgTextReader(type: DataType, oid: number): (text: string) => Value {
  switch (type.kind) {
    case 'BOOLEAN':
      return (text) => {
        if (text === 't' || text === 'true') return true;
        if (text === 'f' || text === 'false') return false;
        throw new ValueError(`'${text}' is not a BOOLEAN`);
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [min, max] = INT_RANGES[type.kind];
      return (text) => {
        const value = Number(text);
        if (!/^-?\d+$/.test(text) || value < min || value > max)
          throw new ValueError(`'${text}' is out of ${type.kind} range`);
        return value;
      };
    }
    case 'BIGINT':
      return (text) => {
        if (!/^-?\d+$/.test(text)) throw new ValueError(`'${text}' is not a BIGINT`);
        const value = BigInt(text);
        if (text.length > 18 && (value < BIGINT_MIN || value > BIGINT_MAX))
          throw new ValueError(`'${text}' is out of BIGINT range`);
        return value;
      };
    case 'DECIMAL':
      return (text) => {
        if (text === 'NaN' || text.endsWith('Infinity')) {
          throw new ValueError(`numeric '${text}' has no DECIMAL value; filter it out or read the column as STRING`);
        }
        const unscaled = checked(parseDecimal(text, type.scale), text, type);
        if (!fitsPrecision(unscaled, type.precision)) {
          throw new ValueError(`'${text}' does not fit DECIMAL(${type.precision}, ${type.scale})`);
        }
        return unscaled;
      };
    case 'FLOAT':
    case 'DOUBLE':
      return (text) => {
        const value = Number(text);
        if (Number.isNaN(value) && text !== 'NaN') throw new ValueError(`'${text}' is not a ${type.kind}`);
        return type.kind === 'FLOAT' ? Math.fround(value) : value;
      };
    case 'CHAR':
    case 'VARCHAR':
      return (text) => text;
    case 'BINARY':
    case 'VARBINARY':
      return parseBytea;
    case 'DATE':
      return (text) => readDate(text, type);
    case 'TIME':
      return oid === TIMETZ
        ? () => {
            throw new ValueError('time with time zone has no Flink type; read it as STRING');
          }
        : (text) => checked(parseTime(text), text, type);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      // timestamptz into TIMESTAMP: the UTC wall clock, as Debezium gives it; timestamp without
      // time zone into TIMESTAMP_LTZ: read as UTC.
      return oid === TIMESTAMPTZ ? (text) => pgTimestamp(text, type) : (text) => readTimestamp(text, type);
    case 'ARRAY': {
      const element = pgTextReader(type.element, 0);
      return (text) => parseArray(text).map((item) => (item === null ? null : element(item)));
    }
    default:
      return () => {
        throw new ValueError(`a PostgreSQL column cannot be read as ${type.kind}`);
      };
  }
}

/** A value as the text PostgreSQL reads for its column type. */
export function toText(type: DataType): (value: Value) => string | null {
  switch (type.kind) {
    case 'DECIMAL': {
      const scale = type.scale;
      return (v) => (v === null ? null : formatDecimal(v as bigint, scale));
    }
    case 'DATE':
      return (v) => (v === null ? null : pgDateText(v as number));
    case 'TIME':
      return (v) => (v === null ? null : pgTimeText(v as TimeValue));
    case 'TIMESTAMP':
      return (v) => (v === null ? null : pgTimestampText(v as TimeValue));
    case 'TIMESTAMP_LTZ':
      return (v) => (v === null ? null : `${pgTimestampText(v as TimeValue)}Z`);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => (v === null ? null : `\\x${Buffer.from(v as Uint8Array).toString('hex')}`);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => (v === null ? null : (v as string));
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
      return (v) => (v === null ? null : JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
    default:
      return (v) => (v === null ? null : String(v));
  }
}

/**
 * A reader of rows of PostgreSQL's text output (a jdbc scan or lookup) into `fields`, the columns
 * in the order of `oids`. A value that does not fit its field (a timestamp beyond 9999, numeric
 * NaN into DECIMAL) fails with the field, `where` it was read and the value named.
 */
export function pgRowReader(
  fields: readonly RowField[],
  oids: readonly number[],
  where: string,
): (texts: readonly (string | null)[]) => Row {
  const readers = oids.map((oid, i) => pgTextReader((fields[i] as RowField).type, oid));
  return (texts) => {
    const row: Value[] = new Array(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] ?? null;
      try {
        row[i] = text === null ? null : (readers[i] as (text: string) => Value)(text);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        const field = fields[i]?.name;
        throw new RivuletError(
          'JDBC_VALUE_INVALID',
          `column '${field}' of ${where}: ${error.message}`,
          `declare '${field}' with a type that holds the value, or fix the row in PostgreSQL`,
        );
      }
    }
    return row;
  };
}
