import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FormatError } from '../../../src/connectors/formats/format.ts';
import { jsonFormat } from '../../../src/connectors/formats/json.ts';
import {
  DEFAULT_JSON_OPTIONS,
  jsonDecoder,
  jsonEncoder,
  jsonRoundTrip,
  jsonRowReuse,
} from '../../../src/connectors/formats/json-format.ts';
import type { ResolvedOptions } from '../../../src/connectors/table.ts';
import { jsonDecimalText } from '../../../src/expr/json/json-text.ts';
import { type DataType, type RowField, T } from '../../../src/types/data-type.ts';
import { formatTimestampTrimmed, parseDate, parseTime, parseTimestamp } from '../../../src/types/temporal.ts';
import { fromEpochMillis, type TimeValue } from '../../../src/types/time-value.ts';

const ORDER: RowField[] = [
  { name: 'order_id', type: T.bigint(false) },
  { name: 'product_name', type: T.string() },
  { name: 'quantity', type: T.int() },
  { name: 'unit_price', type: T.decimal(10, 2) },
  { name: 'order_status', type: T.string() },
  { name: 'order_time', type: T.timestamp(3) },
  { name: 'order_date', type: T.date() },
  { name: 'paid', type: T.boolean() },
];
/** A table's json options as the registry resolves them: booleans typed, the others as text. */
function optionsOf(options: Record<string, string>): ResolvedOptions {
  const typed = new Map<string, string | boolean>(
    Object.entries(options).map(([key, value]) => [
      key,
      value === 'true' || value === 'false' ? value === 'true' : value,
    ]),
  );
  return { get: (key) => typed.get(key), withPrefix: () => new Map() };
}

const time = parseTimestamp('2025-07-11 17:25:55.145') as number;
const row = [2001n, 'iPhone 15', 1, 599900n, 'COMPLETED', time, parseDate('2025-07-11'), true];

