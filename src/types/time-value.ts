/**
 * The values of TIME, TIMESTAMP and TIMESTAMP_LTZ: exact over Flink's whole range, 0000-01-01
 * 00:00:00 to 9999-12-31 23:59:59.999999999, at precision 9, and a plain number in the common case.
 *
 * A value counts from 1970-01-01 00:00 (TIMESTAMP on the wall clock, TIMESTAMP_LTZ as an instant)
 * or from midnight (TIME). It is a number of microseconds when it is a whole number of
 * microseconds within 104,249 days of 1970 (1684-07-28 to 2255-06-05), where a double holds every
 * microsecond: nearly every value a pipeline sees, so the per-record code stays number arithmetic.
 * Any other value, a date beyond those years or digits past the microsecond (TIMESTAMP(9)), is a
 * WideTime: a bigint of nanoseconds. Each value has exactly one form, so equal values are equal
 * numbers or WideTimes of equal nanoseconds, and keys and packed rows of equal rows are equal.
 * A number is always inside Flink's range; a WideTime is checked where it is made (inFlinkRange).
 *
 * Measured before choosing (docs/performance.md): Flink's own form, epoch milliseconds plus
 * nanoseconds of the millisecond in an object, made json encoding 1.5-2 times and hashing 3-6 times
 * as slow; a bigint of nanoseconds for every value was slower still. The wide form is an object
 * rather than a bare bigint because a one-column key turns a small bigint into a number (exec/row-key.ts),
 * which would take 5001 nanoseconds for 5001 microseconds.
 */

/** A TIME or TIMESTAMP value that a number of microseconds does not hold exactly. */
export class WideTime {
  constructor(readonly nanos: bigint) {}

  /**
   * A WideTime in arithmetic or a < comparison is a mistake (it is not a number of microseconds):
   * it throws instead of giving NaN. Printed, it shows its nanoseconds.
   */
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'string') return `${this.nanos}ns`;
    throw new TypeError('a WideTime is no number of microseconds: use the functions of src/types/time-value.ts');
  }
}

export type TimeValue = number | WideTime;

export const MICROS_PER_MILLI = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60_000_000;
export const MICROS_PER_HOUR = 3_600_000_000;
export const MICROS_PER_DAY = 86_400_000_000;
export const NANOS_PER_MICRO = 1000;
export const NANOS_PER_MILLI = 1_000_000;
export const NANOS_PER_SECOND = 1_000_000_000;
export const NANOS_PER_MINUTE = 60_000_000_000;
export const NANOS_PER_HOUR = 3_600_000_000_000;
export const NANOS_PER_DAY = 86_400_000_000_000;

const BIG_NANOS_PER_MICRO = 1000n;
const BIG_NANOS_PER_MILLI = 1_000_000n;
const BIG_NANOS_PER_DAY = 86_400_000_000_000n;

/** Days from 1970 within which every microsecond of the day is an exact double (2^53 µs is 104,249.99 days). */
const NUMBER_DAYS = 104_249;
const NUMBER_LIMIT = NUMBER_DAYS * MICROS_PER_DAY;

/** The day numbers (days since 1970-01-01) of 0000-01-01 and 9999-12-31, the ends of Flink's range. */
export const FIRST_DAY = -719_528;
export const LAST_DAY = 2_932_896;
const FIRST_NANOS = BigInt(FIRST_DAY) * BIG_NANOS_PER_DAY;
const END_NANOS = BigInt(LAST_DAY + 1) * BIG_NANOS_PER_DAY;

/** The value of a day number and the nanoseconds into that day (0 to NANOS_PER_DAY - 1). */
export function timeValue(days: number, nanoOfDay: number): TimeValue {
  if (days >= -NUMBER_DAYS && days < NUMBER_DAYS && nanoOfDay % NANOS_PER_MICRO === 0)
    return days * MICROS_PER_DAY + nanoOfDay / NANOS_PER_MICRO;
  return new WideTime(BigInt(days) * BIG_NANOS_PER_DAY + BigInt(nanoOfDay));
}

/** The value of a day number and the microseconds into that day (0 to MICROS_PER_DAY - 1). */
export function timeValueOfMicros(days: number, microOfDay: number): TimeValue {
  if (days >= -NUMBER_DAYS && days < NUMBER_DAYS) return days * MICROS_PER_DAY + microOfDay;
  return new WideTime(BigInt(days) * BIG_NANOS_PER_DAY + BigInt(microOfDay) * BIG_NANOS_PER_MICRO);
}

