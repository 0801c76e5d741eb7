/**
 * Top-N end to end over a real changelog: business.orders captured by postgres-cdc into the upsert
 * topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), which the Top-N jobs read and
 * rank per category into jdbc tables. The sink tables must end as PostgreSQL computes the same
 * query over the source table (ROW_NUMBER() OVER ... in PostgreSQL), after inserts, updates and
 * deletes, and again after the jobs restart (their state rebuilt by replay) and under a state
 * memory budget of 0 bytes (all state spilled to disk between operator calls). The variable Top-N
 * reads its rank end from a column (`rn <= n`, Flink's VariableRankRange) that is the same for every
 * row of a category, so PostgreSQL's `rn <= n` is the expected result.
 */
import { describe } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { ECOMMERCE, ODS_ORDERS } from '../helpers/ecommerce-orders.ts';
import { jdbcOptions, queryVsPostgres } from '../helpers/query-vs-postgres.ts';

const SQL = `${ODS_ORDERS}
CREATE TABLE top_ranked (category STRING, rn BIGINT, order_id BIGINT, total_amount DECIMAL(10, 2),
  PRIMARY KEY (category, rn) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'topn.ranked')});
CREATE TABLE top_orders (order_id BIGINT, category STRING, total_amount DECIMAL(10, 2),
  PRIMARY KEY (order_id) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'topn.orders')});
CREATE TABLE top_variable (category STRING, rn BIGINT, order_id BIGINT, PRIMARY KEY (category, rn) NOT ENFORCED)
WITH (${jdbcOptions('sink_db', 'topn.variable')});
`;

const RANKED = `${SQL}
INSERT INTO top_ranked SELECT product_category, rn, order_id, total_amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM ods_orders WHERE order_status <> 'CANCELLED') WHERE rn <= 3;`;

const UNRANKED = `${SQL}
INSERT INTO top_orders SELECT order_id, product_category, total_amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM ods_orders) WHERE rn BETWEEN 2 AND 3;`;

const VARIABLE = `${SQL}
INSERT INTO top_variable SELECT product_category, rn, order_id FROM (
  SELECT product_category, order_id, CHAR_LENGTH(product_category) AS n,
    ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM ods_orders) WHERE rn <= n;`;

/** The same queries, as PostgreSQL computes them over the source table. */
const EXPECTED_RANKED = `
SELECT product_category AS category, rn::int, order_id::int, total_amount::text FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM business.orders WHERE order_status <> 'CANCELLED') t WHERE rn <= 3 ORDER BY 1, 2`;
const EXPECTED_UNRANKED = `
SELECT order_id::int, product_category AS category, total_amount::text FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM business.orders) t WHERE rn BETWEEN 2 AND 3 ORDER BY 1`;
const EXPECTED_VARIABLE = `
SELECT product_category AS category, rn::int, order_id::int FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM business.orders) t WHERE rn <= char_length(product_category) ORDER BY 1, 2`;
const ACTUAL_VARIABLE = 'SELECT category, rn::int, order_id::int FROM topn.variable ORDER BY 1, 2';
const ACTUAL_RANKED = 'SELECT category, rn::int, order_id::int, total_amount::text FROM topn.ranked ORDER BY 1, 2';
const ACTUAL_UNRANKED = 'SELECT order_id::int, category, total_amount::text FROM topn.orders ORDER BY 1';

const CATEGORIES = ['电子产品', '图书', '服装'];

/** Random inserts (ids from `ids.next` on), updates (amount, category, status) and deletes of orders. */
async function writeRankingChanges(
  source: pg.Client,
  random: () => number,
  count: number,
  ids: { next: number },
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const existing = (await source.query<{ id: string }>('SELECT order_id::text AS id FROM business.orders')).rows.map(
      (r) => Number(r.id),
    );
    const op = random();
    const amount = (Math.floor(random() * 200) * 5).toFixed(2);
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    const id = existing[Math.floor(random() * existing.length)];
    if (op < 0.4 || id === undefined) {
      await source.query(
        `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount)
         VALUES ($1, 1001, 'p', $2, 1, $3, $3)`,
        [ids.next++, category, amount],
      );
    } else if (op < 0.7) {
      await source.query('UPDATE business.orders SET total_amount = $2 WHERE order_id = $1', [id, amount]);
    } else if (op < 0.8) {
      await source.query('UPDATE business.orders SET product_category = $2 WHERE order_id = $1', [id, category]);
    } else if (op < 0.9) {
      await source.query(
        `UPDATE business.orders SET order_status = CASE WHEN order_status = 'CANCELLED' THEN 'PAID' ELSE 'CANCELLED' END WHERE order_id = $1`,
        [id],
      );
    } else {
      await source.query('DELETE FROM business.orders WHERE order_id = $1', [id]);
    }
  }
}

describe('Top-N over postgres-cdc into jdbc tables', () => {
  const random = seededRandom(42);
  const ids = { next: 9000 };
  queryVsPostgres(
    {
      ...ECOMMERCE,
      sinkTables: `CREATE SCHEMA topn;
      CREATE TABLE topn.ranked (category VARCHAR(50), rn BIGINT, order_id BIGINT, total_amount DECIMAL(10, 2), PRIMARY KEY (category, rn));
      CREATE TABLE topn.orders (order_id BIGINT PRIMARY KEY, category VARCHAR(50), total_amount DECIMAL(10, 2));
      CREATE TABLE topn.variable (category VARCHAR(50), rn BIGINT, order_id BIGINT, PRIMARY KEY (category, rn));`,
      scripts: [
        ['ranked.sql', RANKED],
        ['unranked.sql', UNRANKED],
        ['variable.sql', VARIABLE],
      ],
      comparisons: [
        { sink: ACTUAL_RANKED, oracle: EXPECTED_RANKED },
        { sink: ACTUAL_UNRANKED, oracle: EXPECTED_UNRANKED },
        { sink: ACTUAL_VARIABLE, oracle: EXPECTED_VARIABLE },
      ],
      change: ({ source }, count) => writeRankingChanges(source, random, count, ids),
    },
    {
      snapshot: 'ranks the snapshot as PostgreSQL does',
      changes: { title: 'follows inserts, updates and deletes', count: 40 },
      restart: { missed: 20, more: 30 },
      allStateSpilled: { changes: 30 },
    },
  );
});
