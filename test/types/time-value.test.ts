import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysFromCivil, formatTimestamp, parseTimestamp } from '../../src/types/temporal.ts';
import {
  compareTimes,
  dayOf,
  epochMillis,
  epochSecondsTruncated,
  FIRST_DAY,
  fromEpochMillis,
  fromMicros,
  fromNanos,
  inFlinkRange,
  LAST_DAY,
  nanoOfDay,
  plusMicros,
  roundedMicros,
  type TimeValue,
  timeValue,
  toNanos,
  truncateTime,
  WideTime,
} from '../../src/types/time-value.ts';

/** Milliseconds since 1970 of a UTC date-time, computed with Date (any year, month 1-12). */
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** The first and the last instant of Flink's range (its documentation: 0000-01-01 to 9999-12-31 23:59:59.999999999). */
const FIRST_NANOS = BigInt(utcMillis(0, 1, 1)) * 1_000_000n;
const LAST_NANOS = BigInt(utcMillis(9999, 12, 31, 23, 59, 59, 999)) * 1_000_000n + 999_999n;
const ts = (text: string) => parseTimestamp(text, true) as TimeValue;

describe('TimeValue: a number of microseconds where that is exact, else a WideTime of nanoseconds', () => {
  it("knows the days of Flink's range", () => {
    assert.equal(FIRST_DAY, utcMillis(0, 1, 1) / 86_400_000);
    assert.equal(LAST_DAY, utcMillis(9999, 12, 31) / 86_400_000);
    assert.equal(daysFromCivil(0, 1, 1), FIRST_DAY);
  });

  it('keeps the ends of the range to the nanosecond', () => {
    const last = fromNanos(LAST_NANOS);
    assert.ok(last instanceof WideTime);
    assert.equal(toNanos(last), LAST_NANOS);
    assert.equal(dayOf(last), LAST_DAY);
    assert.equal(nanoOfDay(last), 86_399_999_999_999);
    assert.equal(toNanos(fromNanos(FIRST_NANOS)), FIRST_NANOS);
    assert.equal(nanoOfDay(fromNanos(FIRST_NANOS)), 0);
    assert.equal(dayOf(fromNanos(FIRST_NANOS)), FIRST_DAY);
    assert.equal(formatTimestamp(last, 9), '9999-12-31 23:59:59.999999999');
  });

  it('gives each value one form: a number inside 1684-07-28 .. 2255-06-05 in whole microseconds', () => {
    const day = 86_400_000_000;
    const lastNumber = 104_249 * day - 1;
    assert.equal(fromMicros(lastNumber), lastNumber);
    assert.deepEqual(fromMicros(lastNumber + 1), new WideTime(BigInt(lastNumber + 1) * 1000n));
    assert.equal(fromMicros(-104_249 * day), -104_249 * day);
    assert.ok(fromMicros(-104_249 * day - 1) instanceof WideTime);
    assert.equal(fromNanos(BigInt(lastNumber) * 1000n), lastNumber);
    assert.deepEqual(fromNanos(1n), new WideTime(1n), 'a nanosecond past the epoch');
    assert.equal(timeValue(0, 1000), 1);
    assert.equal(timeValue(104_248, 0), 104_248 * day);
    assert.ok(timeValue(104_249, 0) instanceof WideTime);
    // Moved across the boundary and back, a value returns to its number.
    assert.equal(plusMicros(plusMicros(lastNumber, 1), -1), lastNumber);
    assert.equal(plusMicros(fromNanos(BigInt(lastNumber + 5) * 1000n), -5), lastNumber);
  });

  it('orders numbers and WideTimes together', () => {
    const values: TimeValue[] = [
      fromNanos(LAST_NANOS),
      ts('2025-07-11 17:25:55.145'),
      fromNanos(FIRST_NANOS),
      ts('1970-01-01 00:00:00.000000001'),
      0,
      ts('9999-12-31 23:59:59.999999998'),
      -1,
    ];
    const sorted = [...values].sort(compareTimes).map((v) => formatTimestamp(v, 9));
    assert.deepEqual(sorted, [
      '0000-01-01 00:00:00.000000000',
      '1969-12-31 23:59:59.999999000',
      '1970-01-01 00:00:00.000000000',
      '1970-01-01 00:00:00.000000001',
      '2025-07-11 17:25:55.145000000',
      '9999-12-31 23:59:59.999999998',
      '9999-12-31 23:59:59.999999999',
    ]);
    assert.equal(compareTimes(fromNanos(LAST_NANOS), fromNanos(LAST_NANOS)), 0);
  });

  it('truncates to a precision, rounding toward the past', () => {
    const last = fromNanos(LAST_NANOS);
    assert.equal(formatTimestamp(truncateTime(last, 0), 0), '9999-12-31 23:59:59');
    assert.equal(formatTimestamp(truncateTime(last, 3), 3), '9999-12-31 23:59:59.999');
    assert.equal(formatTimestamp(truncateTime(last, 6), 6), '9999-12-31 23:59:59.999999');
    assert.equal(formatTimestamp(truncateTime(last, 9), 9), '9999-12-31 23:59:59.999999999');
    const before1970 = ts('1969-12-31 23:59:59.9999999');
    assert.equal(formatTimestamp(truncateTime(before1970, 6), 6), '1969-12-31 23:59:59.999999');
    assert.equal(truncateTime(-1, 3), -1000);
  });

  it('counts milliseconds and seconds exactly at the ends', () => {
    assert.equal(epochMillis(fromNanos(LAST_NANOS)), utcMillis(9999, 12, 31, 23, 59, 59, 999));
    assert.equal(epochMillis(fromNanos(FIRST_NANOS)), utcMillis(0, 1, 1));
    assert.equal(epochMillis(-1), -1, 'rounded down before 1970');
    assert.equal(epochSecondsTruncated(fromNanos(LAST_NANOS)), utcMillis(9999, 12, 31, 23, 59, 59) / 1000);
    assert.equal(epochSecondsTruncated(fromNanos(FIRST_NANOS)), utcMillis(0, 1, 1) / 1000);
    assert.deepEqual(fromEpochMillis(utcMillis(9999, 12, 31, 23, 59, 59, 999)), fromNanos(LAST_NANOS - 999_999n));
  });

  it('tells which values lie in the range', () => {
    assert.ok(inFlinkRange(fromNanos(LAST_NANOS)));
    assert.ok(inFlinkRange(fromNanos(FIRST_NANOS)));
    assert.ok(!inFlinkRange(fromNanos(LAST_NANOS + 1n)));
    assert.ok(!inFlinkRange(fromNanos(FIRST_NANOS - 1n)));
    assert.ok(inFlinkRange(0));
  });

  it("rounds nanoseconds to PostgreSQL's microseconds half up, as its JDBC driver does", () => {
    assert.equal(roundedMicros(fromNanos(1_499n)), 1n);
    assert.equal(roundedMicros(fromNanos(1_500n)), 2n);
    assert.equal(roundedMicros(fromNanos(-1_500n)), -1n, 'the fraction counts up from the second before');
    assert.equal(roundedMicros(fromNanos(LAST_NANOS)), (LAST_NANOS + 1n) / 1000n);
  });

  it('refuses arithmetic on a WideTime instead of giving NaN', () => {
    const wide: unknown = fromNanos(LAST_NANOS);
    assert.throws(() => (wide as number) + 1, /WideTime/);
    assert.throws(() => (wide as number) < 1, /WideTime/);
    assert.equal(`${wide}`, `${LAST_NANOS}ns`);
  });
});
