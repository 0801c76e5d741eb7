/**
 * Window joins end to end: seeded streams of orders and payments on two append topics (in time
 * order but for neighbours swapped by less than the watermark delay, so no row is late), read by
 * one job per query into jdbc tables: a FULL OUTER window join of two window aggregates (orders and
 * payments per user and 10-minute window) and an INNER window join of the rows themselves. Each
 * table must end as PostgreSQL computes the same joins over the same rows (windows from epoch
 * arithmetic), with the jobs stopped halfway and started again (their window state rebuilt by
 * replay) under a state memory budget of 0 bytes (all state spilled to disk between operator
 * calls), and nothing emitted twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { Change } from '../../src/exec/change.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { type PlannedScript, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { formatTimestamp, parseTimestamp } from '../../src/types/temporal.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { topicWriter } from '../helpers/topic-writer.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const jdbc = (table: string) =>
  `WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = '${table}',
    'username' = 'postgres', 'password' = 'postgres')`;

const SQL = `
CREATE TABLE orders (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'orders', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE payments (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'payments', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE per_user (user_id STRING, window_start TIMESTAMP(3), orders BIGINT, payments BIGINT)
  ${jdbc('wj.per_user')};
CREATE TABLE pairs (user_id STRING, window_start TIMESTAMP(3), ordered INT, paid INT)
  ${jdbc('wj.pairs')};

INSERT INTO per_user
SELECT COALESCE(o.user_id, p.user_id), COALESCE(o.window_start, p.window_start), o.cnt, p.cnt
FROM (SELECT user_id, window_start, window_end, COUNT(*) AS cnt
  FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end) o
FULL JOIN (SELECT user_id, window_start, window_end, COUNT(*) AS cnt
  FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) GROUP BY user_id, window_start, window_end) p
ON o.user_id = p.user_id AND o.window_start = p.window_start AND o.window_end = p.window_end;

INSERT INTO pairs
SELECT o.user_id, o.window_start, o.amount, p.amount
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) o
JOIN TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) p
ON o.user_id = p.user_id AND o.window_start = p.window_start AND o.window_end = p.window_end;
`;

const bucket = `(to_timestamp(floor(extract(epoch FROM ts) / 600) * 600) AT TIME ZONE 'UTC')`;
const CHECKS: readonly { table: string; actual: string; expected: string }[] = [
  {
    table: 'per_user',
    actual:
      'SELECT user_id, window_start::text, orders::int, payments::int FROM wj.per_user ORDER BY 1, 2, 3 NULLS FIRST, 4 NULLS FIRST',
    expected: `
      WITH o AS (SELECT user_id, ${bucket} AS ws, count(*)::int AS cnt FROM wj.orders GROUP BY 1, 2),
        p AS (SELECT user_id, ${bucket} AS ws, count(*)::int AS cnt FROM wj.payments GROUP BY 1, 2)
      SELECT COALESCE(o.user_id, p.user_id) AS user_id, COALESCE(o.ws, p.ws)::text AS window_start,
        o.cnt AS orders, p.cnt AS payments
      FROM o FULL JOIN p ON o.user_id = p.user_id AND o.ws = p.ws
      ORDER BY 1, 2, 3 NULLS FIRST, 4 NULLS FIRST`,
  },
  {
    table: 'pairs',
    actual: 'SELECT user_id, window_start::text, ordered, paid FROM wj.pairs ORDER BY 1, 2, 3, 4',
    expected: `
      SELECT o.user_id, o.ws::text AS window_start, o.amount AS ordered, p.amount AS paid
      FROM (SELECT *, ${bucket} AS ws FROM wj.orders) o
      JOIN (SELECT *, ${bucket} AS ws FROM wj.payments) p ON o.user_id = p.user_id AND o.ws = p.ws
      ORDER BY 1, 2, 3, 4`,
  },
];

const USERS = ['ann', 'bob', 'cat', 'dan'];
const START = parseTimestamp('2025-07-12 09:00:00') as number;
const SECOND = 1_000_000;

interface Event {
  readonly user: string;
  readonly amount: number;
  readonly ts: number;
}

/** Events over about three hours per user, pauses of 10 s to 19 min; in time order but for close neighbours swapped. */
function events(seed: number): Event[] {
  const random = seededRandom(seed);
  const all: Event[] = [];
  for (const user of USERS) {
    let ts = START + Math.floor(random() * 600) * SECOND;
    for (let i = 0; i < 40; i++) {
      all.push({ user, amount: 1 + Math.floor(random() * 1000), ts });
      ts += (10 + Math.floor(random() * 1140)) * SECOND;
    }
  }
  all.sort((a, b) => a.ts - b.ts || a.user.localeCompare(b.user));
  for (let i = 0; i + 1 < all.length; i++) {
    const [a, b] = [all[i], all[i + 1]] as [Event, Event];
    if (b.ts - a.ts < 30 * SECOND && random() < 0.5) [all[i], all[i + 1]] = [b, a];
  }
  return all;
}

