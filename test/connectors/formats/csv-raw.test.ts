import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRivuletError } from '../../../src/common/errors.ts';
import type { RowCodec } from '../../../src/connectors/formats/format.ts';
import { FORMATS } from '../../../src/connectors/formats/formats.ts';
import { type RowField, T } from '../../../src/types/data-type.ts';
import { parseTimestamp } from '../../../src/types/temporal.ts';
import { resolveTable } from '../../helpers/resolve-table.ts';

function codec(format: string, fields: RowField[], extra = ''): RowCodec {
  const columns = fields.map((field) => `${field.name} STRING`).join(', ');
  const options = resolveTable(
    `CREATE TABLE t (${columns}) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = '${format}'${extra})`,
  );
  return FORMATS.get(format)?.codec(fields, options, '') as RowCodec;
}

const ORDERS: RowField[] = [
  { name: 'id', type: T.int() },
  { name: 'name', type: T.string() },
  { name: 'note', type: T.string() },
  { name: 'price', type: T.decimal(10, 2) },
  { name: 'ts', type: T.timestamp(3) },
  { name: 'tags', type: { kind: 'ARRAY', element: T.string(), nullable: true } },
  { name: 'ok', type: T.boolean() },
];
const TS = parseTimestamp('2020-12-30 12:13:14.123');
const ROW = [1, 'scooter', 'Big 2-wheel, "fast"', 518n, TS, ['a', 'b'], true];

/**
 * Expected lines follow Flink's csv writer (Jackson's CsvMapper, no line separator since Flink
 * 1.13): numbers and booleans as they are, texts quoted when they hold a character below '-'
 * (Jackson's default check: space, comma, quote…) with quotes doubled, arrays joined by ';'.
 */
describe('csv', () => {
  it('writes a row as one line without a line break, and reads it back', () => {
    const c = codec('csv', ORDERS);
    const line = '1,scooter,"Big 2-wheel, ""fast""",5.18,"2020-12-30 12:13:14.123",a;b,true';
    assert.equal(c.encode(ROW).toString(), line);
    assert.deepEqual(c.decode(Buffer.from(line)), ROW);
    assert.deepEqual(c.decode(Buffer.from(`${line}\n`)), ROW, 'a trailing line break ends the row');
  });

  it('writes NULL as an empty field, or as null-literal, and reads either back', () => {
    const nulls = [2, null, null, null, null, null, null];
    assert.equal(codec('csv', ORDERS).encode(nulls).toString(), '2,,,,,,');
    // An empty text is '' (Jackson keeps it); an empty number or boolean is NULL.
    assert.deepEqual(codec('csv', ORDERS.slice(0, 4)).decode(Buffer.from('2,,,')), [2, '', '', null]);
    const literal = codec('csv', ORDERS, ", 'csv.null-literal' = 'n/a'");
    assert.equal(literal.encode(nulls).toString(), '2,n/a,n/a,n/a,n/a,n/a,n/a');
    assert.deepEqual(literal.decode(Buffer.from('2,n/a,n/a,n/a,n/a,n/a,n/a')), nulls);
  });

  it('honours field-delimiter (with Java escapes), quote-character, disable-quote-character and escape-character', () => {
    const fields = ORDERS.slice(0, 3);
    const row = [1, 'a b', "it's"];
    assert.equal(codec('csv', fields, ", 'csv.field-delimiter' = '\\t'").encode(row).toString(), '1\t"a b"\tit\'s');
    assert.equal(codec('csv', fields, ", 'csv.quote-character' = ''''").encode(row).toString(), "1,'a b','it''s'");
    assert.equal(codec('csv', fields, ", 'csv.disable-quote-character' = 'true'").encode(row).toString(), "1,a b,it's");
    const escaped = codec('csv', fields, ", 'csv.escape-character' = '\\'");
    assert.deepEqual(escaped.decode(Buffer.from('1,a\\,b,c')), [1, 'a,b', 'c']);
  });

  it('writes DECIMAL as BigDecimal.toString, or plainly with write-bigdecimal-in-scientific-notation off', () => {
    const fields: RowField[] = [{ name: 'd', type: T.decimal(10, 8) }];
    assert.equal(codec('csv', fields).encode([1n]).toString(), '1E-8');
    assert.equal(
      codec('csv', fields, ", 'csv.write-bigdecimal-in-scientific-notation' = 'false'").encode([1n]).toString(),
      '0.00000001',
    );
  });

  it("fails a record of another width with Flink's message; ignore-parse-errors nulls what does not fit", () => {
    assert.throws(
      () => codec('csv', ORDERS.slice(0, 3)).decode(Buffer.from('1,a')),
      /Row length mismatch\. 3 fields expected but was 2\./,
    );
    assert.throws(() => codec('csv', ORDERS.slice(0, 2)).decode(Buffer.from('x,a')), /field 'id' expects INT/);
    const lenient = codec('csv', ORDERS.slice(0, 3), ", 'csv.ignore-parse-errors' = 'true'");
    assert.deepEqual(lenient.decode(Buffer.from('x,a')), [null, 'a', null]);
    assert.equal(lenient.decode(Buffer.from('1,a,b,c')), undefined, 'too many fields: the record is skipped');
  });

  it('skips comment lines with allow-comments', () => {
    const c = codec('csv', ORDERS.slice(0, 2), ", 'csv.allow-comments' = 'true'");
    assert.equal(c.decode(Buffer.from('# a comment')), undefined);
  });

  it('refuses a quote character with disable-quote-character, and a delimiter of two characters', () => {
    assert.throws(
      () =>
        resolveTable(
          "CREATE TABLE t (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'csv', 'csv.disable-quote-character' = 'true', 'csv.quote-character' = '''')",
        ),
      /Format cannot define a quote character and disabled quote character at the same time\./,
    );
    assert.throws(
      () =>
        resolveTable(
          "CREATE TABLE t (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'csv', 'csv.field-delimiter' = ';;')",
        ),
      /Option 'csv\.field-delimiter' must be a string with single character, but was: ;;/,
    );
  });
});

