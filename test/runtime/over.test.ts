/**
 * OVER aggregates end to end: payments appended to a kafka topic with a watermark, moving sums
 * per account over the last 3 rows (ROWS) and the last minute (RANGE) written to jdbc tables. Each
 * sink must hold what PostgreSQL computes with the same window functions over the payments the
 * watermark has passed (rows are emitted when it reaches them), without the late one; again after
 * the jobs restart (their windows rebuilt by replay) with all state spilled to disk.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { Change } from '../../src/exec/change.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { parseTimestamp } from '../../src/types/temporal.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { topicWriter } from '../helpers/topic-writer.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const SQL = `
CREATE TABLE payments (payment_id BIGINT, account STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
WITH ('connector' = 'kafka', 'topic' = 'payments', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE moving (payment_id BIGINT, account STRING, total DECIMAL(38, 2), cnt BIGINT, hi DECIMAL(10, 2))
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'over_test.moving',
  'username' = 'postgres', 'password' = 'postgres');
CREATE TABLE minute (payment_id BIGINT, account STRING, total DECIMAL(38, 2), cnt BIGINT, lo DECIMAL(10, 2))
WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:\${PORT}/sink_db', 'table-name' = 'over_test.minute',
  'username' = 'postgres', 'password' = 'postgres');
`;

const JOBS = [
  `${SQL} INSERT INTO moving SELECT payment_id, account, SUM(amount) OVER w, COUNT(*) OVER w, MAX(amount) OVER w
   FROM payments WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);`,
  `${SQL} INSERT INTO minute SELECT payment_id, account,
     SUM(amount) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW),
     COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW),
     MIN(amount) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)
   FROM payments;`,
];

/** The same windows as PostgreSQL computes them, over the payments at or before the watermark. */
const EXPECTED = [
  `SELECT payment_id::int, account, (SUM(amount) OVER w)::text AS total, (COUNT(*) OVER w)::int AS cnt,
     (MAX(amount) OVER w)::text AS hi
   FROM over_test.payments WHERE ts <= $1
   WINDOW w AS (PARTITION BY account ORDER BY ts, seq ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) ORDER BY 1`,
  `SELECT payment_id::int, account, (SUM(amount) OVER w)::text AS total, (COUNT(*) OVER w)::int AS cnt,
     (MIN(amount) OVER w)::text AS lo
   FROM over_test.payments WHERE ts <= $1
   WINDOW w AS (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1 minute' PRECEDING AND CURRENT ROW) ORDER BY 1`,
];
const ACTUAL = [
  'SELECT payment_id::int, account, total::text, cnt::int, hi::text FROM over_test.moving ORDER BY 1',
  'SELECT payment_id::int, account, total::text, cnt::int, lo::text FROM over_test.minute ORDER BY 1',
];

const ACCOUNTS = ['anna', 'ben', 'carl'];
const START = parseTimestamp('2025-07-12 09:00:00') as number;
const SECOND = 1_000_000;

describe('OVER aggregates on event time from a kafka topic into jdbc tables', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let sink: pg.Client;
  let jobs: Job[] = [];
  const random = seededRandom(7);
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs, 60_000);
  const script = () => planScript('over.sql', JOBS[0] as string, new Map([['PORT', String(pg.server.port)]]), {});

  async function start(): Promise<void> {
    jobs = [];
    for (const [i, sql] of JOBS.entries()) {
      for (const plan of planScript(`over-${i}.sql`, sql, new Map([['PORT', String(pg.server.port)]]), {}).jobs) {
        const job = new Job(`over-${i}`, plan, log);
        await job.start();
        jobs.push(job);
      }
    }
  }

  async function stop(): Promise<void> {
    for (const job of jobs) await job.cancel();
  }

  let nextId = 1;
  let clock = START;
  let newest = START;
  const written: { account: string; at: number }[] = [];
  /**
   * Appends payments to the topic and to PostgreSQL's copy, mostly some seconds apart, now and
   * then at the same instant (peers) or a second back (before the watermark reaches it); `late`
   * appends first, to the topic only, a payment of the account whose payment the watermark passed
   * last, a millisecond before that one: the over aggregates have emitted that account past it.
   */
  async function pay(count: number, late = false): Promise<void> {
    const table = script().catalog.get('payments') as CatalogTable;
    const write = topicWriter(table);
    const changes: Change[] = [];
    if (late) {
      const passed = written.filter((p) => p.at <= newest - 2 * SECOND).sort((a, b) => b.at - a.at)[0];
      assert.ok(passed);
      changes.push({ kind: '+I', row: [BigInt(nextId++), passed.account, 100000n, passed.at - 1000] });
    }
    for (let i = 0; i < count; i++) {
      const step = random();
      if (step >= 0.15)
        clock = step < 0.25 && clock === newest ? clock - SECOND : newest + Math.ceil(random() * 25) * SECOND;
      const account = ACCOUNTS[Math.floor(random() * ACCOUNTS.length)] as string;
      const cents = Math.floor(random() * 1000) + 1;
      const id = nextId++;
      if (clock > newest) newest = clock;
      written.push({ account, at: clock });
      changes.push({ kind: '+I', row: [BigInt(id), account, BigInt(cents), clock] });
      await sink.query(
        `INSERT INTO over_test.payments (payment_id, account, amount, ts)
         VALUES ($1, $2, $3 / 100.0, to_timestamp($4 / 1e6) AT TIME ZONE 'UTC')`,
        [id, account, cents, clock],
      );
    }
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }

  /** Waits until both sinks hold what PostgreSQL computes up to the watermark. */
  async function converged(what: string): Promise<void> {
    const watermark = new Date((newest - 2 * SECOND) / 1000).toISOString().replace('T', ' ').replace('Z', '');
    for (const [i, query] of EXPECTED.entries()) {
      const expected = (await sink.query(query, [watermark])).rows;
      assert.ok(expected.length > 0, `${what}: PostgreSQL computes windows`);
      const actual = ACTUAL[i] as string;
      try {
        await waitFor(`${what}: ${actual}`, async () => {
          const rows = (await sink.query(actual)).rows;
          return JSON.stringify(rows) === JSON.stringify(expected) ? true : undefined;
        });
      } finally {
        assert.deepEqual((await sink.query(actual)).rows, expected, what);
      }
    }
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA over_test;
      CREATE TABLE over_test.payments (seq SERIAL, payment_id BIGINT, account TEXT, amount DECIMAL(10, 2), ts TIMESTAMP(3));
      CREATE TABLE over_test.moving (payment_id BIGINT, account TEXT, total DECIMAL(38, 2), cnt BIGINT, hi DECIMAL(10, 2));
      CREATE TABLE over_test.minute (payment_id BIGINT, account TEXT, total DECIMAL(38, 2), cnt BIGINT, lo DECIMAL(10, 2));`);
    log = await openTestLog(pg);
    await log.ensureTopic('payments');
    await start();
  });

  after(async () => {
    await stop();
    await sink?.end();
    await log?.close();
    await pg?.dispose();
  });

  it('emits each payment with its window as the watermark passes it, as PostgreSQL computes the windows', async () => {
    await pay(60);
    await converged('after 60 payments');
  });

  it('rebuilds its windows after a restart, with all state spilled to disk', async () => {
    await stop();
    await pay(30);
    const memory = stateMemory();
    const limit = memory.limit;
    memory.configure(0);
    try {
      await start();
      await converged('after a restart');
      await pay(30);
      await converged('after more payments');
    } finally {
      memory.configure(limit);
    }
  });

  it('drops a late payment', async () => {
    await pay(20, true);
    await converged('after a late payment and 20 more');
  });
});
