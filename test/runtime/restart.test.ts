import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/** A job from topic `events` into table `public.events` of database `sink`, with these SET lines. */
/** The sink's password (the test server trusts loopback): it must never be printed. */
const PASSWORD = 'never-print-this-password';

function script(pg: TestPostgres, settings: string): string {
  return `${settings}
    CREATE TABLE events_in (id BIGINT, note STRING) WITH (
      'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = 'unused:9092',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE events_out (id BIGINT, note STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
      'table-name' = 'public.events', 'username' = 'postgres', 'password' = '${PASSWORD}',
      'sink.max-retries' = '0');
    INSERT INTO events_out SELECT * FROM events_in;`;
}

describe('restart strategy: a failed job starts again from its last commit', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let sink: pg.Client;
  const jobs: Job[] = [];

  const until = <T>(what: string, check: () => Promise<T | undefined>) => waitFor(what, check);
  async function start(name: string, settings: string): Promise<Job> {
    const plan = planScript(`${name}.sql`, script(pg, settings), new Map(), {}).jobs[0];
    const job = new Job(name, plan as never, log);
    await job.start();
    jobs.push(job);
    return job;
  }
  const produce = (ids: number[]) =>
    log.produce(ids.map((id) => ({ topic: 'events', key: null, value: Buffer.from(`{"id":${id},"note":"n${id}"}`) })));

  const warnings: string[] = [];
  const warn = console.warn;

  before(async () => {
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    };
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE sink');
    sink = await pg.connect('sink');
    log = await openTestLog(pg);
    await log.ensureTopic('events');
  });
  after(async () => {
    console.warn = warn;
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('fails at once with restart-strategy none, keeping the cause', async () => {
    await produce([1]);
    const job = await start('no-restart', "SET 'restart-strategy.type' = 'none';");
    await until('the failure', async () => (job.status === 'FAILED' ? true : undefined));
    assert.equal(job.restarts, 0);
    assert.match(
      job.failure?.message ?? '',
      /writing to table public\.events .* failed: relation "public\.events" does not exist/,
    );
    assert.equal(job.exceptions.length, 1);
  });

  it('restarts with fixed delay and, once the cause is gone, writes each row once', async () => {
    const job = await start(
      'fixed-delay',
      "SET 'restart-strategy.type' = 'fixed-delay'; SET 'restart-strategy.fixed-delay.attempts' = '50'; SET 'restart-strategy.fixed-delay.delay' = '100 ms';",
    );
    await until('a restart', async () => (job.restarts > 0 ? true : undefined));
    await sink.query('CREATE TABLE public.events (id BIGINT PRIMARY KEY, note TEXT)');
    await produce([2, 3]);
    const rows = await until('three rows', async () => {
      const found = (await sink.query('SELECT id::int, note FROM public.events ORDER BY id')).rows;
      return found.length === 3 ? found : undefined;
    });
    assert.deepEqual(rows, [
      { id: 1, note: 'n1' },
      { id: 2, note: 'n2' },
      { id: 3, note: 'n3' },
    ]);
    assert.equal(job.status, 'RUNNING');
    assert.ok(job.exceptions.length >= 1);
  });

  it('gives up after the last attempt', async () => {
    await sink.query('DROP TABLE public.events');
    await produce([4]);
    const job = await start(
      'few-attempts',
      "SET 'restart-strategy.fixed-delay.attempts' = '2'; SET 'restart-strategy.fixed-delay.delay' = '10 ms';",
    );
    await until('the failure', async () => (job.status === 'FAILED' ? true : undefined));
    assert.equal(job.restarts, 2);
    assert.equal(job.exceptions.length, 3);
    // Each restart was logged, and neither the log lines nor the failures show the password.
    assert.ok(warnings.some((line) => /restart 2 of 2/.test(line)));
    for (const text of [...warnings, ...job.exceptions.map((e) => `${e.error.message} ${e.error.stack}`)]) {
      assert.doesNotMatch(text, new RegExp(PASSWORD));
    }
  });
});
