/**
 * IN and EXISTS under OR end to end over a real changelog: business.orders captured by postgres-cdc
 * into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), read by jobs whose
 * WHERE has an IN and a correlated NOT EXISTS subquery under OR (LEFT joins with the subquery's
 * distinct rows marked true), written to jdbc tables. The sink tables must end as PostgreSQL computes
 * the same queries over the source table, after inserts, updates and deletes (rows entering and
 * leaving the subqueries retract the marks), after a restart and with all state spilled to disk;
 * and a two-column NOT IN (an anti join on both pairs) the same way.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE watched (order_id BIGINT, order_status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'marks.watched')});
CREATE TABLE lonely (order_id BIGINT, product_category STRING, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'marks.lonely')});
CREATE TABLE unpaired (order_id BIGINT, user_id BIGINT, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'marks.unpaired')});
`;

/** Orders shipped, or of a user who has an order over 500. */
const WATCHED = `${SQL}
INSERT INTO watched SELECT order_id, order_status FROM ods_orders
WHERE order_status = 'SHIPPED' OR user_id IN (SELECT user_id FROM ods_orders WHERE total_amount > 500);`;

/** Orders over 300, or whose category has no paid order. */
const LONELY = `${SQL}
INSERT INTO lonely SELECT o.order_id, o.product_category FROM ods_orders AS o
WHERE o.total_amount > 300
   OR NOT EXISTS (SELECT * FROM ods_orders AS p WHERE p.product_category = o.product_category AND p.order_status = 'PAID');`;

/**
 * Orders whose (user, category) pair has no paid order: a two-column NOT IN, whose NULL categories
 * make the comparison unknown as SQL's row comparison does.
 */
const UNPAIRED = `${SQL}
INSERT INTO unpaired SELECT order_id, user_id FROM ods_orders
WHERE (user_id, product_category) NOT IN (SELECT user_id, product_category FROM ods_orders WHERE order_status = 'PAID');`;

/** The same queries, as PostgreSQL computes them over the source table. */
const EXPECTED_WATCHED = `
SELECT order_id::int, order_status FROM business.orders
WHERE order_status = 'SHIPPED' OR user_id IN (SELECT user_id FROM business.orders WHERE total_amount > 500)
ORDER BY 1`;
const EXPECTED_LONELY = `
SELECT o.order_id::int, o.product_category FROM business.orders AS o
WHERE o.total_amount > 300
   OR NOT EXISTS (SELECT * FROM business.orders AS p WHERE p.product_category = o.product_category AND p.order_status = 'PAID')
ORDER BY 1`;

const EXPECTED_UNPAIRED = `
SELECT order_id::int, user_id::int FROM business.orders
WHERE (user_id, product_category) NOT IN (SELECT user_id, product_category FROM business.orders WHERE order_status = 'PAID')
ORDER BY 1`;

describe('IN and EXISTS under OR over postgres-cdc into jdbc tables', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(19),
      sinkTables: `CREATE SCHEMA marks;
      CREATE TABLE marks.watched (order_id BIGINT PRIMARY KEY, order_status VARCHAR(20));
      CREATE TABLE marks.lonely (order_id BIGINT PRIMARY KEY, product_category VARCHAR(50));
      CREATE TABLE marks.unpaired (order_id BIGINT PRIMARY KEY, user_id BIGINT);`,
      scripts: [
        ['watched.sql', WATCHED],
        ['lonely.sql', LONELY],
        ['unpaired.sql', UNPAIRED],
      ],
      comparisons: [
        {
          sink: 'SELECT order_id::int, order_status FROM marks.watched ORDER BY 1',
          oracle: EXPECTED_WATCHED,
          oracleHolds: (rows, what) =>
            assert.ok(
              rows.some((row) => row.order_status !== 'SHIPPED'),
              `${what}: some orders pass by the IN subquery alone`,
            ),
        },
        { sink: 'SELECT order_id::int, product_category FROM marks.lonely ORDER BY 1', oracle: EXPECTED_LONELY },
        {
          sink: 'SELECT order_id::int, user_id::int FROM marks.unpaired ORDER BY 1',
          oracle: EXPECTED_UNPAIRED,
          oracleHolds: (rows, what) => assert.ok(rows.length > 0, `${what}: some orders have no paid pair`),
        },
      ],
    },
    {
      snapshot: 'filters the snapshot as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes', count: 40 },
      restart: { missed: 20, more: 30 },
      allStateSpilled: { changes: 30 },
    },
  );
});
