/**
 * INTERSECT ALL and EXCEPT ALL end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), each
 * side a filter of it, the result counted per row into jdbc tables. The sink tables must end as
 * PostgreSQL computes the same queries over the source table (PostgreSQL has INTERSECT ALL and
 * EXCEPT ALL with the SQL standard's multiplicities, which Flink's rewrite gives), after inserts,
 * updates and deletes, and again after the jobs restart (state rebuilt by replay, spilled).
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
CREATE TABLE both_sink (category STRING, user_id BIGINT, n BIGINT, PRIMARY KEY (category, user_id) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'setops.paid_and_big',
  'username' = 'postgres', 'password' = 'postgres');
CREATE TABLE rest_sink (category STRING, status STRING, n BIGINT, PRIMARY KEY (category, status) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'setops.not_big',
  'username' = 'postgres', 'password' = 'postgres');
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

describe('INTERSECT ALL and EXCEPT ALL over postgres-cdc into jdbc tables', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];
  let capture: Job[] = [];
  const random = seededRandom(1918);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitForJobs(what, check, [...jobs, ...capture], 60_000);

  async function start(): Promise<void> {
    const variables = new Map([['PORT', String(pg.server.port)]]);
    jobs = [];
    for (const [name, sql] of [
      ['intersect-all.sql', INTERSECT_ALL],
      ['except-all.sql', EXCEPT_ALL],
    ] as const) {
      for (const plan of planScript(name, sql, variables, {}).jobs) {
        const job = new Job(`${name}-${jobs.length}`, plan, log);
        await job.start();
        jobs.push(job);
      }
    }
  }

  async function stop(): Promise<void> {
    for (const job of jobs) await job.cancel();
  }

  /** Waits until both sinks hold what PostgreSQL computes over the source table. */
  async function converged(what: string): Promise<void> {
    for (const [expectedQuery, actualQuery] of [
      [EXPECTED_INTERSECT, ACTUAL_INTERSECT],
      [EXPECTED_EXCEPT, ACTUAL_EXCEPT],
    ] as const) {
      const expected = (await source.query(expectedQuery)).rows;
      assert.ok(expected.length > 0, `PostgreSQL has rows for ${actualQuery}`);
      try {
        await waitFor(`${what}: ${actualQuery}`, async () => {
          const actual = (await sink.query(actualQuery)).rows;
          return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
        });
      } finally {
        assert.deepEqual((await sink.query(actualQuery)).rows, expected, what);
      }
    }
  }

  const ids = { next: 9000 };
  const write = (count: number) => writeRandomOrders(source, random, count, ids);

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    source = await pg.connect('source_db');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA setops;
      CREATE TABLE setops.paid_and_big (category TEXT, user_id BIGINT, n BIGINT, PRIMARY KEY (category, user_id));
      CREATE TABLE setops.not_big (category TEXT, status TEXT, n BIGINT, PRIMARY KEY (category, status));`);
    log = await openTestLog(pg);
    capture = await startOrderCapture(pg, log);
    // Enough paid orders of 500 or more that INTERSECT ALL has rows from the start.
    await write(30);
    await source.query(`UPDATE business.orders SET order_status = 'PAID', total_amount = 600 WHERE order_id % 3 = 0`);
    await start();
  });

  after(async () => {
    await stop();
    for (const job of capture) await job.cancel();
    capture = [];
    await log?.close();
    await pg?.dispose();
  });

  it('counts each row as PostgreSQL does', async () => {
    await converged('after the snapshot');
  });

  it('follows inserts, updates and deletes of both sides', async () => {
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
