import {
  dayOf,
  epochMillis,
  epochSecondsTruncated,
  FIRST_DAY,
  fromNanos,
  LAST_DAY,
  MICROS_PER_DAY,
  MICROS_PER_MILLI,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  NANOS_PER_DAY,
  NANOS_PER_HOUR,
  NANOS_PER_MICRO,
  NANOS_PER_MILLI,
  NANOS_PER_MINUTE,
  NANOS_PER_SECOND,
  nanoOfDay,
  plusMicros,
  type TimeValue,
  timeValue,
  timeValueOfMicros,
} from './time-value.ts';

/**
 * Date and time with Flink 1.18's semantics:
 *
 * - DATE: days since 1970-01-01, a number.
 * - TIME(p): a TimeValue (time-value.ts) counting from midnight.
 * - TIMESTAMP(p): a TimeValue counting from 1970-01-01 00:00:00 on the wall clock (as if UTC).
 * - TIMESTAMP_LTZ(p): a TimeValue counting from the Unix epoch (an instant).
 *
 * Calendar arithmetic, time zones for TIMESTAMP_LTZ and the session zone, Flink's text forms
 * (CAST to and from STRING) and the fields of EXTRACT, exact over Flink's range 0000-01-01 to
 * 9999-12-31 23:59:59.999999999. Java date patterns are in date-format.ts.
 */

// ─── calendar ────────────────────────────────────────────────────────────────────────────────────

/**
 * Year, month (1-12) and day of a day number (days since 1970-01-01), proleptic Gregorian
 * (Howard Hinnant's civil_from_days).
 */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day number of a calendar date (days_from_civil); the month must be 1-12, the day may overflow. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] as number);
}

/** Whether a DATE (a day number) lies within Flink's range, 0000-01-01 to 9999-12-31. */
export function dateInFlinkRange(days: number): boolean {
  return days >= FIRST_DAY && days <= LAST_DAY;
}

/** Midnight of a DATE as a wall-clock timestamp. */
export function dayStart(days: number): TimeValue {
  return timeValue(days, 0);
}

/** The TIME of a wall-clock timestamp: the time since its midnight. */
export function timeOfDay(value: TimeValue): TimeValue {
  return timeValue(0, nanoOfDay(value));
}

/** Day of the week of a day number, ISO numbering: Monday = 1 … Sunday = 7. */
export function isoDayOfWeek(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Broken-down wall-clock fields of a local timestamp. */
export interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Nanoseconds within the second. */
  readonly nano: number;
  /** Day number (days since 1970-01-01). */
  readonly days: number;
}

export function localFields(value: TimeValue): LocalFields {
  let days: number;
  let rest: number;
  if (typeof value === 'number') {
    days = Math.floor(value / MICROS_PER_DAY);
    rest = (value - days * MICROS_PER_DAY) * NANOS_PER_MICRO;
  } else {
    days = dayOf(value);
    rest = nanoOfDay(value);
  }
  const hour = Math.floor(rest / NANOS_PER_HOUR);
  rest -= hour * NANOS_PER_HOUR;
  const minute = Math.floor(rest / NANOS_PER_MINUTE);
  rest -= minute * NANOS_PER_MINUTE;
  const second = Math.floor(rest / NANOS_PER_SECOND);
  const nano = rest - second * NANOS_PER_SECOND;
  // Fields spelled out: an object spread here costs microseconds per call on V8.
  const { year, month, day } = civilFromDays(days);
  return { year, month, day, hour, minute, second, nano, days };
}

/**
 * The wall-clock timestamp of calendar fields. The clock fields may run past their ranges and
 * carry over (a lenient parse); null when the result lies outside Flink's range.
 */
export function localTimestamp(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  nano = 0,
): TimeValue | null {
  return timestampOfDay(daysFromCivil(year, month, day), hour, minute, second, nano);
}

