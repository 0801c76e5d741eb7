/**
 * GROUPING SETS, ROLLUP and CUBE end to end over a real changelog: business.orders captured by
 * postgres-cdc into the upsert topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql),
 * aggregated by grouping sets into jdbc tables. The sink tables must end as PostgreSQL computes the
 * same query over the source table (PostgreSQL has GROUPING SETS, ROLLUP, CUBE and GROUPING(), whose
 * several-argument form is Flink's GROUPING_ID), after inserts, updates (amounts, categories, some
 * set to NULL, statuses) and deletes, and again after the jobs restart (state rebuilt by replay).
 *
 * The group keys a set leaves out are NULL, as is a NULL category in the data: the sinks key their
 * rows by the keys (COALESCEd, PostgreSQL keys have no NULL) and the grouping id, which tells them apart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
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
CREATE TABLE rollup_sink (category STRING, status STRING, gid BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
  PRIMARY KEY (category, status, gid) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'grouping.rollup_totals',
  'username' = 'postgres', 'password' = 'postgres');
CREATE TABLE sets_sink (category STRING, status STRING, gid BIGINT, users BIGINT, top DECIMAL(10, 2),
  PRIMARY KEY (category, status, gid) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'grouping.set_totals',
  'username' = 'postgres', 'password' = 'postgres');
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
const ACTUAL_ROLLUP =
  'SELECT category, status, gid::int, orders::int, gmv::text FROM grouping.rollup_totals ORDER BY 1, 2, 3';
const ACTUAL_SETS =
  'SELECT category, status, gid::int, users::int, top::text FROM grouping.set_totals ORDER BY 1, 2, 3';

describe('GROUPING SETS and ROLLUP over postgres-cdc into jdbc tables', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];
  let capture: Job[] = [];
  const random = seededRandom(19);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitForJobs(what, check, [...jobs, ...capture], 60_000);

  async function start(): Promise<void> {
    const variables = new Map([['PORT', String(pg.server.port)]]);
    jobs = [];
    for (const [name, sql] of [
      ['rollup.sql', ROLLUP],
      ['sets.sql', SETS],
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
      [EXPECTED_ROLLUP, ACTUAL_ROLLUP],
      [EXPECTED_SETS, ACTUAL_SETS],
    ] as const) {
      const expected = (await source.query(expectedQuery)).rows;
      assert.ok(expected.some((row) => row.gid === 3) && expected.some((row) => row.gid !== 3), 'totals and groups');
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
    await sink.query(`CREATE SCHEMA grouping;
      CREATE TABLE grouping.rollup_totals (category TEXT, status TEXT, gid BIGINT, orders BIGINT, gmv DECIMAL(38, 2),
        PRIMARY KEY (category, status, gid));
      CREATE TABLE grouping.set_totals (category TEXT, status TEXT, gid BIGINT, users BIGINT, top DECIMAL(10, 2),
        PRIMARY KEY (category, status, gid));`);
    log = await openTestLog(pg);
    capture = await startOrderCapture(pg, log);
    await start();
  });

  after(async () => {
    await stop();
    for (const job of capture) await job.cancel();
    capture = [];
    await log?.close();
    await pg?.dispose();
  });

  it('aggregates the snapshot by each grouping set as PostgreSQL does', async () => {
    await converged('after the snapshot');
  });

  it('follows inserts, updates and deletes, retracting from every set a row left', async () => {
    await write(40);
    await converged('after 40 changes');
  });

  it('rebuilds its state after a restart and goes on', async () => {
    await stop();
    await write(15);
    await start();
    await converged('after a restart');
    await write(20);
    await converged('after more changes');
  });
});
