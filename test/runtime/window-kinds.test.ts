/**
 * Session windows, legacy group windows, window Top-N and window deduplication end to end: a seeded
 * stream of clicks on an append topic (in time order but for neighbours swapped by less than the
 * watermark delay, so no row is late), read by one job per query into jdbc tables. Each table must
 * end as PostgreSQL computes the same grouping over the same clicks (sessions as gaps and islands,
 * windows from epoch arithmetic, ROW_NUMBER and DISTINCT ON), with the jobs stopped halfway and
 * started again (their window state rebuilt by replay) under a state memory budget of 0 bytes (all
 * state spilled to disk between operator calls), and nothing emitted twice.
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
CREATE TABLE clicks (user_id STRING, amount INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'clicks', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE sessions (user_id STRING, session_start TIMESTAMP(3), session_end TIMESTAMP(3), clicks BIGINT, amount INT)
  ${jdbc('win.sessions')};
CREATE TABLE tvf_sessions (user_id STRING, session_start TIMESTAMP(3), session_end TIMESTAMP(3), clicks BIGINT, amount INT)
  ${jdbc('win.tvf_sessions')};
CREATE TABLE hops (window_start TIMESTAMP(3), window_end TIMESTAMP(3), clicks BIGINT, amount INT)
  ${jdbc('win.hops')};
CREATE TABLE top_users (window_start TIMESTAMP(3), window_end TIMESTAMP(3), user_id STRING, amount INT, rn BIGINT)
  ${jdbc('win.top_users')};
CREATE TABLE first_clicks (window_start TIMESTAMP(3), user_id STRING, amount INT, ts TIMESTAMP(3))
  ${jdbc('win.first_clicks')};

INSERT INTO sessions
SELECT user_id, SESSION_START(ts, INTERVAL '5' MINUTE), SESSION_END(ts, INTERVAL '5' MINUTE), COUNT(*), SUM(amount)
FROM clicks GROUP BY user_id, SESSION(ts, INTERVAL '5' MINUTE);

INSERT INTO tvf_sessions
SELECT user_id, window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY user_id, window_start, window_end;

INSERT INTO hops
SELECT HOP_START(ts, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE), HOP_END(ts, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE),
  COUNT(*), SUM(amount)
FROM clicks GROUP BY HOP(ts, INTERVAL '5' MINUTE, INTERVAL '10' MINUTE);

INSERT INTO top_users
SELECT window_start, window_end, user_id, total, rn FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC, user_id) AS rn
  FROM (
    SELECT window_start, window_end, user_id, SUM(amount) AS total
    FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
    GROUP BY window_start, window_end, user_id)
) WHERE rn <= 2;

INSERT INTO first_clicks
SELECT window_start, user_id, amount, ts FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, user_id ORDER BY ts) AS rn
  FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
) WHERE rn = 1;
`;

/** Each sink table, and PostgreSQL's grouping of the same clicks (table win.events). */
const bucket = (seconds: number) =>
  `(to_timestamp(floor(extract(epoch FROM ts) / ${seconds}) * ${seconds}) AT TIME ZONE 'UTC')`;
const CHECKS: readonly { table: string; actual: string; expected: string }[] = [
  ...['sessions', 'tvf_sessions'].map((table) => ({
    table,
    actual: `SELECT user_id, session_start::text, session_end::text, clicks::int, amount FROM win.${table} ORDER BY 1, 2`,
    expected: `
      WITH o AS (
        SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= interval '5 minutes' THEN 0 ELSE 1 END AS new
        FROM win.events),
      s AS (SELECT *, sum(new) OVER (PARTITION BY user_id ORDER BY ts) AS sid FROM o)
      SELECT user_id, min(ts)::text AS session_start, (max(ts) + interval '5 minutes')::text AS session_end,
        count(*)::int AS clicks, sum(amount)::int AS amount
      FROM s GROUP BY user_id, sid ORDER BY 1, 2`,
  })),
  {
    table: 'hops',
    actual: 'SELECT window_start::text, window_end::text, clicks::int, amount FROM win.hops ORDER BY 1',
    expected: `
      SELECT ws::text AS window_start, (ws + interval '10 minutes')::text AS window_end, count(*)::int AS clicks,
        sum(amount)::int AS amount
      FROM (SELECT *, ${bucket(300)} - k * interval '5 minutes' AS ws FROM win.events, generate_series(0, 1) k) e
      GROUP BY ws ORDER BY 1`,
  },
  {
    table: 'top_users',
    actual: 'SELECT window_start::text, window_end::text, user_id, amount, rn::int FROM win.top_users ORDER BY 1, 5',
    expected: `
      SELECT ws::text AS window_start, (ws + interval '10 minutes')::text AS window_end, user_id, total::int AS amount, rn::int
      FROM (
        SELECT ws, user_id, sum(amount) AS total,
          row_number() OVER (PARTITION BY ws ORDER BY sum(amount) DESC, user_id) AS rn
        FROM (SELECT *, ${bucket(600)} AS ws FROM win.events) e GROUP BY ws, user_id) t
      WHERE rn <= 2 ORDER BY 1, 5`,
  },
  {
    table: 'first_clicks',
    actual: 'SELECT window_start::text, user_id, amount, ts::text FROM win.first_clicks ORDER BY 1, 2',
    expected: `
      SELECT DISTINCT ON (ws, user_id) ws::text AS window_start, user_id, amount, ts::text
      FROM (SELECT *, ${bucket(600)} AS ws FROM win.events) e ORDER BY ws, user_id, ts`,
  },
];

