/**
 * Date and time over exact integers (see expr/value.ts for the representations): calendar
 * arithmetic, time zones for TIMESTAMP_LTZ and the session zone, and Flink's text forms.
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400_000_000;

// ─── calendar ────────────────────────────────────────────────────────────────────────────────────

/** Year, month (1-12) and day of a day number (days since 1970-01-01), proleptic Gregorian. */
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

/** Day number of a calendar date. */
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

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

export function localMicrosToDays(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY);
}

export function daysToLocalMicros(days: number): number {
  return days * MICROS_PER_DAY;
}

/** Broken-down wall-clock fields of a local timestamp. */
export interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Microseconds within the second. */
  readonly micro: number;
  readonly days: number;
}

export function localFields(micros: number): LocalFields {
  const days = Math.floor(micros / MICROS_PER_DAY);
  let rest = micros - days * MICROS_PER_DAY;
  const hour = Math.floor(rest / 3_600_000_000);
  rest -= hour * 3_600_000_000;
  const minute = Math.floor(rest / 60_000_000);
  rest -= minute * 60_000_000;
  const second = Math.floor(rest / MICROS_PER_SECOND);
  const micro = rest - second * MICROS_PER_SECOND;
  // Fields spelled out: an object spread here costs microseconds per call on V8.
  const { year, month, day } = civilFromDays(days);
  return { year, month, day, hour, minute, second, micro, days };
}

export function localMicros(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  micro = 0,
): number {
  return (
    daysFromCivil(year, month, day) * MICROS_PER_DAY + ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + micro
  );
}

