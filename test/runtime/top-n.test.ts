/**
 * Top-N end to end over a real changelog: business.orders captured by postgres-cdc into the upsert
 * topic ods_orders (examples/ecommerce/1_cdc_source_to_kafka.sql), which the Top-N jobs read and
 * rank per category into jdbc tables. The sink tables must end as PostgreSQL computes the same
 * query over the source table (ROW_NUMBER() OVER ... in PostgreSQL), after inserts, updates and
 * deletes, and again after the jobs restart (their state rebuilt by replay) and under a state
 * memory budget of 0 bytes (all state spilled to disk between operator calls).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const SQL = `
CREATE TABLE ods_orders (
  order_id BIGINT, user_id BIGINT, product_name STRING, product_category STRING, quantity INT,
  unit_price DECIMAL(10, 2), total_amount DECIMAL(10, 2), order_status STRING,
  order_time TIMESTAMP(3), updated_at TIMESTAMP(3), PRIMARY KEY (order_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'ods_orders', 'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE top_ranked (category STRING, rn BIGINT, order_id BIGINT, total_amount DECIMAL(10, 2),
  PRIMARY KEY (category, rn) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'topn.ranked',
  'username' = 'postgres', 'password' = 'postgres');
CREATE TABLE top_orders (order_id BIGINT, category STRING, total_amount DECIMAL(10, 2),
  PRIMARY KEY (order_id) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'topn.orders',
  'username' = 'postgres', 'password' = 'postgres');
`;

const RANKED = `${SQL}
INSERT INTO top_ranked SELECT product_category, rn, order_id, total_amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM ods_orders WHERE order_status <> 'CANCELLED') WHERE rn <= 3;`;

const UNRANKED = `${SQL}
INSERT INTO top_orders SELECT order_id, product_category, total_amount FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM ods_orders) WHERE rn BETWEEN 2 AND 3;`;

/** The same queries, as PostgreSQL computes them over the source table. */
const EXPECTED_RANKED = `
SELECT product_category AS category, rn::int, order_id::int, total_amount::text FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM business.orders WHERE order_status <> 'CANCELLED') t WHERE rn <= 3 ORDER BY 1, 2`;
const EXPECTED_UNRANKED = `
SELECT order_id::int, product_category AS category, total_amount::text FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY product_category ORDER BY total_amount DESC, order_id) AS rn
  FROM business.orders) t WHERE rn BETWEEN 2 AND 3 ORDER BY 1`;
const ACTUAL_RANKED = 'SELECT category, rn::int, order_id::int, total_amount::text FROM topn.ranked ORDER BY 1, 2';
const ACTUAL_UNRANKED = 'SELECT order_id::int, category, total_amount::text FROM topn.orders ORDER BY 1';

const CATEGORIES = ['电子产品', '图书', '服装'];

describe('Top-N over postgres-cdc into jdbc tables', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let source: pg.Client;
  let sink: pg.Client;
  let jobs: Job[] = [];
  const random = seededRandom(42);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) =>
    waitForJobs(what, check, [...jobs, ...capture], 60_000);

  /** The CDC job, running throughout. */
  let capture: Job[] = [];

  async function startCapture(): Promise<void> {
    const variables = new Map([
      ['SOURCE_HOST', '127.0.0.1'],
      ['SOURCE_PORT', String(pg.server.port)],
    ]);
    const file = 'examples/ecommerce/1_cdc_source_to_kafka.sql';
    for (const plan of planScript(file, readFileSync(file, 'utf8'), variables, {}).jobs) {
      const job = new Job(`capture-${capture.length}`, plan, log);
      await job.start();
      capture.push(job);
    }
  }

  async function start(): Promise<void> {
    const variables = new Map([['PORT', String(pg.server.port)]]);
    jobs = [];
    for (const [name, sql] of [
      ['ranked.sql', RANKED],
      ['unranked.sql', UNRANKED],
    ] as const) {
      const script = planScript(name, sql, variables, {});
      for (const plan of script.jobs) {
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
      [EXPECTED_RANKED, ACTUAL_RANKED],
      [EXPECTED_UNRANKED, ACTUAL_UNRANKED],
    ] as const) {
      const expected = (await source.query(expectedQuery)).rows;
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

  let nextId = 9000;
  /** Random inserts, updates (amount, category, status) and deletes of orders. */
  async function write(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const ids = (await source.query<{ id: string }>('SELECT order_id::text AS id FROM business.orders')).rows.map(
        (r) => Number(r.id),
      );
      const op = random();
      const amount = (Math.floor(random() * 200) * 5).toFixed(2);
      const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
      const id = ids[Math.floor(random() * ids.length)];
      if (op < 0.4 || id === undefined) {
        await source.query(
          `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount)
           VALUES ($1, 1001, 'p', $2, 1, $3, $3)`,
          [nextId++, category, amount],
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

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    source = await pg.connect('source_db');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA topn;
      CREATE TABLE topn.ranked (category VARCHAR(50), rn BIGINT, order_id BIGINT, total_amount DECIMAL(10, 2), PRIMARY KEY (category, rn));
      CREATE TABLE topn.orders (order_id BIGINT PRIMARY KEY, category VARCHAR(50), total_amount DECIMAL(10, 2));`);
    log = await openTestLog(pg);
    await startCapture();
    await start();
  });

  after(async () => {
    await stop();
    for (const job of capture) await job.cancel();
    capture = [];
    await log?.close();
    await pg?.dispose();
  });

  it('ranks the snapshot as PostgreSQL does', async () => {
    await converged('after the snapshot');
  });

  it('follows inserts, updates and deletes', async () => {
    await write(40);
    await converged('after 40 changes');
  });

  it('rebuilds its state after a restart and goes on', async () => {
    await stop();
    await write(20);
    await start();
    await converged('after a restart');
    await write(30);
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