describe("Flink's json format", () => {
  it('writes a row as Flink does: exact numbers (a DECIMAL without trailing zeros), SQL timestamps, fields in schema order', () => {
    const bytes = jsonEncoder(ORDER)(row);
    assert.equal(
      bytes.toString('utf8'),
      '{"order_id":2001,"product_name":"iPhone 15","quantity":1,"unit_price":5999,"order_status":"COMPLETED","order_time":"2025-07-11 17:25:55.145","order_date":"2025-07-11","paid":true}',
    );
  });

  it('trims trailing fraction zeros of timestamps and writes ISO-8601 and TIMESTAMP_LTZ forms', () => {
    const fields = [
      { name: 'a', type: T.timestamp(3) },
      { name: 'b', type: T.timestampLtz(3) },
    ];
    const value = [
      parseTimestamp('2025-07-11 17:25:55.100') as number,
      parseTimestamp('2025-07-11 09:25:55') as number,
    ];
    assert.equal(jsonEncoder(fields)(value).toString(), '{"a":"2025-07-11 17:25:55.1","b":"2025-07-11 09:25:55Z"}');
    const iso = jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' })(value).toString();
    assert.equal(iso, '{"a":"2025-07-11T17:25:55.1","b":"2025-07-11T09:25:55Z"}');
  });

  it('writes every timestamp as its text is printed, before 1970 and centuries ahead too', () => {
    const fields = [
      { name: 't', type: T.timestamp(6) },
      { name: 'z', type: T.timestampLtz(6) },
    ];
    const sql = jsonEncoder(fields);
    const iso = jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' });
    const day = 86_400_000_000;
    // The last numbers before values become WideTimes (see src/types/time-value.ts).
    const edges = [0, -1, 1, 10, 120_000, day - 1, -day, -day - 1, 104_249 * day - 1, -104_249 * day];
    let seed = 3;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randoms = Array.from({ length: 2_000 }, () => Math.floor((next() - 0.5) * 2 * 300_000 * day));
    for (const micros of [...edges, ...randoms]) {
      const text = formatTimestampTrimmed(micros, ' ');
      const isoText = formatTimestampTrimmed(micros, 'T');
      assert.equal(sql([micros, micros]).toString(), `{"t":"${text}","z":"${text}Z"}`);
      assert.equal(iso([micros, micros]).toString(), `{"t":"${isoText}","z":"${isoText}Z"}`);
    }
  });

  it('writes nulls, or leaves them out with encode.ignore-null-fields', () => {
    const fields = [
      { name: 'a', type: T.int() },
      { name: 'b', type: T.string() },
    ];
    assert.equal(jsonEncoder(fields)([null, 'x']).toString(), '{"a":null,"b":"x"}');
    assert.equal(
      jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, ignoreNullFields: true })([null, 'x']).toString(),
      '{"b":"x"}',
    );
  });

  it("fails on a MAP's NULL key, or drops it or writes it as a literal, as map-null-key.mode says", () => {
    const fields = [{ name: 'm', type: { kind: 'MAP', key: T.string(), value: T.int(), nullable: true } as DataType }];
    const map = new Map<string | null, number>([
      ['a', 1],
      [null, 2],
    ]);
    assert.throws(() => jsonEncoder(fields)([map]), /doesn't support to serialize map data with null keys/);
    assert.equal(jsonEncoder(fields)([new Map([['a', 1]])]).toString(), '{"m":{"a":1}}');
    assert.equal(
      jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, mapNullKeyMode: 'DROP' })([map]).toString(),
      '{"m":{"a":1}}',
    );
    assert.equal(
      jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, mapNullKeyMode: 'LITERAL', mapNullKeyLiteral: 'N/A' })([
        map,
      ]).toString(),
      '{"m":{"a":1,"N/A":2}}',
    );
  });

  it('writes small DECIMALs in scientific notation as Java does, unless plain numbers are asked for', () => {
    const fields = [{ name: 'd', type: T.decimal(10, 8) }];
    assert.equal(jsonEncoder(fields)([12n]).toString(), '{"d":1.2E-7}');
    assert.equal(
      jsonEncoder(fields, { ...DEFAULT_JSON_OPTIONS, decimalAsPlainNumber: true })([12n]).toString(),
      '{"d":0.00000012}',
    );
  });

  it('reads back what it writes', () => {
    const decode = jsonDecoder(ORDER);
    assert.deepEqual(decode(jsonEncoder(ORDER)(row)), row);
  });

  it('keeps BIGINT and long DECIMAL values exact beyond what doubles hold', () => {
    const fields = [
      { name: 'id', type: T.bigint() },
      { name: 'amount', type: T.decimal(38, 2) },
    ];
    const decoded = jsonDecoder(fields)(
      Buffer.from('{"id":9223372036854775807,"amount":123456789012345678901234567890.12}'),
    );
    assert.deepEqual(decoded, [9223372036854775807n, 12345678901234567890123456789012n]);
  });

  it('writes every BIGINT and DECIMAL digit for digit (trailing zeros stripped), inside and beyond the range of doubles', () => {
    const fields = [
      { name: 'id', type: T.bigint() },
      { name: 'n', type: T.int() },
      ...[0, 1, 2, 6].map((scale) => ({ name: `d${scale}`, type: T.decimal(38, scale) })),
    ];
    const encode = jsonEncoder(fields);
    const edges = [0n, 1n, -1n, 9n, 10n, -5n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n) - 1n];
    const values = [...edges, 9223372036854775807n, -9223372036854775808n, 123456789012345678901234567890n];
    for (const value of values) {
      const n = Number(BigInt.asIntN(32, value));
      const text = encode([value, n, value, value, value, value]).toString();
      // jsonDecimalText is held to the bytes of Flink's json format in json-flink-bytes.test.ts.
      const decimal = (scale: number) => jsonDecimalText(value, scale, false);
      assert.equal(
        text,
        `{"id":${value},"n":${n},"d0":${decimal(0)},"d1":${decimal(1)},"d2":${decimal(2)},"d6":${decimal(6)}}`,
      );
    }
  });

  it('reads numbers given as strings, and fields in any order', () => {
    const decoded = jsonDecoder(ORDER)(Buffer.from('{"unit_price":"5999.00","order_id":"2001","quantity":"1"}'));
    assert.deepEqual(decoded.slice(0, 4), [2001n, null, 1, 599900n]);
  });

  it('fills a missing field with NULL, or fails with json.fail-on-missing-field', () => {
    assert.equal(jsonDecoder(ORDER)(Buffer.from('{"order_id":1}'))[1], null);
    const strict = jsonDecoder(ORDER, { ...DEFAULT_JSON_OPTIONS, failOnMissingField: true });
    assert.throws(() => strict(Buffer.from('{"order_id":1}')), /field 'product_name' is missing/);
  });

  it('rejects what is not JSON, or does not fit the schema, naming the field', () => {
    assert.throws(
      () => jsonDecoder(ORDER)(Buffer.from('{"order_id":')),
      (error: unknown) => error instanceof FormatError && /not valid JSON/.test(error.message),
    );
    assert.throws(
      () => jsonDecoder(ORDER)(Buffer.from('{"order_id":1,"quantity":"many"}')),
      /field 'quantity' expects INT, got "many"/,
    );
    assert.throws(() => jsonDecoder(ORDER)(Buffer.from('[1,2]')), /expects a JSON object/);
    assert.throws(
      () => jsonDecoder(ORDER)(Buffer.from('{"order_id":1,"order_time":"yesterday"}')),
      /field 'order_time' expects TIMESTAMP/,
    );
  });

  it('nulls the fields at fault with json.ignore-parse-errors', () => {
    const lenient = jsonDecoder(ORDER, { ...DEFAULT_JSON_OPTIONS, ignoreParseErrors: true });
    assert.deepEqual(lenient(Buffer.from('{"order_id":1,"quantity":"many","paid":true}')).slice(0, 3), [
      1n,
      null,
      null,
    ]);
  });
});

