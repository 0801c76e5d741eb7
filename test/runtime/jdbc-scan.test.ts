import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { LogReader } from '../../src/log/log.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

describe('a jdbc table as a bounded scan source', () => {
  let pg: TestPostgres;
  let dim: pg.Client;
  let log: PostgresLog;
  const jobs: Job[] = [];
  const readers: LogReader[] = [];

  const users = (port: number) => `
    CREATE TABLE users (user_id BIGINT, name STRING, balance DECIMAL(10, 2), PRIMARY KEY (user_id) NOT ENFORCED) WITH (
      'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${port}/dim', 'table-name' = 'public.users',
      'username' = 'postgres');`;
  async function start(name: string, text: string): Promise<Job> {
    const job = new Job(name, planScript(`${name}.sql`, text, new Map(), {}).jobs[0] as never, log);
    await job.start();
    jobs.push(job);
    return job;
  }
  async function read(topic: string, count: number): Promise<string[]> {
    const reader = await log.openReader(topic, { kind: 'earliest' });
    readers.push(reader);
    const seen: string[] = [];
    return waitFor(
      `${count} records in ${topic}`,
      async () => {
        for (const record of await reader.poll(100, 50)) seen.push(record.value?.toString() ?? 'null');
        return seen.length >= count ? seen : undefined;
      },
      jobs,
    );
  }

  before(async () => {
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE dim');
    dim = await pg.connect('dim');
    await dim.query('CREATE TABLE users (user_id BIGINT PRIMARY KEY, name TEXT, balance NUMERIC(10,2))');
    await dim.query(`INSERT INTO users SELECT g, 'user ' || g, g * 1.25 FROM generate_series(1, 5000) g`);
    log = await openTestLog(pg);
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    for (const reader of readers) await reader.close();
    await log?.close();
    await pg?.dispose();
  });

  it('copies every row once and FINISHES, and a restart of a finished scan reads nothing again', async () => {
    const text = `${users(pg.server.port)}
      CREATE TABLE copy (user_id BIGINT, name STRING, balance DECIMAL(10, 2)) WITH (
        'connector' = 'kafka', 'topic' = 'copy', 'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');
      INSERT INTO copy SELECT * FROM users;`;
    const job = await start('copy', text);
    const rows = await read('copy', 5000);
    assert.equal(rows.length, 5000);
    assert.ok(rows.includes('{"user_id":4,"name":"user 4","balance":5}'));
    await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), jobs);
    const again = await start('copy', text);
    await waitFor('FINISHED again', async () => (again.status === 'FINISHED' ? true : undefined), jobs);
    const copy = (await log.describeTopics()).find((t) => t.name === 'copy');
    assert.equal(copy?.messages, 5000, 'nothing read twice');
  });

  it('rebuilds a join with the scanned table after a restart by reading it again, emitting nothing twice', async () => {
    await log.ensureTopic('orders');
    const text = `${users(pg.server.port)}
      CREATE TABLE orders (order_id BIGINT, user_id BIGINT) WITH (
        'connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'unused:9092',
        'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
      CREATE TABLE named (order_id BIGINT, name STRING, PRIMARY KEY (order_id) NOT ENFORCED) WITH (
        'connector' = 'upsert-kafka', 'topic' = 'named', 'properties.bootstrap.servers' = 'unused:9092',
        'key.format' = 'json', 'value.format' = 'json');
      INSERT INTO named SELECT o.order_id, u.name FROM orders o JOIN users u ON o.user_id = u.user_id;`;
    const order = (id: number, user: number) => ({
      topic: 'orders',
      key: null,
      value: Buffer.from(JSON.stringify({ order_id: id, user_id: user })),
    });
    await log.produce([order(1, 7), order(2, 4999)]);
    const first = await start('named', text);
    assert.deepEqual(await read('named', 2), ['{"order_id":1,"name":"user 7"}', '{"order_id":2,"name":"user 4999"}']);
    await first.cancel();
    await start('named', text);
    await log.produce([order(3, 12)]);
    assert.deepEqual(await read('named', 3), [
      '{"order_id":1,"name":"user 7"}',
      '{"order_id":2,"name":"user 4999"}',
      '{"order_id":3,"name":"user 12"}',
    ]);
  });

  it("reads timestamps at the ends of Flink's range exactly, and fails on one beyond them naming column and table", async () => {
    await dim.query(`CREATE TABLE moments (id INT PRIMARY KEY, at TIMESTAMP(6));
      INSERT INTO moments VALUES (1, '9999-12-31 23:59:59.999999'), (2, '0001-01-01 00:00:00 BC')`);
    const text = (topic: string) => `
      SET 'restart-strategy' = 'none';
      CREATE TABLE moments (id INT, at TIMESTAMP(6)) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/dim', 'table-name' = 'public.moments',
        'username' = 'postgres');
      CREATE TABLE ${topic} (id INT, at TIMESTAMP(6)) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');
      INSERT INTO ${topic} SELECT * FROM moments;`;
    await start('moments', text('moments_copy'));
    assert.deepEqual((await read('moments_copy', 2)).sort(), [
      '{"id":1,"at":"9999-12-31 23:59:59.999999"}',
      '{"id":2,"at":"0000-01-01 00:00:00"}',
    ]);
    await dim.query(`INSERT INTO moments VALUES (3, '10000-01-01 00:00:00')`);
    const job = new Job('beyond', planScript('beyond.sql', text('beyond'), new Map(), {}).jobs[0] as never, log);
    await job.start();
    const failure = await waitFor('the scan to fail', async () => (job.status === 'FAILED' ? job.failure : undefined));
    assert.equal((failure as Error & { code?: string }).code, 'JDBC_VALUE_INVALID');
    assert.equal(
      failure?.message,
      "column 'at' of table public.moments (jdbc table 'moments'): '10000-01-01 00:00:00' is outside Flink's range, 0000-01-01 00:00:00 to 9999-12-31 23:59:59.999999999",
    );
  });

  it('reads only the rows between the bounds of scan.partition.*, as the partitions of Flink together do', async () => {
    const text = `
      CREATE TABLE some_users (user_id BIGINT, name STRING, balance DECIMAL(10, 2)) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/dim', 'table-name' = 'public.users',
        'username' = 'postgres', 'scan.partition.column' = 'user_id', 'scan.partition.num' = '3',
        'scan.partition.lower-bound' = '11', 'scan.partition.upper-bound' = '20');
      CREATE TABLE some_copy (user_id BIGINT, name STRING, balance DECIMAL(10, 2)) WITH (
        'connector' = 'kafka', 'topic' = 'some_copy', 'format' = 'json');
      INSERT INTO some_copy SELECT * FROM some_users;`;
    const job = await start('some', text);
    await waitFor('FINISHED', async () => (job.status === 'FINISHED' ? true : undefined), jobs);
    const rows = await read('some_copy', 10);
    assert.deepEqual(
      rows.map((row) => JSON.parse(row).user_id),
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
    const copy = (await log.describeTopics()).find((t) => t.name === 'some_copy');
    assert.equal(copy?.messages, 10);
  });
});
