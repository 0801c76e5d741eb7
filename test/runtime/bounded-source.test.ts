import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LogReader } from '../../src/log/log.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { type PlannedJob, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const TABLES = `
  CREATE TABLE events (id BIGINT, name STRING) WITH (
    'connector' = 'kafka', 'topic' = 'events', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = 'latest-offset', 'scan.parallelism' = '2');
  CREATE TABLE copied (id BIGINT, name STRING) WITH ('connector' = 'kafka', 'topic' = 'copied', 'format' = 'json');
  SET 'parallelism.default' = '4';
  INSERT INTO copied SELECT * FROM events;`;

describe('bounded sources in a job', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  const jobs: Job[] = [];
  const readers: LogReader[] = [];

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
  });
  after(async () => {
    for (const job of jobs) await job.cancel();
    for (const reader of readers) await reader.close();
    await log?.close();
    await pg?.dispose();
  });

  const event = (id: number) => ({ topic: 'events', key: null, value: Buffer.from(`{"id":${id},"name":"e${id}"}`) });
  const plan = (): PlannedJob => planScript('bounded.sql', TABLES, new Map(), {}).jobs[0] as PlannedJob;

  async function copied(): Promise<string[]> {
    const reader = await log.openReader('copied', { kind: 'earliest' });
    readers.push(reader);
    const out: string[] = [];
    for (let batch = await reader.poll(100, 200); batch.length > 0; batch = await reader.poll(100, 200))
      out.push(...batch.map((record) => record.value?.toString() ?? 'null'));
    return out;
  }

  it('reads up to the latest offsets of its start, then FINISHES; started again, it reads nothing twice', async () => {
    await log.ensureTopic('events');
    await log.produce([1, 2, 3].map(event));
    const job = new Job('bounded', plan(), log);
    jobs.push(job);
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warned.push(message);
    try {
      await job.start();
    } finally {
      console.warn = warn;
    }
    await log.produce([event(4)]);
    await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), jobs);
    assert.deepEqual(await copied(), ['{"id":1,"name":"e1"}', '{"id":2,"name":"e2"}', '{"id":3,"name":"e3"}']);
    assert.deepEqual(warned, [
      "job insert-into_default_catalog.default_database.copied: SET 'parallelism.default' = '4' has no effect: the job has no keyed operator to divide by key, and runs as one task",
      "job insert-into_default_catalog.default_database.copied: table 'events': option 'scan.parallelism' = '2' has no effect: a source is read by one task of its job (a parallel job's router), with no parallelism of its own",
    ]);

    // Started again, it resumes at its committed end, which the latest offset now lies beyond.
    const again = new Job('bounded', plan(), log);
    jobs.push(again);
    await again.start();
    await waitFor('FINISHED again', async () => (again.status === 'FINISHED' ? true : undefined), jobs);
    assert.equal((await copied()).length, 4, 'the record appended before the restart, and nothing twice');
  });

  it('FINISHES a parallel job over a jdbc scan and over datagen rows, its sink as PostgreSQL computes it', async () => {
    const client = await pg.connect();
    await client.query('CREATE TABLE clicks (user_id bigint)');
    await client.query('INSERT INTO clicks SELECT 1 + i % 7 FROM generate_series(1, 200) AS i');
    await client.query('CREATE TABLE per_user (user_id bigint PRIMARY KEY, n bigint)');
    await client.query('CREATE TABLE per_seq (k bigint PRIMARY KEY, n bigint)');
    const jdbc = (table: string) =>
      `'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/postgres', 'table-name' = 'public.${table}', 'username' = 'postgres'`;
    const script = `
      SET 'parallelism.default' = '2';
      CREATE TABLE clicks (user_id BIGINT) WITH (${jdbc('clicks')});
      CREATE TABLE per_user (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (${jdbc('per_user')});
      CREATE TABLE seq (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '50',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '50');
      CREATE TABLE per_seq (k BIGINT, n BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH (${jdbc('per_seq')});
      SET 'pipeline.name' = 'jdbc-per-user';
      INSERT INTO per_user SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
      SET 'pipeline.name' = 'datagen-per-k';
      INSERT INTO per_seq SELECT id, COUNT(*) FROM seq GROUP BY id;`;
    const planned = planScript('parallel-bounded.sql', script, new Map(), {}).jobs as PlannedJob[];
    for (const each of planned) {
      const job = new Job(each.name, each, log);
      jobs.push(job);
      assert.equal(job.parallelism, 2);
      await job.start();
      await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), jobs, 60_000);
    }
    const rows = async (sql: string) => (await client.query(sql)).rows.map((r) => `${r.k}:${r.n}`).join(' ');
    assert.equal(
      await rows('SELECT user_id AS k, n FROM per_user ORDER BY 1'),
      await rows('SELECT user_id AS k, count(*) AS n FROM clicks GROUP BY 1 ORDER BY 1'),
    );
    assert.equal(
      await rows('SELECT k, n FROM per_seq ORDER BY 1'),
      await rows('SELECT i AS k, 1 AS n FROM generate_series(1, 50) AS i ORDER BY 1'),
    );
  });
});
