import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { Engine } from '../../src/runtime/engine.ts';
import type { JobHandle } from '../../src/runtime/job-handle.ts';
import { startRestServer } from '../../src/server/rest.ts';
import { runCli } from '../helpers/cli.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * A job counting orders by status (stateful: a restart replays its input from the start) from
 * topic `<name>_in`; with `dead-letter-topic` unless `deadLetters` is false.
 */
function script(name: string, deadLetters: boolean, settings = ''): string {
  return `${settings}
    SET 'pipeline.name' = 'counts of ${name}';
    CREATE TABLE orders (order_id BIGINT, status STRING) WITH (
      'connector' = 'kafka', 'topic' = '${name}_in', 'properties.bootstrap.servers' = 'unused:9092',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json'
      ${deadLetters ? `, 'dead-letter-topic' = '${name}_dlq'` : ''});
    CREATE TABLE counts (status STRING, n BIGINT, PRIMARY KEY (status) NOT ENFORCED) WITH (
      'connector' = 'upsert-kafka', 'topic' = '${name}_out', 'properties.bootstrap.servers' = 'unused:9092',
      'key.format' = 'json', 'value.format' = 'json');
    INSERT INTO counts SELECT status, COUNT(*) FROM orders GROUP BY status;`;
}

const GOOD = (id: number, status: string) => Buffer.from(`{"order_id":${id},"status":"${status}"}`);
const BAD = Buffer.from('{"order_id":"three","status":"NEW"}');

