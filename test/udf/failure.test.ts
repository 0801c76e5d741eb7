/**
 * A user function that throws fails the job (restart-strategy none) with the function's name, the
 * arguments it got, its message, and the table and topic positions of the record's batch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatError } from '../../src/common/errors.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const SCRIPT = `SET 'restart-strategy.type' = 'none';
CREATE FUNCTION checked AS 'fixtures/functions.ts#failsOnThree';
CREATE TABLE orders (order_id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'udf_in',
  'properties.bootstrap.servers' = 'unused:9092', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE out_orders (order_id BIGINT) WITH ('connector' = 'kafka', 'topic' = 'udf_out',
  'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');
INSERT INTO out_orders SELECT checked(order_id) FROM orders;`;

describe('a user function that throws', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;

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

  it('fails the job with the function, its arguments, the message and where the record is', async () => {
    await log.ensureTopic('udf_in');
    await log.produce(
      [1, 2, 3, 4].map((id) => ({ topic: 'udf_in', key: null, value: Buffer.from(`{"order_id":${id}}`) })),
    );
    const [job] = await engine.submit('udf.sql', SCRIPT, new Map(), { directory: import.meta.dirname });
    assert.ok(job);
    await waitFor('the failure', async () => (job.status === 'FAILED' ? true : undefined));
    assert.equal(
      formatError(job.failure).split('\n')[0],
      "error[UDF_FAILED]: function checked(3n) failed: three is not allowed, in a record of table 'orders' at topic 'udf_in', partition 0, offsets 0 to 3",
    );
  });
});
