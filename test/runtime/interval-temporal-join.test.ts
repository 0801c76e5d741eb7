import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Change } from '../../src/exec/change.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { type PlannedScript, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { parseTimestamp } from '../../src/types/temporal.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { topicWriter } from '../helpers/topic-writer.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const at = (time: string) => parseTimestamp(`2025-07-12 ${time}`) as number;

const SCRIPT = `
CREATE TABLE orders (order_id BIGINT, currency STRING, amount BIGINT, order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'tj_orders', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE shipments (ship_id BIGINT, order_id BIGINT, ship_time TIMESTAMP(3),
  WATERMARK FOR ship_time AS ship_time - INTERVAL '1' SECOND)
  WITH ('connector' = 'kafka', 'topic' = 'tj_shipments', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE rates (currency STRING, rate BIGINT, update_time TIMESTAMP(3), PRIMARY KEY (currency) NOT ENFORCED,
  WATERMARK FOR update_time AS update_time)
  WITH ('connector' = 'upsert-kafka', 'topic' = 'tj_rates', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE shipped (order_id BIGINT, order_time TIMESTAMP(3), ship_id BIGINT, ship_time TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'tj_shipped', 'format' = 'json');
CREATE TABLE converted (order_id BIGINT, converted BIGINT, order_time TIMESTAMP(3), rate_time TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'tj_converted', 'format' = 'json');
INSERT INTO shipped SELECT o.order_id, CAST(o.order_time AS TIMESTAMP(3)), s.ship_id, s.ship_time
FROM orders AS o LEFT JOIN shipments AS s ON o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time - INTERVAL '5' MINUTE AND o.order_time + INTERVAL '1' HOUR;
INSERT INTO converted SELECT o.order_id, o.amount * r.rate, o.order_time, r.update_time
FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;
CREATE TABLE rate_history (currency STRING, rate BIGINT, update_time TIMESTAMP(3),
  WATERMARK FOR update_time AS update_time)
  WITH ('connector' = 'kafka', 'topic' = 'tj_rate_history', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE VIEW versioned_rates AS SELECT currency, rate, update_time FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY currency ORDER BY update_time DESC) AS rn FROM rate_history) WHERE rn = 1;
CREATE TABLE converted_by_view (order_id BIGINT, converted BIGINT, order_time TIMESTAMP(3), rate_time TIMESTAMP(3))
  WITH ('connector' = 'kafka', 'topic' = 'tj_converted_view', 'format' = 'json');
INSERT INTO converted_by_view SELECT o.order_id, o.amount * r.rate, o.order_time, r.update_time
FROM orders AS o JOIN versioned_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;
`;

interface Rows {
  orders: [number, string, number, string][];
  shipments: [number, number, string][];
  rates: [string, number, string][];
}

