/**
 * Hints of lookup joins against a real PostgreSQL table: the LOOKUP hint's retry on a miss, and an
 * OPTIONS table hint that gives one reference of a jdbc table a cache its DDL does not have.
 *
 * The retry is observed through PostgreSQL itself: the lookup table is a view whose rows show only
 * from the n-th query on, counted by a sequence each query advances (a one-row subquery calling
 * nextval), so the count of lookups is the sequence's value. Flink's fixed-delay retry looks a
 * missing key up again while the attempt number is at most 'max-attempts' (AsyncRetryStrategies:
 * canRetry(n) = n <= maxAttempts), so 'max-attempts' = '3' reads a key that stays missing 4 times.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { LogReader } from '../../src/log/log.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const RETRY = `'retry-predicate'='lookup_miss', 'retry-strategy'='fixed_delay', 'fixed-delay'='10ms', 'max-attempts'='3'`;

describe('hints of lookup joins on a jdbc table', () => {
  let pg: TestPostgres;
  let dim: pg.Client;
  let log: PostgresLog;
  const jobs: Job[] = [];
  const readers: LogReader[] = [];

  function tables(topic: string, view: string): string {
    return `
      CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, proc AS PROCTIME()) WITH (
        'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = 'unused:9092',
        'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
      CREATE TABLE customers (id BIGINT, name STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (
        'connector' = 'jdbc', 'url' = 'jdbc:postgresql://127.0.0.1:${pg.server.port}/dim',
        'table-name' = 'public.${view}', 'username' = 'postgres');
      CREATE TABLE enriched (order_id BIGINT, tag STRING, name STRING) WITH (
        'connector' = 'kafka', 'topic' = '${topic}_out', 'properties.bootstrap.servers' = 'unused:9092', 'format' = 'json');`;
  }

  /** Runs the script's job over a topic of its own; returns how to send orders and read its output. */
  async function run(topic: string, sql: string) {
    await log.ensureTopic(topic);
    await log.ensureTopic(`${topic}_out`);
    const reader = await log.openReader(`${topic}_out`, { kind: 'earliest' });
    readers.push(reader);
    const plan = planScript(`${topic}.sql`, sql, new Map(), {}).jobs[0];
    const job = new Job(topic, plan as never, log);
    await job.start();
    jobs.push(job);
    const seen: string[] = [];
    return {
      send: (rows: [number, number][]) =>
        log.produce(
          rows.map(([order, customer]) => ({
            topic,
            key: null,
            value: Buffer.from(JSON.stringify({ order_id: order, customer_id: customer })),
          })),
        ),
      read: (count: number) =>
        waitFor(
          `${count} rows of ${topic}_out`,
          async () => {
            for (const record of await reader.poll(100, 50)) seen.push(record.value?.toString() ?? '');
            return seen.length >= count ? [...seen].sort() : undefined;
          },
          jobs,
        ),
    };
  }

  /** How many times the view `name` was queried: its sequence's value. */
  async function queries(name: string): Promise<number> {
    const { rows } = await dim.query<{ n: string }>(`SELECT last_value::text AS n FROM ${name}_queries`);
    return Number(rows[0]?.n);
  }

  /** A view of the customers that shows rows from its `from`-th query on. */
  async function lateView(name: string, from: number): Promise<void> {
    await dim.query(`CREATE SEQUENCE ${name}_queries`);
    await dim.query(
      `CREATE VIEW ${name} AS SELECT c.* FROM customers c, (SELECT nextval('${name}_queries') AS n) AS q WHERE q.n >= ${from}`,
    );
  }

  before(async () => {
    pg = await startTestPostgres();
    await (await pg.connect()).query('CREATE DATABASE dim');
    dim = await pg.connect('dim');
    await dim.query('CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT)');
    await dim.query(`INSERT INTO customers VALUES (1, 'Ada'), (2, 'Bo')`);
    log = await openTestLog(pg);
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    for (const reader of readers) await reader.close();
    await log?.close();
    await pg?.dispose();
  });

  it('looks a missing key up again after the delay until the row shows (LOOKUP retry on lookup_miss)', async () => {
    await lateView('shows_third', 3);
    const job = await run(
      'retry_found',
      `${tables('retry_found', 'shows_third')}
      INSERT INTO enriched SELECT /*+ LOOKUP('table'='c', ${RETRY}) */ o.order_id, 'hinted', c.name
      FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc AS c ON o.customer_id = c.id;`,
    );
    await job.send([[1, 1]]);
    assert.deepEqual(await job.read(1), ['{"order_id":1,"tag":"hinted","name":"Ada"}']);
    assert.equal(await queries('shows_third'), 3, 'the first lookup and two retries');
  });

  it("gives up after 'max-attempts' retries: a LEFT JOIN pads the row", async () => {
    await lateView('shows_never', 1000);
    const job = await run(
      'retry_missed',
      `${tables('retry_missed', 'shows_never')}
      INSERT INTO enriched SELECT /*+ LOOKUP('table'='customers', ${RETRY}) */ o.order_id, 'hinted', customers.name
      FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc ON o.customer_id = customers.id;`,
    );
    await job.send([[2, 2]]);
    assert.deepEqual(await job.read(1), ['{"order_id":2,"tag":"hinted","name":null}']);
    assert.equal(await queries('shows_never'), 4, "the first lookup and 'max-attempts' = 3 retries");
  });

  it('without the hint a miss is not retried', async () => {
    await lateView('shows_second', 2);
    const job = await run(
      'no_retry',
      `${tables('no_retry', 'shows_second')}
      INSERT INTO enriched SELECT o.order_id, 'plain', c.name
      FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc AS c ON o.customer_id = c.id;`,
    );
    await job.send([[3, 1]]);
    assert.deepEqual(await job.read(1), ['{"order_id":3,"tag":"plain","name":null}']);
    assert.equal(await queries('shows_second'), 1);
  });

  it('an OPTIONS hint gives one reference of the table a partial cache; the other reads the table afresh', async () => {
    await dim.query('CREATE VIEW customers_now AS SELECT * FROM customers');
    const job = await run(
      'dynamic_options',
      `${tables('dynamic_options', 'customers_now')}
      INSERT INTO enriched
      SELECT o.order_id, 'cached', c.name FROM orders AS o
        JOIN customers /*+ OPTIONS('lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100',
          'lookup.partial-cache.expire-after-write' = '1h') */ FOR SYSTEM_TIME AS OF o.proc AS c ON o.customer_id = c.id
      UNION ALL
      SELECT o.order_id, 'uncached', c.name FROM orders AS o
        JOIN customers FOR SYSTEM_TIME AS OF o.proc AS c ON o.customer_id = c.id;`,
    );
    await job.send([[4, 1]]);
    assert.deepEqual(await job.read(2), [
      '{"order_id":4,"tag":"cached","name":"Ada"}',
      '{"order_id":4,"tag":"uncached","name":"Ada"}',
    ]);
    await dim.query(`UPDATE customers SET name = 'Ada Lovelace' WHERE id = 1`);
    await job.send([[5, 1]]);
    assert.deepEqual((await job.read(4)).slice(2), [
      '{"order_id":5,"tag":"cached","name":"Ada"}',
      '{"order_id":5,"tag":"uncached","name":"Ada Lovelace"}',
    ]);
  });
});
