/**
 * A job that calls user functions is kept with its script's directory: the next engine start
 * loads the module from there again and the job goes on, its aggregate's accumulators restored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { PostgresJobStore } from '../../src/runtime/job-store.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const SCRIPT = `
  CREATE FUNCTION total AS 'fixtures/functions.ts#total';
  CREATE FUNCTION shout AS 'fixtures/functions.ts#shout';
  CREATE TABLE clicks (user_id BIGINT, page STRING, ms BIGINT) WITH (
    'connector' = 'kafka', 'topic' = 'clicks', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE per_page (page STRING, ms BIGINT, PRIMARY KEY (page) NOT ENFORCED) WITH (
    'connector' = 'upsert-kafka', 'topic' = 'per_page', 'key.format' = 'json', 'value.format' = 'json');
  INSERT INTO per_page SELECT shout(page), total(ms) FROM clicks GROUP BY shout(page);`;

describe('a job with user functions across engine restarts', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let storeUrl: string;
  const engines: Engine[] = [];

  async function engine(): Promise<Engine> {
    const made = new Engine(log, await PostgresJobStore.open(storeUrl));
    engines.push(made);
    return made;
  }
  const click = (page: string, ms: number) =>
    log.produce([{ topic: 'clicks', key: null, value: Buffer.from(`{"user_id":1,"page":"${page}","ms":${ms}}`) }]);
  async function perPage(): Promise<string> {
    const reader = await log.openReader('per_page', { kind: 'earliest' });
    const latest = new Map<string, string>();
    for (let records = await reader.poll(10_000, 300); records.length > 0; records = await reader.poll(10_000, 100))
      for (const record of records) latest.set(String(record.key), String(record.value));
    await reader.close();
    return [...latest.values()].sort().join(' ');
  }
  const until = (expected: string) =>
    waitFor(`per_page to hold ${expected}`, async () => ((await perPage()) === expected ? true : undefined));

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

  it('loads the module again from the stored directory and goes on', async () => {
    const first = await engine();
    const [job] = await first.submit('clicks.sql', SCRIPT, new Map(), { directory: import.meta.dirname });
    assert.ok(job);
    await click('home', 5);
    await click('home', 7);
    await until('{"page":"home!","ms":12}');
    await first.close();

    await click('home', 1);
    // started elsewhere: the module path is relative to the stored directory, not to the working one
    const cwd = process.cwd();
    process.chdir('/');
    try {
      const second = await engine();
      const restored = await second.restore();
      assert.deepEqual(
        restored.map(({ job: j }) => [j.id, j.status]),
        [[job.id, 'RUNNING']],
      );
    } finally {
      process.chdir(cwd);
    }
    await until('{"page":"home!","ms":13}');
  });
});
