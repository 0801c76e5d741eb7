import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { columnArray } from '../../../src/connectors/pg/binary-array.ts';
import { textClientConfig } from '../../../src/connectors/pg/connection.ts';
import { pgTextReader, toText, ValueError } from '../../../src/connectors/pg/value-text.ts';
import type { Value } from '../../../src/expr/value.ts';
import { type DataType, T } from '../../../src/types/data-type.ts';
import { formatDate, formatTime, formatTimestamp, parseTime, parseTimestamp } from '../../../src/types/temporal.ts';
import type { TimeValue } from '../../../src/types/time-value.ts';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';

/**
 * Dates and times between PostgreSQL and Flink's types at the ends of Flink's range (0000-01-01 to
 * 9999-12-31 23:59:59.999999999). PostgreSQL's own range is wider (4713 BC to 294276) and stops at
 * microseconds; it has no year 0: 1 BC is the year 0 of Flink's proleptic calendar.
 */
describe('PostgreSQL dates and times at the ends of Flink’s range', () => {
  let server: TestPostgres;
  let client: pg.Client;
  const TIMESTAMP = 1114;
  const TIMESTAMPTZ = 1184;
  const DATE = 1082;
  const TIME = 1083;

  before(async () => {
    server = await startTestPostgres();
    const { host, port, user } = server.server.connectionConfig('postgres');
    client = new pg.Client(
      textClientConfig({ host: host as string, port: port as number, user: user as string, database: 'postgres' }),
    );
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await server?.dispose();
  });

  /** PostgreSQL's text of a literal of `type`, as the CDC and jdbc readers receive it. */
  const pgText = async (literal: string, type: string) =>
    (await client.query({ text: `SELECT $1::${type}::text AS v`, values: [literal] })).rows[0]?.v as string;

  const at = (text: string) => parseTimestamp(text, true) as TimeValue;

  it('reads the ends of the range from PostgreSQL exactly', async () => {
    const read = pgTextReader(T.timestamp(6), TIMESTAMP);
    const last = await pgText('9999-12-31 23:59:59.999999', 'timestamp');
    assert.equal(last, '9999-12-31 23:59:59.999999');
    assert.equal(formatTimestamp(read(last) as TimeValue, 6), '9999-12-31 23:59:59.999999');
    const yearOne = await pgText('0001-01-01 00:00:00', 'timestamp');
    assert.equal(formatTimestamp(read(yearOne) as TimeValue, 0), '0001-01-01 00:00:00');
    const oneBc = await pgText('0001-01-01 00:00:00 BC', 'timestamp');
    assert.equal(oneBc, '0001-01-01 00:00:00 BC');
    assert.equal(formatTimestamp(read(oneBc) as TimeValue, 0), '0000-01-01 00:00:00', '1 BC is year 0');
    const ltz = pgTextReader(T.timestampLtz(6), TIMESTAMPTZ);
    const lastTz = await pgText('9999-12-31 23:59:59.999999+00', 'timestamptz');
    assert.equal(formatTimestamp(ltz(lastTz) as TimeValue, 6), '9999-12-31 23:59:59.999999');
    const date = pgTextReader(T.date(), DATE);
    assert.equal(formatDate(date(await pgText('9999-12-31', 'date')) as number), '9999-12-31');
    assert.equal(formatDate(date(await pgText('0001-01-01 BC', 'date')) as number), '0000-01-01');
    const time = pgTextReader(T.time(6), TIME);
    assert.equal(formatTime(time(await pgText('23:59:59.999999', 'time')) as TimeValue, 6), '23:59:59.999999');
  });

  it('refuses values PostgreSQL holds beyond Flink’s range, saying what and why', async () => {
    const read = pgTextReader(T.timestamp(6), TIMESTAMP);
    for (const literal of ['10000-01-01 00:00:00', '0002-12-31 23:59:59.999999 BC', '4713-01-01 00:00:00 BC']) {
      const text = await pgText(literal, 'timestamp');
      assert.throws(
        () => read(text),
        (error: unknown) => error instanceof ValueError && error.message === `'${text}' is outside ${RANGE}`,
        literal,
      );
    }
    const infinity = await pgText('infinity', 'timestamp');
    assert.throws(() => read(infinity), /'infinity' has no TIMESTAMP value/);
    const ltz = pgTextReader(T.timestampLtz(6), TIMESTAMPTZ);
    const beyond = await pgText('10000-01-01 00:00:00+00', 'timestamptz');
    assert.throws(() => ltz(beyond), /outside Flink's range/);
    const date = pgTextReader(T.date(), DATE);
    assert.throws(() => date('10000-01-01'), /'10000-01-01' is outside Flink's range/);
    assert.throws(() => date('0002-01-01 BC'), /outside Flink's range/);
    assert.throws(() => date('-infinity'), /has no DATE value/);
    assert.throws(() => pgTextReader(T.time(6), TIME)('24:00:00'), /not a valid TIME/);
  });

  /** What PostgreSQL makes of a column written by the jdbc sink: a binary array, unnested, as text. */
  const written = async (type: DataType, sqlType: string, values: readonly Value[]) => {
    const column = columnArray(type, toText(type));
    const result = await client.query({
      text: `SELECT v::text AS v FROM unnest($1::${sqlType}[]) AS v`,
      values: [column.encode(values)],
    });
    return result.rows.map((row) => row.v as string);
  };

  it('writes the ends of the range as the jdbc sink does (binary arrays), rounding nanoseconds half up', async () => {
    const values = [
      at('9999-12-31 23:59:59.999999'),
      at('9999-12-31 23:59:59.999999499'),
      at('9999-12-31 23:59:59.9999995'),
      at('0000-01-01 00:00:00'),
      at('0001-01-01 00:00:00'),
      // Either side of where values stop being numbers of microseconds.
      at('1684-07-28 00:00:00'),
      at('1684-07-27 23:59:59.999999'),
      at('2255-06-05 23:59:59.999999'),
      at('2255-06-06 00:00:00'),
      at('2025-07-11 17:25:55.145'),
      null,
    ];
    assert.deepEqual(await written(T.timestamp(9), 'timestamp', values), [
      '9999-12-31 23:59:59.999999',
      '9999-12-31 23:59:59.999999',
      '10000-01-01 00:00:00',
      '0001-01-01 00:00:00 BC',
      '0001-01-01 00:00:00',
      '1684-07-28 00:00:00',
      '1684-07-27 23:59:59.999999',
      '2255-06-05 23:59:59.999999',
      '2255-06-06 00:00:00',
      '2025-07-11 17:25:55.145',
      null,
    ]);
    assert.deepEqual(await written(T.timestampLtz(6), 'timestamptz', [at('9999-12-31 23:59:59.999999')]), [
      '9999-12-31 23:59:59.999999+00',
    ]);
    assert.deepEqual(
      await written(T.time(9), 'time', [parseTime('23:59:59.999999999'), parseTime('23:59:59.999999'), 0]),
      ['24:00:00', '23:59:59.999999', '00:00:00'],
    );
  });

  it('writes the texts PostgreSQL reads back as the same values (lookup keys)', async () => {
    const cases: [DataType, string, Value, string][] = [
      [T.timestamp(6), 'timestamp', at('9999-12-31 23:59:59.999999'), '9999-12-31 23:59:59.999999'],
      [T.timestamp(0), 'timestamp', at('0000-01-01 00:00:00'), '0001-01-01 00:00:00 BC'],
      [T.timestamp(9), 'timestamp', at('2025-07-11 17:25:55.1234565'), '2025-07-11 17:25:55.123457'],
      [T.timestampLtz(6), 'timestamptz', at('9999-12-31 23:59:59.999999'), '9999-12-31 23:59:59.999999+00'],
      [T.date(), 'date', -719_528, '0001-01-01 BC'],
      [T.time(9), 'time', parseTime('23:59:59.9999996'), '24:00:00'],
    ];
    for (const [type, sqlType, value, expected] of cases) {
      assert.equal(await pgText(toText(type)(value) as string, sqlType), expected, expected);
    }
  });
});

const RANGE = "Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59.999999999";