describe("Flink's json format options, as Flink's json format applies them", () => {
  const decode = (fields: RowField[], text: string, options = {}) =>
    jsonDecoder(fields, { ...DEFAULT_JSON_OPTIONS, ...options })(Buffer.from(text));
  const codec = (fields: RowField[], tableOptions: Record<string, string>) =>
    jsonFormat.codec(fields, optionsOf(tableOptions), '');

  it('json.ignore-parse-errors skips a record that is not a JSON object, and nulls values at fault at any depth', () => {
    const fields: RowField[] = [
      { name: 'id', type: T.int() },
      { name: 'tags', type: { kind: 'ARRAY', element: T.int(), nullable: true } },
      { name: 'inner', type: { kind: 'ROW', fields: [{ name: 'n', type: T.int() }], nullable: true } },
    ];
    const lenient = codec(fields, { 'json.ignore-parse-errors': 'true' });
    assert.equal(lenient.decode(Buffer.from('not json')), undefined);
    assert.equal(lenient.decode(Buffer.from('[1]')), undefined);
    assert.deepEqual(lenient.decode(Buffer.from('{"id":"x","tags":[1,"two",3],"inner":{"n":"three"}}')), [
      null,
      [1, null, 3],
      [null],
    ]);
    const strict = codec(fields, {});
    assert.throws(() => strict.decode(Buffer.from('not json')), FormatError);
    assert.throws(() => strict.decode(Buffer.from('{"tags":[1,"two"]}')), /field 'tags\[1\]' expects INT/);
  });

  it("json.timestamp-format.standard reads only its own layout: SQL 'yyyy-MM-dd HH:mm:ss.s', ISO-8601 'yyyy-MM-ddTHH:mm:ss.s'", () => {
    const fields: RowField[] = [{ name: 't', type: T.timestamp(3) }];
    const expected = parseTimestamp('2020-12-30 12:13:14.123');
    assert.deepEqual(decode(fields, '{"t":"2020-12-30 12:13:14.123"}'), [expected]);
    assert.throws(() => decode(fields, '{"t":"2020-12-30T12:13:14.123"}'), /field 't' expects TIMESTAMP \(SQL\)/);
    const iso = { timestampStandard: 'ISO-8601' };
    assert.deepEqual(decode(fields, '{"t":"2020-12-30T12:13:14.123"}', iso), [expected]);
    assert.throws(() => decode(fields, '{"t":"2020-12-30 12:13:14.123"}', iso), /expects TIMESTAMP \(ISO-8601\)/);
  });

  it("json.timestamp-format.standard: TIMESTAMP_LTZ ends in 'Z' in both layouts", () => {
    const fields: RowField[] = [{ name: 't', type: T.timestampLtz(3) }];
    const expected = parseTimestamp('2020-12-30 12:13:14.123');
    assert.deepEqual(decode(fields, '{"t":"2020-12-30 12:13:14.123Z"}'), [expected]);
    assert.throws(
      () => decode(fields, '{"t":"2020-12-30 12:13:14.123"}'),
      /expects TIMESTAMP_LTZ \(SQL, ending in Z\)/,
    );
    assert.deepEqual(decode(fields, '{"t":"2020-12-30T12:13:14.123Z"}', { timestampStandard: 'ISO-8601' }), [expected]);
  });

  it('json.map-null-key.mode: FAIL refuses a null map key, DROP leaves the entry out, LITERAL writes map-null-key.literal', () => {
    const fields: RowField[] = [{ name: 'm', type: { kind: 'MAP', key: T.string(), value: T.int(), nullable: true } }];
    const row = [
      new Map<string | null, number>([
        ['a', 1],
        [null, 2],
      ]),
    ];
    assert.throws(
      () => codec(fields, {}).encode(row),
      (error: Error & { code?: string }) =>
        error.code === 'RECORD_UNWRITABLE' &&
        /doesn't support to serialize map data with null keys/.test(error.message),
    );
    assert.equal(codec(fields, { 'json.map-null-key.mode': 'DROP' }).encode(row).toString(), '{"m":{"a":1}}');
    assert.equal(
      codec(fields, { 'json.map-null-key.mode': 'LITERAL', 'json.map-null-key.literal': 'N/A' }).encode(row).toString(),
      '{"m":{"a":1,"N/A":2}}',
    );
    assert.equal(
      codec(fields, { 'json.map-null-key.mode': 'LITERAL' }).encode(row).toString(),
      '{"m":{"a":1,"null":2}}',
    );
  });
});

