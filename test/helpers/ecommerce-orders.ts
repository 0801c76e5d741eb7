import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import type { TestPostgres } from './postgres.ts';
import type { QueryVsPostgresOptions } from './query-vs-postgres.ts';

/** The upsert topic ods_orders that the capture writes, as a query reads it. */
export const ODS_ORDERS = `
CREATE TABLE ods_orders (
  order_id BIGINT, user_id BIGINT, product_name STRING, product_category STRING, quantity INT,
  unit_price DECIMAL(10, 2), total_amount DECIMAL(10, 2), order_status STRING,
  order_time TIMESTAMP(3), updated_at TIMESTAMP(3), PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_orders', 'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json');
`;

/** The databases of examples/ecommerce (business.orders in source_db, sink_db empty) and the capture of its orders. */
export const ECOMMERCE: Pick<QueryVsPostgresOptions, 'databases' | 'capture'> = {
  databases: { seed: 'examples/ecommerce/databases', source: 'source_db', sink: 'sink_db' },
  capture: (harness) => startOrderCapture(harness.pg, harness.log),
};

/** ECOMMERCE with random changes of its orders (`writeRandomOrders`, ids from 9000 on) drawn from `seed`. */
export function ecommerceOrders(
  seed: number,
  cents = false,
): Pick<QueryVsPostgresOptions, 'databases' | 'capture' | 'change'> {
  const random = seededRandom(seed);
  const ids = { next: 9000 };
  return { ...ECOMMERCE, change: (harness, count) => writeRandomOrders(harness.source, random, count, ids, cents) };
}

/** Starts the jobs of examples/ecommerce/1_cdc_source_to_kafka.sql: business.orders captured into topics. */
export async function startOrderCapture(pg: TestPostgres, log: PostgresLog): Promise<Job[]> {
  const variables = new Map([
    ['SOURCE_HOST', '127.0.0.1'],
    ['SOURCE_PORT', String(pg.server.port)],
  ]);
  const file = 'examples/ecommerce/1_cdc_source_to_kafka.sql';
  const jobs: Job[] = [];
  for (const plan of planScript(file, readFileSync(file, 'utf8'), variables, {}).jobs) {
    const job = new Job(`capture-${jobs.length}`, plan, log);
    await job.start();
    jobs.push(job);
  }
  return jobs;
}

const CATEGORIES = ['电子产品', '图书', '服装', null];
const STATUSES = ['PENDING', 'PAID', 'SHIPPED'];

/**
 * Writes random changes to business.orders: inserts (ids from `ids.next` on), updates of the amount,
 * category (some to NULL) or status, and deletes; never the last orders. `cents` gives amounts with
 * cents, not only multiples of 5.
 */
export async function writeRandomOrders(
  source: pg.Client,
  random: () => number,
  count: number,
  ids: { next: number },
  cents = false,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const existing = (await source.query<{ id: string }>('SELECT order_id::text AS id FROM business.orders')).rows.map(
      (r) => Number(r.id),
    );
    const op = random();
    const amount = (Math.floor(random() * 200) * 5 + (cents ? random() : 0)).toFixed(2);
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    const status = STATUSES[Math.floor(random() * STATUSES.length)];
    const user = 1001 + Math.floor(random() * 4);
    const id = existing[Math.floor(random() * existing.length)];
    if (op < 0.4 || id === undefined || existing.length < 3) {
      await source.query(
        `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
         VALUES ($1, $2, 'p', $3, 1, $4, $4, $5)`,
        [ids.next++, user, category, amount, status],
      );
    } else if (op < 0.6) {
      await source.query('UPDATE business.orders SET total_amount = $2 WHERE order_id = $1', [id, amount]);
    } else if (op < 0.7) {
      await source.query('UPDATE business.orders SET product_category = $2 WHERE order_id = $1', [id, category]);
    } else if (op < 0.85) {
      await source.query('UPDATE business.orders SET order_status = $2 WHERE order_id = $1', [id, status]);
    } else {
      await source.query('DELETE FROM business.orders WHERE order_id = $1', [id]);
    }
  }
}
