import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RivuletError } from '../../src/common/errors.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

const EXAMPLE = 'examples/ecommerce/databases';

/** Every field of the seed guide's sample result JSON (预期效果验证), plus processed_time. */
const SAMPLE_RESULT_FIELDS = [
  'order_id',
  'user_id',
  'username',
  'email',
  'phone',
  'city',
  'product_name',
  'product_category',
  'product_category_normalized',
  'quantity',
  'unit_price',
  'total_amount',
  'total_amount_yuan',
  'order_status',
  'order_status_desc',
  'order_time',
  'order_date',
  'order_hour',
  'user_register_time',
  'user_city_tier',
  'join_time',
  'processed_time',
];

describe('seeding the ecommerce example', () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await startTestPostgres();
  });
  after(async () => {
    await pg?.dispose();
  });

  it('creates source_db with the seed users and its five orders', async () => {
    const seeded = await seedDatabases(pg.server, EXAMPLE);
    assert.deepEqual(
      seeded.map((db) => [db.name, db.created]),
      [
        ['sink_db', true],
        ['source_db', true],
      ],
    );
    const source = await pg.connect('source_db');
    const orders = await source.query(
      `SELECT o.order_id::int, o.product_name, o.product_category, o.quantity, o.unit_price::text,
              o.total_amount::text, o.order_status, u.username, u.email, u.phone, u.city
         FROM business.orders o JOIN business.users u USING (user_id) ORDER BY o.order_id`,
    );
    assert.equal(orders.rowCount, 5);
    assert.deepEqual(orders.rows[0], {
      order_id: 2001,
      product_name: 'iPhone 15',
      product_category: '电子产品',
      quantity: 1,
      unit_price: '5999.00',
      total_amount: '5999.00',
      order_status: 'COMPLETED',
      username: '张三',
      email: 'zhangsan@example.com',
      phone: '13812345678',
      city: '北京',
    });
    const cities = (await source.query('SELECT username, city FROM business.users ORDER BY user_id')).rows;
    assert.deepEqual(cities.slice(0, 3), [
      { username: '张三', city: '北京' },
      { username: '李四', city: '上海' },
      { username: '王五', city: '广州' },
    ]);
  });

  it('types the source columns as the Flink tables expect', async () => {
    const source = await pg.connect('source_db');
    const types = await source.query(
      `SELECT column_name, data_type, numeric_precision, numeric_scale, datetime_precision
         FROM information_schema.columns WHERE table_schema = 'business' AND table_name = 'orders'`,
    );
    const byName = new Map(types.rows.map((row) => [row.column_name, row]));
    assert.equal(byName.get('order_id').data_type, 'bigint');
    assert.deepEqual([byName.get('unit_price').numeric_precision, byName.get('unit_price').numeric_scale], [10, 2]);
    assert.equal(byName.get('order_time').data_type, 'timestamp without time zone');
    assert.equal(byName.get('order_time').datetime_precision, 3);
    assert.equal(byName.get('updated_at').datetime_precision, 3);
  });

  it('creates empty sink tables keyed as the pipeline writes them', async () => {
    const sink = await pg.connect('sink_db');
    const columns = await sink.query(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'result' AND table_name = 'orders_with_user_info'`,
    );
    const names = new Set(columns.rows.map((row) => row.column_name));
    for (const field of SAMPLE_RESULT_FIELDS) assert.ok(names.has(field), `missing column ${field}`);
    const keys = await sink.query(
      `SELECT c.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS key
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE i.indisprimary AND c.relnamespace = 'result'::regnamespace
          AND c.relname IN ('orders_with_user_info', 'order_status_history')
        GROUP BY c.relname ORDER BY 1`,
    );
    assert.deepEqual(keys.rows, [
      { table: 'order_status_history', key: ['order_id', 'order_status'] },
      { table: 'orders_with_user_info', key: ['order_id'] },
    ]);
    const count = await sink.query('SELECT count(*)::int AS n FROM result.orders_with_user_info');
    assert.equal(count.rows[0].n, 0);
  });

  it('leaves existing databases alone on a second run', async () => {
    const seeded = await seedDatabases(pg.server, EXAMPLE);
    assert.deepEqual(
      seeded.map((db) => db.created),
      [false, false],
    );
    const source = await pg.connect('source_db');
    assert.equal((await source.query('SELECT count(*)::int AS n FROM business.orders')).rows[0].n, 5);
  });

  it('names file, line and column of a failing script and creates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rivulet-seed-'));
    writeFileSync(join(dir, 'broken_db.sql'), 'CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);\nSELEC 1;\n');
    await assert.rejects(seedDatabases(pg.server, dir), (error: RivuletError) => {
      assert.equal(error.code, 'SEED_SCRIPT_FAILED');
      assert.match(error.message, /broken_db\.sql:4:1: syntax error at or near "SELEC"/);
      return true;
    });
    const admin = await pg.connect();
    const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'broken_db%'`);
    assert.deepEqual(left.rows, []);
    rmSync(dir, { recursive: true, force: true });
  });
});
