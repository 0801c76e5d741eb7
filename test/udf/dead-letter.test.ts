/**
 * With a 'dead-letter-topic', a record on which an expression right after its source fails (a
 * user function that throws, a CAST that fails) is set aside with the error, once, also across a
 * restart that replays the topic; an expression after a stateful operator still fails the job.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatError } from '../../src/common/errors.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import type { JobHandle } from '../../src/runtime/job-handle.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const TABLES = (name: string) => `
SET 'pipeline.name' = 'udf dead letters ${name}';
CREATE FUNCTION checked AS 'fixtures/functions.ts#failsOnThree';
CREATE TABLE orders (order_id BIGINT, status STRING, code STRING) WITH ('connector' = 'kafka',
  'topic' = '${name}_in', 'properties.bootstrap.servers' = 'unused:9092', 'scan.startup.mode' = 'earliest-offset',
  'format' = 'json', 'dead-letter-topic' = '${name}_dlq');
CREATE TABLE counts (status STRING, n BIGINT, PRIMARY KEY (status) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',
  'topic' = '${name}_out', 'properties.bootstrap.servers' = 'unused:9092', 'key.format' = 'json', 'value.format' = 'json');`;

const order = (id: number, code: string) => ({
  topic: 'dl_in',
  key: null,
  value: Buffer.from(JSON.stringify({ order_id: id, status: 'NEW', code })),
});

describe('a record on which an expression fails, with a dead-letter topic', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;

  const submit = async (name: string, text: string): Promise<JobHandle> => {
    const [job] = await engine.submit(`${name}.sql`, text, new Map(), { directory: import.meta.dirname });
    assert.ok(job);
    return job;
  };
  const topic = async (name: string): Promise<string[]> => {
    const reader = await log.openReader(name, { kind: 'earliest' });
    const out: string[] = [];
    for (let records = await reader.poll(1000, 50); records.length > 0; records = await reader.poll(1000, 50))
      out.push(...records.map((record) => record.value?.toString() ?? 'null'));
    await reader.close();
    return out;
  };
  const count = async (name: string): Promise<number | undefined> =>
    (await topic(`${name}_out`)).map((value) => JSON.parse(value).n as number).at(-1);

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    engine = new Engine(log);
  });
  after(async () => {
    await engine?.close();
    await log?.close();
    await pg?.dispose();
  });

  it('sets the record aside with the function or CAST error, once across a restart', async () => {
    const script = `${TABLES('dl')}
      INSERT INTO counts SELECT status, COUNT(*) FROM orders WHERE checked(order_id) > 0 AND CAST(code AS INT) >= 0 GROUP BY status;`;
    await log.ensureTopic('dl_in');
    await log.produce([order(1, '1'), order(3, '1'), order(2, '2'), order(4, 'x')]);
    let job = await submit('dl', script);
    await waitFor('the two good orders counted', async () => ((await count('dl')) === 2 ? true : undefined), [job]);
    await waitFor('two dead letters', async () => ((await topic('dl_dlq')).length === 2 ? true : undefined), [job]);
    const letters = (await topic('dl_dlq')).map((letter) => JSON.parse(letter));
    assert.deepEqual(
      letters.map((l) => [l.table, l.offset, l.error, JSON.parse(l.value).order_id]),
      [
        ['orders', 1, 'UDF_FAILED: function checked(3n) failed: three is not allowed', 3],
        ['orders', 3, letters[1]?.error, 4],
      ],
    );
    assert.match(letters[1]?.error, /^CAST_FAILED: .*'x'/);

    // The job counts: a restart replays the topic from its start, and sets nothing aside twice.
    await engine.cancel(job.id);
    job = await submit('dl', script);
    await log.produce([order(5, '5'), order(3, '3')]);
    await waitFor('the third order counted', async () => ((await count('dl')) === 3 ? true : undefined), [job]);
    await waitFor('the new failing record set aside', async () =>
      (await topic('dl_dlq')).length === 3 ? true : undefined,
    );
    assert.deepEqual(
      (await topic('dl_dlq')).map((letter) => JSON.parse(letter).offset),
      [1, 3, 5],
    );
  });

  it('fails the job where the expression is after a stateful operator', async () => {
    await log.ensureTopic('st_in');
    await log.produce([{ ...order(3, '1'), topic: 'st_in' }]);
    const job = await submit(
      'st',
      `SET 'restart-strategy.type' = 'none'; ${TABLES('st')}
       INSERT INTO counts SELECT status, checked(n) FROM (SELECT status, COUNT(*) + 2 AS n FROM orders GROUP BY status);`,
    );
    await waitFor('the failure', async () => (job.status === 'FAILED' ? true : undefined));
    assert.match(formatError(job.failure), /^error\[UDF_FAILED\]: function checked\(3n\) failed: three is not allowed/);
    assert.deepEqual(await topic('st_dlq'), []);
  });
});
