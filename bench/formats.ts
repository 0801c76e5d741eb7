import type { RowCodec } from '../src/connectors/formats/format.ts';
import { FORMATS } from '../src/connectors/formats/formats.ts';
import { jsonDecoder, jsonEncoder } from '../src/connectors/formats/json-format.ts';
import { columnArray } from '../src/connectors/pg/binary-array.ts';
import { toText } from '../src/connectors/pg/value-text.ts';
import type { ResolvedOptions } from '../src/connectors/table.ts';
import type { Row, Value } from '../src/expr/value.ts';
import { type RowField, T } from '../src/types/data-type.ts';
import { type Measurement, medianMillis } from './harness.ts';
import { odsOrderRow } from './operators.ts';

/** The ods_orders record of 1_cdc_source_to_kafka.sql: 10 columns, two of them TIMESTAMP(3). */
const ODS_ORDERS: RowField[] = [
  { name: 'order_id', type: T.bigint(false) },
  { name: 'user_id', type: T.bigint() },
  { name: 'product_name', type: T.string() },
  { name: 'product_category', type: T.string() },
  { name: 'quantity', type: T.int() },
  { name: 'unit_price', type: T.decimal(10, 2) },
  { name: 'total_amount', type: T.decimal(10, 2) },
  { name: 'order_status', type: T.string() },
  { name: 'order_time', type: T.timestamp(3) },
  { name: 'updated_at', type: T.timestamp(3) },
];

/** Four TIMESTAMP(6) columns with microseconds: the cost of timestamps alone. */
const MOMENTS: RowField[] = [0, 1, 2, 3].map((i) => ({ name: `t${i}`, type: T.timestamp(6) }));

const ROWS = 100_000;
const BATCH = 1000;

function rate(rows: number, fn: () => void): number {
  return rows / (medianMillis(fn, 9) / 1000);
}

/**
 * Per-record costs of the formats on the hot path: Flink's json (the seed's ODS record, and
 * timestamps alone) written and read, and the jdbc sink's columns as PostgreSQL binary arrays.
 */
export function formatBenchmarks(): Measurement[] {
  const orders: Row[] = Array.from({ length: ROWS }, (_, i) => odsOrderRow(i, 100_000));
  // 2025-07-11 17:25:55 plus a different number of microseconds for each value.
  const moments: Row[] = Array.from({ length: ROWS }, (_, i) =>
    [0, 1, 2, 3].map((c) => 1_752_254_755_000_000 + i * 7_919 + c * 1_000_003),
  );
  const measurements: Measurement[] = [];
  for (const [name, fields, rows] of [
    ['ods_orders record (10 columns, 2 TIMESTAMP(3))', ODS_ORDERS, orders],
    ['4 TIMESTAMP(6) columns', MOMENTS, moments],
  ] as const) {
    const encode = jsonEncoder(fields);
    const decode = jsonDecoder(fields);
    const bytes = rows.map((row) => Buffer.from(encode(row)));
    let sink = 0;
    measurements.push({
      name: `json: write ${name}`,
      value: rate(ROWS, () => {
        for (const row of rows) sink += encode(row).length;
      }),
      unit: 'rows/s',
    });
    measurements.push({
      name: `json: read ${name}`,
      value: rate(ROWS, () => {
        for (const value of bytes) sink += decode(value).length;
      }),
      unit: 'rows/s',
    });
    if (sink === 0) throw new Error('nothing written');
  }
  // The jdbc sink sends each column of a batch as one binary array (src/connectors/pg/binary-array.ts).
  for (const [name, fields, rows] of [
    ['ods_orders columns', ODS_ORDERS, orders],
    ['4 TIMESTAMP(6) columns', MOMENTS, moments],
  ] as const) {
    const columns = fields.map((field) => columnArray(field.type, toText(field.type)));
    const batches: Value[][][] = [];
    for (let start = 0; start < ROWS; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      batches.push(fields.map((_, c) => batch.map((row) => row[c] ?? null)));
    }
    let bytes = 0;
    measurements.push({
      name: `jdbc sink: binary arrays of ${name}, 1000-row batches`,
      value: rate(ROWS, () => {
        for (const batch of batches) {
          for (let c = 0; c < columns.length; c++) bytes += columns[c]?.encode(batch[c] as Value[]).length ?? 0;
        }
      }),
      unit: 'rows/s',
    });
    if (bytes === 0) throw new Error('nothing encoded');
  }
  measurements.push(...decodingSpeeds(orders));
  return measurements;
}

/** A format's codec with its default options. */
function defaultCodec(identifier: string, fields: readonly RowField[]): RowCodec {
  const format = FORMATS.get(identifier);
  if (!format) throw new Error(`no format ${identifier}`);
  const defaults = new Map(
    format.options.flatMap((spec) => (spec.default === undefined ? [] : [[`${identifier}.${spec.key}`, spec.default]])),
  );
  const options: ResolvedOptions = {
    get: (key) => {
      const value = defaults.get(key);
      return value === 'true' ? true : value === 'false' ? false : value;
    },
    withPrefix: () => new Map(),
  };
  return format.codec(fields, options, '');
}

/**
 * Decoding speed of each format, in rows and megabytes a second: the ods_orders record (json,
 * csv, debezium-json 'c' events and canal-json INSERT events of one row, the formats' own
 * encoding of it) and a raw STRING column of the record's json text.
 */
function decodingSpeeds(orders: readonly Row[]): Measurement[] {
  const measurements: Measurement[] = [];
  const cases: [string, readonly RowField[], (codec: RowCodec, row: Row) => Buffer][] = [
    ['json', ODS_ORDERS, (codec, row) => codec.encode(row)],
    ['csv', ODS_ORDERS, (codec, row) => codec.encode(row)],
    [
      'debezium-json',
      ODS_ORDERS,
      (codec, row) => (codec.encodeChange as NonNullable<RowCodec['encodeChange']>)({ kind: '+I', row }),
    ],
    [
      'canal-json',
      ODS_ORDERS,
      (codec, row) => (codec.encodeChange as NonNullable<RowCodec['encodeChange']>)({ kind: '+I', row }),
    ],
  ];
  const json = jsonEncoder(ODS_ORDERS);
  for (const [identifier, fields, encode] of cases) {
    const codec = defaultCodec(identifier, fields);
    const records = orders.map((row) => Buffer.from(encode(codec, row)));
    measurements.push(...decodeRate(identifier, codec, records));
  }
  const raw = defaultCodec('raw', [{ name: 'line', type: T.string() }]);
  measurements.push(
    ...decodeRate(
      'raw',
      raw,
      orders.map((row) => Buffer.from(json(row))),
    ),
  );
  return measurements;
}

function decodeRate(identifier: string, codec: RowCodec, records: readonly Buffer[]): Measurement[] {
  const bytes = records.reduce((sum, record) => sum + record.length, 0);
  let sink = 0;
  const decode = codec.decodeChanges
    ? (record: Buffer) => (codec.decodeChanges as NonNullable<RowCodec['decodeChanges']>)(record).length
    : (record: Buffer) => codec.decode(record)?.length ?? 0;
  const rows = rate(records.length, () => {
    for (const record of records) sink += decode(record);
  });
  if (sink === 0) throw new Error(`${identifier}: nothing decoded`);
  const name = `${identifier}: decode ${identifier === 'raw' ? 'a STRING column (the ods_orders json text)' : 'the ods_orders record'}`;
  return [
    { name, value: rows, unit: 'rows/s' },
    { name, value: (rows * bytes) / records.length / 1e6, unit: 'MB/s' },
  ];
}
