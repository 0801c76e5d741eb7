import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FormatChange, RowCodec } from '../../../src/connectors/formats/format.ts';
import { FormatError } from '../../../src/connectors/formats/format.ts';
import { FORMATS } from '../../../src/connectors/formats/formats.ts';
import { type RowField, T } from '../../../src/types/data-type.ts';
import { resolveTable } from '../../helpers/resolve-table.ts';

/** The products table of Flink's debezium-json and canal-json pages. */
const PRODUCTS: RowField[] = [
  { name: 'id', type: T.bigint() },
  { name: 'name', type: T.string() },
  { name: 'description', type: T.string() },
  { name: 'weight', type: T.decimal(10, 2) },
];

function codec(format: string, extra = ''): RowCodec {
  const options = resolveTable(
    `CREATE TABLE topic_products (id BIGINT, name STRING, description STRING, weight DECIMAL(10, 2))
     WITH ('connector' = 'kafka', 'topic' = 'products_binlog', 'format' = '${format}'${extra})`,
  );
  return (FORMATS.get(format)?.codec(PRODUCTS, options, '') as RowCodec) ?? assert.fail();
}

const read = (codec: RowCodec, text: string): FormatChange[] =>
  (codec.decodeChanges as NonNullable<RowCodec['decodeChanges']>)(Buffer.from(text));

// Flink's debezium-json page, verbatim except "source": {...}, a placeholder there, written {}.
const DEBEZIUM_UPDATE = `{
  "before": {
    "id": 111,
    "name": "scooter",
    "description": "Big 2-wheel scooter",
    "weight": 5.18
  },
  "after": {
    "id": 111,
    "name": "scooter",
    "description": "Big 2-wheel scooter",
    "weight": 5.15
  },
  "source": {},
  "op": "u",
  "ts_ms": 1589362330904,
  "transaction": null
}`;

const SCOOTER_518 = [111n, 'scooter', 'Big 2-wheel scooter', 518n];
const SCOOTER_515 = [111n, 'scooter', 'Big 2-wheel scooter', 515n];

describe('debezium-json', () => {
  it("reads the update of Flink's example as -U of before and +U of after", () => {
    assert.deepEqual(read(codec('debezium-json'), DEBEZIUM_UPDATE), [
      { kind: '-U', row: SCOOTER_518 },
      { kind: '+U', row: SCOOTER_515 },
    ]);
  });

  it("reads 'c' and 'r' as inserts of after, 'd' as a delete of before, and a tombstone as nothing", () => {
    const c = codec('debezium-json');
    const after = '{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.15}';
    assert.deepEqual(read(c, `{"before":null,"after":${after},"op":"c"}`), [{ kind: '+I', row: SCOOTER_515 }]);
    assert.deepEqual(read(c, `{"before":null,"after":${after},"op":"r"}`), [{ kind: '+I', row: SCOOTER_515 }]);
    assert.deepEqual(read(c, `{"before":${after},"after":null,"op":"d"}`), [{ kind: '-D', row: SCOOTER_515 }]);
    assert.deepEqual(read(c, ''), []);
  });

  it('fails an update or delete without before (REPLICA IDENTITY DEFAULT) with Flink’s message, or skips it', () => {
    const after = '{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.15}';
    assert.throws(
      () => read(codec('debezium-json'), `{"before":null,"after":${after},"op":"u"}`),
      (error: Error) =>
        error instanceof FormatError &&
        error.message.startsWith('Corrupt Debezium JSON message') &&
        error.message.includes(
          'The "before" field of UPDATE message is null, if you are using Debezium Postgres Connector, please check the Postgres table has been set REPLICA IDENTITY to FULL level.',
        ),
    );
    const lenient = codec('debezium-json', ", 'debezium-json.ignore-parse-errors' = 'true'");
    assert.deepEqual(read(lenient, `{"before":null,"after":${after},"op":"d"}`), []);
    assert.deepEqual(read(lenient, 'not json'), []);
    assert.deepEqual(read(lenient, `{"before":null,"after":${after},"op":"x"}`), []);
    assert.throws(
      () => read(codec('debezium-json'), `{"before":null,"after":${after},"op":"x"}`),
      /Unknown "op" value "x"/,
    );
  });

  it('reads the {schema, payload} envelope with schema-include', () => {
    const envelope = `{"schema":{"type":"struct","fields":[],"optional":false,"name":"x"},"payload":${DEBEZIUM_UPDATE}}`;
    assert.deepEqual(read(codec('debezium-json', ", 'debezium-json.schema-include' = 'true'"), envelope), [
      { kind: '-U', row: SCOOTER_518 },
      { kind: '+U', row: SCOOTER_515 },
    ]);
  });

  it("writes +I and +U as 'c' events of after, -U and -D as 'd' events of before, as Flink does", () => {
    const c = codec('debezium-json');
    const encode = c.encodeChange as NonNullable<RowCodec['encodeChange']>;
    const row = SCOOTER_515;
    const json = '{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.15}';
    assert.equal(encode({ kind: '+I', row }).toString(), `{"before":null,"after":${json},"op":"c"}`);
    assert.equal(encode({ kind: '+U', row }).toString(), `{"before":null,"after":${json},"op":"c"}`);
    assert.equal(encode({ kind: '-U', row }).toString(), `{"before":${json},"after":null,"op":"d"}`);
    assert.equal(encode({ kind: '-D', row }).toString(), `{"before":${json},"after":null,"op":"d"}`);
  });

  it('refuses writing with schema-include, as Flink does, but reads with it', () => {
    const format = FORMATS.get('debezium-json');
    const options = resolveTable(
      `CREATE TABLE t (id BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'debezium-json', 'debezium-json.schema-include' = 'true')`,
    );
    assert.equal(
      format?.writeProblem?.(options, '')?.message,
      "Debezium JSON serialization doesn't support 'debezium-json.schema-include' option been set to true.",
    );
  });
});

