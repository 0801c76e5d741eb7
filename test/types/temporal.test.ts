import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileDateFormat } from '../../src/types/date-format.ts';
import {
  civilFromDays,
  dayStart,
  daysFromCivil,
  extractField,
  formatDate,
  formatTime,
  formatTimestamp,
  formatTimestampTrimmed,
  instantToLocal,
  localTimestamp,
  localToInstant,
  offsetMicros,
  parseDate,
  parseTime,
  parseTimestamp,
  resolveTimeZone,
  type TimeUnit,
  timeZoneId,
} from '../../src/types/temporal.ts';
import { dayOf, FIRST_DAY, LAST_DAY, type TimeValue, truncateTime, WideTime } from '../../src/types/time-value.ts';

const HOUR = 3_600_000_000;
const DAY = 86_400_000_000;

/** Microseconds of a UTC date-time, computed independently with Date (month 1-12, any year). */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime() * 1000;
}

function days(year: number, month: number, day: number): number {
  return utc(year, month, day) / DAY;
}

describe('calendar', () => {
  it('civilFromDays and daysFromCivil agree with Date over eight centuries', () => {
    for (let d = -150_000; d <= 150_000; d += 37) {
      const date = new Date(d * 86_400_000);
      const expected = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
      assert.deepEqual(civilFromDays(d), expected);
      assert.equal(daysFromCivil(expected.year, expected.month, expected.day), d);
    }
  });
  it('known days', () => {
    assert.equal(daysFromCivil(1970, 1, 1), 0);
    assert.equal(daysFromCivil(1969, 12, 31), -1);
    assert.equal(daysFromCivil(2000, 3, 1), 11_017);
    assert.deepEqual(civilFromDays(days(2024, 2, 29)), { year: 2024, month: 2, day: 29 });
    assert.deepEqual(civilFromDays(days(2024, 2, 29) + 1), { year: 2024, month: 3, day: 1 });
    assert.deepEqual(civilFromDays(days(1, 1, 1)), { year: 1, month: 1, day: 1 });
    assert.equal(daysFromCivil(1, 1, 1), -719_162);
  });
  it('days and wall-clock microseconds, flooring before 1970', () => {
    assert.equal(dayStart(1), DAY);
    assert.equal(dayOf(utc(2025, 7, 11, 17, 25, 55)), days(2025, 7, 11));
    assert.equal(dayOf(-1), -1);
    assert.equal(dayOf(-DAY), -1);
    assert.equal(dayOf(-DAY - 1), -2);
    assert.equal(localTimestamp(2025, 7, 11, 17, 25, 55, 145_000_000), utc(2025, 7, 11, 17, 25, 55, 145));
  });
});