// Flink's raw format page: an Apache log line read as one STRING column.
const LOG_LINE =
  '47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] "GET /?p=1 HTTP/2.0" 200 5316 "https://domain.com/?p=1" "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.119 Safari/537.36" "2.75"';

describe('raw', () => {
  it("reads and writes Flink's example log line as one STRING column", () => {
    const c = codec('raw', [{ name: 'log', type: T.string() }]);
    assert.deepEqual(c.decode(Buffer.from(LOG_LINE)), [LOG_LINE]);
    assert.equal(c.encode([LOG_LINE]).toString(), LOG_LINE);
  });

  it('writes numbers in raw.endianness and text in raw.charset', () => {
    const int: RowField[] = [{ name: 'n', type: T.int() }];
    assert.deepEqual([...codec('raw', int).encode([1])], [0, 0, 0, 1]);
    assert.deepEqual([...codec('raw', int, ", 'raw.endianness' = 'little-endian'").encode([1])], [1, 0, 0, 0]);
    assert.deepEqual(codec('raw', int, ", 'raw.endianness' = 'little-endian'").decode(Buffer.from([1, 0, 0, 0])), [1]);
    const big: RowField[] = [{ name: 'n', type: T.bigint() }];
    assert.deepEqual(codec('raw', big).decode(Buffer.from([0, 0, 0, 0, 0, 0, 1, 0])), [256n]);
    const text: RowField[] = [{ name: 's', type: T.string() }];
    assert.deepEqual([...codec('raw', text, ", 'raw.charset' = 'UTF-16BE'").encode(['é'])], [0, 0xe9]);
    assert.deepEqual(codec('raw', text, ", 'raw.charset' = 'ISO-8859-1'").decode(Buffer.from([0xe9])), ['é']);
  });

  it('refuses more than one column and charsets it cannot encode', () => {
    assert.throws(
      () =>
        resolveTable(
          "CREATE TABLE t (a STRING, b STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'raw')",
        ),
      /The 'raw' format only supports single physical column\. However the current schema contains multiple physical columns: \[a, b\]/,
    );
    assert.throws(
      () =>
        resolveTable(
          "CREATE TABLE t (a STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'raw', 'raw.charset' = 'GBK')",
        ),
      (error: unknown) => isRivuletError(error) && /Unsupported 'raw.charset' charset: GBK/.test(error.message),
    );
  });
});