/** A day number and clock fields that may carry over, as a TIMESTAMP; null outside Flink's range. */
export function timestampOfDay(
  days: number,
  hour: number,
  minute: number,
  second: number,
  nano: number,
): TimeValue | null {
  const ofDay = hour * NANOS_PER_HOUR + minute * NANOS_PER_MINUTE + second * NANOS_PER_SECOND + nano;
  if (!Number.isSafeInteger(ofDay) || !Number.isSafeInteger(days)) {
    const nanos =
      BigInt(days) * BigInt(NANOS_PER_DAY) +
      BigInt(hour) * BigInt(NANOS_PER_HOUR) +
      BigInt(minute) * BigInt(NANOS_PER_MINUTE) +
      BigInt(second) * BigInt(NANOS_PER_SECOND) +
      BigInt(nano);
    const value = fromNanos(nanos);
    return dateInFlinkRange(dayOf(value)) ? value : null;
  }
  const carry = Math.floor(ofDay / NANOS_PER_DAY);
  const day = days + carry;
  return dateInFlinkRange(day) ? timeValue(day, ofDay - carry * NANOS_PER_DAY) : null;
}

// ─── text ────────────────────────────────────────────────────────────────────────────────────────

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

function formatYear(year: number): string {
  return year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
}

function ymd(year: number, month: number, day: number): string {
  return `${formatYear(year)}-${pad2(month)}-${pad2(day)}`;
}

/** 'yyyy-MM-dd', as CAST(DATE AS STRING) prints it. */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return ymd(year, month, day);
}

/** The nine nanosecond digits of a fraction of a second. */
function nineDigits(nanoOfSecond: number): string {
  return String(nanoOfSecond).padStart(9, '0');
}

/**
 * 'HH:mm:ss' with a fraction, as CAST(TIME(p) AS STRING) prints it. Flink 1.18 keeps TIME in
 * milliseconds and prints it with DateTimeUtils.formatTimestampMillis(time, precision) (the cast
 * rule TimeToStringCastRule → BuiltInMethods.UNIX_TIME_TO_STRING): for p > 0 a point and the
 * fraction digits, at most p of them, stopping after the last non-zero digit but always printing
 * at least one ("consistent with Timestamp.toString()"): TIME(3) 17:25:55.100 → '17:25:55.1',
 * 17:25:55.000 → '17:25:55.0'; TIME(0) → '17:25:55'. Rivulet keeps TIME to its declared precision,
 * so TIME(6) 17:25:55.123456 prints '17:25:55.123456' where Flink, holding milliseconds, prints '.123'.
 */
