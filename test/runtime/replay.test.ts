import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { type PlannedJob, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/** A stateful job (a count per key) over an append topic: a restart replays the topic to rebuild its state. */
const SCRIPT = `
  CREATE TABLE clicks (user_id BIGINT, page STRING) WITH (
    'connector' = 'kafka', 'topic' = 'clicks', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
  CREATE TABLE clicks_per_user (user_id BIGINT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
    'connector' = 'upsert-kafka', 'topic' = 'clicks_per_user', 'key.format' = 'json', 'value.format' = 'json');
  INSERT INTO clicks_per_user SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;`;

const RECORDS = 20_000;

describe('a restarted job replays what it processed before', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let plan: PlannedJob;
  const group = () => `${plan.name}/clicks`;

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    plan = planScript('clicks.sql', SCRIPT, new Map(), {}).jobs[0] as PlannedJob;
    await log.ensureTopic('clicks');
    // Clicks of an hour ago: a restart reads them again, but they are not what the job takes in now.
    const hourAgo = Date.now() - 3_600_000;
    const records = Array.from({ length: RECORDS }, (_, i) => ({
      topic: 'clicks',
      key: null,
      value: Buffer.from(`{"user_id":${i % 100},"page":"p${i}"}`),
      timestamp: hourAgo,
    }));
    for (let i = 0; i < RECORDS; i += 5000) await log.produce(records.slice(i, i + 5000));
  });
  after(async () => {
    await log?.close();
    await pg?.dispose();
  });

  it('commits nothing when it is cancelled before the replay ends: its positions never go back', async () => {
    const first = new Job('first', plan, log);
    await first.start();
    await waitFor('the first run to commit every record', async () =>
      (await log.committedPositions(group(), 'clicks')).get(0) === BigInt(RECORDS) ? true : undefined,
    );
    await first.cancel();

    // Batches of 50: the replay of 20,000 records takes 400 polls, and the cancel comes during them.
    const second = new Job('second', plan, log, { batchSize: 50 });
    await second.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.cancel();
    assert.equal(second.stats.commits, 0, 'the cancelled replay committed');
    assert.equal((await log.committedPositions(group(), 'clicks')).get(0), BigInt(RECORDS));

    // A full restart after it rebuilds the counts and goes on from there: 200 per user, then 201.
    const third = new Job('third', plan, log);
    await third.start();
    await log.produce([{ topic: 'clicks', key: null, value: Buffer.from('{"user_id":7,"page":"new"}') }]);
    await waitFor('the new click to be committed', async () =>
      (await log.committedPositions(group(), 'clicks')).get(0) === BigInt(RECORDS + 1) ? true : undefined,
    );
    await third.cancel();
    // Latency is measured from the new click's time, not from the replayed clicks of an hour ago.
    const latency = third.stats.sourceToCommitSeconds;
    assert.ok(
      latency.count >= 1 && latency.sum < 60,
      `source to commit: ${latency.sum} s over ${latency.count} commits`,
    );
    const reader = await log.openReader('clicks_per_user', { kind: 'earliest' });
    const latest = new Map<string, string>();
    for (let records = await reader.poll(10_000, 500); records.length > 0; records = await reader.poll(10_000, 200)) {
      for (const record of records) latest.set(String(record.key), String(record.value));
    }
    await reader.close();
    assert.equal(latest.size, 100);
    assert.equal(latest.get('{"user_id":7}'), '{"user_id":7,"n":201}');
    assert.equal(latest.get('{"user_id":8}'), '{"user_id":8,"n":200}');
  });

  it('counts as taken in the records its replay reads past the committed positions, and only those', async () => {
    // Written while no run is up: the replay's last batch reads them with the last committed records.
    const fresh = Array.from({ length: 5 }, (_, i) => ({
      topic: 'clicks',
      key: null,
      value: Buffer.from(`{"user_id":${i},"page":"after"}`),
    }));
    await log.produce(fresh);
    const fourth = new Job('fourth', plan, log);
    await fourth.start();
    await waitFor('the records written meanwhile to be committed', async () =>
      (await log.committedPositions(group(), 'clicks')).get(0) === BigInt(RECORDS + 1 + fresh.length)
        ? true
        : undefined,
    );
    await fourth.cancel();
    assert.equal(fourth.stats.recordsIn, fresh.length);
  });
});
