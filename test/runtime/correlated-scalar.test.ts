/**
 * Correlated scalar subqueries end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), each
 * order with the largest amount of its category and the number of paid orders of its user, into a
 * jdbc table. It must end as PostgreSQL computes the same query over the source table (correlated
 * subqueries evaluated per row, COUNT 0 and MAX NULL where nothing matches), after inserts, updates
 * and deletes, and again after the job restarts (state rebuilt by replay, spilled).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE per_order (order_id BIGINT, top DECIMAL(10, 2), paid BIGINT, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'correlated.per_order')});
`;

const QUERY = `${SQL}
INSERT INTO per_order
SELECT o.order_id,
  (SELECT MAX(p.total_amount) FROM ods_orders p WHERE p.product_category = o.product_category),
  (SELECT COUNT(*) FROM ods_orders p WHERE p.user_id = o.user_id AND p.order_status = 'PAID')
FROM ods_orders o;`;

const EXPECTED = `
SELECT o.order_id::int AS order_id,
  (SELECT MAX(p.total_amount) FROM business.orders p WHERE p.product_category = o.product_category)::text AS top,
  (SELECT COUNT(*) FROM business.orders p WHERE p.user_id = o.user_id AND p.order_status = 'PAID')::int AS paid
FROM business.orders o ORDER BY 1`;
const ACTUAL = 'SELECT order_id::int, top::text, paid::int FROM correlated.per_order ORDER BY 1';

describe('correlated scalar subqueries over postgres-cdc into a jdbc table', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(1919),
      sinkTables: `CREATE SCHEMA correlated;
      CREATE TABLE correlated.per_order (order_id BIGINT PRIMARY KEY, top DECIMAL(10, 2), paid BIGINT);`,
      prepare: async (h) => {
        // Orders whose category is NULL (MAX of nothing) and a user without paid orders (COUNT 0).
        await h.change(30);
        await h.source.query(`UPDATE business.orders SET product_category = NULL WHERE order_id % 4 = 0`);
        await h.source.query(`UPDATE business.orders SET order_status = 'NEW' WHERE user_id = 1001`);
        const expected = (await h.source.query(EXPECTED)).rows;
        assert.ok(
          expected.some((row) => row.top === null) && expected.some((row) => row.paid === 0),
          'rows without a match: MAX is NULL, COUNT 0',
        );
      },
      scripts: [['correlated.sql', QUERY]],
      comparisons: [{ sink: ACTUAL, oracle: EXPECTED, oracleHolds: (rows) => assert.ok(rows.length > 0, 'orders') }],
    },
    {
      snapshot: 'gives each order the values PostgreSQL computes',
      changes: { title: 'follows inserts, updates and deletes of the outer rows and of the subqueries', count: 40 },
      restart: { missed: 15, more: 20, spilled: true },
    },
  );
});
