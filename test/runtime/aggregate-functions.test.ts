/**
 * STDDEV/VAR, LISTAGG, DISTINCT and FILTER (WHERE ...) end to end over a real changelog:
 * business.orders captured by postgres-cdc into the upsert topic ods_orders
 * (examples/ecommerce/1_cdc_source_to_kafka.sql), aggregated by category into a jdbc table. The sink
 * must end as PostgreSQL computes the same aggregates over the source table (stddev_pop, var_samp,
 * string_agg, FILTER, DISTINCT), after inserts, updates and deletes, and again after the job restarts.
 *
 * The deviations are taken of a DOUBLE, where Flink's sum-of-squares formula and PostgreSQL's
 * algorithm agree to the last few bits: they are compared to 1e-9 relative. LISTAGG joins values in
 * the order they arrived, which a changelog does not fix: its parts are compared sorted.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { ecommerceOrders, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE stats_sink (category STRING, orders BIGINT, sd DOUBLE, vs DOUBLE, statuses STRING, kinds STRING,
  paid BIGINT, paid_gmv DECIMAL(38, 2), big_users BIGINT, PRIMARY KEY (category) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'agg.stats')});
INSERT INTO stats_sink
SELECT COALESCE(product_category, '-'), COUNT(*),
  STDDEV_POP(CAST(total_amount AS DOUBLE)), VAR_SAMP(CAST(total_amount AS DOUBLE)),
  LISTAGG(order_status, ';'), LISTAGG(DISTINCT order_status, ';'),
  COUNT(*) FILTER (WHERE order_status = 'PAID'), SUM(total_amount) FILTER (WHERE order_status = 'PAID'),
  COUNT(DISTINCT user_id) FILTER (WHERE total_amount > 100)
FROM ods_orders GROUP BY COALESCE(product_category, '-');`;

const EXPECTED = `
SELECT COALESCE(product_category, '-') AS category, COUNT(*)::int AS orders,
  stddev_pop(total_amount::float8) AS sd, var_samp(total_amount::float8) AS vs,
  string_agg(order_status, ';' ORDER BY order_status) AS statuses,
  string_agg(DISTINCT order_status, ';' ORDER BY order_status) AS kinds,
  (COUNT(*) FILTER (WHERE order_status = 'PAID'))::int AS paid,
  (SUM(total_amount) FILTER (WHERE order_status = 'PAID'))::text AS paid_gmv,
  (COUNT(DISTINCT user_id) FILTER (WHERE total_amount > 100))::int AS big_users
FROM business.orders GROUP BY 1 ORDER BY 1`;
const ACTUAL = `SELECT category, orders::int, sd, vs, statuses, kinds, paid::int, paid_gmv::text, big_users::int
FROM agg.stats ORDER BY 1`;

describe('STDDEV/VAR, LISTAGG, DISTINCT and FILTER over postgres-cdc into a jdbc table', () => {
  queryVsPostgres(
    {
      ...ecommerceOrders(20, true),
      sinkTables: `CREATE SCHEMA agg;
      CREATE TABLE agg.stats (category TEXT PRIMARY KEY, orders BIGINT, sd DOUBLE PRECISION, vs DOUBLE PRECISION,
        statuses TEXT, kinds TEXT, paid BIGINT, paid_gmv DECIMAL(38, 2), big_users BIGINT);`,
      scripts: [['stats.sql', SQL]],
      comparisons: [
        {
          sink: ACTUAL,
          oracle: EXPECTED,
          oracleHolds: (rows) =>
            assert.ok(
              rows.some((row) => row.vs === null) || rows.some((row) => row.paid_gmv === null) || rows.length > 2,
              'groups of several kinds',
            ),
          // Deviations to 1e-9 relative, LISTAGG parts sorted, as said above.
          tolerance: { columns: ['sd', 'vs'], relative: 1e-9 },
          unorderedLists: { columns: ['statuses', 'kinds'], separator: ';' },
        },
      ],
    },
    {
      snapshot: 'aggregates the snapshot as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes, retracting what a row took back', count: 40 },
      restart: { missed: 15, more: 20 },
      allStateSpilled: { changes: 30 },
    },
  );
});
