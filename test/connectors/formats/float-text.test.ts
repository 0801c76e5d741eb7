import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowCodec } from '../../../src/connectors/formats/format.ts';
import { FORMATS } from '../../../src/connectors/formats/formats.ts';
import { type RowField, T } from '../../../src/types/data-type.ts';
import { resolveTable } from '../../helpers/resolve-table.ts';

/**
 * A FLOAT column is written as Java's Float.toString writes it: 0.1, not the 0.10000000149011612 of the
 * double it widens to. Flink's RowDataToJsonConverters (json, debezium-json, canal-json) put the float in a
 * Jackson FloatNode and its csv writer hands Jackson the float; Jackson prints either with Float.toString
 * (the fewest digits, two at least: 1.0, 3.4028235E38, 1.4E-45).
 */
const FIELDS: RowField[] = [
  { name: 'id', type: T.int() },
  { name: 'reading', type: T.float() },
];
const ROW = [1, Math.fround(0.1)];

function codec(format: string): RowCodec {
  const options = resolveTable(
    `CREATE TABLE t (id INT, reading FLOAT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = '${format}')`,
  );
  return FORMATS.get(format)?.codec(FIELDS, options, '') as RowCodec;
}

describe('FLOAT written by the formats', () => {
  it('json writes Float.toString', () => {
    const json = codec('json');
    assert.equal(json.encode(ROW).toString(), '{"id":1,"reading":0.1}');
    assert.equal(json.encode([2, 1]).toString(), '{"id":2,"reading":1.0}');
    assert.equal(json.encode([3, Math.fround(3.4028235e38)]).toString(), '{"id":3,"reading":3.4028235E38}');
    assert.equal(json.encode([4, Math.fround(1.4e-45)]).toString(), '{"id":4,"reading":1.4E-45}');
    assert.deepEqual(json.decode(json.encode(ROW)), ROW);
  });

  it('debezium-json and canal-json write the row with the json encoding', () => {
    const debezium = codec('debezium-json').encodeChange as NonNullable<RowCodec['encodeChange']>;
    assert.equal(
      debezium({ kind: '+I', row: ROW }).toString(),
      '{"before":null,"after":{"id":1,"reading":0.1},"op":"c"}',
    );
    const canal = codec('canal-json').encodeChange as NonNullable<RowCodec['encodeChange']>;
    assert.equal(canal({ kind: '+I', row: ROW }).toString(), '{"data":[{"id":1,"reading":0.1}],"type":"INSERT"}');
  });

  it('csv writes Float.toString', () => {
    const csv = codec('csv');
    assert.equal(csv.encode(ROW).toString(), '1,0.1');
    assert.equal(csv.encode([2, 1e7]).toString(), '2,1.0E7');
  });
});

/**
 * A DOUBLE column in json is a Jackson DoubleNode, printed with Double.toString. Expected text: Flink
 * 1.18.1's JsonRowDataSerializationSchema (flink-json 1.18.1) serializing a ROW<d DOUBLE> of each value.
 */
describe('DOUBLE written by the json format', () => {
  const FLINK: readonly [number, string][] = [
    [1.0, '1.0'],
    [1.0e-5, '1.0E-5'],
    [1.0e20, '1.0E20'],
    [0.1, '0.1'],
    [123456789.0, '1.23456789E8'],
    [1e7, '1.0E7'],
    [9999999.0, '9999999.0'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [-0.0, '-0.0'],
    [2.5, '2.5'],
    [1.0 / 3, '0.3333333333333333'],
    [100.0, '100.0'],
    [Number.NaN, '"NaN"'],
    [Number.POSITIVE_INFINITY, '"Infinity"'],
  ];
  const json = FORMATS.get('json')?.codec(
    [{ name: 'd', type: T.double() }],
    resolveTable(`CREATE TABLE t (d DOUBLE) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json')`),
    '',
  ) as RowCodec;

  it('writes Double.toString as Flink does', () => {
    for (const [value, text] of FLINK) assert.equal(json.encode([value]).toString(), `{"d":${text}}`, `${value}`);
  });

  it('reads what it writes', () => {
    for (const [value] of FLINK.filter(([v]) => Number.isFinite(v)))
      assert.deepEqual(json.decode(json.encode([value])), [value]);
  });
});