describe('records that cannot be read: dead-letter topic, or a failure that says where', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let engine: Engine;
  let server: Server;
  let restUrl: string;
  const warn = console.warn;

  const submit = async (name: string, text: string): Promise<JobHandle> => {
    const [job] = await engine.submit(`${name}.sql`, text, new Map());
    assert.ok(job);
    return job;
  };
  /** Every record of a topic, values as text. */
  const topic = async (name: string): Promise<string[]> => {
    const reader = await log.openReader(name, { kind: 'earliest' });
    const out: string[] = [];
    for (let records = await reader.poll(1000, 50); records.length > 0; records = await reader.poll(1000, 50)) {
      out.push(...records.map((record) => record.value?.toString() ?? 'null'));
    }
    await reader.close();
    return out;
  };
  /** The latest count of each status in the job's output. */
  const counts = async (name: string): Promise<Record<string, number>> =>
    Object.fromEntries((await topic(`${name}_out`)).map((value) => JSON.parse(value)).map((r) => [r.status, r.n]));
  const until = <T>(what: string, check: () => Promise<T | undefined>, jobs: JobHandle[] = []) =>
    waitFor(what, check, jobs);

  before(async () => {
    console.warn = () => undefined;
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    engine = new Engine(log);
    const port = await freeLoopbackPort();
    server = await startRestServer(engine, port, { token: 'dead-letter-test-token' });
    restUrl = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    console.warn = warn;
    await new Promise((resolve) => server?.close(resolve));
    await engine?.close();
    await log?.close();
    await pg?.dispose();
  });

  it('sets a bad record in the middle aside once, with its location, and goes on, also across restarts', async () => {
    await log.ensureTopic('dl_in');
    await log.produce([
      { topic: 'dl_in', key: null, value: GOOD(1, 'NEW') },
      { topic: 'dl_in', key: Buffer.from('k'), value: BAD, timestamp: 5000 },
      { topic: 'dl_in', key: null, value: GOOD(2, 'NEW') },
    ]);
    let job = await submit('dl', script('dl', true));
    await until('both good orders counted', async () => ((await counts('dl')).NEW === 2 ? true : undefined), [job]);
    const letters = await topic('dl_dlq');
    assert.equal(letters.length, 1);
    assert.deepEqual(JSON.parse(letters[0] as string), {
      topic: 'dl_in',
      partition: 0,
      offset: 1,
      timestamp: 5000,
      table: 'orders',
      error: 'field \'order_id\' expects BIGINT, got "three"',
      key: 'k',
      value: BAD.toString(),
    });
    const metrics = await (await fetch(`${restUrl}/metrics`)).text();
    assert.match(
      metrics,
      /^rivulet_dead_letter_records_total\{job_id="[0-9a-f]+",job_name="[^"]+",table="orders"\} 1$/m,
    );

    // A restart replays the topic from its start to rebuild the counts: the record it set aside
    // before is not set aside again.
    await engine.cancel(job.id);
    job = await submit('dl', script('dl', true));
    await log.produce([{ topic: 'dl_in', key: null, value: GOOD(3, 'NEW') }]);
    await until('the third order counted', async () => ((await counts('dl')).NEW === 3 ? true : undefined), [job]);
    assert.equal((await topic('dl_dlq')).length, 1);
  });

  it('commits a batch of bad records only: a restart does not set them aside again', async () => {
    await log.ensureTopic('all_in');
    let job = await submit('all', script('all', true));
    await log.produce([
      { topic: 'all_in', key: null, value: BAD },
      { topic: 'all_in', key: null, value: Buffer.from('not json') },
    ]);
    await until('two dead letters', async () => ((await topic('all_dlq')).length === 2 ? true : undefined), [job]);
    await engine.cancel(job.id);
    job = await submit('all', script('all', true));
    await log.produce([{ topic: 'all_in', key: null, value: GOOD(1, 'PAID') }]);
    await until('the good order counted', async () => ((await counts('all')).PAID === 1 ? true : undefined), [job]);
    assert.deepEqual(
      (await topic('all_dlq')).map((letter) => JSON.parse(letter).offset),
      [0, 1],
    );
  });

  it('in a job that commits to a database, sets a record aside once though the commit after it failed', async () => {
    await (await pg.connect()).query('CREATE DATABASE sink');
    const sink = await pg.connect('sink');
    await log.ensureTopic('db_in');
    await log.produce([
      { topic: 'db_in', key: null, value: BAD },
      { topic: 'db_in', key: null, value: GOOD(1, 'NEW') },
    ]);
    // The sink table is missing: each commit fails after the dead letter was committed, until it exists.
    const job = await submit(
      'db',
      `SET 'restart-strategy.fixed-delay.attempts' = '1000'; SET 'restart-strategy.fixed-delay.delay' = '20 ms';
      CREATE TABLE orders (order_id BIGINT, status STRING) WITH (
        'connector' = 'kafka', 'topic' = 'db_in', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json',
        'dead-letter-topic' = 'db_dlq');
      CREATE TABLE orders_copy (order_id BIGINT, status STRING, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/sink',
        'table-name' = 'public.orders_copy', 'username' = 'postgres', 'sink.max-retries' = '0');
      INSERT INTO orders_copy SELECT * FROM orders;`,
    );
    await until('a failed commit after the dead letter', async () =>
      job.restarts >= 2 && (await topic('db_dlq')).length > 0 ? true : undefined,
    );
    await sink.query('CREATE TABLE public.orders_copy (order_id BIGINT PRIMARY KEY, status TEXT)');
    await until('the order in the sink', async () =>
      (await sink.query('SELECT 1 FROM public.orders_copy')).rowCount === 1 ? true : undefined,
    );
    assert.deepEqual(
      (await topic('db_dlq')).map((letter) => JSON.parse(letter).offset),
      [0],
    );
    await sink.end();
  });

  it('without a dead-letter topic fails the job, and REST and `rivulet list` say which record and why', async () => {
    await log.ensureTopic('fail_in');
    await log.produce([
      { topic: 'fail_in', key: null, value: GOOD(1, 'NEW') },
      { topic: 'fail_in', key: null, value: BAD },
    ]);
    const job = await submit('fail', script('fail', false, "SET 'restart-strategy.type' = 'none';"));
    await until('the failure', async () => (job.status === 'FAILED' ? true : undefined));
    const where = "record at topic 'fail_in', partition 0, offset 1 does not fit table";
    const details = (await (await fetch(`${restUrl}/jobs/${job.id}`)).json()) as { 'failure-cause': string };
    assert.match(details['failure-cause'], new RegExp(`^error\\[RECORD_UNREADABLE\\]: ${where}`));
    const exceptions = (await (await fetch(`${restUrl}/jobs/${job.id}/exceptions`)).json()) as {
      'root-exception': string;
      exceptionHistory: { entries: { failureLabels: Record<string, string> }[] };
    };
    assert.match(exceptions['root-exception'], new RegExp(where));
    assert.deepEqual(exceptions.exceptionHistory.entries[0]?.failureLabels, { code: 'RECORD_UNREADABLE' });
    const listed = await runCli(['list', '--engine', restUrl]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(
        `: ${job.id} : .* \\(FAILED\\)\\n    cause: error\\[RECORD_UNREADABLE\\]: ${where} 'orders': field 'order_id' expects BIGINT, got "three"`,
      ),
    );
  });
});