/** Rows in order of time on each topic (so none is late): the first half, then the second. */
function workload(seed: number, from: number, to: number): Rows {
  let state = seed;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const time = (minute: number, second: number) =>
    `${String(9 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
  const rows: Rows = { orders: [], shipments: [], rates: [] };
  for (let minute = from; minute < to; minute++) {
    const currency = ['EUR', 'USD', 'GBP'][random(3)] as string;
    if (random(2) === 0) rows.rates.push([currency, 1 + random(200), time(minute, 0)]);
    const id = 1000 + minute;
    rows.orders.push([id, ['EUR', 'USD', 'GBP', 'CHF'][random(4)] as string, 1 + random(50), time(minute, 30)]);
    // A shipment for an order of up to 90 minutes before, or for none (id 9xxx).
    const target = random(4) === 0 ? 9000 + minute : 1000 + Math.max(0, minute - random(90));
    rows.shipments.push([5000 + minute, target, time(minute, 45)]);
  }
  return rows;
}

describe('interval and temporal joins run as jobs over topics, as PostgreSQL joins the same rows', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let script: PlannedScript;
  const jobs: Job[] = [];
  const limit = stateMemory().limit;

  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs);
  async function produce(tableName: string, changes: Change[]) {
    const write = topicWriter(script.catalog.get(tableName) as CatalogTable);
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }
  async function produceRows(rows: Rows) {
    await produce(
      'rates',
      rows.rates.map(([c, r, t]) => ({ kind: '+U', row: [c, BigInt(r), at(t)] })),
    );
    await produce(
      'rate_history',
      rows.rates.map(([c, r, t]) => ({ kind: '+I', row: [c, BigInt(r), at(t)] })),
    );
    await produce(
      'orders',
      rows.orders.map(([id, c, a, t]) => ({ kind: '+I', row: [BigInt(id), c, BigInt(a), at(t)] })),
    );
    await produce(
      'shipments',
      rows.shipments.map(([id, o, t]) => ({ kind: '+I', row: [BigInt(id), BigInt(o), at(t)] })),
    );
  }
  async function startJobs(): Promise<Job[]> {
    const started = script.jobs.map((job, i) => new Job(`job-${jobs.length + i}`, job as never, log));
    for (const job of started) await job.start();
    jobs.push(...started);
    return started;
  }
  /** The records of an append topic as text, times as epoch milliseconds. */
  async function output(topic: string, fields: readonly string[]): Promise<string[]> {
    const reader = await log.openReader(topic, { kind: 'earliest' });
    const records = await reader.poll(10_000, 100);
    await reader.close();
    return records
      .map((r) => {
        const value = JSON.parse(String(r.value)) as Record<string, unknown>;
        return fields
          .map((f) => {
            const v = value[f];
            return typeof v === 'string' && /^\d{4}-/.test(v)
              ? String(Date.parse(`${v.replace(' ', 'T')}Z`))
              : String(v);
          })
          .join(' ');
      })
      .filter((line) => !line.startsWith('1 ')) // the far-future rows (order 1)
      .sort();
  }

  before(async () => {
    pg = await startTestPostgres();
    log = await openTestLog(pg);
    script = planScript('joins.sql', SCRIPT, new Map(), {});
    for (const topic of [
      'tj_orders',
      'tj_shipments',
      'tj_shipped',
      'tj_converted',
      'tj_rate_history',
      'tj_converted_view',
    ])
      await log.ensureTopic(topic);
    await log.ensureTopic('tj_rates', { compacted: true });
    // All operator state on disk after every operator call.
    stateMemory().configure(0);
  });

  after(async () => {
    stateMemory().configure(limit);
    for (const job of jobs) if (job.status === 'RUNNING') await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('gives PostgreSQL’s interval LEFT JOIN and as-of join (of a versioned table and of a versioned view), across a restart, with all state spilled', async () => {
    const restoredBefore = stateMemory().restoredEntries;
    const first = workload(7, 0, 120);
    const second = workload(11, 120, 240);
    await produceRows(first);
    let running = await startJobs();
    await waitFor('output of the first rows', async () =>
      (await output('tj_shipped', ['order_id'])).length > 10 &&
      (await output('tj_converted', ['order_id'])).length > 10 &&
      (await output('tj_converted_view', ['order_id'])).length > 10
        ? true
        : undefined,
    );
    for (const job of running) await job.cancel();
    await produceRows(second);
    // Far-future rows move every watermark past all the rows above (they stay pending themselves).
    await produceRows({
      orders: [[1, 'XXX', 1, '23:00:00']],
      shipments: [[1, 1, '23:00:00']],
      rates: [['XXX', 1, '23:00:00']],
    });
    running = await startJobs();

    const all = {
      ...first,
      orders: [...first.orders, ...second.orders],
      shipments: [...first.shipments, ...second.shipments],
      rates: [...first.rates, ...second.rates],
    };
    const client = await pg.connect();
    await client.query(`CREATE TABLE orders (order_id bigint, currency text, amount bigint, order_time timestamp);
      CREATE TABLE shipments (ship_id bigint, order_id bigint, ship_time timestamp);
      CREATE TABLE rates (currency text, rate bigint, update_time timestamp)`);
    const day = '2025-07-12 ';
    for (const [id, c, a, t] of all.orders)
      await client.query('INSERT INTO orders VALUES ($1, $2, $3, $4)', [id, c, a, day + t]);
    for (const [id, o, t] of all.shipments)
      await client.query('INSERT INTO shipments VALUES ($1, $2, $3)', [id, o, day + t]);
    for (const [c, r, t] of all.rates) await client.query('INSERT INTO rates VALUES ($1, $2, $3)', [c, r, day + t]);
    const ms = (column: string) => `COALESCE((extract(epoch FROM ${column}) * 1000)::bigint::text, 'null')`;
    const interval = (
      await client.query(
        `SELECT concat_ws(' ', o.order_id, ${ms('o.order_time')}, COALESCE(s.ship_id::text, 'null'), ${ms('s.ship_time')}) AS line
           FROM orders o LEFT JOIN shipments s ON o.order_id = s.order_id
            AND s.ship_time BETWEEN o.order_time - INTERVAL '5' MINUTE AND o.order_time + INTERVAL '1' HOUR`,
      )
    ).rows
      .map((r) => r.line as string)
      .sort();
    const asOf = (
      await client.query(
        `SELECT concat_ws(' ', o.order_id, o.amount * r.rate, ${ms('o.order_time')}, ${ms('r.update_time')}) AS line
           FROM orders o JOIN LATERAL (SELECT * FROM rates r WHERE r.currency = o.currency
             AND r.update_time <= o.order_time ORDER BY r.update_time DESC LIMIT 1) r ON true`,
      )
    ).rows
      .map((r) => r.line as string)
      .sort();
    assert.ok(
      interval.some((line) => line.includes('null')),
      'some orders found no shipment',
    );

    const shipped = await waitFor('every interval join row', async () => {
      const rows = await output('tj_shipped', ['order_id', 'order_time', 'ship_id', 'ship_time']);
      return rows.length >= interval.length ? rows : undefined;
    });
    const converted = await waitFor('every temporal join row', async () => {
      const rows = await output('tj_converted', ['order_id', 'converted', 'order_time', 'rate_time']);
      return rows.length >= asOf.length ? rows : undefined;
    });
    assert.ok(stateMemory().restoredEntries > restoredBefore, 'join state was read back from disk');
    assert.deepEqual(shipped, interval);
    const convertedByView = await waitFor('every temporal join row of the versioned view', async () => {
      const rows = await output('tj_converted_view', ['order_id', 'converted', 'order_time', 'rate_time']);
      return rows.length >= asOf.length ? rows : undefined;
    });
    assert.deepEqual(converted, asOf);
    assert.deepEqual(convertedByView, asOf, 'the versioned view joins as the versioned table');
  });
});
