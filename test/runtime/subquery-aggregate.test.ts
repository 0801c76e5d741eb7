/**
 * Subqueries over an aggregate's rows end to end: business.orders captured by postgres-cdc into the
 * upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), grouped per user by jobs
 * whose HAVING has a scalar subquery and an IN under OR (a join with the subquery's one row, a
 * marker join) or a NOT IN (an anti join of the aggregate's rows), or whose WHERE has an IN (a semi
 * join below the aggregate) and SELECT list an IN (a marker join), written to jdbc tables. The sinks must end as PostgreSQL computes the same
 * queries over the source table, after inserts, updates and deletes (groups and subqueries both
 * change), after a restart with its state spilled, and with all state spilled.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE big_users (user_id BIGINT, total DECIMAL(38, 2), PRIMARY KEY (user_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouped.big_users')});
CREATE TABLE odd_users (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouped.odd_users')});
CREATE TABLE shipped_users (user_id BIGINT, n BIGINT, shipped BOOLEAN, PRIMARY KEY (user_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouped.shipped_users')});
`;

/** Users whose total is over the largest paid order, or who have an order over 900. */
const BIG = `${SQL}
INSERT INTO big_users SELECT user_id, SUM(total_amount) FROM ods_orders GROUP BY user_id
HAVING SUM(total_amount) > (SELECT MAX(total_amount) FROM ods_orders WHERE order_status = 'PAID')
    OR user_id IN (SELECT user_id FROM ods_orders WHERE total_amount > 900);`;

/** Users whose number of orders is no amount (in whole yuan) of a pending order: NOT IN over the aggregate. */
const ODD = `${SQL}
INSERT INTO odd_users SELECT user_id, COUNT(*) FROM ods_orders GROUP BY user_id
HAVING COUNT(*) NOT IN (SELECT CAST(total_amount / 5 AS BIGINT) FROM ods_orders WHERE order_status = 'PENDING');`;

/**
 * Each user's number of orders in a category of a paid order (a semi join below the aggregate), and
 * whether the user has a shipped order (a marker join of the aggregate's rows).
 */
const SHIPPED = `${SQL}
INSERT INTO shipped_users SELECT user_id, COUNT(*),
  user_id IN (SELECT user_id FROM ods_orders WHERE order_status = 'SHIPPED')
FROM ods_orders WHERE product_category IN (SELECT product_category FROM ods_orders WHERE order_status = 'PAID')
GROUP BY user_id;`;

const EXPECTED_BIG = `
SELECT user_id::int, SUM(total_amount)::text AS total FROM business.orders GROUP BY user_id
HAVING SUM(total_amount) > (SELECT MAX(total_amount) FROM business.orders WHERE order_status = 'PAID')
    OR user_id IN (SELECT user_id FROM business.orders WHERE total_amount > 900)
ORDER BY 1`;
const EXPECTED_ODD = `
SELECT user_id::int, COUNT(*)::int AS n FROM business.orders GROUP BY user_id
HAVING COUNT(*) NOT IN (SELECT TRUNC(total_amount / 5)::bigint FROM business.orders WHERE order_status = 'PENDING')
ORDER BY 1`;
const EXPECTED_SHIPPED = `
SELECT user_id::int, COUNT(*)::int AS n,
  user_id IN (SELECT user_id FROM business.orders WHERE order_status = 'SHIPPED') AS shipped
FROM business.orders WHERE product_category IN (SELECT product_category FROM business.orders WHERE order_status = 'PAID')
GROUP BY user_id ORDER BY 1`;

describe('subqueries in HAVING and in the SELECT list of a GROUP BY query over postgres-cdc into jdbc tables', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(1929),
      sinkTables: `CREATE SCHEMA grouped;
      CREATE TABLE grouped.big_users (user_id BIGINT PRIMARY KEY, total DECIMAL(38, 2));
      CREATE TABLE grouped.odd_users (user_id BIGINT PRIMARY KEY, n BIGINT);
      CREATE TABLE grouped.shipped_users (user_id BIGINT PRIMARY KEY, n BIGINT, shipped BOOLEAN);`,
      prepare: (h) => h.change(30),
      scripts: [
        ['big.sql', BIG],
        ['odd.sql', ODD],
        ['shipped.sql', SHIPPED],
      ],
      comparisons: [
        {
          sink: 'SELECT user_id::int, total::text FROM grouped.big_users ORDER BY 1',
          oracle: EXPECTED_BIG,
          oracleHolds: (rows, what) => assert.ok(rows.length > 0, `${what}: some users pass HAVING`),
        },
        {
          sink: 'SELECT user_id::int, n::int FROM grouped.odd_users ORDER BY 1',
          oracle: EXPECTED_ODD,
          oracleHolds: (rows, what) => assert.ok(rows.length > 0, `${what}: some users pass NOT IN`),
        },
        {
          sink: 'SELECT user_id::int, n::int, shipped FROM grouped.shipped_users ORDER BY 1',
          oracle: EXPECTED_SHIPPED,
          oracleHolds: (rows, what) => assert.ok(rows.length > 1, `${what}: several users`),
        },
      ],
    },
    {
      snapshot: 'keeps the groups PostgreSQL keeps',
      changes: { title: 'follows inserts, updates and deletes of the groups and of the subqueries', count: 40 },
      restart: { missed: 20, more: 30, spilled: true },
      allStateSpilled: { changes: 30 },
    },
  );
});