describe('window joins as jobs on the postgres log', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let sink: pg.Client;
  let script: PlannedScript;
  let jobs: Job[] = [];
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs, 60_000);

  async function produce(topic: string, rows: readonly Event[]): Promise<void> {
    const write = topicWriter(script.catalog.get(topic) as CatalogTable);
    const changes: Change[] = rows.map((e) => ({ kind: '+I', row: [e.user, e.amount, e.ts] }));
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }

  async function start(): Promise<void> {
    jobs = [];
    for (const plan of script.jobs) {
      const job = new Job(`window-join-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA wj;
      CREATE TABLE wj.orders (user_id TEXT, amount INT, ts TIMESTAMP(3));
      CREATE TABLE wj.payments (user_id TEXT, amount INT, ts TIMESTAMP(3));
      CREATE TABLE wj.per_user (user_id TEXT, window_start TIMESTAMP(3), orders BIGINT, payments BIGINT);
      CREATE TABLE wj.pairs (user_id TEXT, window_start TIMESTAMP(3), ordered INT, paid INT);`);
    log = await openTestLog(pg);
    await log.ensureTopic('orders');
    await log.ensureTopic('payments');
    script = planScript('window-join.sql', SQL, new Map([['PORT', String(pg.server.port)]]), {});
  });

  after(async () => {
    for (const job of jobs) if (job.status === 'RUNNING') await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('ends as PostgreSQL joins the same rows, across a restart with all state spilled', async () => {
    const streams = { orders: events(11), payments: events(12) };
    for (const [table, rows] of Object.entries(streams)) {
      for (const e of rows) {
        await sink.query(`INSERT INTO wj.${table} VALUES ($1, $2, $3::timestamp)`, [
          e.user,
          e.amount,
          formatTimestamp(e.ts, 3),
        ]);
      }
    }
    const half = (rows: readonly Event[]) => Math.floor(rows.length / 2);
    await produce('orders', streams.orders.slice(0, half(streams.orders)));
    await produce('payments', streams.payments.slice(0, half(streams.payments)));
    await start();
    await waitFor('the first joined windows', async () =>
      (await sink.query('SELECT 1 FROM wj.per_user LIMIT 1')).rows.length > 0 ? true : undefined,
    );
    for (const job of jobs) await job.cancel();

    const memory = stateMemory();
    const limit = memory.limit;
    const restored = memory.restoredEntries;
    memory.configure(0);
    try {
      // The rest, then a row a day later on each topic whose watermark completes every window before it.
      const flush: Event = { user: 'zz', amount: 0, ts: START + 86_400 * SECOND };
      await produce('orders', [...streams.orders.slice(half(streams.orders)), flush]);
      await produce('payments', [...streams.payments.slice(half(streams.payments)), flush]);
      await start();
      for (const { table, actual, expected } of CHECKS) {
        const want = (await sink.query(expected)).rows;
        assert.ok(want.length > 10, `${table}: the expected result has rows`);
        try {
          await waitFor(table, async () =>
            JSON.stringify((await sink.query(actual)).rows) === JSON.stringify(want) ? true : undefined,
          );
        } finally {
          assert.deepEqual((await sink.query(actual)).rows, want, table);
        }
      }
      assert.ok(memory.restoredEntries > restored, 'window state was read back from disk');
    } finally {
      for (const job of jobs) await job.cancel();
      memory.configure(limit);
    }
  });
});