export function formatTime(value: TimeValue, precision: number): string {
  const ofDay = nanoOfDay(value);
  const hour = Math.floor(ofDay / NANOS_PER_HOUR);
  const minute = Math.floor((ofDay % NANOS_PER_HOUR) / NANOS_PER_MINUTE);
  const second = Math.floor((ofDay % NANOS_PER_MINUTE) / NANOS_PER_SECOND);
  let text = `${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
  if (precision > 0) {
    const digits = nineDigits(ofDay % NANOS_PER_SECOND);
    let end = Math.min(precision, 9);
    while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
    text += `.${digits.slice(0, end)}`;
  }
  return text;
}

/** 'HH:mm:ss' and the fraction with trailing zeros removed: '17:25:55.1', '17:25:55' (JSON style). */
export function formatTimeTrimmed(value: TimeValue): string {
  const ofDay = nanoOfDay(value);
  const seconds = Math.floor(ofDay / NANOS_PER_SECOND);
  return `${clockText(seconds)}${trimmedFraction(ofDay - seconds * NANOS_PER_SECOND)}`;
}

/**
 * The fraction of a TIMESTAMP as Flink 1.18 prints it: DateTimeUtils.formatTimestamp(ts, precision)
 * (behind TimestampToStringCastRule → BuiltInMethods.TIMESTAMP_TO_STRING_TIME_ZONE) takes the nine
 * nanosecond digits and drops trailing zeros only while more than `precision` digits remain. So a
 * value of TIMESTAMP(p) prints exactly p digits — CastRulesTest: TIMESTAMP(3) 12:34:56.1 →
 * '12:34:56.100', TIMESTAMP(9) 12:34:56.123456 → '12:34:56.123456000', TIMESTAMP(0) → no point.
 */
function timestampFraction(nanoOfSecond: number, precision: number): string {
  if (nanoOfSecond === 0 && precision <= 0) return '';
  const digits = nineDigits(nanoOfSecond);
  let end = 9;
  while (end > precision && digits.charCodeAt(end - 1) === 48) end--;
  return end === 0 ? '' : `.${digits.slice(0, end)}`;
}

/** The fraction with trailing zeros removed: '.145', '.1', '.123456789', or nothing (ISO and JSON style). */
function trimmedFraction(nanoOfSecond: number): string {
  if (nanoOfSecond === 0) return '';
  const digits = nineDigits(nanoOfSecond);
  let end = 9;
  while (digits.charCodeAt(end - 1) === 48) end--;
  return `.${digits.slice(0, end)}`;
}

/**
 * 'yyyy-MM-dd HH:mm:ss' and the fraction as CAST(TIMESTAMP(p) AS STRING) prints it: exactly p
 * digits (see timestampFraction). TIMESTAMP(3) 17:25:55.145 → '2025-07-11 17:25:55.145'.
 * For TIMESTAMP_LTZ pass the wall-clock time in the session zone (instantToLocal).
 */
export function formatTimestamp(value: TimeValue, precision: number): string {
  const days = dayOf(value);
  const ofDay = nanoOfDay(value);
  const seconds = Math.floor(ofDay / NANOS_PER_SECOND);
  return `${dayText(days)} ${clockText(seconds)}${timestampFraction(ofDay - seconds * NANOS_PER_SECOND, precision)}`;
}

/**
 * The text of Flink's json format: fraction digits with trailing zeros removed ('.145', '.1', or
 * nothing), and the date as java.time's ISO_LOCAL_DATE prints it, which puts a '+' before a year
 * past 9999 (the end of a window in the last days of 9999 is 10000-01-01 00:00).
 */
export function formatTimestampTrimmed(value: TimeValue, separator = ' '): string {
  const days = dayOf(value);
  const ofDay = nanoOfDay(value);
  const seconds = Math.floor(ofDay / NANOS_PER_SECOND);
  return `${isoDayText(days)}${separator}${clockText(seconds)}${trimmedFraction(ofDay - seconds * NANOS_PER_SECOND)}`;
}

/** dayText with ISO_LOCAL_DATE's '+' before a year past 9999. */
export function isoDayText(days: number): string {
  return days > LAST_DAY ? `+${dayText(days)}` : dayText(days);
}

/** Two digits for every clock field, looked up rather than built for each timestamp written. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** 'HH:mm:ss' of a second of the day. */
function clockText(secondOfDay: number): string {
  const hour = Math.floor(secondOfDay / 3600);
  const rest = secondOfDay - hour * 3600;
  const minute = Math.floor(rest / 60);
  return `${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[rest - minute * 60]}`;
}

/** formatDate, kept for the last day formatted: timestamps written one after another mostly share their day. */
let lastDay = Number.NaN;
let lastDayText = '';

export function dayText(days: number): string {
  if (days !== lastDay) {
    lastDayText = formatDate(days);
    lastDay = days;
  }
  return lastDayText;
}

/** A piece of Flink's date text: digits only once trimmed (DateTimeUtils.isInteger). */
function integerPiece(piece: string): number | null {
  const text = piece.trim();
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

/**
 * A DATE from text as CAST(string AS DATE) reads it (Flink's DateTimeUtils.parseDate): anything
 * after the first space is ignored (so a timestamp's text gives its date), then 'y', 'y-M' or
 * 'y-M-d' with each piece made of digits (spaces around them allowed), year 0-9999, a real
 * calendar day. '2025-7-1' → 2025-07-01, '2025' → 2025-01-01, '2023-02-29' → null.
 */
export function parseDate(text: string): number | null {
  let s = text;
  const space = s.indexOf(' ');
  if (space > 0) s = s.slice(0, space);
  const hyphen1 = s.indexOf('-');
  let year: number | null;
  let month: number | null = 1;
  let day: number | null = 1;
  if (hyphen1 < 0) {
    year = integerPiece(s);
  } else {
    year = integerPiece(s.slice(0, hyphen1));
    const hyphen2 = s.indexOf('-', hyphen1 + 1);
    if (hyphen2 < 0) {
      month = integerPiece(s.slice(hyphen1 + 1));
    } else {
      month = integerPiece(s.slice(hyphen1 + 1, hyphen2));
      day = integerPiece(s.slice(hyphen2 + 1));
    }
  }
  if (year === null || month === null || day === null) return null;
  if (year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

const TIME_TEXT = /^\s*(\d{1,2})\s*(?::\s*(\d{1,2})\s*(?::\s*(\d{1,2})\s*(?:\.(\d*)\s*)?)?)?$/;

/** Nanoseconds of fraction digits: the first nine count, later ones are dropped. */
function fractionNanos(digits: string | undefined): number {
  if (!digits) return 0;
  return Number(digits.length >= 9 ? digits.slice(0, 9) : digits.padEnd(9, '0'));
}

/**
 * A TIME from text as CAST(string AS TIME) reads it (Flink's DateTimeUtils.parseTime): 'H',
 * 'H:m', 'H:m:s' or 'H:m:s.fff…'; digits past nanoseconds are dropped. Unlike Flink, which keeps
 * only milliseconds, does not check ranges and reads a trailing '+hh:mm', this returns null for
 * hours past 23, minutes or seconds past 59 and anything else that is not a plain time.
 */
export function parseTime(text: string): TimeValue | null {
  const match = TIME_TEXT.exec(text);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  const second = Number(match[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return timeValue(
    0,
    hour * NANOS_PER_HOUR + minute * NANOS_PER_MINUTE + second * NANOS_PER_SECOND + fractionNanos(match[4]),
  );
}

/** The number in text[from, to), or -1 when a character is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * 'yyyy-MM-dd HH:mm:ss' with 0 to 9 fraction digits ('T' instead of the space too), read digit by
 * digit without a regular expression: the form PostgreSQL and Flink's json format write, read for
 * every record. Undefined for any other text, a year before `minYear`, or a field out of range:
 * parseTimestamp reads those (and resolves what SMART resolution accepts).
 */
export function readIsoTimestamp(text: string, minYear: number): TimeValue | undefined {
  const n = text.length;
  if (n < 19 || n === 20 || n > 29) return undefined;
  const separator = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (separator !== 32 && separator !== 84))
    return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || (n > 19 && text.charCodeAt(19) !== 46))
    return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  const fraction = n > 20 ? digitsAt(text, 20, n) : 0;
  if (year < minYear || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59)
    return undefined;
  if (second < 0 || second > 59 || fraction < 0 || day > daysInMonth(year, month)) return undefined;
  const days = daysFromCivil(year, month, day);
  const seconds = (hour * 60 + minute) * 60 + second;
  // Up to six fraction digits (every value PostgreSQL writes) the microseconds are counted directly.
  if (n <= 26) return timeValueOfMicros(days, seconds * MICROS_PER_SECOND + fraction * (FRACTION_MICROS[n] as number));
  return timeValue(days, seconds * NANOS_PER_SECOND + fraction * 10 ** (29 - n));
}

/** What one unit of the last fraction digit is worth in microseconds, by the length of the text (19: no fraction). */
const FRACTION_MICROS = [...new Array<number>(19).fill(0), 0, 0, 100_000, 10_000, 1000, 100, 10, 1];

const TIMESTAMP_TEXT = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?)?$/;

/**
 * A TIMESTAMP from text as CAST(string AS TIMESTAMP) and TO_TIMESTAMP(string) read it: Flink 1.18
 * parses with DateTimeUtils.DEFAULT_TIMESTAMP_FORMATTER, 'yyyy-[MM][M]-[dd][d]' optionally followed
 * by ' [HH][H]:[mm][m]:[ss][s]' and 0-9 fraction digits, resolved in java.time's SMART style.
 * Accepted here: '2025-07-11 17:25:55.145', '2025-7-1 1:2:3', '2025-07-11', up to 9 fraction digits
 * (all kept). SMART resolution is kept: a day past the month's end (29-31) becomes its last day
 * ('2025-02-30 10:00:00' → 2025-02-28 10:00:00) and 24:00:00 is the next midnight; a day past 31,
 * hour 25 or minute 60 is rejected, as is year 0: 'yyyy' is the year of the era, which starts at 1.
 * `yearZero` accepts year 0 (0000-01-01 is the first day of Flink's range), as the json format and
 * TIMESTAMP literals do. More lenient than Flink: 'T' instead of the space and a time without
 * seconds ('17:25') are accepted (ISO-8601 and JSON text); surrounding whitespace is ignored.
 */
export function parseTimestamp(text: string, yearZero = false): TimeValue | null {
  const fast = readIsoTimestamp(text, yearZero ? 0 : 1);
  if (fast !== undefined) return fast;
  const match = TIMESTAMP_TEXT.exec(text.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  let day = Number(match[3]);
  if (year < (yearZero ? 0 : 1) || month < 1 || month > 12 || day < 1 || day > 31) return null;
  day = Math.min(day, daysInMonth(year, month));
  const days = daysFromCivil(year, month, day);
  if (match[4] === undefined) return timeValue(days, 0);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6] ?? 0);
  const nano = fractionNanos(match[7]);
  if (hour === 24 && minute === 0 && second === 0 && nano === 0)
    return year === 9999 && month === 12 && day === 31 ? null : timeValue(days + 1, 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  return timeValue(days, hour * NANOS_PER_HOUR + minute * NANOS_PER_MINUTE + second * NANOS_PER_SECOND + nano);
}

// ─── time zones ──────────────────────────────────────────────────────────────────────────────────

/** A resolved time zone: create with resolveTimeZone, read with offsetMicros and timeZoneId. */
export interface TimeZone {
  readonly id: string;
  /**
   * Offset from UTC in microseconds at an instant given in whole milliseconds since the epoch
   * (exact as a number over the whole range; offsets change on whole seconds); fixed zones ignore it.
   */
  offsetAt(instantMillis: number): number;
}

class FixedZone implements TimeZone {
  constructor(
    readonly id: string,
    private readonly offset: number,
  ) {}

  offsetAt(): number {
    return this.offset;
  }
}

/** Offsets change at most a few times a year and on whole minutes: they are cached per 15 minutes. */
const BUCKET_MILLIS = 15 * 60_000;
const MAX_CACHED_BUCKETS = 50_000;

class RegionZone implements TimeZone {
  private readonly cache = new Map<number, number>();
  private lastBucket = Number.NaN;
  private lastOffset = 0;

  constructor(
    readonly id: string,
    private readonly format: Intl.DateTimeFormat,
  ) {}

  offsetAt(instantMillis: number): number {
    const bucket = Math.floor(instantMillis / BUCKET_MILLIS);
    if (bucket === this.lastBucket) return this.lastOffset;
    let offset = this.cache.get(bucket);
    if (offset === undefined) {
      const start = this.compute(bucket * BUCKET_MILLIS);
      const end = this.compute((bucket + 1) * BUCKET_MILLIS - 1);
      if (start !== end) return this.compute(instantMillis); // a transition inside this bucket
      offset = start;
      if (this.cache.size >= MAX_CACHED_BUCKETS) this.cache.clear();
      this.cache.set(bucket, offset);
    }
    this.lastBucket = bucket;
    this.lastOffset = offset;
    return offset;
  }

  /** The offset from the zone's wall clock at the instant, to the second (older offsets have seconds). */
  private compute(instantMillis: number): number {
    const seconds = Math.floor(instantMillis / 1000);
    const parts = this.format.formatToParts(new Date(seconds * 1000));
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of parts) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          bc = part.value.startsWith('B');
          break;
      }
    }
    if (bc) year = 1 - year;
    const wallSeconds = (daysFromCivil(year, month, day) * 24 + hour) * 3600 + minute * 60 + second;
    return (wallSeconds - seconds) * MICROS_PER_SECOND;
  }
}

const zoneCache = new Map<string, TimeZone>();

function systemZoneId(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** 'Z', 'UTC', 'GMT', 'UT', or an offset with an optional UTC/GMT/UT prefix: '+08:00', 'GMT+8', 'UTC-05:30', '+0530'. */
const FIXED = /^(?:(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?|Z|UTC|GMT|UT)$/i;

/**
 * A zone by IANA id ('Asia/Shanghai', 'Europe/Berlin', 'UTC'), fixed offset ('+08:00',
 * 'GMT+08:00', 'UTC-5', 'Z'), or 'default' for this machine's zone (the TZ environment variable,
 * else the system's). Throws for an unknown id or an offset beyond ±18:00 (java.time's limit).
 */
export function resolveTimeZone(id: string): TimeZone {
  const cached = zoneCache.get(id);
  if (cached) return cached;
  const zone = createZone(id === 'default' ? systemZoneId() : id.trim());
  zoneCache.set(id, zone);
  return zone;
}

function createZone(id: string): TimeZone {
  const fixed = FIXED.exec(id);
  if (fixed) {
    const hours = Number(fixed[2] ?? 0);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 18 || minutes > 59 || (hours === 18 && minutes > 0)) {
      throw new Error(`invalid time zone offset '${id}': offsets range from -18:00 to +18:00`);
    }
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * MICROS_PER_MINUTE;
    return new FixedZone(id, offset);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(
      `unknown time zone '${id}': use an IANA id such as 'Asia/Shanghai' or 'UTC', or an offset such as '+08:00' or 'GMT-05:00'`,
    );
  }
  return new RegionZone(id, format);
}

/** The id the zone was resolved from ('default' resolves to the system zone's IANA id). */
export function timeZoneId(zone: TimeZone): string {
  return zone.id;
}

/** The zone's offset from UTC, in microseconds, at an instant. */
export function offsetMicros(zone: TimeZone, instant: TimeValue): number {
  return zone.offsetAt(epochMillis(instant));
}

/** The wall-clock time in `zone` of an instant (TIMESTAMP_LTZ → TIMESTAMP). */
export function instantToLocal(zone: TimeZone, instant: TimeValue): TimeValue {
  return plusMicros(instant, zone.offsetAt(epochMillis(instant)));
}

/** instantToLocal in whole milliseconds since the epoch (windows and timers count in them). */
export function instantMillisToLocal(zone: TimeZone, instantMillis: number): number {
  return instantMillis + zone.offsetAt(instantMillis) / MICROS_PER_MILLI;
}

const MILLIS_PER_DAY = 86_400_000;

/**
 * The offset (microseconds) at which a wall-clock time, in whole milliseconds, is an instant in
 * `zone`, as java.time's LocalDateTime.atZone resolves it: in a gap (clocks forward) the time moves
 * forward by the length of the gap (Berlin 2025-03-30 02:30 → 03:30 CEST); in an overlap (clocks
 * back) the earlier offset wins (Berlin 2025-10-26 02:30 → 02:30 CEST, 00:30 UTC). Offsets change
 * on whole seconds, so the milliseconds of a time decide its offset.
 */
function offsetOfLocal(zone: TimeZone, localMillis: number): number {
  // Offsets are within ±18 hours, so the instant lies within a day of the wall-clock value.
  const before = zone.offsetAt(localMillis - MILLIS_PER_DAY);
  const after = zone.offsetAt(localMillis + MILLIS_PER_DAY);
  if (before === after && zone.offsetAt(localMillis - before / MICROS_PER_MILLI) === before) return before;
  const earlier = Math.max(before, after);
  const later = Math.min(before, after);
  if (zone.offsetAt(localMillis - earlier / MICROS_PER_MILLI) === earlier) return earlier;
  if (zone.offsetAt(localMillis - later / MICROS_PER_MILLI) === later) return later;
  return before; // a gap: keep the offset from before it, which moves the time forward
}

/** The instant of a wall-clock time in `zone` (TIMESTAMP → TIMESTAMP_LTZ); see offsetOfLocal. */
export function localToInstant(zone: TimeZone, local: TimeValue): TimeValue {
  return plusMicros(local, -offsetOfLocal(zone, epochMillis(local)));
}

/** localToInstant in whole milliseconds since the epoch. */
export function localMillisToInstant(zone: TimeZone, localMillis: number): number {
  return localMillis - offsetOfLocal(zone, localMillis) / MICROS_PER_MILLI;
}

// ─── fields ──────────────────────────────────────────────────────────────────────────────────────

/** The fields of a date or time that EXTRACT reads (see extractField). */
export const TIME_UNITS = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DOY',
  'DOW',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
  'EPOCH',
] as const;

export type TimeUnit = (typeof TIME_UNITS)[number];

const TIME_UNIT_NAMES: ReadonlySet<string> = new Set(TIME_UNITS);

export function isTimeUnit(name: string): name is TimeUnit {
  return TIME_UNIT_NAMES.has(name);
}

/** ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(days: number): number {
  const thursday = days - isoDayOfWeek(days) + 4;
  const { year } = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

/**
 * A field of a wall-clock timestamp (DATE: dayStart, TIME: its value as a time on 1970-01-01,
 * TIMESTAMP_LTZ: instantToLocal first), as EXTRACT and YEAR(), HOUR(), DAYOFWEEK(), … give it.
 * Flink 1.18 (ExtractCallGen, DateTimeUtils.julianExtract): QUARTER 1-4, WEEK the ISO week,
 * DOY 1-366, DOW Sunday = 1 … Saturday = 7, MILLISECOND and MICROSECOND within the second
 * (EXTRACT(MILLISECOND FROM TIMESTAMP '1996-11-10 06:55:44.333') = 333), EPOCH seconds since
 * 1970-01-01 00:00:00 truncated toward zero (DateTimeUtils.convertExtract). Values before 1970 are
 * computed with floor division (Flink's generated code divides toward zero there).
 */
export function extractField(unit: TimeUnit, local: TimeValue): number {
  switch (unit) {
    case 'HOUR':
      return Math.floor(nanoOfDay(local) / NANOS_PER_HOUR);
    case 'MINUTE':
      return Math.floor((nanoOfDay(local) % NANOS_PER_HOUR) / NANOS_PER_MINUTE);
    case 'SECOND':
      return Math.floor((nanoOfDay(local) % NANOS_PER_MINUTE) / NANOS_PER_SECOND);
    case 'MILLISECOND':
      return Math.floor((nanoOfDay(local) % NANOS_PER_SECOND) / NANOS_PER_MILLI);
    case 'MICROSECOND':
      return Math.floor((nanoOfDay(local) % NANOS_PER_SECOND) / NANOS_PER_MICRO);
    case 'EPOCH':
      return epochSecondsTruncated(local);
    case 'DOW':
      return (isoDayOfWeek(dayOf(local)) % 7) + 1;
    case 'WEEK':
      return isoWeek(dayOf(local));
  }
  const days = dayOf(local);
  const { year, month, day } = civilFromDays(days);
  switch (unit) {
    case 'YEAR':
      return year;
    case 'QUARTER':
      return Math.floor((month + 2) / 3);
    case 'MONTH':
      return month;
    case 'DAY':
      return day;
    case 'DOY':
      return days - daysFromCivil(year, 1, 1) + 1;
  }
}

const BEYOND_TEXT = /^\+(\d{5,9})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/;

/**
 * A timestamp past 9999 as java.time's ISO_LOCAL_DATE writes it, '+10000-01-01 00:00:00': what
 * Flink's json format writes for the end of a window in the last days of 9999, read back as it
 * reads it. Null for any other text.
 */
export function parseTimestampBeyond(text: string): TimeValue | null {
  const match = BEYOND_TEXT.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return null;
  return timeValue(
    daysFromCivil(year, month, day),
    hour * NANOS_PER_HOUR + minute * NANOS_PER_MINUTE + second * NANOS_PER_SECOND + fractionNanos(match[7]),
  );
}
