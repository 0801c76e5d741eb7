import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
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

const ts = (text: string) => parseTimestamp(text) as number;
const T0 = ts('2025-07-11 17:25:55.145');

const USERS: Value[][] = [
  [1001n, '张三', 'zhangsan@example.com', '13812345678', '北京', T0, T0],
  [1002n, '李四', 'lisi@example.com', '13923456789', '上海', T0, T0],
  [1003n, '王五', 'wangwu@example.com', '13734567890', '广州', T0, T0],
];
const ORDERS: Value[][] = [
  [2001n, 1001n, 'iPhone 15', '电子产品', 1, 599900n, 599900n, 'COMPLETED', T0, T0],
  [2002n, 1002n, 'Nike Air Max 270', '服装鞋帽', 2, 89900n, 179800n, 'SHIPPED', T0, T0],
  [2003n, 1009n, 'MacBook Pro 14', '电子产品', 1, 1499900n, 1499900n, 'PENDING', T0, T0],
];

describe('the seed pipeline (DWD, dimension join, sink) on the postgres log', () => {
  let pg: TestPostgres;
  let log: PostgresLog;
  let scripts: PlannedScript[];
  const jobs: Job[] = [];

  const sinkRows = async (sql: string) => (await (await pg.connect('sink_db')).query(sql)).rows;
  const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => waitForJobs(what, check, jobs);
  async function ods(topic: 'ods_orders' | 'ods_users', changes: Change[]) {
    const table = scripts[topic === 'ods_orders' ? 0 : 1]?.catalog.get(topic) as CatalogTable;
    const write = topicWriter(table);
    await log.produce(changes.map(write).filter((r) => r !== undefined));
  }
  /**
   * Waits until a query of the sink gives `expected`, then asserts it (showing the difference after
   * the timeout). The join may first emit a row with an older or missing user, which its user's
   * change then fixes: only the settled state is checked.
   */
  async function sinkSettlesOn(what: string, sql: string, expected: unknown): Promise<void> {
    let last: unknown;
    await waitFor(what, async () => {
      last = await sinkRows(sql);
      return isDeepStrictEqual(last, expected) ? true : undefined;
    }).catch((error: Error) => {
      if (!error.message.startsWith('timed out')) throw error; // a failed job
    });
    assert.deepEqual(last, expected);
  }
  async function startJob(index: number): Promise<Job> {
    const job = new Job(`job-${index}-${jobs.length}`, scripts[index]?.jobs[0] as never, log);
    await job.start();
    jobs.push(job);
    return job;
  }

  before(async () => {
    pg = await startTestPostgres();
    await seedDatabases(pg.server, 'examples/ecommerce/databases');
    log = await openTestLog(pg);
    await log.ensureTopic('ods_orders', { compacted: true });
    await log.ensureTopic('ods_users', { compacted: true });
    const variables = new Map([
      ['SINK_HOST', '127.0.0.1'],
      ['SINK_PORT', String(pg.server.port)],
    ]);
    scripts = ['2_dwd_layer.sql', '3_dimension_join.sql', '4_sink_to_postgres.sql'].map((file) =>
      planScript(file, readFileSync(`examples/ecommerce/${file}`, 'utf8'), variables, {}),
    );
  });

  after(async () => {
    for (const job of jobs) await job.cancel();
    await log?.close();
    await pg?.dispose();
  });

  it('cleanses, joins and writes the orders with their users', async () => {
    await ods(
      'ods_users',
      USERS.map((row) => ({ kind: '+I', row })),
    );
    await ods(
      'ods_orders',
      ORDERS.map((row) => ({ kind: '+I', row })),
    );
    await startJob(0);
    await startJob(1);
    await startJob(2);
    const expected = [
      {
        order_id: 2001,
        username: '张三',
        email: 'zhangsan@example.com',
        user_city_tier: '一线城市',
        product_category_normalized: 'ELECTRONICS',
        total_amount_yuan: '¥5999.00',
        order_status_desc: '已完成',
        order_date: '2025-07-11',
        order_hour: 17,
      },
      {
        order_id: 2002,
        username: '李四',
        email: 'lisi@example.com',
        user_city_tier: '一线城市',
        product_category_normalized: 'CLOTHING',
        total_amount_yuan: '¥1798.00',
        order_status_desc: '已发货',
        order_date: '2025-07-11',
        order_hour: 17,
      },
      {
        order_id: 2003,
        username: 'Unknown User',
        email: 'unknown@example.com',
        user_city_tier: '未知',
        product_category_normalized: 'ELECTRONICS',
        total_amount_yuan: '¥14999.00',
        order_status_desc: '待处理',
        order_date: '2025-07-11',
        order_hour: 17,
      },
    ];
    await sinkSettlesOn(
      'the three orders in the sink, joined',
      `SELECT order_id::int, username, email, user_city_tier, product_category_normalized, total_amount_yuan, order_status_desc,
              order_date, order_hour FROM result.orders_with_user_info ORDER BY order_id`,
      expected,
    );
  });

  it('follows an order through PENDING, SHIPPED and COMPLETED, keeping each status in the history', async () => {
    const order = (status: string, at: string): Change => ({
      kind: '+U',
      row: [2006n, 1001n, 'AirPods Pro', '电子产品', 1, 199900n, 199900n, status, T0, ts(at)],
    });
    await ods('ods_orders', [order('PENDING', '2025-07-12 10:00:00')]);
    await ods('ods_orders', [order('SHIPPED', '2025-07-12 10:00:05')]);
    await ods('ods_orders', [order('COMPLETED', '2025-07-12 10:00:10')]);
    const history = await waitFor('three history rows', async () => {
      const found = await sinkRows(
        `SELECT order_status, order_status_desc FROM result.order_status_history WHERE order_id = 2006 ORDER BY updated_at`,
      );
      return found.length === 3 ? found : undefined;
    });
    assert.deepEqual(history, [
      { order_status: 'PENDING', order_status_desc: '待处理' },
      { order_status: 'SHIPPED', order_status_desc: '已发货' },
      { order_status: 'COMPLETED', order_status_desc: '已完成' },
    ]);
    const current = await waitFor('order 2006 completed', async () => {
      const found = await sinkRows(
        `SELECT username, user_city_tier, order_status_desc FROM result.orders_with_user_info WHERE order_id = 2006`,
      );
      return found[0]?.order_status_desc === '已完成' ? found : undefined;
    });
    assert.deepEqual(current, [{ username: '张三', user_city_tier: '一线城市', order_status_desc: '已完成' }]);
    assert.equal((await sinkRows('SELECT count(*)::int AS n FROM result.orders_with_user_info'))[0]?.n, 4);
  });

  it('fixes an order when its late user arrives, re-emits orders when a user changes, and removes a deleted order', async () => {
    await ods('ods_users', [
      { kind: '+I', row: [1009n, '赵九', 'zhaojiu@example.com', '13000000009', '杭州', T0, T0] },
    ]);
    await ods('ods_users', [
      { kind: '+U', row: [1001n, '张三丰', 'zhangsan@example.com', '13812345678', '深圳', T0, T0] },
    ]);
    await ods('ods_orders', [{ kind: '-D', row: [2002n, null, null, null, null, null, null, null, null, null] }]);
    const rows = await waitFor('the changes in the sink', async () => {
      const found = await sinkRows(
        `SELECT order_id::int, username, city, user_city_tier FROM result.orders_with_user_info ORDER BY order_id`,
      );
      const done =
        found.length === 3 && found.some((r) => r.username === '赵九') && found.every((r) => r.username !== '张三');
      return done ? found : undefined;
    });
    assert.deepEqual(rows, [
      { order_id: 2001, username: '张三丰', city: '深圳', user_city_tier: '一线城市' },
      { order_id: 2003, username: '赵九', city: '杭州', user_city_tier: '二线城市' },
      { order_id: 2006, username: '张三丰', city: '深圳', user_city_tier: '一线城市' },
    ]);
  });

  it('restarts a job from its committed positions without losing or repeating anything', async () => {
    const join = jobs[1] as Job;
    await join.cancel();
    await ods('ods_users', [{ kind: '+U', row: [1003n, '王五', 'wangwu@example.com', '13734567890', '成都', T0, T0] }]);
    await ods('ods_orders', [
      { kind: '+U', row: [2007n, 1003n, 'Kindle', '电子产品', 1, 99900n, 99900n, 'PENDING', T0, T0] },
    ]);
    await startJob(1);
    await sinkSettlesOn(
      'order 2007 after the restart, with its user changed',
      'SELECT order_id::int, username, city FROM result.orders_with_user_info WHERE order_id = 2007',
      [{ order_id: 2007, username: '王五', city: '成都' }],
    );
    const history = await sinkRows(
      `SELECT order_id::int, count(*)::int AS n FROM result.order_status_history GROUP BY order_id ORDER BY order_id`,
    );
    assert.deepEqual(
      history.find((r) => r.order_id === 2006),
      { order_id: 2006, n: 3 },
      'no status repeated',
    );
    assert.equal((await sinkRows('SELECT count(*)::int AS n FROM result.orders_with_user_info'))[0]?.n, 4);
  });
});
