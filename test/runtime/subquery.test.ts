import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { Change } from '../../src/exec/change.ts';
import type { Value } from '../../src/expr/value.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { type PlannedJob, type PlannedScript, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { topicWriter } from '../helpers/topic-writer.ts';
import { waitFor } from '../helpers/wait.ts';

const upsert = (topic: string) =>
  `'connector' = 'upsert-kafka', 'topic' = '${topic}', 'key.format' = 'json', 'value.format' = 'json'`;

/** A WITH query, a correlated EXISTS, NOT IN of a column that may be NULL, and a scalar subquery. */
const SCRIPT = `
  CREATE TABLE orders (order_id BIGINT, user_id BIGINT, amount INT, status STRING, PRIMARY KEY (order_id) NOT ENFORCED)
    WITH (${upsert('orders')});
  CREATE TABLE users (user_id BIGINT, name STRING, PRIMARY KEY (user_id) NOT ENFORCED) WITH (${upsert('users')});
  CREATE TABLE blocked (block_id BIGINT, user_id BIGINT, PRIMARY KEY (block_id) NOT ENFORCED) WITH (${upsert('blocked')});
  CREATE TABLE big_orders (order_id BIGINT, amount INT, PRIMARY KEY (order_id) NOT ENFORCED) WITH (${upsert('big_orders')});
  INSERT INTO big_orders
  WITH paid AS (SELECT order_id, user_id, amount FROM orders WHERE status = 'PAID')
  SELECT p.order_id, p.amount FROM paid AS p
  WHERE EXISTS (SELECT * FROM users AS u WHERE u.user_id = p.user_id)
    AND p.user_id NOT IN (SELECT user_id FROM blocked)
    AND p.amount > (SELECT AVG(amount) FROM paid);`;

/**
 * The same query in PostgreSQL over tables holding what the topics hold. Flink's AVG of an INT is
 * an INT (truncated), which is PostgreSQL's integer division of the sum by the count.
 */
const REFERENCE = `
  WITH paid AS (SELECT order_id, user_id, amount FROM orders WHERE status = 'PAID')
  SELECT p.order_id::int AS order_id, p.amount FROM paid AS p
  WHERE EXISTS (SELECT * FROM users AS u WHERE u.user_id = p.user_id)
    AND p.user_id NOT IN (SELECT user_id FROM blocked)
    AND p.amount > (SELECT SUM(amount) / COUNT(amount) FROM paid)
  ORDER BY p.order_id`;

const COLUMNS: Record<string, string[]> = {
  orders: ['order_id', 'user_id', 'amount', 'status'],
  users: ['user_id', 'name'],
  blocked: ['block_id', 'user_id'],
};

