import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { LogReader } from '../../src/log/log.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

function script(pg: TestPostgres, cache: string): string {
  return `
    CREATE TABLE orders (order_id BIGINT, user_id BIGINT, proc AS PROCTIME()) WITH (
      'connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'unused:9092',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
    CREATE TABLE users (user_id BIGINT, name STRING, city STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
      'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/dim',
      'table-name' = 'public.users', 'username' = 'postgres'${cache});
    CREATE TABLE enriched (order_id BIGINT, user_id BIGINT, name STRING, city STRING) WITH (
      'connector' = 'kafka', 'topic' = 'enriched', 'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');
    INSERT INTO enriched
    SELECT o.order_id, o.user_id, u.name, u.city
    FROM orders AS o LEFT JOIN users FOR SYSTEM_TIME AS OF o.proc AS u ON o.user_id = u.user_id;`;
}

describe('lookup join on a jdbc table (FOR SYSTEM_TIME AS OF proctime)', () => {
  let pg: TestPostgres;
  let dim: pg.Client;
  let log: PostgresLog;
  let output: LogReader;
  const jobs: Job[] = [];
  const seen: string[] = [];

  const produce = (rows: [number, number | null][]) =>
    log.produce(
      rows.map(([order, user]) => ({
        topic: 'orders',
        key: null,
        value: Buffer.from(JSON.stringify({ order_id: order, user_id: user })),
      })),
    );
  const enriched = (count: number) =>
    waitFor(
      `${count} enriched orders`,
      async () => {
        for (const record of await output.poll(100, 50)) seen.push(record.value?.toString() ?? '');
        return seen.length >= count ? seen.slice(0, count) : undefined;
      },
      jobs,
    );

  before(async () => {
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE dim');
    dim = await pg.connect('dim');
    await dim.query('CREATE TABLE users (user_id BIGINT PRIMARY KEY, name TEXT, city TEXT)');
    await dim.query(`INSERT INTO users VALUES (1001, '张三', '北京'), (1002, '李四', '上海')`);
    log = await openTestLog(pg);
    await log.ensureTopic('orders');
    await log.ensureTopic('enriched');
    output = await log.openReader('enriched', { kind: 'earliest' });
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await output?.close();
    await log?.close();
    await pg?.dispose();
  });

  it('joins each order with the row of its user at the time it arrives, and pads unknown users', async () => {
    const plan = planScript('lookup.sql', script(pg, ''), new Map(), {}).jobs[0];
    const job = new Job('lookup', plan as never, log);
    await job.start();
    jobs.push(job);
    await produce([
      [1, 1001],
      [2, 1002],
      [3, 1009],
      [4, null],
      [5, 1001],
    ]);
    assert.deepEqual(await enriched(5), [
      '{"order_id":1,"user_id":1001,"name":"张三","city":"北京"}',
      '{"order_id":2,"user_id":1002,"name":"李四","city":"上海"}',
      '{"order_id":3,"user_id":1009,"name":null,"city":null}',
      '{"order_id":4,"user_id":null,"name":null,"city":null}',
      '{"order_id":5,"user_id":1001,"name":"张三","city":"北京"}',
    ]);
    // Without a cache every batch reads the table again: a change shows in the next order.
    await dim.query(`UPDATE users SET city = '成都' WHERE user_id = 1001`);
    await dim.query(`INSERT INTO users VALUES (1009, '赵九', '杭州')`);
    await produce([
      [6, 1001],
      [7, 1009],
    ]);
    assert.deepEqual((await enriched(7)).slice(5), [
      '{"order_id":6,"user_id":1001,"name":"张三","city":"成都"}',
      '{"order_id":7,"user_id":1009,"name":"赵九","city":"杭州"}',
    ]);
  });

  it("serves keys from a partial cache (lookup.cache = 'PARTIAL') until they expire", async () => {
    const text = script(
      pg,
      ", 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100', 'lookup.partial-cache.expire-after-write' = '1h'",
    )
      .replaceAll("'topic' = 'enriched'", "'topic' = 'enriched_cached'")
      .replace('CREATE TABLE enriched ', 'CREATE TABLE enriched_cached ')
      .replace('INSERT INTO enriched\n', 'INSERT INTO enriched_cached\n');
    await log.ensureTopic('enriched_cached');
    const cached = await log.openReader('enriched_cached', { kind: 'earliest' });
    const plan = planScript('cached.sql', text, new Map(), {}).jobs[0];
    const job = new Job('cached', plan as never, log);
    await job.start();
    jobs.push(job);
    const rows: string[] = [];
    const read = (count: number) =>
      waitFor(
        `${count} cached-lookup orders`,
        async () => {
          for (const record of await cached.poll(100, 50)) rows.push(record.value?.toString() ?? '');
          return rows.length >= count ? rows : undefined;
        },
        jobs,
      );
    await read(7);
    await dim.query(`UPDATE users SET city = '深圳' WHERE user_id = 1001`);
    await produce([[8, 1001]]);
    assert.equal((await read(8))[7], '{"order_id":8,"user_id":1001,"name":"张三","city":"成都"}');
    await cached.close();
  });
});
