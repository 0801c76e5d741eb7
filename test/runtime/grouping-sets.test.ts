/**
 * GROUPING SETS, ROLLUP and CUBE end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql),
 * aggregated by grouping sets into jdbc tables. The sink tables must end as PostgreSQL computes the
 * same query over the source table (PostgreSQL has GROUPING SETS, ROLLUP, CUBE and GROUPING(), whose
 * several-argument form is Flink's GROUPING_ID), after inserts, updates (amounts, categories, some
 * set to NULL, statuses) and deletes, and again after the jobs restart (state rebuilt by replay).
 *
 * A set given twice is aggregated once per copy, the copies told apart by Flink's GROUP_ID(), which
 * PostgreSQL lacks: its expected rows are the union of the two aggregates Calcite plans.
 *
 * The group keys a set leaves out are NULL, as is a NULL category in the data: the sinks key their
 * rows by the keys (COALESCEd, PostgreSQL keys have no NULL) and the grouping id, which tells them apart.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres, type Row } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE rollup_sink (category STRING, status STRING, gid BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
  PRIMARY KEY (category, status, gid) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouping.rollup_totals')});
CREATE TABLE sets_sink (category STRING, status STRING, gid BIGINT, users BIGINT, top DECIMAL(10, 2),
  PRIMARY KEY (category, status, gid) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouping.set_totals')});
CREATE TABLE repeated_sink (category STRING, copy BIGINT, g BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
  PRIMARY KEY (category, copy, g) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'grouping.repeated_totals')});
`;

const ROLLUP = `${SQL}
INSERT INTO rollup_sink
SELECT COALESCE(product_category, '-'), COALESCE(order_status, '-'), GROUPING_ID(product_category, order_status),
  COUNT(*), SUM(total_amount)
FROM ods_orders GROUP BY ROLLUP (product_category, order_status);`;

const SETS = `${SQL}
INSERT INTO sets_sink
SELECT COALESCE(product_category, '-'), COALESCE(order_status, '-'), GROUPING_ID(product_category, order_status),
  COUNT(DISTINCT user_id), MAX(total_amount)
FROM ods_orders GROUP BY GROUPING SETS ((product_category, order_status), (order_status), ())
HAVING GROUPING(product_category) = 1 OR COUNT(*) > 1;`;

const REPEATED = `${SQL}
INSERT INTO repeated_sink
SELECT COALESCE(product_category, '-'), GROUP_ID(), GROUPING(product_category), COUNT(*), SUM(total_amount)
FROM ods_orders GROUP BY GROUPING SETS ((product_category), (product_category), ());`;

/**
 * The same queries as PostgreSQL computes them. PostgreSQL's grand total of an empty table is a
 * row of COUNT 0, where a streaming aggregate has no group; the table never becomes empty here.
 */
const EXPECTED_ROLLUP = `
SELECT COALESCE(product_category, '-') AS category, COALESCE(order_status, '-') AS status,
  GROUPING(product_category, order_status)::int AS gid, COUNT(*)::int AS orders, SUM(total_amount)::text AS gmv
FROM business.orders GROUP BY ROLLUP (product_category, order_status) ORDER BY 1, 2, 3`;
const EXPECTED_SETS = `
SELECT COALESCE(product_category, '-') AS category, COALESCE(order_status, '-') AS status,
  GROUPING(product_category, order_status)::int AS gid, COUNT(DISTINCT user_id)::int AS users, MAX(total_amount)::text AS top
FROM business.orders GROUP BY GROUPING SETS ((product_category, order_status), (order_status), ())
HAVING GROUPING(product_category) = 1 OR COUNT(*) > 1 ORDER BY 1, 2, 3`;
const EXPECTED_REPEATED = `
SELECT COALESCE(product_category, '-') AS category, 0 AS copy, GROUPING(product_category)::int AS g,
  COUNT(*)::int AS orders, SUM(total_amount)::text AS gmv
FROM business.orders GROUP BY GROUPING SETS ((product_category), ())
UNION ALL
SELECT COALESCE(product_category, '-'), 1, 0, COUNT(*)::int, SUM(total_amount)::text
FROM business.orders GROUP BY product_category ORDER BY 1, 2, 3`;
const ACTUAL_REPEATED =
  'SELECT category, copy::int, g::int, orders::int, gmv::text FROM grouping.repeated_totals ORDER BY 1, 2, 3';
const ACTUAL_ROLLUP =
  'SELECT category, status, gid::int, orders::int, gmv::text FROM grouping.rollup_totals ORDER BY 1, 2, 3';
const ACTUAL_SETS =
  'SELECT category, status, gid::int, users::int, top::text FROM grouping.set_totals ORDER BY 1, 2, 3';

const totalsAndGroups = (rows: readonly Row[]) =>
  assert.ok(rows.some((row) => row.gid === 3) && rows.some((row) => row.gid !== 3), 'totals and groups');

describe('GROUPING SETS and ROLLUP over postgres-cdc into jdbc tables', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(19),
      sinkTables: `CREATE SCHEMA grouping;
      CREATE TABLE grouping.rollup_totals (category TEXT, status TEXT, gid BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
        PRIMARY KEY (category, status, gid));
      CREATE TABLE grouping.set_totals (category TEXT, status TEXT, gid BIGINT, users BIGINT, top DECIMAL(10, 2),
        PRIMARY KEY (category, status, gid));
      CREATE TABLE grouping.repeated_totals (category TEXT, copy BIGINT, g BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
        PRIMARY KEY (category, copy, g));`,
      scripts: [
        ['rollup.sql', ROLLUP],
        ['sets.sql', SETS],
        ['repeated.sql', REPEATED],
      ],
      comparisons: [
        { sink: ACTUAL_ROLLUP, oracle: EXPECTED_ROLLUP, oracleHolds: totalsAndGroups },
        { sink: ACTUAL_SETS, oracle: EXPECTED_SETS, oracleHolds: totalsAndGroups },
        { sink: ACTUAL_REPEATED, oracle: EXPECTED_REPEATED },
      ],
    },
    {
      snapshot: 'aggregates the snapshot by each grouping set as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes, retracting from every set a row left', count: 40 },
      restart: { missed: 15, more: 20 },
    },
  );
});
