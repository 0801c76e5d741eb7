/**
 * Correlated scalar subqueries end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), each
 * order with the largest amount of its category and the number of paid orders of its user, into a
 * jdbc table. It must end as PostgreSQL computes the same query over the source table (correlated
 * subqueries evaluated per row, COUNT 0 and MAX NULL where nothing matches), after inserts, updates
 * and deletes, and again after the job restarts (state rebuilt by replay, spilled).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { startOrderCapture, writeRandomOrders } from '../helpers/ecommerce-orders.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const SQL = `
CREATE TABLE ods_orders (
  order_id BIGINT, user_id BIGINT, product_name STRING, product_category STRING, quantity INT,
  unit_price DECIMAL(10, 2), total_amount DECIMAL(10, 2), order_status STRING,
  order_time TIMESTAMP(3), updated_at TIMESTAMP(3), PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_orders', 'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE per_order (order_id BIGINT, top DECIMAL(10, 2), paid BIGINT, PRIMARY KEY (order_id) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'correlated.per_order',
  'username' = 'postgres', 'password' = 'postgres');
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
  let pg: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];
  let capture: Job[] = [];
  const random = seededRandom(1919);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitForJobs(what, check, [...jobs, ...capture], 60_000);

  async function start(): Promise<void> {
    const variables = new Map([['PORT', String(pg.server.port)]]);
    jobs = [];
    for (const plan of planScript('correlated.sql', QUERY, variables, {}).jobs) {
      const job = new Job(`correlated-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  }

  async function stop(): Promise<void> {
    for (const job of jobs) await job.cancel();
  }

  /** Waits until the sink holds what PostgreSQL computes over the source table. */
  async function converged(what: string, unmatched = false): Promise<void> {
    const expected = (await source.query(EXPECTED)).rows;
    assert.ok(expected.length > 0, 'orders');
    if (unmatched) {
      assert.ok(
        expected.some((row) => row.top === null) && expected.some((row) => row.paid === 0),
        'rows without a match: MAX is NULL, COUNT 0',
      );
    }
    try {
      await waitFor(what, async () => {
        const actual = (await sink.query(ACTUAL)).rows;
        return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
      });
    } finally {
      assert.deepEqual((await sink.query(ACTUAL)).rows, expected, what);
    }
  }

  const ids = { next: 9000 };
  const write = (count: number) => writeRandomOrders(source, random, count, ids);

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    source = await pg.connect('source_db');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA correlated;
      CREATE TABLE correlated.per_order (order_id BIGINT PRIMARY KEY, top DECIMAL(10, 2), paid BIGINT);`);
    log = await openTestLog(pg);
    capture = await startOrderCapture(pg, log);
    // Orders whose category is NULL (MAX of nothing) and a user without paid orders (COUNT 0).
    await write(30);
    await source.query(`UPDATE business.orders SET product_category = NULL WHERE order_id % 4 = 0`);
    await source.query(`UPDATE business.orders SET order_status = 'NEW' WHERE user_id = 1001`);
    await start();
  });

  after(async () => {
    await stop();
    for (const job of capture) await job.cancel();
    capture = [];
    await log?.close();
    await pg?.dispose();
  });

  it('gives each order the values PostgreSQL computes', async () => {
    await converged('after the snapshot', true);
  });

  it('follows inserts, updates and deletes of the outer rows and of the subqueries', async () => {
    await write(40);
    await converged('after 40 changes');
  });

  it('rebuilds its state after a restart, spilled, and goes on', async () => {
    await stop();
    await write(15);
    const limit = stateMemory().limit;
    stateMemory().configure(0);
    const spilledBefore = stateMemory().spilledEntries;
    try {
      await start();
      await converged('after a restart');
      assert.ok(stateMemory().spilledEntries > spilledBefore, 'state was spilled');
    } finally {
      stateMemory().configure(limit);
    }
    await write(20);
    await converged('after more changes');
  });
});
