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
CREATE TABLE stats_sink (category STRING, orders BIGINT, sd DOUBLE, vs DOUBLE, statuses STRING, kinds STRING,
  paid BIGINT, paid_gmv DECIMAL(38, 2), big_users BIGINT, PRIMARY KEY (category) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'agg.stats',
  'username' = 'postgres', 'password' = 'postgres');
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

type Row = Record<string, unknown>;

/** Rows compared as described above: deviations to 1e-9 relative, LISTAGG parts sorted. */
function same(actual: readonly Row[], expected: readonly Row[]): boolean {
  if (actual.length !== expected.length) return false;
  const close = (a: unknown, b: unknown) =>
    a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  const sorted = (text: unknown) => (typeof text === 'string' ? text.split(';').sort().join(';') : text);
  return actual.every((row, i) => {
    const want = expected[i] as Row;
    return Object.keys(want).every((key) =>
      key === 'sd' || key === 'vs'
        ? close(row[key], want[key])
        : key === 'statuses' || key === 'kinds'
          ? sorted(row[key]) === sorted(want[key])
          : row[key] === want[key],
    );
  });
}

describe('STDDEV/VAR, LISTAGG, DISTINCT and FILTER over postgres-cdc into a jdbc table', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];
  let capture: Job[] = [];
  const random = seededRandom(20);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitForJobs(what, check, [...jobs, ...capture], 60_000);

  async function start(): Promise<void> {
    const variables = new Map([['PORT', String(pg.server.port)]]);
    jobs = [];
    for (const plan of planScript('stats.sql', SQL, variables, {}).jobs) {
      const job = new Job(`stats-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  }

  async function stop(): Promise<void> {
    for (const job of jobs) await job.cancel();
  }

  /** Waits until the sink holds what PostgreSQL computes over the source table. */
  async function converged(what: string): Promise<void> {
    const expected = (await source.query(EXPECTED)).rows;
    assert.ok(
      expected.some((row) => row.vs === null) || expected.some((row) => row.paid_gmv === null) || expected.length > 2,
      'groups of several kinds',
    );
    try {
      await waitFor(what, async () => (same((await sink.query(ACTUAL)).rows, expected) ? true : undefined));
    } finally {
      const actual = (await sink.query(ACTUAL)).rows;
      if (!same(actual, expected)) assert.deepEqual(actual, expected, what);
    }
  }

  const ids = { next: 9000 };
  const write = (count: number) => writeRandomOrders(source, random, count, ids, true);

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    source = await pg.connect('source_db');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA agg;
      CREATE TABLE agg.stats (category TEXT PRIMARY KEY, orders BIGINT, sd DOUBLE PRECISION, vs DOUBLE PRECISION,
        statuses TEXT, kinds TEXT, paid BIGINT, paid_gmv DECIMAL(38, 2), big_users BIGINT);`);
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

  it('aggregates the snapshot as PostgreSQL does', async () => {
    await converged('after the snapshot');
  });

  it('follows inserts, updates and deletes, retracting what a row took back', async () => {
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

  it('gives the same result with all state spilled to disk', async () => {
    const memory = stateMemory();
    const limit = memory.limit;
    await stop();
    memory.configure(0);
    try {
      await start();
      await write(30);
      await converged('with a state memory budget of 0 bytes');
    } finally {
      await stop();
      memory.configure(limit);
      await start();
    }
  });
});
