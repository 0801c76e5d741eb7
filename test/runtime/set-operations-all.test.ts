/**
 * INTERSECT ALL and EXCEPT ALL end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), each
 * side a filter of it, the result counted per row into jdbc tables. The sink tables must end as
 * PostgreSQL computes the same queries over the source table (PostgreSQL has INTERSECT ALL and
 * EXCEPT ALL with the SQL standard's multiplicities, which Flink's rewrite gives), after inserts,
 * updates and deletes, and again after the jobs restart (state rebuilt by replay, spilled).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres, type Row } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE both_sink (category STRING, user_id BIGINT, n BIGINT, PRIMARY KEY (category, user_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'setops.paid_and_big')});
CREATE TABLE rest_sink (category STRING, status STRING, n BIGINT, PRIMARY KEY (category, status) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'setops.not_big')});
`;

const INTERSECT_ALL = `${SQL}
INSERT INTO both_sink
SELECT COALESCE(product_category, '-'), user_id, COUNT(*) FROM (
  SELECT product_category, user_id FROM ods_orders WHERE order_status = 'PAID'
  INTERSECT ALL
  SELECT product_category, user_id FROM ods_orders WHERE total_amount >= 500
) GROUP BY product_category, user_id;`;

const EXCEPT_ALL = `${SQL}
INSERT INTO rest_sink
SELECT COALESCE(product_category, '-'), order_status, COUNT(*) FROM (
  SELECT product_category, order_status FROM ods_orders
  EXCEPT ALL
  SELECT product_category, order_status FROM ods_orders WHERE total_amount >= 300
) GROUP BY product_category, order_status;`;

const EXPECTED_INTERSECT = `
SELECT COALESCE(product_category, '-') AS category, user_id::int AS user_id, COUNT(*)::int AS n FROM (
  SELECT product_category, user_id FROM business.orders WHERE order_status = 'PAID'
  INTERSECT ALL
  SELECT product_category, user_id FROM business.orders WHERE total_amount >= 500
) AS t GROUP BY product_category, user_id ORDER BY 1, 2`;
const EXPECTED_EXCEPT = `
SELECT COALESCE(product_category, '-') AS category, order_status AS status, COUNT(*)::int AS n FROM (
  SELECT product_category, order_status FROM business.orders
  EXCEPT ALL
  SELECT product_category, order_status FROM business.orders WHERE total_amount >= 300
) AS t GROUP BY product_category, order_status ORDER BY 1, 2`;
const ACTUAL_INTERSECT = 'SELECT category, user_id::int, n::int FROM setops.paid_and_big ORDER BY 1, 2';
const ACTUAL_EXCEPT = 'SELECT category, status, n::int FROM setops.not_big ORDER BY 1, 2';

const hasRows = (sink: string) => (rows: readonly Row[]) =>
  assert.ok(rows.length > 0, `PostgreSQL has rows for ${sink}`);

describe('INTERSECT ALL and EXCEPT ALL over postgres-cdc into jdbc tables', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(1918),
      sinkTables: `CREATE SCHEMA setops;
      CREATE TABLE setops.paid_and_big (category TEXT, user_id BIGINT, n BIGINT, PRIMARY KEY (category, user_id));
      CREATE TABLE setops.not_big (category TEXT, status TEXT, n BIGINT, PRIMARY KEY (category, status));`,
      prepare: async (h) => {
        // Enough paid orders of 500 or more that INTERSECT ALL has rows from the start.
        await h.change(30);
        await h.source.query(
          `UPDATE business.orders SET order_status = 'PAID', total_amount = 600 WHERE order_id % 3 = 0`,
        );
      },
      scripts: [
        ['intersect-all.sql', INTERSECT_ALL],
        ['except-all.sql', EXCEPT_ALL],
      ],
      comparisons: [
        { sink: ACTUAL_INTERSECT, oracle: EXPECTED_INTERSECT, oracleHolds: hasRows(ACTUAL_INTERSECT) },
        { sink: ACTUAL_EXCEPT, oracle: EXPECTED_EXCEPT, oracleHolds: hasRows(ACTUAL_EXCEPT) },
      ],
    },
    {
      snapshot: 'counts each row as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes of both sides', count: 40 },
      restart: { missed: 15, more: 20, spilled: true },
    },
  );
});