describe('CAST to STRING (Flink 1.18 DateTimeUtils, CastRulesTest)', () => {
  it('dates', () => {
    assert.equal(formatDate(days(2021, 9, 24)), '2021-09-24');
    assert.equal(formatDate(0), '1970-01-01');
    assert.equal(formatDate(-1), '1969-12-31');
    assert.equal(formatDate(days(2024, 2, 29)), '2024-02-29');
    assert.equal(formatDate(days(1, 1, 1)), '0001-01-01');
  });
  it('timestamps print exactly p fraction digits', () => {
    const ts = utc(2025, 7, 11, 17, 25, 55, 145);
    assert.equal(formatTimestamp(ts, 3), '2025-07-11 17:25:55.145');
    assert.equal(formatTimestamp(ts, 6), '2025-07-11 17:25:55.145000');
    assert.equal(formatTimestamp(utc(2021, 9, 24, 12, 34, 56, 100), 3), '2021-09-24 12:34:56.100');
    const micros = utc(2021, 9, 24, 12, 34, 56) + 123_456;
    assert.equal(formatTimestamp(micros, 9), '2021-09-24 12:34:56.123456000');
    assert.equal(formatTimestamp(micros, 7), '2021-09-24 12:34:56.1234560');
    assert.equal(formatTimestamp(micros, 6), '2021-09-24 12:34:56.123456');
    assert.equal(formatTimestamp(utc(2025, 7, 11, 17, 25, 55), 0), '2025-07-11 17:25:55');
    assert.equal(formatTimestamp(utc(2025, 7, 11, 17, 25, 55), 3), '2025-07-11 17:25:55.000');
    assert.equal(formatTimestamp(-1000, 3), '1969-12-31 23:59:59.999');
  });
  it('timestamps of any day print as the JavaScript calendar does, whatever day was printed before', () => {
    // Microseconds as a double are exact up to 2^53, about the years 1685 to 2255.
    const maxMillis = Math.floor(Number.MAX_SAFE_INTEGER / 1000);
    const minMillis = -maxMillis;
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 20_000; i++) {
      // Alternate far-apart days with neighbours of the last one, before and after 1970.
      const millis =
        i % 2 === 0
          ? Math.floor(minMillis + random() * (maxMillis - minMillis))
          : Math.floor((random() - 0.5) * 4 * 86_400_000);
      const iso = new Date(millis).toISOString();
      assert.equal(formatTimestamp(millis * 1000, 3), `${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
      const fraction = iso.slice(20, 23).replace(/0+$/, '');
      assert.equal(formatTimestampTrimmed(millis * 1000, 'T'), `${iso.slice(0, 19)}${fraction && `.${fraction}`}`);
    }
  });
  it('times print millisecond digits up to the last non-zero one, at most p', () => {
    const time = ((12 * 60 + 34) * 60 + 56) * 1_000_000;
    assert.equal(formatTime(time + 123_000, 5), '12:34:56.123');
    assert.equal(formatTime(time + 123_000, 3), '12:34:56.123');
    assert.equal(formatTime(time + 123_000, 1), '12:34:56.1');
    assert.equal(formatTime(time + 100_000, 3), '12:34:56.1');
    assert.equal(formatTime(time, 3), '12:34:56.0');
    assert.equal(formatTime(time + 999_000, 0), '12:34:56');
    assert.equal(formatTime(0, 0), '00:00:00');
  });
});

describe('CAST from STRING', () => {
  it('timestamps', () => {
    const ts = parseTimestamp('2025-07-11 17:25:55.145');
    assert.equal(ts, utc(2025, 7, 11, 17, 25, 55, 145));
    assert.equal(formatTimestamp(ts as number, 3), '2025-07-11 17:25:55.145');
    assert.equal(parseTimestamp('2025-07-11T17:25:55'), utc(2025, 7, 11, 17, 25, 55));
    assert.equal(parseTimestamp('2025-07-11'), utc(2025, 7, 11));
    assert.equal(parseTimestamp('2025-7-1 1:2:3'), utc(2025, 7, 1, 1, 2, 3));
    assert.deepEqual(
      parseTimestamp('2025-07-11 17:25:55.123456789'),
      new WideTime(BigInt(utc(2025, 7, 11, 17, 25, 55) + 123_456) * 1000n + 789n),
    );
    assert.equal(parseTimestamp('2025-07-11 17:25:55.1'), utc(2025, 7, 11, 17, 25, 55, 100));
    assert.equal(parseTimestamp('1969-12-31 23:59:59.999'), -1000);
    assert.equal(parseTimestamp('2024-02-29 00:00:00'), utc(2024, 2, 29));
  });
  it("timestamps resolve as java.time's SMART resolver does", () => {
    assert.equal(parseTimestamp('2025-02-30 10:00:00'), utc(2025, 2, 28, 10));
    assert.equal(parseTimestamp('2025-07-11 24:00:00'), utc(2025, 7, 12));
  });
  it('invalid timestamps are null', () => {
    for (const text of [
      '',
      'garbage',
      '2025-07-11 25:00:00',
      '2025-07-11 17:60:00',
      '2025-13-01 00:00:00',
      '2025-07-32',
      '2025-07-11 17:25:55.1234567890',
      '25-07-11',
      '2025/07/11',
      '2025-07-11 17:25:55Z',
      '0000-01-01 00:00:00',
    ]) {
      assert.equal(parseTimestamp(text), null, text);
    }
  });
  it('dates', () => {
    assert.equal(parseDate('2025-07-11'), days(2025, 7, 11));
    assert.equal(parseDate('2024-02-29'), days(2024, 2, 29));
    assert.equal(parseDate('2025-7-1'), days(2025, 7, 1));
    assert.equal(parseDate('2017-12-12 09:30:00.0'), days(2017, 12, 12));
    assert.equal(parseDate('2025'), days(2025, 1, 1));
    assert.equal(parseDate('1969-12-31'), -1);
    for (const text of [
      '2023-02-29',
      '2025-04-31',
      '2025-00-10',
      '2025-07-1x',
      'x',
      '',
      '10000-01-01',
      '-2025-01-01',
    ]) {
      assert.equal(parseDate(text), null, text);
    }
  });
  it('times', () => {
    assert.equal(parseTime('17:25:55'), ((17 * 60 + 25) * 60 + 55) * 1_000_000);
    assert.equal(parseTime('17:25:55.145'), ((17 * 60 + 25) * 60 + 55) * 1_000_000 + 145_000);
    assert.equal(parseTime('17:25'), (17 * 60 + 25) * 60 * 1_000_000);
    assert.deepEqual(parseTime('00:00:00.1234567'), new WideTime(123_456_700n));
    assert.equal(parseTime('00:00:00.1234560'), 123_456);
    for (const text of ['24:00:00', '12:60:00', '12:00:60', 'noon', '', '12:00:00 PM']) {
      assert.equal(parseTime(text), null, text);
    }
  });
});

describe('time zones', () => {
  it('fixed offsets and UTC', () => {
    assert.equal(offsetMicros(resolveTimeZone('+08:00'), 0), 8 * HOUR);
    assert.equal(offsetMicros(resolveTimeZone('GMT+08:00'), 0), 8 * HOUR);
    assert.equal(offsetMicros(resolveTimeZone('UTC-5'), 0), -5 * HOUR);
    assert.equal(offsetMicros(resolveTimeZone('+0530'), 0), 5.5 * HOUR);
    assert.equal(offsetMicros(resolveTimeZone('Z'), 0), 0);
    assert.equal(offsetMicros(resolveTimeZone('UTC'), utc(2025, 7, 11)), 0);
    assert.equal(timeZoneId(resolveTimeZone('GMT+08:00')), 'GMT+08:00');
  });
  it('IANA zones', () => {
    const shanghai = resolveTimeZone('Asia/Shanghai');
    assert.equal(timeZoneId(shanghai), 'Asia/Shanghai');
    assert.equal(offsetMicros(shanghai, utc(2025, 7, 11, 9, 25, 55)), 8 * HOUR);
    assert.equal(offsetMicros(shanghai, utc(2025, 1, 1)), 8 * HOUR);
    assert.equal(instantToLocal(shanghai, utc(2025, 7, 11, 9, 25, 55, 145)), utc(2025, 7, 11, 17, 25, 55, 145));
    assert.equal(instantToLocal(shanghai, 0), 8 * HOUR);
    assert.equal(localToInstant(shanghai, utc(2025, 7, 11, 17, 25, 55)), utc(2025, 7, 11, 9, 25, 55));
    const newYork = resolveTimeZone('America/New_York');
    assert.equal(offsetMicros(newYork, utc(2025, 1, 15)), -5 * HOUR);
    assert.equal(offsetMicros(newYork, utc(2025, 7, 15)), -4 * HOUR);
  });
  it('Europe/Berlin switches to CEST at 2025-03-30 01:00 UTC and back at 2025-10-26 01:00 UTC', () => {
    const berlin = resolveTimeZone('Europe/Berlin');
    const spring = utc(2025, 3, 30, 1);
    assert.equal(offsetMicros(berlin, spring - 1), HOUR);
    assert.equal(offsetMicros(berlin, spring), 2 * HOUR);
    assert.equal(instantToLocal(berlin, spring - 1_000_000), utc(2025, 3, 30, 1, 59, 59));
    assert.equal(instantToLocal(berlin, spring), utc(2025, 3, 30, 3));
    const autumn = utc(2025, 10, 26, 1);
    assert.equal(offsetMicros(berlin, autumn - 1), 2 * HOUR);
    assert.equal(offsetMicros(berlin, autumn), HOUR);
    assert.equal(offsetMicros(berlin, utc(2025, 7, 11, 12)), 2 * HOUR);
  });
  it('wall-clock times in a gap move forward, in an overlap take the earlier offset (java.time atZone)', () => {
    const berlin = resolveTimeZone('Europe/Berlin');
    // 02:30 does not exist on 2025-03-30: java.time gives 03:30 CEST = 01:30 UTC.
    assert.equal(localToInstant(berlin, utc(2025, 3, 30, 2, 30)), utc(2025, 3, 30, 1, 30));
    // 02:30 happens twice on 2025-10-26: the first, CEST, is 00:30 UTC.
    assert.equal(localToInstant(berlin, utc(2025, 10, 26, 2, 30)), utc(2025, 10, 26, 0, 30));
    assert.equal(localToInstant(berlin, utc(2025, 3, 30, 1, 30)), utc(2025, 3, 30, 0, 30));
    assert.equal(localToInstant(berlin, utc(2025, 3, 30, 3, 30)), utc(2025, 3, 30, 1, 30));
    assert.equal(localToInstant(berlin, utc(2025, 10, 26, 3, 30)), utc(2025, 10, 26, 2, 30));
  });
  it('round trips wall-clock times through instants', () => {
    const berlin = resolveTimeZone('Europe/Berlin');
    for (let t = utc(2025, 3, 29); t < utc(2025, 4, 1); t += 7 * 60_000_000) {
      assert.equal(localToInstant(berlin, instantToLocal(berlin, t)), t);
    }
  });
  it("'default' is the system zone; unknown ids throw", () => {
    assert.equal(typeof timeZoneId(resolveTimeZone('default')), 'string');
    assert.throws(() => resolveTimeZone('Mars/Olympus'), /unknown time zone 'Mars\/Olympus'/);
    assert.throws(() => resolveTimeZone('+19:00'), /offset/);
  });
  it('offsets are cheap once cached', () => {
    const shanghai = resolveTimeZone('Asia/Shanghai');
    const start = performance.now();
    let sum = 0;
    for (let i = 0; i < 200_000; i++) sum += offsetMicros(shanghai, utc(2025, 7, 11) + i * 997_000);
    assert.equal(sum, 200_000 * 8 * HOUR);
    assert.ok(performance.now() - start < 1500);
  });
});

describe('EXTRACT and field functions', () => {
  const ts = utc(2025, 7, 11, 17, 25, 55, 145);
  it('fields of a timestamp', () => {
    assert.equal(extractField('YEAR', ts), 2025);
    assert.equal(extractField('QUARTER', ts), 3);
    assert.equal(extractField('MONTH', ts), 7);
    assert.equal(extractField('DAY', ts), 11);
    assert.equal(extractField('DOY', ts), 192);
    assert.equal(extractField('HOUR', ts), 17);
    assert.equal(extractField('MINUTE', ts), 25);
    assert.equal(extractField('SECOND', ts), 55);
    assert.equal(extractField('EPOCH', ts), 1_752_254_755);
  });
  it('MILLISECOND and MICROSECOND are within the second (Flink ScalarFunctionsTest)', () => {
    const value = utc(1996, 11, 10, 6, 55, 44, 333);
    assert.equal(extractField('SECOND', value), 44);
    assert.equal(extractField('MILLISECOND', value), 333);
    assert.equal(extractField('MICROSECOND', value), 333_000);
  });
  it('DOW counts from Sunday = 1; WEEK is the ISO week', () => {
    assert.equal(extractField('DOW', ts), 6); // Friday
    assert.equal(extractField('DOW', utc(2025, 7, 13)), 1); // Sunday
    assert.equal(extractField('DOW', utc(2025, 7, 12)), 7); // Saturday
    assert.equal(extractField('DOW', 0), 5); // Thursday 1970-01-01
    assert.equal(extractField('WEEK', ts), 28);
    assert.equal(extractField('WEEK', utc(2021, 1, 3)), 53);
    assert.equal(extractField('WEEK', utc(2024, 12, 30)), 1);
    assert.equal(extractField('WEEK', utc(2026, 1, 1)), 1);
  });
  it('dates, times, leap days and values before 1970', () => {
    assert.equal(extractField('DOY', dayStart(days(2024, 12, 31))), 366);
    assert.equal(extractField('DAY', dayStart(days(2024, 2, 29))), 29);
    assert.equal(extractField('HOUR', ((17 * 60 + 25) * 60 + 55) * 1_000_000), 17);
    const before = parseTimestamp('1969-12-31 23:59:59.999') as number;
    assert.equal(extractField('YEAR', before), 1969);
    assert.equal(extractField('HOUR', before), 23);
    assert.equal(extractField('MILLISECOND', before), 999);
    assert.equal(extractField('EPOCH', before), 0);
    assert.equal(extractField('EPOCH', utc(1969, 12, 31, 23, 59, 59)), -1);
  });
});

describe('SimpleDateFormat patterns', () => {
  const ts = utc(2025, 7, 11, 17, 25, 55, 145);
  const format = (pattern: string, value: TimeValue = ts) => compileDateFormat(pattern).format(value);
  it('formats', () => {
    assert.equal(format('yyyy-MM-dd'), '2025-07-11');
    assert.equal(format('HH:mm:ss'), '17:25:55');
    assert.equal(format('yyyy-MM-dd HH:mm:ss.SSS'), '2025-07-11 17:25:55.145');
    assert.equal(format('EEE, d MMM yyyy'), 'Fri, 11 Jul 2025');
    assert.equal(format('EEEE, MMMM d, yy'), 'Friday, July 11, 25');
    assert.equal(format('yyyyMMdd'), '20250711');
    assert.equal(format('hh:mm a'), '05:25 PM');
    assert.equal(format('K k h H', utc(2025, 7, 11)), '0 24 12 0');
    assert.equal(format("'at' HH 'o''clock' ''"), "at 17 o'clock '");
    assert.equal(format('D u G'), '192 5 AD');
    assert.equal(format('S SSSSSS', utc(2025, 7, 11, 0, 0, 0, 45)), '45 000045');
    assert.equal(format('yyyy-MM-dd HH:mm:ss.SSS', -1000), '1969-12-31 23:59:59.999');
    assert.equal(format('yyyy-MM-dd', dayStart(days(2024, 2, 29))), '2024-02-29');
    assert.equal(format('Y-w', utc(2024, 12, 31)), '2025-1');
  });
  it('prints zones as given', () => {
    const f = compileDateFormat('yyyy-MM-dd HH:mm:ss z Z X XXX');
    assert.equal(f.format(ts), '2025-07-11 17:25:55 UTC +0000 Z Z');
    assert.equal(f.format(ts, 8 * HOUR), '2025-07-11 17:25:55 GMT+08:00 +0800 +08 +08:00');
    assert.equal(
      f.format(ts, -5.5 * HOUR, 'America/St_Johns'),
      '2025-07-11 17:25:55 America/St_Johns -0530 -05 -05:30',
    );
  });
  it('parses', () => {
    const parse = (pattern: string, text: string) => compileDateFormat(pattern).parse(text);
    assert.equal(parse('yyyy-MM-dd HH:mm:ss.SSS', '2025-07-11 17:25:55.145'), ts);
    assert.equal(parse('yyyy-MM-dd HH:mm:ss', '2025-07-11 17:25:55'), utc(2025, 7, 11, 17, 25, 55));
    assert.equal(parse('dd/MM/yyyy HH:mm', '11/07/2025 17:25'), utc(2025, 7, 11, 17, 25));
    assert.equal(parse('yyyyMMddHHmmss', '20250711172555'), utc(2025, 7, 11, 17, 25, 55));
    assert.equal(parse('EEE, d MMM yyyy', 'Fri, 11 Jul 2025'), utc(2025, 7, 11));
    assert.equal(parse('d MMMM yyyy', '11 july 2025'), utc(2025, 7, 11));
    assert.equal(parse('hh:mm a', '05:25 PM'), utc(1970, 1, 1, 17, 25));
    assert.equal(parse('yyyy-MM-dd', '2025-7-1'), utc(2025, 7, 1));
    assert.equal(parse('yyyy-MM-dd', '2025-07-11 17:25:55'), utc(2025, 7, 11)); // the rest is ignored
    assert.equal(parse('yy-MM-dd', '25-07-11'), utc(2025, 7, 11));
    assert.equal(parse('yyyy-MM-dd HH:mm:ss Z', '2025-07-11 17:25:55 +0800'), utc(2025, 7, 11, 9, 25, 55));
    // Lenient like SimpleDateFormat: fields past their range carry over.
    assert.equal(parse('yyyy-MM-dd', '2025-02-30'), utc(2025, 3, 2));
    assert.equal(parse('yyyy-MM-dd', '2025-13-01'), utc(2026, 1, 1));
  });
  it('parses into an instant in a zone', () => {
    const f = compileDateFormat('yyyy-MM-dd HH:mm:ss');
    assert.equal(f.parseInstant('2025-07-11 17:25:55', resolveTimeZone('Asia/Shanghai')), utc(2025, 7, 11, 9, 25, 55));
    const withOffset = compileDateFormat('yyyy-MM-dd HH:mm:ssXXX');
    assert.equal(
      withOffset.parseInstant('2025-07-11 17:25:55-05:00', resolveTimeZone('Asia/Shanghai')),
      utc(2025, 7, 11, 22, 25, 55),
    );
  });
  it('text that does not match is null', () => {
    const parse = (pattern: string, text: string) => compileDateFormat(pattern).parse(text);
    assert.equal(parse('yyyy-MM-dd', 'garbage'), null);
    assert.equal(parse('yyyy-MM-dd HH:mm:ss', '2025-07-11'), null);
    assert.equal(parse('yyyy/MM/dd', '2025-07-11'), null);
    assert.equal(parse('EEE, d MMM yyyy', 'Fri, 11 Jux 2025'), null);
    assert.equal(parse('yyyy-MM-dd', ''), null);
  });
  it('unknown letters and broken quotes throw, naming the letter', () => {
    assert.throws(() => compileDateFormat('yyyy-qq'), /'q'/);
    assert.throws(() => compileDateFormat('yyyy-MM-dd b'), /'b'/);
    assert.throws(() => compileDateFormat("yyyy 'at"), /quote/);
  });
  it('caches compiled patterns', () => {
    assert.equal(compileDateFormat('yyyy-MM-dd'), compileDateFormat('yyyy-MM-dd'));
    assert.notEqual(compileDateFormat('yyyy-MM-dd'), compileDateFormat('yyyy-MM-dd', 'java-time'));
  });
});

describe('DateTimeFormatter patterns (DATE_FORMAT of a TIMESTAMP, TO_TIMESTAMP with a format)', () => {
  const ts = utc(2025, 7, 11, 17, 25, 55, 145) + 678;
  const format = (pattern: string, micros = ts) => compileDateFormat(pattern, 'java-time').format(micros);
  const parse = (pattern: string, text: string) => compileDateFormat(pattern, 'java-time').parse(text);
  it('formats; S is the fraction of the second', () => {
    assert.equal(format('yyyy-MM-dd HH:mm:ss.SSS'), '2025-07-11 17:25:55.145');
    assert.equal(format('yyyy-MM-dd HH:mm:ss.SSSSSS'), '2025-07-11 17:25:55.145678');
    assert.equal(format('s.S'), '55.1');
    assert.equal(format('EEE, d MMM uuuu'), 'Fri, 11 Jul 2025');
    assert.equal(format('EEEE MMMM QQQ'), 'Friday July Q3');
    assert.equal(format("yyyy-MM-dd['T'HH:mm]"), '2025-07-11T17:25');
  });
  it('zone letters cannot format a TIMESTAMP; unknown letters throw', () => {
    assert.throws(() => format('yyyy-MM-dd HH:mm:ss z'), /'z'/);
    assert.throws(() => compileDateFormat('yyyy-MM-dd b', 'java-time'), /'b'/);
    assert.throws(() => compileDateFormat('ddd', 'java-time'), /'ddd'/);
  });
  it('parses strictly', () => {
    assert.equal(parse('yyyy-MM-dd HH:mm:ss.SSS', '2025-07-11 17:25:55.145'), utc(2025, 7, 11, 17, 25, 55, 145));
    assert.equal(parse('dd/MM/yyyy HH:mm', '11/07/2025 17:25'), utc(2025, 7, 11, 17, 25));
    assert.equal(parse('yyyyMMddHHmmss', '20250711172555'), utc(2025, 7, 11, 17, 25, 55));
    assert.equal(parse('yyyy-MM-dd HH:mm:ss.S', '2025-07-11 17:25:55.1'), utc(2025, 7, 11, 17, 25, 55, 100));
    assert.equal(parse("yyyy-MM-dd['T'HH:mm]", '2025-07-11'), utc(2025, 7, 11));
    assert.equal(parse("yyyy-MM-dd['T'HH:mm]", '2025-07-11T17:25'), utc(2025, 7, 11, 17, 25));
    assert.equal(parse('yyyy-MM-dd', '2025-02-30'), utc(2025, 2, 28));
    assert.equal(parse('yyyy-MM-dd', '2025-7-1'), null);
    assert.equal(parse('yyyy-MM-dd', '2025-07-11 17:25'), null);
    assert.equal(parse('yyyy-MM-dd', '2025-13-01'), null);
    assert.equal(parse('d MMM yyyy', '11 jul 2025'), null);
  });
});

describe("the ends of Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59.999999999", () => {
  const LAST = '9999-12-31 23:59:59.999999999';
  const last = parseTimestamp(LAST) as TimeValue;
  const first = parseTimestamp('0000-01-01 00:00:00', true) as TimeValue;

  it('read and print to the nanosecond at every precision (CAST to and from STRING)', () => {
    assert.equal(formatTimestamp(last, 9), LAST);
    assert.equal(
      formatTimestamp(last, 6),
      '9999-12-31 23:59:59.999999999',
      'a value keeps its digits; CAST drops them',
    );
    assert.equal(formatTimestamp(truncateTime(last, 6), 6), '9999-12-31 23:59:59.999999');
    assert.equal(formatTimestamp(truncateTime(last, 3), 3), '9999-12-31 23:59:59.999');
    assert.equal(formatTimestamp(truncateTime(last, 0), 0), '9999-12-31 23:59:59');
    assert.equal(
      formatTimestamp(parseTimestamp('9999-12-31 23:59:59.999999') as TimeValue, 6),
      '9999-12-31 23:59:59.999999',
    );
    for (const precision of [0, 3, 6, 9]) {
      const zeros = precision === 0 ? '' : `.${'0'.repeat(precision)}`;
      assert.equal(formatTimestamp(first, precision), `0000-01-01 00:00:00${zeros}`);
    }
    assert.equal(formatTimestampTrimmed(last, 'T'), '9999-12-31T23:59:59.999999999');
    assert.equal(formatTimestampTrimmed(first), '0000-01-01 00:00:00');
    assert.equal(parseDate('0000-01-01'), FIRST_DAY);
    assert.equal(parseDate('9999-12-31'), LAST_DAY);
    assert.equal(formatDate(FIRST_DAY), '0000-01-01');
    assert.equal(formatDate(LAST_DAY), '9999-12-31');
  });

  it('refuse what lies outside: negative years, years past 9999, the midnight after the last day', () => {
    for (const text of ['-0001-12-31 23:59:59', '10000-01-01 00:00:00', '9999-12-31 24:00:00']) {
      assert.equal(parseTimestamp(text, true), null, text);
    }
    assert.equal(parseTimestamp('0000-01-01 00:00:00'), null, "CAST reads 'yyyy', the year of the era, from 1");
    assert.equal(parseDate('10000-01-01'), null);
    assert.equal(parseDate('-0001-01-01'), null);
  });

  it('TIME(9) keeps nanoseconds up to 23:59:59.999999999', () => {
    const time = parseTime('23:59:59.999999999') as TimeValue;
    assert.deepEqual(time, new WideTime(86_399_999_999_999n));
    assert.equal(formatTime(time, 9), '23:59:59.999999999');
    assert.equal(formatTime(time, 6), '23:59:59.999999');
    assert.equal(formatTime(time, 3), '23:59:59.999');
    assert.equal(formatTime(parseTime('00:00:00') as TimeValue, 9), '00:00:00.0');
  });

  it('give their fields (EXTRACT), counted as java.time counts them', () => {
    // Date knows these days too: 9999-12-31 is a Friday, 0000-01-01 a Saturday (proleptic Gregorian).
    const lastDate = new Date(0);
    lastDate.setUTCFullYear(9999, 11, 31);
    lastDate.setUTCHours(23, 59, 59, 999);
    const firstDate = new Date(0);
    firstDate.setUTCFullYear(0, 0, 1);
    assert.equal(lastDate.getUTCDay(), 5);
    assert.equal(firstDate.getUTCDay(), 6);
    const expected: [TimeUnit, number][] = [
      ['YEAR', 9999],
      ['QUARTER', 4],
      ['MONTH', 12],
      ['DAY', 31],
      ['DOY', 365],
      ['DOW', 6],
      ['HOUR', 23],
      ['MINUTE', 59],
      ['SECOND', 59],
      ['MILLISECOND', 999],
      ['MICROSECOND', 999_999],
      ['EPOCH', Math.floor(lastDate.getTime() / 1000)],
    ];
    for (const [unit, value] of expected) assert.equal(extractField(unit, last), value, unit);
    assert.equal(extractField('YEAR', first), 0);
    assert.equal(extractField('DOY', first), 1);
    assert.equal(extractField('DOW', first), 7);
    assert.equal(extractField('EPOCH', first), firstDate.getTime() / 1000);
    assert.equal(extractField('DAY', dayStart(LAST_DAY)), 31);
  });

  it('move between time zones without losing a digit', () => {
    const shanghai = resolveTimeZone('Asia/Shanghai');
    const instant = localToInstant(shanghai, last);
    assert.equal(formatTimestamp(instant, 9), '9999-12-31 15:59:59.999999999');
    assert.deepEqual(instantToLocal(shanghai, instant), last);
    const berlin = resolveTimeZone('Europe/Berlin');
    const summer = parseTimestamp('9999-07-01 12:00:00.000000001') as TimeValue;
    assert.equal(formatTimestamp(localToInstant(berlin, summer), 9), '9999-07-01 10:00:00.000000001');
    assert.deepEqual(instantToLocal(resolveTimeZone('UTC'), first), first);
  });

  it('print and parse with Java date patterns', () => {
    assert.equal(compileDateFormat('yyyy-MM-dd HH:mm:ss.SSS').format(last), '9999-12-31 23:59:59.999');
    assert.equal(compileDateFormat('yyyy-MM-dd HH:mm:ss.SSSSSSSSS', 'java-time').format(last), LAST);
    assert.equal(compileDateFormat('uuuu-MM-dd', 'java-time').format(first), '0000-01-01');
    assert.equal(compileDateFormat('yyyy-MM-dd G').format(first), '0001-01-01 BC');
    assert.deepEqual(compileDateFormat('yyyy-MM-dd HH:mm:ss.SSSSSSSSS', 'java-time').parse(LAST), last);
    assert.equal(compileDateFormat('yyyy-MM-dd').parse('10000-01-01'), null, 'past the range');
  });
});
