import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonFormat } from '../../../src/connectors/formats/json.ts';
import { jsonDecoder, jsonEncoder } from '../../../src/connectors/formats/json-format.ts';
import type { ResolvedOptions } from '../../../src/connectors/table.ts';
import type { Value } from '../../../src/expr/value.ts';
import { type DataType, type RowField, T } from '../../../src/types/data-type.ts';

// Flink's json format maps ARRAY to a JSON array, MAP to an object (string keys), MULTISET to an
// object of each element's count, ROW to an object of its fields (Flink docs: formats/json, "Data
// Type Mapping"); the bytes of such rows as Flink 1.18.1 writes them are in flink-json-encoding.txt
// (json-flink-bytes.test.ts). A DECIMAL loses its trailing zeros there: 5999.00 is 5999.
const array = (element: DataType): DataType => ({ kind: 'ARRAY', element, nullable: true });
const map = (key: DataType, value: DataType): DataType => ({ kind: 'MAP', key, value, nullable: true });
const multiset = (element: DataType): DataType => ({ kind: 'MULTISET', element, nullable: true });
const row = (...fields: RowField[]): DataType => ({ kind: 'ROW', fields, nullable: true });

const FIELDS: RowField[] = [
  { name: 'id', type: T.bigint(false) },
  { name: 'tags', type: array(T.string()) },
  { name: 'quantities', type: map(T.string(), T.int()) },
  { name: 'address', type: row({ name: 'city', type: T.string() }, { name: 'zip', type: T.int() }) },
  { name: 'lines', type: array(row({ name: 'sku', type: T.string() }, { name: 'price', type: T.decimal(10, 2) })) },
  { name: 'labels', type: multiset(T.string()) },
  { name: 'big', type: array(T.bigint()) },
];

const ROW: Value[] = [
  7n,
  ['new', null, '北京'],
  new Map<Value, Value>([
    ['apple', 3],
    ['pear', null],
  ]),
  ['Beijing', 100000],
  [
    ['A-1', 599900n],
    ['B-2', 1250n],
  ],
  new Map<Value, Value>([
    ['gift', 2],
    ['rush', 1],
  ]),
  [9007199254740993n, null],
];

const TEXT =
  '{"id":7,"tags":["new",null,"北京"],"quantities":{"apple":3,"pear":null},"address":{"city":"Beijing","zip":100000},' +
  '"lines":[{"sku":"A-1","price":5999},{"sku":"B-2","price":12.5}],"labels":{"gift":2,"rush":1},"big":[9007199254740993,null]}';

describe("Flink's json format: ARRAY, MAP, MULTISET and ROW", () => {
  it('writes them as Flink does', () => {
    assert.equal(jsonEncoder(FIELDS)(ROW).toString('utf8'), TEXT);
  });

  it('reads what Flink writes, exactly (a BIGINT beyond 2^53 inside an array too)', () => {
    assert.deepEqual(jsonDecoder(FIELDS)(Buffer.from(TEXT)), ROW);
  });

  it('reads back what it writes, empty collections and NULLs included', () => {
    const empty: Value[] = [8n, [], new Map(), [null, null], [], new Map(), null];
    for (const values of [ROW, empty]) {
      assert.deepEqual(jsonDecoder(FIELDS)(jsonEncoder(FIELDS)(values)), values);
    }
  });

  it('refuses a value of the wrong shape, naming the field', () => {
    assert.throws(() => jsonDecoder(FIELDS)(Buffer.from('{"id":1,"tags":"a"}')), /tags.*ARRAY/);
    assert.throws(() => jsonDecoder(FIELDS)(Buffer.from('{"id":1,"labels":["a"]}')), /labels.*MULTISET/);
  });

  it('refuses, as Flink, a MAP whose keys are not strings and a MULTISET of other elements', () => {
    const options: ResolvedOptions = { get: () => undefined, withPrefix: () => new Map() };
    const check = (type: DataType) =>
      jsonFormat.validate?.(options, '', {
        name: 't',
        primaryKey: undefined,
        hasWatermark: false,
        columns: ['c'],
        columnTypes: [type],
      })?.message;
    assert.match(check(map(T.int(), T.string())) ?? '', /doesn't support non-string as key type of map/);
    assert.match(check(array(multiset(T.bigint()))) ?? '', /non-string as key type/);
    assert.equal(check(map(T.string(), array(T.int()))), undefined);
  });
});
