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