/** The value of a safe integer number of microseconds (a clock reading, a number value moved by an interval). */
export function fromMicros(micros: number): TimeValue {
  return micros >= -NUMBER_LIMIT && micros < NUMBER_LIMIT ? micros : new WideTime(BigInt(micros) * BIG_NANOS_PER_MICRO);
}

export function fromNanos(nanos: bigint): TimeValue {
  if (nanos % BIG_NANOS_PER_MICRO === 0n) {
    const micros = Number(nanos / BIG_NANOS_PER_MICRO);
    if (micros >= -NUMBER_LIMIT && micros < NUMBER_LIMIT) return micros;
  }
  return new WideTime(nanos);
}

/** The value of a whole number of milliseconds (exact as a number over the whole range). */
export function fromEpochMillis(millis: number): TimeValue {
  const micros = millis * MICROS_PER_MILLI;
  return micros >= -NUMBER_LIMIT && micros < NUMBER_LIMIT ? micros : new WideTime(BigInt(millis) * BIG_NANOS_PER_MILLI);
}

export function toNanos(value: TimeValue): bigint {
  return typeof value === 'number' ? BigInt(value) * BIG_NANOS_PER_MICRO : value.nanos;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** The day number (days since 1970-01-01) of a value, rounded down: 1969-12-31 23:00 is day -1. */
export function dayOf(value: TimeValue): number {
  if (typeof value === 'number') return Math.floor(value / MICROS_PER_DAY);
  return Number(floorDiv(value.nanos, BIG_NANOS_PER_DAY));
}

/** Nanoseconds since the midnight of the value's day (0 to NANOS_PER_DAY - 1). */
export function nanoOfDay(value: TimeValue): number {
  if (typeof value === 'number') return (value - Math.floor(value / MICROS_PER_DAY) * MICROS_PER_DAY) * NANOS_PER_MICRO;
  const nanos = value.nanos;
  return Number(nanos - floorDiv(nanos, BIG_NANOS_PER_DAY) * BIG_NANOS_PER_DAY);
}

/** Whole milliseconds since 1970, rounded down: what watermarks and windows count in (exact as a number). */
export function epochMillis(value: TimeValue): number {
  if (typeof value === 'number') return Math.floor(value / MICROS_PER_MILLI);
  return Number(floorDiv(value.nanos, BIG_NANOS_PER_MILLI));
}

/** Whole seconds since 1970, rounded toward zero (EXTRACT(EPOCH ...), UNIX_TIMESTAMP). */
export function epochSecondsTruncated(value: TimeValue): number {
  if (typeof value === 'number') return Math.trunc(value / MICROS_PER_SECOND) || 0;
  return Number(value.nanos / 1_000_000_000n);
}

/** Orders two values: negative, zero or positive. */
export function compareTimes(a: TimeValue, b: TimeValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = toNanos(a);
  const y = toNanos(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The value moved by a whole number of microseconds (an INTERVAL DAY TO SECOND, a zone offset). */
export function plusMicros(value: TimeValue, micros: number): TimeValue {
  if (typeof value === 'number') {
    const sum = value + micros;
    if (sum >= -NUMBER_LIMIT && sum < NUMBER_LIMIT && Number.isSafeInteger(micros)) return sum;
  }
  return fromNanos(toNanos(value) + BigInt(micros) * BIG_NANOS_PER_MICRO);
}

/** Digits past the declared precision (0-9) dropped, rounding toward the past, as Flink's CAST does. */
export function truncateTime(value: TimeValue, precision: number): TimeValue {
  if (typeof value === 'number') {
    if (precision >= 6) return value;
    const unit = MICRO_UNITS[precision] as number;
    return value - (((value % unit) + unit) % unit);
  }
  if (precision >= 9) return value;
  const unit = 10n ** BigInt(9 - precision);
  return fromNanos(floorDiv(value.nanos, unit) * unit);
}

/** Microseconds in a unit of the last digit of each precision from 0 to 5. */
const MICRO_UNITS = [1_000_000, 100_000, 10_000, 1000, 100, 10];

/** Whether a TIMESTAMP lies within Flink's range (every number does). */
export function inFlinkRange(value: TimeValue): boolean {
  return typeof value === 'number' || (value.nanos >= FIRST_NANOS && value.nanos < END_NANOS);
}

/**
 * Nanoseconds rounded to whole microseconds, half up, as PostgreSQL's JDBC driver writes a
 * timestamp (PostgreSQL keeps microseconds): the microseconds since 1970, as a bigint.
 */
export function roundedMicros(value: TimeValue): bigint {
  if (typeof value === 'number') return BigInt(value);
  return floorDiv(value.nanos + 500n, BIG_NANOS_PER_MICRO);
}