const USERS = ['ann', 'bob', 'cat', 'dan'];
const START = parseTimestamp('2025-07-12 09:00:00') as number;
const SECOND = 1_000_000;

/**
 * Clicks over about three hours: each user clicks after pauses of 10 s to 12 min (so sessions of a
 * 5-minute gap split and merge), at whole seconds, each user's times distinct; in time order, but
 * neighbours less than 30 s apart (the watermark delay) are sometimes swapped.
 */
function clicks(): { user: string; amount: number; ts: number }[] {
  const random = seededRandom(7);
  const all: { user: string; amount: number; ts: number }[] = [];
  for (const user of USERS) {
    let ts = START + Math.floor(random() * 600) * SECOND;
    for (let i = 0; i < 60; i++) {
      all.push({ user, amount: 1 + Math.floor(random() * 1000), ts });
      const pause = random() < 0.7 ? 10 + Math.floor(random() * 290) : 300 + Math.floor(random() * 420);
      ts += pause * SECOND;
    }
  }
  all.sort((a, b) => a.ts - b.ts || a.user.localeCompare(b.user));
  for (let i = 0; i + 1 < all.length; i++) {
    const [a, b] = [all[i], all[i + 1]] as [(typeof all)[0], (typeof all)[0]];
    if (b.ts - a.ts < 30 * SECOND && random() < 0.5) [all[i], all[i + 1]] = [b, a];
  }
  return all;
}

describe('session windows, group windows, window Top-N and deduplication as jobs on the postgres log', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let sink: pg.Client;
  let script: PlannedScript;
  let jobs: Job[] = [];
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs, 60_000);

  async function produce(changes: Change[]): Promise<void> {
    const write = topicWriter(script.catalog.get('clicks') as CatalogTable);
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }

  async function start(): Promise<void> {
    jobs = [];
    for (const plan of script.jobs) {
      const job = new Job(`window-${jobs.length}`, plan, log);
      await job.start();
      jobs.push(job);
    }
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    sink = await pg.connect('sink_db');
    await sink.query(`CREATE SCHEMA win;
      CREATE TABLE win.events (user_id TEXT, amount INT, ts TIMESTAMP(3));
      CREATE TABLE win.sessions (user_id TEXT, session_start TIMESTAMP(3), session_end TIMESTAMP(3), clicks BIGINT, amount INT);
      CREATE TABLE win.tvf_sessions (user_id TEXT, session_start TIMESTAMP(3), session_end TIMESTAMP(3), clicks BIGINT, amount INT);
      CREATE TABLE win.hops (window_start TIMESTAMP(3), window_end TIMESTAMP(3), clicks BIGINT, amount INT);
      CREATE TABLE win.top_users (window_start TIMESTAMP(3), window_end TIMESTAMP(3), user_id TEXT, amount INT, rn BIGINT);
      CREATE TABLE win.first_clicks (window_start TIMESTAMP(3), user_id TEXT, amount INT, ts TIMESTAMP(3));`);
    log = await openTestLog(pg);
    await log.ensureTopic('clicks');
    script = planScript('windows.sql', SQL, new Map([['PORT', String(pg.server.port)]]), {});
  });

  after(async () => {
    for (const job of jobs) if (job.status === 'RUNNING') await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('ends as PostgreSQL groups the same clicks, across a restart with all state spilled', async () => {
    const all = clicks();
    for (const click of all) {
      await sink.query('INSERT INTO win.events VALUES ($1, $2, $3::timestamp)', [
        click.user,
        click.amount,
        formatTimestamp(click.ts, 3),
      ]);
    }
    const change = (c: { user: string; amount: number; ts: number }): Change => ({
      kind: '+I',
      row: [c.user, c.amount, c.ts],
    });
    const half = Math.floor(all.length / 2);
    await produce(all.slice(0, half).map(change));
    await start();
    await waitFor('the first sessions', async () =>
      (await sink.query('SELECT 1 FROM win.sessions LIMIT 1')).rows.length > 0 ? true : undefined,
    );
    for (const job of jobs) await job.cancel();

    const memory = stateMemory();
    const limit = memory.limit;
    const restored = memory.restoredEntries;
    memory.configure(0);
    try {
      // The rest, then a click a day later whose watermark completes every window before it.
      const flush = { user: 'zz', amount: 0, ts: START + 86_400 * SECOND };
      await produce([...all.slice(half), flush].map(change));
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