// Flink's canal-json page, verbatim.
const CANAL_UPDATE = `{
  "data": [
    {
      "id": "111",
      "name": "scooter",
      "description": "Big 2-wheel scooter",
      "weight": "5.18"
    }
  ],
  "database": "inventory",
  "es": 1589373560000,
  "id": 9,
  "isDdl": false,
  "mysqlType": {
    "id": "INTEGER",
    "name": "VARCHAR(255)",
    "description": "VARCHAR(512)",
    "weight": "FLOAT"
  },
  "old": [
    {
      "weight": "5.15"
    }
  ],
  "pkNames": [
    "id"
  ],
  "sql": "",
  "sqlType": {
    "id": 4,
    "name": 12,
    "description": 12,
    "weight": 7
  },
  "table": "products",
  "ts": 1589373560798,
  "type": "UPDATE"
}`;

describe('canal-json', () => {
  it("reads the update of Flink's example: fields missing from old are taken from data", () => {
    assert.deepEqual(read(codec('canal-json'), CANAL_UPDATE), [
      { kind: '-U', row: SCOOTER_515 },
      { kind: '+U', row: SCOOTER_518 },
    ]);
  });

  it('reads INSERT and DELETE of each row of data, and skips CREATE (a DDL event)', () => {
    const c = codec('canal-json');
    const data =
      '[{"id":"111","name":"scooter","description":"Big 2-wheel scooter","weight":"5.18"},{"id":"112","name":"car battery","description":"12V car battery","weight":"8.1"}]';
    const battery = [112n, 'car battery', '12V car battery', 810n];
    assert.deepEqual(read(c, `{"data":${data},"database":"inventory","table":"products","type":"INSERT"}`), [
      { kind: '+I', row: SCOOTER_518 },
      { kind: '+I', row: battery },
    ]);
    assert.deepEqual(read(c, `{"data":${data},"database":"inventory","table":"products","type":"DELETE"}`), [
      { kind: '-D', row: SCOOTER_518 },
      { kind: '-D', row: battery },
    ]);
    assert.deepEqual(
      read(c, '{"data":null,"database":"inventory","table":"products","type":"CREATE","isDdl":true}'),
      [],
    );
  });

  it('keeps only the databases and tables that database.include and table.include match, all of the name', () => {
    const c = codec('canal-json', ", 'canal-json.database.include' = 'inv.*', 'canal-json.table.include' = 'prod'");
    assert.deepEqual(read(c, CANAL_UPDATE), [], "'prod' must match all of 'products'");
    const d = codec('canal-json', ", 'canal-json.database.include' = 'inv.*', 'canal-json.table.include' = 'product.'");
    assert.equal(read(d, CANAL_UPDATE).length, 2);
  });

  it('writes +I and +U as INSERT, -U and -D as DELETE, the row in data', () => {
    const encode = codec('canal-json').encodeChange as NonNullable<RowCodec['encodeChange']>;
    const json = '{"id":111,"name":"scooter","description":"Big 2-wheel scooter","weight":5.15}';
    assert.equal(encode({ kind: '+I', row: SCOOTER_515 }).toString(), `{"data":[${json}],"type":"INSERT"}`);
    assert.equal(encode({ kind: '-U', row: SCOOTER_515 }).toString(), `{"data":[${json}],"type":"DELETE"}`);
  });

  it('fails an unknown type with Flink’s message, or skips it with ignore-parse-errors', () => {
    const message = '{"data":[],"database":"inventory","table":"products","type":"ALTER"}';
    assert.throws(
      () => read(codec('canal-json'), message),
      /Corrupt Canal JSON message.*Unknown "type" value "ALTER"/s,
    );
    assert.deepEqual(read(codec('canal-json', ", 'canal-json.ignore-parse-errors' = 'true'"), message), []);
  });
});
