import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { seedDatabases } from '../../src/embedded/seed.ts';
import type { Change } from '../../src/exec/change.ts';
import type { Value } from '../../src/expr/value.ts';
import type { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { type PlannedScript, planScript } from '../../src/plan/planner.ts';
import { Job } from '../../src/runtime/job.ts';
import { parseTimestamp } from '../../src/types/temporal.ts';
import { openTestLog, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { topicWriter } from '../helpers/topic-writer.ts';
import { waitFor as waitForJobs } from '../helpers/wait.ts';

const ts = (text: string) => parseTimestamp(`2025-07-12 ${text}`) as number;
const T0 = parseTimestamp('2025-07-11 17:25:55.145') as number;

describe('event-time TUMBLE windows run as jobs on the postgres log', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  const jobs: Job[] = [];

  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs);
  /** Writes changes into a table's topic as the table's connector would. */
  async function produce(script: PlannedScript, tableName: string, changes: Change[]) {
    const table = script.catalog.get(tableName) as CatalogTable;
    const write = topicWriter(table);
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }
  async function startJob(script: PlannedScript): Promise<Job> {
    const job = new Job(`job-${jobs.length}`, script.jobs[0] as never, log);
    await job.start();
    jobs.push(job);
    return job;
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    log = await openTestLog(pg);
  });

  after(async () => {
    for (const job of jobs) if (job.status === 'RUNNING') await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('5_dws_ads.sql counts status changes per minute, drops a late one, and keeps open windows across a restart', async () => {
    const script = planScript(
      '5_dws_ads.sql',
      readFileSync('examples/ecommerce/5_dws_ads.sql', 'utf8'),
      new Map([
        ['SINK_HOST', '127.0.0.1'],
        ['SINK_PORT', String(pg.server.port)],
      ]),
      {},
    );
    await log.ensureTopic('result_orders_with_user_info', { compacted: true });
    const status = (orderId: number, orderStatus: string, updatedAt: string): Change => {
      const row: Value[] = [
        BigInt(orderId),
        1001n,
        '张三',
        'zhangsan@example.com',
        '13812345678',
        '北京',
        'iPhone 15',
        '电子产品',
        'ELECTRONICS',
        1,
        599900n,
        599900n,
        '¥5999.00',
        orderStatus,
        orderStatus,
        T0,
        '2025-07-11',
        17,
        T0,
        '一线城市',
        T0,
        ts(updatedAt),
      ];
      return { kind: '+U', row };
    };
    const events = async () => {
      const client = await pg.connect('sink_db');
      const { rows } = await client.query(
        `SELECT to_char(window_start, 'HH24:MI') AS minute, to_char(window_end, 'HH24:MI') AS window_end,
                order_status, events::int, orders::int
           FROM result.dws_order_events_per_minute ORDER BY window_start, order_status`,
      );
      return rows.map((r) => `${r.minute}-${r.window_end} ${r.order_status} events=${r.events} orders=${r.orders}`);
    };

    await produce(script, 'result_orders_with_user_info', [
      status(2001, 'PENDING', '10:00:05'),
      status(2002, 'PENDING', '10:00:20'),
      status(2001, 'SHIPPED', '10:00:30'),
      status(2001, 'SHIPPED', '10:00:31'), // the same status again: one more event, still one order
      status(2002, 'SHIPPED', '10:01:10'), // in the 10:01 window, which stays open
      status(2003, 'PENDING', '10:01:20'), // watermark 10:01:15: the 10:00 window fires
    ]);
    const job = await startJob(script);
    assert.deepEqual(
      await waitFor('the 10:00 window', async () => ((await events()).length === 2 ? events() : undefined)),
      ['10:00-10:01 PENDING events=2 orders=2', '10:00-10:01 SHIPPED events=2 orders=1'],
    );

    await job.cancel();
    await produce(script, 'result_orders_with_user_info', [
      status(2004, 'PENDING', '10:00:50'), // late: its window has fired
      status(2001, 'COMPLETED', '10:01:40'),
      status(2005, 'PENDING', '10:02:30'), // watermark 10:02:25: the 10:01 window fires
    ]);
    await startJob(script);
    assert.deepEqual(
      await waitFor('the 10:01 window', async () => ((await events()).length === 5 ? events() : undefined)),
      [
        '10:00-10:01 PENDING events=2 orders=2',
        '10:00-10:01 SHIPPED events=2 orders=1',
        '10:01-10:02 COMPLETED events=1 orders=1',
        '10:01-10:02 PENDING events=1 orders=1',
        '10:01-10:02 SHIPPED events=1 orders=1',
      ],
      'the 10:01 window holds the rows read before the restart (2002 SHIPPED, 2003 PENDING) and after it',
    );
  });

  it('writes each window once to an append topic across a restart, with nothing lost', async () => {
    const script = planScript(
      'clicks.sql',
      `CREATE TABLE clicks (user_id STRING, url STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)
         WITH ('connector' = 'kafka', 'topic' = 'clicks', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
       CREATE TABLE clicks_per_minute (window_start TIMESTAMP(3), window_end TIMESTAMP(3), user_id STRING, clicks BIGINT)
         WITH ('connector' = 'kafka', 'topic' = 'clicks_per_minute', 'format' = 'json');
       INSERT INTO clicks_per_minute
       SELECT window_start, window_end, user_id, COUNT(*)
       FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
       GROUP BY window_start, window_end, user_id;`,
      new Map(),
      {},
    );
    await log.ensureTopic('clicks');
    const click = (user: string, at: string): Change => ({ kind: '+I', row: [user, '/', ts(at)] });
    const output = async () => {
      const reader = await log.openReader('clicks_per_minute', { kind: 'earliest' });
      const records = await reader.poll(100, 100);
      await reader.close();
      return records.map((r) => {
        const v = JSON.parse(String(r.value));
        return `${v.window_start.slice(11, 16)}-${v.window_end.slice(11, 16)} ${v.user_id} ${v.clicks}`;
      });
    };

    await produce(script, 'clicks', [
      click('ann', '09:00:10'),
      click('bob', '09:00:20'),
      click('ann', '09:00:50'),
      click('ann', '09:01:05'),
      click('bob', '09:01:30'),
      click('ann', '09:01:40'), // watermark 09:01:38: the 09:00 window fires, 09:01 stays open
    ]);
    const job = await startJob(script);
    await waitFor('the 09:00 window', async () => ((await output()).length === 2 ? true : undefined));
    await job.cancel();

    await produce(script, 'clicks', [click('bob', '09:01:59'), click('cat', '09:02:30')]);
    await startJob(script);
    const all = await waitFor('the 09:01 window', async () => {
      const found = await output();
      return found.length >= 4 ? found : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more may follow
    assert.deepEqual(await output(), all);
    assert.deepEqual(all, ['09:00-09:01 ann 2', '09:00-09:01 bob 1', '09:01-09:02 ann 2', '09:01-09:02 bob 2']);
  });
});