describe('a WITH query with EXISTS, NOT IN and a scalar subquery over changelogs', () => {
  let pgServer: TestPostgres;
  let log: PostgresLog;
  let reference: pg.Client;
  let script: PlannedScript;
  const jobs: Job[] = [];

  /** Writes changes to a source topic and the same rows to its PostgreSQL twin. */
  async function change(table: string, changes: Change[]): Promise<void> {
    const write = topicWriter(script.catalog.get(table) as CatalogTable);
    await log.produce(changes.map(write).filter((record) => record !== undefined));
    const columns = COLUMNS[table] as string[];
    for (const { kind, row } of changes) {
      const values = row.map((value) => (typeof value === 'bigint' ? Number(value) : value));
      await reference.query(`DELETE FROM ${table} WHERE ${columns[0]} = $1`, [values[0]]);
      if (kind === '+I' || kind === '+U')
        await reference.query(`INSERT INTO ${table} VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    }
  }

  /** The rows the sink topic holds now: the latest value of each key that is not a tombstone. */
  async function sinkRows(): Promise<{ order_id: number; amount: number }[]> {
    const reader = await log.openReader('big_orders', { kind: 'earliest' });
    const latest = new Map<string, { order_id: number; amount: number } | undefined>();
    for (let records = await reader.poll(10_000, 200); records.length > 0; records = await reader.poll(10_000, 50)) {
      for (const record of records)
        latest.set(String(record.key), record.value ? JSON.parse(String(record.value)) : undefined);
    }
    await reader.close();
    return [...latest.values()].filter((row) => row !== undefined).sort((a, b) => a.order_id - b.order_id);
  }

  async function settlesOnReference(expected: { order_id: number; amount: number }[]): Promise<void> {
    const computed = (await reference.query(REFERENCE)).rows;
    assert.deepEqual(computed, expected, 'PostgreSQL computes what the test expects');
    let last: unknown;
    await waitFor(
      'the sink to hold what PostgreSQL computes',
      async () => {
        last = await sinkRows();
        return isDeepStrictEqual(last, computed) ? true : undefined;
      },
      jobs,
    ).catch((error: Error) => {
      if (!error.message.startsWith('timed out')) throw error;
    });
    assert.deepEqual(last, computed);
  }

  async function start(name: string): Promise<Job> {
    const job = new Job(name, script.jobs[0] as PlannedJob, log);
    await job.start();
    jobs.push(job);
    return job;
  }

  before(async () => {
    pgServer = await startTestPostgres();
    log = await openTestLog(pgServer);
    for (const topic of ['orders', 'users', 'blocked', 'big_orders']) await log.ensureTopic(topic, { compacted: true });
    reference = await pgServer.connect();
    await reference.query(`
      CREATE TABLE orders (order_id BIGINT PRIMARY KEY, user_id BIGINT, amount INT, status TEXT);
      CREATE TABLE users (user_id BIGINT PRIMARY KEY, name TEXT);
      CREATE TABLE blocked (block_id BIGINT PRIMARY KEY, user_id BIGINT);`);
    script = planScript('subquery.sql', SCRIPT, new Map(), {});
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pgServer?.dispose();
  });

  it('follows the changes of every input, across a restart with its state on disk', async () => {
    const row = (...values: Value[]): Change => ({ kind: '+I', row: values });
    await change('users', [row(1n, 'a'), row(2n, 'b'), row(3n, 'c')]);
    await change('blocked', [row(100n, 3n)]);
    await change('orders', [
      row(1n, 1n, 10, 'PAID'),
      row(2n, 1n, 40, 'PAID'),
      row(3n, 2n, 50, 'PAID'),
      row(4n, 3n, 60, 'PAID'), // its user is blocked
      row(5n, 4n, 70, 'PAID'), // its user does not exist
      row(6n, 2n, 5, 'NEW'),
    ]);
    const first = await start('first');
    // Paid: 10, 40, 50, 60, 70: the average is 46.
    await settlesOnReference([{ order_id: 3, amount: 50 }]);
    await first.cancel();

    // While the job is away: user 4 arrives, order 6 is paid (the average falls to 235 / 6 = 39).
    await change('users', [row(4n, 'd')]);
    await change('orders', [
      { kind: '-U', row: [6n, 2n, 5, 'NEW'] },
      { kind: '+U', row: [6n, 2n, 5, 'PAID'] },
    ]);
    // The restart rebuilds the state of the joins and aggregates by replay, every entry spilled.
    const limit = stateMemory().limit;
    stateMemory().configure(0);
    const spilledBefore = stateMemory().spilledEntries;
    try {
      await start('second');
      await settlesOnReference([
        { order_id: 2, amount: 40 },
        { order_id: 3, amount: 50 },
        { order_id: 5, amount: 70 },
      ]);
      assert.ok(stateMemory().spilledEntries > spilledBefore, 'state was spilled');
    } finally {
      stateMemory().configure(limit);
    }

    // A NULL among the blocked users: NOT IN is unknown for every order, so none passes.
    await change('blocked', [row(101n, null)]);
    await settlesOnReference([]);
    await change('blocked', [{ kind: '-D', row: [101n, null] }]);
    await settlesOnReference([
      { order_id: 2, amount: 40 },
      { order_id: 3, amount: 50 },
      { order_id: 5, amount: 70 },
    ]);
  });
});