// ─── text ────────────────────────────────────────────────────────────────────────────────────────

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatYear(year: number): string {
  return year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Fraction digits as Flink's CAST to STRING prints them: exactly `precision` digits (none for 0). */
function fraction(micro: number, precision: number): string {
  if (precision <= 0) return '';
  const digits = pad(micro, 6).padEnd(9, '0').slice(0, precision);
  return `.${digits}`;
}

export function formatTime(micros: number, precision: number): string {
  const f = localFields(micros);
  return `${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${fraction(f.micro, precision)}`;
}

/** 'yyyy-MM-dd HH:mm:ss' followed by `precision` fraction digits: TIMESTAMP(3) → '2025-07-11 17:25:55.145'. */
export function formatTimestamp(micros: number, precision: number): string {
  const f = localFields(micros);
  return `${formatYear(f.year)}-${pad(f.month, 2)}-${pad(f.day, 2)} ${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${fraction(f.micro, precision)}`;
}

/** Fraction digits with trailing zeros removed: '.145', '.1', or nothing (ISO and JSON style). */
export function formatTimestampTrimmed(micros: number, separator = ' '): string {
  const f = localFields(micros);
  const digits = f.micro === 0 ? '' : `.${pad(f.micro, 6).replace(/0+$/, '')}`;
  return `${formatYear(f.year)}-${pad(f.month, 2)}-${pad(f.day, 2)}${separator}${pad(f.hour, 2)}:${pad(f.minute, 2)}:${pad(f.second, 2)}${digits}`;
}

const DATE_TEXT = /^([+-]?\d{1,9})-(\d{1,2})-(\d{1,2})$/;
const TIME_TEXT = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/;

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function parseDate(text: string): number | null {
  const match = DATE_TEXT.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return validDate(year, month, day) ? daysFromCivil(year, month, day) : null;
}

function timeOfDay(match: RegExpExecArray): number | null {
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = Number(match[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const micro = Number((match[4] ?? '').padEnd(6, '0').slice(0, 6));
  return ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + micro;
}

export function parseTime(text: string): number | null {
  const match = TIME_TEXT.exec(text.trim());
  return match ? timeOfDay(match) : null;
}

/** 'yyyy-MM-dd[ HH:mm[:ss[.fffffffff]]]' or with 'T'; digits beyond microseconds are dropped. */
export function parseTimestamp(text: string): number | null {
  const trimmed = text.trim();
  const split = /^(\S+?)(?:[ T](.+))?$/.exec(trimmed);
  if (!split) return null;
  const days = parseDate(split[1] as string);
  if (days === null) return null;
  if (split[2] === undefined) return days * MICROS_PER_DAY;
  const time = TIME_TEXT.exec((split[2] as string).replace(/Z$/, ''));
  if (!time) return null;
  const ofDay = timeOfDay(time);
  return ofDay === null ? null : days * MICROS_PER_DAY + ofDay;
}

// ─── time zones ──────────────────────────────────────────────────────────────────────────────────

export interface TimeZone {
  readonly id: string;
  /** Offset in microseconds at an instant; fixed zones ignore the instant. */
  offsetAt(instantMicros: number): number;
}

const zoneCache = new Map<string, TimeZone>();

function systemZoneId(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const FIXED = /^(?:(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?|Z|UTC|GMT)$/i;

/**
 * A zone by IANA id ('Asia/Shanghai'), fixed offset ('+08:00', 'GMT+08:00', 'UTC-5', 'Z'), or
 * 'default' for this machine's zone. Throws for an unknown id.
 */
export function resolveTimeZone(id: string): TimeZone {
  const cached = zoneCache.get(id);
  if (cached) return cached;
  const zone = createZone(id === 'default' ? systemZoneId() : id);
  zoneCache.set(id, zone);
  return zone;
}

function createZone(id: string): TimeZone {
  const fixed = FIXED.exec(id.trim());
  if (fixed) {
    const hours = Number(fixed[2] ?? 0);
    const minutes = Number(fixed[3] ?? 0);
    if (hours > 18 || minutes > 59) throw new Error(`invalid time zone offset '${id}'`);
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60 * MICROS_PER_SECOND;
    return { id, offsetAt: () => offset };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: id,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone '${id}'; use an IANA id such as 'Asia/Shanghai' or an offset such as '+08:00'`);
  }
  // Offsets change at most a few times a year and on whole minutes: cache them per 15 minutes.
  const bucketMicros = 15 * 60 * MICROS_PER_SECOND;
  const cache = new Map<number, number>();
  const compute = (instantMicros: number): number => {
    const millis = Math.floor(instantMicros / 1000);
    const parts = format.formatToParts(new Date(millis));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    const instantSeconds = Math.floor(millis / 1000) * 1000;
    return (wall - instantSeconds) * 1000;
  };
  return {
    id,
    offsetAt(instantMicros) {
      const bucket = Math.floor(instantMicros / bucketMicros);
      let offset = cache.get(bucket);
      if (offset === undefined) {
        const start = compute(bucket * bucketMicros);
        const end = compute((bucket + 1) * bucketMicros - 1);
        if (start !== end) return compute(instantMicros); // a transition inside this bucket
        offset = start;
        if (cache.size > 10_000) cache.clear();
        cache.set(bucket, offset);
      }
      return offset;
    },
  };
}

export function timeZoneId(zone: TimeZone): string {
  return zone.id;
}

export function offsetMicros(zone: TimeZone, instantMicros: number): number {
  return zone.offsetAt(instantMicros);
}

/** The wall-clock time in `zone` of an instant (TIMESTAMP_LTZ → TIMESTAMP). */
export function instantToLocal(zone: TimeZone, instantMicros: number): number {
  return instantMicros + zone.offsetAt(instantMicros);
}

/**
 * The instant of a wall-clock time in `zone` (TIMESTAMP → TIMESTAMP_LTZ), as java.time resolves it:
 * in a gap (clocks forward) the time moves forward by the gap; in an overlap the earlier offset wins.
 */
export function localToInstant(zone: TimeZone, localMicros: number): number {
  const before = zone.offsetAt(localMicros - MICROS_PER_DAY);
  const after = zone.offsetAt(localMicros + MICROS_PER_DAY);
  if (before === after) return localMicros - before;
  const candidates = [before, after].filter((offset) => zone.offsetAt(localMicros - offset) === offset);
  if (candidates.length === 0) return localMicros - before; // gap: keep the offset before it, moving forward
  return localMicros - Math.max(...candidates);
}

// ─── fields ──────────────────────────────────────────────────────────────────────────────────────

export type TimeUnitName =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'DAY'
  | 'DOY'
  | 'DOW'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'EPOCH';

/** ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(days: number): number {
  const dow = (((days + 3) % 7) + 7) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const { year } = civilFromDays(thursday);
  return Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
}

/** A field of a wall-clock timestamp, as EXTRACT and HOUR()/YEAR()/... give it. DOW: Sunday = 1. */
export function extractField(unit: TimeUnitName, micros: number): number {
  const f = localFields(micros);
  switch (unit) {
    case 'YEAR':
      return f.year;
    case 'QUARTER':
      return Math.floor((f.month - 1) / 3) + 1;
    case 'MONTH':
      return f.month;
    case 'WEEK':
      return isoWeek(f.days);
    case 'DAY':
      return f.day;
    case 'DOY':
      return f.days - daysFromCivil(f.year, 1, 1) + 1;
    case 'DOW':
      return ((((f.days + 4) % 7) + 7) % 7) + 1;
    case 'HOUR':
      return f.hour;
    case 'MINUTE':
      return f.minute;
    case 'SECOND':
      return f.second;
    case 'MILLISECOND':
      return f.second * 1000 + Math.floor(f.micro / 1000);
    case 'MICROSECOND':
      return f.second * MICROS_PER_SECOND + f.micro;
    case 'EPOCH':
      return Math.floor(micros / MICROS_PER_SECOND);
  }
}

export { compileDateFormat, type DateFormat } from './date-format.ts';
