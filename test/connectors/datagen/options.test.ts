import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldOptions } from '../../../src/connectors/datagen/field-options.ts';
import { randomGenerator } from '../../../src/connectors/datagen/generators.ts';
import { RowRandom } from '../../../src/connectors/datagen/row-random.ts';
import { tableGenerator } from '../../../src/connectors/datagen/table-generator.ts';
import type { CatalogTable } from '../../../src/plan/catalog.ts';
import { planScript } from '../../../src/plan/planner.ts';
import { SqlError } from '../../../src/sql/sql-error.ts';
import { type DataType, T } from '../../../src/types/data-type.ts';

const plan = (text: string) => planScript('t.sql', text, new Map(), {});

function refusal(text: string): SqlError {
  try {
    plan(text);
  } catch (error) {
    assert.ok(error instanceof SqlError, String(error));
    return error;
  }
  assert.fail('planned without an error');
}

// The examples of Flink 1.18's datagen, print and blackhole connector pages, unchanged.
const FLINK_DATAGEN_EXAMPLE = `
CREATE TABLE datagen (
 f_sequence INT,
 f_random INT,
 f_random_str STRING,
 ts AS localtimestamp,
 WATERMARK FOR ts AS ts
) WITH (
 'connector' = 'datagen',

 -- optional options --

 'rows-per-second'='5',

 'fields.f_sequence.kind'='sequence',
 'fields.f_sequence.start'='1',
 'fields.f_sequence.end'='1000',

 'fields.f_random.min'='1',
 'fields.f_random.max'='1000',

 'fields.f_random_str.length'='10'
);`;

const FLINK_ORDERS_EXAMPLE = `
CREATE TABLE Orders (
    order_number BIGINT,
    price        DECIMAL(32,2),
    buyer        ROW<first_name STRING, last_name STRING>,
    order_time   TIMESTAMP(3)
) WITH (
  'connector' = 'datagen'
);`;

describe('datagen, print and blackhole tables', () => {
  it("plans Flink's documentation examples unchanged", () => {
    const script = plan(`${FLINK_DATAGEN_EXAMPLE}
      CREATE TABLE print_table (f_sequence INT, f_random INT, f_random_str STRING) WITH ('connector' = 'print');
      CREATE TABLE blackhole_table (f0 INT, f1 INT, f2 STRING, f3 DOUBLE) WITH ('connector' = 'blackhole');
      ${FLINK_ORDERS_EXAMPLE}
      CREATE TABLE print_orders (order_number BIGINT, price DECIMAL(32,2),
        buyer ROW<first_name STRING, last_name STRING>, order_time TIMESTAMP(3)) WITH ('connector' = 'print');
      INSERT INTO print_table SELECT f_sequence, f_random, f_random_str FROM datagen;
      INSERT INTO blackhole_table SELECT f_sequence, f_random, f_random_str, 1.5 FROM datagen;
      INSERT INTO print_orders SELECT * FROM Orders;`);
    assert.equal(script.jobs.length, 3);
  });

  it('generates what the options ask for: a bounded sequence, random values within bounds, hex strings of a length', () => {
    const generator = tableGenerator(
      [
        { name: 'f_sequence', type: T.int() },
        { name: 'f_random', type: T.int() },
        { name: 'f_random_str', type: T.string() },
      ],
      (plan(FLINK_DATAGEN_EXAMPLE).catalog.get('datagen') as CatalogTable).connector,
    );
    assert.equal(generator.rows, 1000, 'the sequence 1..1000 bounds the source');
    const random = new RowRandom();
    for (const index of [0, 1, 999]) {
      random.reset(7, index);
      const [sequence, number, text] = generator.row(random, index, Date.now());
      assert.equal(sequence, index + 1);
      assert.ok(typeof number === 'number' && number >= 1 && number <= 1000);
      assert.match(String(text), /^[0-9a-f]{10}$/);
    }
  });

  it('draws the same random values for the same row again, and fills nested rows and collections', () => {
    const type: DataType = {
      kind: 'ROW',
      nullable: true,
      fields: [
        { name: 'tags', type: { kind: 'ARRAY', element: T.int(), nullable: true } },
        { name: 'name', type: T.string() },
      ],
    };
    const given = new Map([
      ['r.tags.length', '2'],
      ['r.tags.element.min', '5'],
      ['r.tags.element.max', '5'],
      ['r.name.length', '4'],
    ]);
    const generate = randomGenerator(type, new FieldOptions(given, new Set(), 'r'));
    const random = new RowRandom();
    random.reset(1, 42);
    const first = generate(random, 42, 0) as [number[], string];
    random.reset(1, 42);
    assert.deepEqual(generate(random, 42, 0), first);
    assert.deepEqual(first[0], [5, 5]);
    assert.match(first[1], /^[0-9a-f]{4}$/);
  });

  it('refuses a field option the column type does not take, listing those it does', () => {
    const error = refusal(
      `CREATE TABLE t (name STRING, n INT) WITH ('connector' = 'datagen', 'fields.name.max' = '3');`,
    );
    assert.equal(error.code, 'CONNECTOR_INVALID');
    assert.match(error.message, /Unsupported options found for 'datagen': 'fields\.name\.max'/);
    assert.match(error.hint ?? '', /fields\.name\.length/);
    assert.match(error.hint ?? '', /fields\.n\.min/);
  });

  it('refuses an unknown table option, a sequence without its end, and an unknown kind', () => {
    const unknown = refusal(`CREATE TABLE t (n INT) WITH ('connector' = 'datagen', 'rows-per-sec' = '3');`);
    assert.equal(unknown.code, 'OPTION_UNSUPPORTED');
    assert.match(unknown.hint ?? '', /did you mean 'rows-per-second'/);
    const noEnd = refusal(
      `CREATE TABLE t (n INT) WITH ('connector' = 'datagen', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1');`,
    );
    assert.match(noEnd.message, /Could not find required property 'fields\.n\.end' for sequence generator\./);
    const kind = refusal(`CREATE TABLE t (n INT) WITH ('connector' = 'datagen', 'fields.n.kind' = 'counter');`);
    assert.match(kind.message, /Unsupported generator kind: counter/);
    const badMin = refusal(`CREATE TABLE t (n INT) WITH ('connector' = 'datagen', 'fields.n.min' = 'one');`);
    assert.match(badMin.message, /Could not parse value 'one' for key 'fields\.n\.min'/);
  });

  it("accepts 'sink.parallelism' = '1' on a print table and refuses more; blackhole takes no other option", () => {
    plan(`CREATE TABLE p (n INT) WITH ('connector' = 'print', 'sink.parallelism' = '1', 'print-identifier' = 'x');`);
    const parallel = refusal(`CREATE TABLE p (n INT) WITH ('connector' = 'print', 'sink.parallelism' = '2');`);
    assert.match(parallel.message, /'sink\.parallelism' = '2' is not supported/);
    const other = refusal(`CREATE TABLE b (n INT) WITH ('connector' = 'blackhole', 'print-identifier' = 'x');`);
    assert.equal(other.code, 'OPTION_UNSUPPORTED');
  });
});