describe("Flink's json format: rows that skip the bytes", () => {
  const ALL: RowField[] = [
    ...ORDER,
    { name: 'tiny', type: T.tinyint() },
    { name: 'small', type: T.smallint() },
    { name: 'ratio', type: T.double() },
    { name: 'big_amount', type: T.decimal(38, 4) },
    { name: 'code', type: T.char(3) },
    { name: 'blob', type: T.bytes() },
    { name: 'at', type: T.time(6) },
    { name: 'ltz', type: T.timestampLtz(6) },
  ];
  const rows = [
    [
      ...row,
      -128,
      32767,
      0.1,
      1234567890123456789012345678901234n,
      'abc',
      new Uint8Array([0, 255, 7]),
      3_723_000_001,
      1,
    ],
    [...row.map(() => null), null, null, Number.NaN, -1n, '"\\\n\u2028😀', new Uint8Array(), 0, -1_000_001],
    [
      -(2n ** 63n),
      '',
      -2147483648,
      -99999999n,
      'x',
      parseTimestamp('0001-01-01 00:00:00') as TimeValue,
      -719162,
      false,
      0,
      0,
      1e308,
      0n,
      '',
      null,
      86_399_999_999,
      0,
    ],
  ];
  const OPTIONS = [
    DEFAULT_JSON_OPTIONS,
    { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' as const, decimalAsPlainNumber: true },
    { ...DEFAULT_JSON_OPTIONS, ignoreNullFields: true },
  ];

  it('gives a reader of the same fields and options the written row, equal to what it decodes', () => {
    for (const options of OPTIONS) {
      const roundTrip = jsonRoundTrip(ALL, options);
      assert.ok(roundTrip);
      const reuse = jsonRowReuse(
        ALL.map((f) => ({ ...f })),
        options,
      )(roundTrip.format);
      assert.ok(reuse);
      const encode = jsonEncoder(ALL, options);
      const decode = jsonDecoder(ALL, options);
      for (const value of rows) {
        assert.ok(roundTrip.keeps(value));
        assert.equal(reuse(value), value);
        assert.deepEqual(decode(encode(value)), value);
      }
    }
  });

  it('gives a reader of some of the fields, in any order, those fields', () => {
    const roundTrip = jsonRoundTrip(ALL);
    const some = [ALL[5], ALL[0], ALL[9]] as RowField[];
    const reuse = roundTrip && jsonRowReuse(some)(roundTrip.format);
    assert.ok(reuse);
    const decode = jsonDecoder(some);
    const encode = jsonEncoder(ALL);
    for (const value of rows) assert.deepEqual(reuse(value), decode(encode(value)));
  });

  it('decodes the bytes for other types or options, and keeps no row that would read back otherwise', () => {
    const format = jsonRoundTrip(ORDER)?.format as object;
    const reuse = (fields: RowField[], options = DEFAULT_JSON_OPTIONS) => jsonRowReuse(fields, options)(format);
    assert.ok(reuse(ORDER));
    assert.equal(reuse([{ name: 'id', type: T.bigint() }]), undefined, 'a field the writer does not have');
    assert.equal(reuse([{ name: 'unit_price', type: T.decimal(10, 3) }]), undefined, 'another scale');
    assert.equal(reuse([{ name: 'quantity', type: T.bigint() }]), undefined, 'another type');
    assert.equal(reuse(ORDER, { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' }), undefined);
    for (const type of [
      T.float(),
      { kind: 'ARRAY', element: T.int(), nullable: true } as DataType,
      T.intervalDayTime(),
    ]) {
      assert.equal(jsonRoundTrip([{ name: 'x', type }]), undefined);
    }
    assert.equal(
      jsonRoundTrip(ORDER, { ...DEFAULT_JSON_OPTIONS, ignoreNullFields: true, failOnMissingField: true }),
      undefined,
    );
    const fields = [{ name: 'd', type: T.decimal(4, 2) }];
    const roundTrip = jsonRoundTrip(fields);
    assert.equal(roundTrip?.keeps([12345n]), false, 'beyond the precision: read back as null');
    assert.deepEqual(jsonDecoder(fields)(jsonEncoder(fields)([12345n])), [null]);
    assert.equal(roundTrip?.keeps([1234n, 1]), false, 'a row of another width');
    const numbers = [
      { name: 'i', type: T.int() },
      { name: 't', type: T.tinyint() },
      { name: 'b', type: T.bigint() },
      { name: 'd', type: T.double() },
    ];
    const numbersRoundTrip = jsonRoundTrip(numbers);
    assert.equal(numbersRoundTrip?.keeps([2 ** 31 - 1, -128, -(2n ** 63n), 0]), true);
    const decode = jsonDecoder(numbers);
    const encode = jsonEncoder(numbers);
    for (const value of [
      [2 ** 31, 0, 0n, 0],
      [0, 128, 0n, 0],
      [0, 0, 2n ** 63n, 0],
    ]) {
      assert.equal(numbersRoundTrip?.keeps(value), false, `${value.map(String)} is out of range`);
      assert.throws(() => decode(encode(value)), FormatError);
    }
    // A DOUBLE is written as Java's Double.toString writes it: -0 as -0.0, which reads back as -0.
    assert.equal(numbersRoundTrip?.keeps([0, 0, 0n, -0]), true, '-0');
    assert.ok(Object.is(decode(encode([0, 0, 0n, -0]))[3], -0), '-0 reads back as -0');
  });
});

describe("Flink's json format at the ends of Flink's range", () => {
  const FIELDS: RowField[] = [
    { name: 't0', type: T.timestamp(0) },
    { name: 't3', type: T.timestamp(3) },
    { name: 't6', type: T.timestamp(6) },
    { name: 't9', type: T.timestamp(9) },
    { name: 'z', type: T.timestampLtz(9) },
    { name: 'd', type: T.date() },
    { name: 'tm', type: T.time(9) },
  ];
  const at = (text: string) => parseTimestamp(text, true) as TimeValue;
  const last = [
    at('9999-12-31 23:59:59'),
    at('9999-12-31 23:59:59.999'),
    at('9999-12-31 23:59:59.999999'),
    at('9999-12-31 23:59:59.999999999'),
    at('9999-12-31 23:59:59.999999999'),
    parseDate('9999-12-31'),
    parseTime('23:59:59.999999999'),
  ];
  const first = [
    at('0000-01-01 00:00:00'),
    at('0000-01-01 00:00:00'),
    at('0000-01-01 00:00:00'),
    at('0000-01-01 00:00:00'),
    at('0000-01-01 00:00:00'),
    parseDate('0000-01-01'),
    parseTime('00:00:00'),
  ];

  it('writes them digit for digit, as Flink writes them (ISO_LOCAL_DATE, up to nine fraction digits)', () => {
    const encode = jsonEncoder(FIELDS);
    assert.equal(
      encode(last).toString(),
      '{"t0":"9999-12-31 23:59:59","t3":"9999-12-31 23:59:59.999","t6":"9999-12-31 23:59:59.999999","t9":"9999-12-31 23:59:59.999999999","z":"9999-12-31 23:59:59.999999999Z","d":"9999-12-31","tm":"23:59:59.999999999"}',
    );
    assert.equal(
      encode(first).toString(),
      '{"t0":"0000-01-01 00:00:00","t3":"0000-01-01 00:00:00","t6":"0000-01-01 00:00:00","t9":"0000-01-01 00:00:00","z":"0000-01-01 00:00:00Z","d":"0000-01-01","tm":"00:00:00"}',
    );
    const iso = jsonEncoder(FIELDS, { ...DEFAULT_JSON_OPTIONS, timestampStandard: 'ISO-8601' });
    assert.match(iso(last).toString(), /"t9":"9999-12-31T23:59:59.999999999"/);
  });

  it('reads back what it wrote, and hands the row over in one process unchanged', () => {
    const roundTrip = jsonRoundTrip(FIELDS);
    const reuse = roundTrip && jsonRowReuse(FIELDS)(roundTrip.format);
    assert.ok(roundTrip && reuse);
    for (const value of [last, first]) {
      assert.deepEqual(jsonDecoder(FIELDS)(jsonEncoder(FIELDS)(value)), value);
      assert.ok(roundTrip.keeps(value));
      assert.deepEqual(reuse(value), value);
    }
  });

  it('refuses negative years and years past 9999, naming the field', () => {
    const decode = jsonDecoder([{ name: 't', type: T.timestamp(6) }]);
    for (const text of ['-0001-12-31 23:59:59', '10000-01-01 00:00:00', '9999-12-31 24:00:00']) {
      assert.throws(() => decode(Buffer.from(`{"t":"${text}"}`)), /field 't' expects TIMESTAMP/, text);
    }
    assert.throws(() => jsonDecoder([{ name: 'd', type: T.date() }])(Buffer.from('{"d":"-0001-01-01"}')), /DATE/);
  });

  it('keeps no row in one process whose timestamp before year 0 (a HOP window start) would not read back', () => {
    const fields = [{ name: 'window_start', type: T.timestamp(3) }];
    const date = new Date(0);
    date.setUTCFullYear(-1, 11, 31);
    date.setUTCHours(23, 59, 30);
    const beforeYear0 = fromEpochMillis(date.getTime()); // -0001-12-31 23:59:30
    const roundTrip = jsonRoundTrip(fields);
    assert.equal(roundTrip?.keeps([beforeYear0]), false);
    assert.throws(() => jsonDecoder(fields)(jsonEncoder(fields)([beforeYear0])), /expects TIMESTAMP/);
    assert.equal(roundTrip?.keeps([at('0000-01-01 00:00:00')]), true);
  });

  it("writes a window's end past 9999 as Flink does, '+10000-01-01', and reads it back", () => {
    const fields = [{ name: 'window_end', type: T.timestamp(3) }];
    const end = fromEpochMillis(Date.UTC(9999, 11, 31) + 86_400_000);
    const bytes = jsonEncoder(fields)([end]);
    assert.equal(bytes.toString(), '{"window_end":"+10000-01-01 00:00:00"}');
    assert.deepEqual(jsonDecoder(fields)(bytes), [end]);
  });
});
