import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { PostgresJobStore } from '../../src/runtime/job-store.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/** Clicks counted (or summed) per user from an append topic into an upsert topic. */
const script = (select: string, key = 'user_id') => `
  CREATE TABLE clicks (user_id BIGINT, page STRING, ms BIGINT) WITH (
    'connector' = 'kafka', 'topic' = 'clicks', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE per_user (${key} BIGINT, n BIGINT, PRIMARY KEY (${key}) NOT ENFORCED) WITH (
    'connector' = 'upsert-kafka', 'topic' = 'per_user', 'key.format' = 'json', 'value.format' = 'json');
  INSERT INTO per_user ${select};`;
const COUNT = script('SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id');

describe('durable jobs: kept in the instance database, restored, stopped and resumed', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let storeUrl: string;
  const engines: Engine[] = [];

  async function engine(): Promise<Engine> {
    const made = new Engine(log, await PostgresJobStore.open(storeUrl));
    engines.push(made);
    return made;
  }
  const click = (user: number, ms = 1) =>
    log.produce([{ topic: 'clicks', key: null, value: Buffer.from(`{"user_id":${user},"page":"p","ms":${ms}}`) }]);
  /** The latest value of each key of per_user. */
  async function perUser(): Promise<Map<string, string>> {
    const reader = await log.openReader('per_user', { kind: 'earliest' });
    const latest = new Map<string, string>();
    for (let records = await reader.poll(10_000, 300); records.length > 0; records = await reader.poll(10_000, 100))
      for (const record of records) latest.set(String(record.key), String(record.value));
    await reader.close();
    return latest;
  }
  const until = (expected: string) =>
    waitFor(`per_user to hold ${expected}`, async () => {
      const values = [...(await perUser()).values()].sort().join(' ');
      return values === expected ? true : undefined;
    });

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    await (await pg.connect()).query('CREATE DATABASE instance');
    storeUrl = `postgresql://postgres@127.0.0.1:${pg.server.port}/instance`;
    await log.ensureTopic('clicks');
  });
  after(async () => {
    for (const e of engines) await e.close();
    await log?.close();
    await pg?.dispose();
  });

  it('restores a running job after a restart, with its id, where it committed', async () => {
    const first = await engine();
    const [job] = await first.submit('clicks.sql', COUNT, new Map([['UNUSED_SECRET', 'hunter2']]));
    assert.ok(job);
    await click(1);
    await click(1);
    await until('{"user_id":1,"n":2}');
    await first.close();

    await click(1);
    const second = await engine();
    const restored = await second.restore();
    assert.deepEqual(
      restored.map(({ job: j, file }) => [j.id, j.status, file]),
      [[job.id, 'RUNNING', 'clicks.sql']],
    );
    await until('{"user_id":1,"n":3}');
    await assert.rejects(second.submit('clicks.sql', COUNT, new Map()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'JOB_RUNNING');
      assert.match(
        error.message,
        new RegExp(`^clicks.sql:6:3: job insert-into_\\S+ is already running \\(${job.id}\\)`),
      );
      return true;
    });
    await second.close();
  });

  it('stops a job keeping its positions: not restored, and its script resumes it under the same id', async () => {
    const e = await engine();
    const [running] = await e.restore();
    assert.ok(running);
    const id = running.job.id;
    await e.stop(id);
    assert.equal(running.job.status, 'FINISHED');
    await click(1);
    await e.close();

    const next = await engine();
    assert.deepEqual(await next.restore(), [], 'a stopped job is not restored');
    const [resumed] = await next.submit('clicks.sql', COUNT, new Map());
    assert.equal(resumed?.id, id);
    await until('{"user_id":1,"n":4}');
    await next.stop(id);
  });

  it('refuses a changed key or aggregate, naming the statement; --from-scratch reads the sources again', async () => {
    const e = await engine();
    const sum = script('SELECT user_id, SUM(ms) FROM clicks GROUP BY user_id');
    await assert.rejects(e.submit('clicks.sql', sum, new Map()), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'JOB_INCOMPATIBLE');
      assert.match(
        error.message,
        /^clicks\.sql:6:3: job \S+ cannot resume from the positions it committed: GROUP BY \(user_id\) with COUNT\(\*\) became GROUP BY \(user_id\) with SUM\(ms\)$/,
      );
      assert.match(error.hint ?? '', /--from-scratch/);
      return true;
    });
    assert.equal(e.jobs.size, 0, 'nothing started');
    // A filter may change: the job resumes from its positions with it.
    const [filtered] = await e.submit(
      'clicks.sql',
      script("SELECT user_id, COUNT(*) FROM clicks WHERE page <> 'x' GROUP BY user_id"),
      new Map(),
    );
    assert.ok(filtered);
    await click(1);
    await until('{"user_id":1,"n":5}');
    await e.stop(filtered.id);
    // From scratch: the sums of every click, read again from the start of the topic.
    await click(1, 10);
    const [fresh] = await e.submit('clicks.sql', sum, new Map(), { fromScratch: true });
    assert.ok(fresh);
    await until('{"user_id":1,"n":15}');
    await e.cancel(fresh.id);
    await e.close();
    const last = await engine();
    assert.deepEqual(await last.restore(), [], 'a cancelled job is gone for good');
  });

  it("names a job by SET 'pipeline.name', and refuses two jobs of one script under one name", async () => {
    const e = await engine();
    const again = '\n  INSERT INTO per_user SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;';
    await assert.rejects(e.submit('twice.sql', COUNT + again, new Map()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'JOB_NAME_TAKEN');
      assert.match(error.message, /^twice\.sql:7:3: this job would be named \S+ as the one at twice\.sql:6:3/);
      return true;
    });
    const named = `SET 'pipeline.name' = 'first';${COUNT}\n  SET 'pipeline.name' = 'second';${again}`;
    const jobs = await e.submit('named.sql', named, new Map());
    assert.deepEqual(
      jobs.map((job) => job.plan.name),
      ['first', 'second'],
    );
    for (const job of jobs) await e.cancel(job.id);
  });
});
