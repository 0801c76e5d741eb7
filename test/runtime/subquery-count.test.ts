/**
 * IN and NOT IN whose NULL must stay NULL (in SELECT, under NOT, NOT IN under OR) over columns that
 * can be NULL, end to end: business.orders captured by postgres-cdc into the upsert topic ods_orders
 * (examples/ecommerce/1_cdc_source_to_kafka.sql; some categories NULL), read by jobs planned with
 * Calcite's count join (the subquery's COUNT(*) and COUNT(column), per correlation key, then the
 * marker join), written to jdbc tables. The sinks must end as PostgreSQL's three-valued logic
 * computes the same queries over the source table: TRUE, FALSE and NULL flags, an empty subquery
 * (FALSE even for a NULL value), after inserts, updates and deletes (rows entering and leaving the
 * subqueries move the counts), after a restart with its state spilled, and with all state spilled.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE flags (order_id BIGINT, paid_category BOOLEAN, none BOOLEAN, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'counts.flags')});
CREATE TABLE unshipped (order_id BIGINT, product_category STRING, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'counts.unshipped')});
CREATE TABLE own (order_id BIGINT, other_paid BOOLEAN, PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'counts.own')});
`;

/** Whether the order's category is one of a paid order (NULL where unknown), and IN of an empty subquery. */
const FLAGS = `${SQL}
INSERT INTO flags SELECT order_id,
  product_category IN (SELECT product_category FROM ods_orders WHERE order_status = 'PAID'),
  product_category IN (SELECT product_category FROM ods_orders WHERE total_amount < 0)
FROM ods_orders;`;

/** Orders over 800, or whose category is certainly not one of a shipped order. */
const UNSHIPPED = `${SQL}
INSERT INTO unshipped SELECT order_id, product_category FROM ods_orders
WHERE total_amount > 800 OR product_category NOT IN (SELECT product_category FROM ods_orders WHERE order_status = 'SHIPPED');`;

/** NOT IN of the categories of the same user's paid orders, correlated: the counts per user. */
const OWN = `${SQL}
INSERT INTO own SELECT o.order_id,
  NOT (o.product_category IN (SELECT p.product_category FROM ods_orders AS p WHERE p.user_id = o.user_id AND p.order_status = 'PAID'))
FROM ods_orders AS o;`;

const EXPECTED_FLAGS = `
SELECT order_id::int,
  product_category IN (SELECT product_category FROM business.orders WHERE order_status = 'PAID') AS paid_category,
  product_category IN (SELECT product_category FROM business.orders WHERE total_amount < 0) AS none
FROM business.orders ORDER BY 1`;
const EXPECTED_UNSHIPPED = `
SELECT order_id::int, product_category FROM business.orders
WHERE total_amount > 800 OR product_category NOT IN (SELECT product_category FROM business.orders WHERE order_status = 'SHIPPED')
ORDER BY 1`;
const EXPECTED_OWN = `
SELECT o.order_id::int,
  NOT (o.product_category IN (SELECT p.product_category FROM business.orders AS p WHERE p.user_id = o.user_id AND p.order_status = 'PAID')) AS other_paid
FROM business.orders AS o ORDER BY 1`;

/** Each of `values` among the values of `column`. */
const shows =
  (column: string, values: readonly (boolean | null)[]) => (rows: readonly Record<string, unknown>[], what: string) => {
    for (const value of values)
      assert.ok(
        rows.some((row) => row[column] === value),
        `${what}: some ${column} is ${value}`,
      );
  };

describe('IN and NOT IN with three-valued results (count joins) over postgres-cdc into jdbc tables', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(1923),
      sinkTables: `CREATE SCHEMA counts;
      CREATE TABLE counts.flags (order_id BIGINT PRIMARY KEY, paid_category BOOLEAN, none BOOLEAN);
      CREATE TABLE counts.unshipped (order_id BIGINT PRIMARY KEY, product_category VARCHAR(50));
      CREATE TABLE counts.own (order_id BIGINT PRIMARY KEY, other_paid BOOLEAN);`,
      prepare: async (h) => {
        // Some NULL categories, among the paid orders too: every flag then takes each of its three values.
        await h.change(30);
        await h.source.query(`UPDATE business.orders SET product_category = NULL WHERE order_id % 5 = 0`);
        await h.source.query(`UPDATE business.orders SET order_status = 'PAID' WHERE order_id % 10 = 0`);
      },
      scripts: [
        ['flags.sql', FLAGS],
        ['unshipped.sql', UNSHIPPED],
        ['own.sql', OWN],
      ],
      comparisons: [
        {
          sink: 'SELECT order_id::int, paid_category, none FROM counts.flags ORDER BY 1',
          oracle: EXPECTED_FLAGS,
          oracleHolds: (rows, what) => {
            // A NULL among the paid categories: no category is certainly not one of them.
            shows('paid_category', [true, null])(rows, what);
            assert.ok(
              rows.every((row) => row.none === false),
              `${what}: IN of an empty subquery is FALSE`,
            );
          },
        },
        {
          sink: 'SELECT order_id::int, product_category FROM counts.unshipped ORDER BY 1',
          oracle: EXPECTED_UNSHIPPED,
        },
        {
          sink: 'SELECT order_id::int, other_paid FROM counts.own ORDER BY 1',
          oracle: EXPECTED_OWN,
          oracleHolds: shows('other_paid', [true, false, null]),
        },
      ],
    },
    {
      snapshot: 'gives TRUE, FALSE and NULL as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes', count: 40 },
      restart: { missed: 20, more: 30, spilled: true },
      allStateSpilled: { changes: 30 },
    },
  );
});
