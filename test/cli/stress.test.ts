import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cityTier } from '../../src/cli/stress/run.ts';
import { runCli } from '../helpers/cli.ts';
import { type ExampleInstance, query, startExampleInstance } from '../helpers/example-instance.ts';

interface Figures {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Report {
  ok: boolean;
  orders: { requested: number; sent: number; confirmed: number; correct: number; incorrect: number };
  orderIds: { first: number; last: number };
  problems: { orderId: number; problem: string }[];
  latency: Figures & { byStatus: Record<string, Figures> };
  throughput: { durationMs: number; changesPerSecond: number; ordersPerSecond: number };
  errors: string[];
  cleanup: {
    kept: boolean;
    ordersDeleted: number;
    sinkRowsRemoved: number;
    historyRowsDeleted: number;
    left: string[];
  };
}

describe('rivulet stress', () => {
  let instance: ExampleInstance;
  let dataDir: string;
  let sinkUrl: string;
  let sourceUrl: string;

  before(async () => {
    instance = await startExampleInstance();
    ({ dataDir, sinkUrl } = instance);
    sourceUrl = instance.sourceUrl;
  });

  after(async () => {
    await instance?.stop();
  });

  it('knows the city tiers of the dimension join', () => {
    assert.equal(cityTier('北京'), '一线城市');
    assert.equal(cityTier('杭州'), '二线城市');
    assert.equal(cityTier('拉萨'), '其他城市');
    assert.equal(cityTier(null), '未知');
  });

  it('drives 30 orders through the pipeline, all correct, and removes them again', async () => {
    const result = await runCli(['stress', '--orders', '30', '--rate', '30', '--json', '--data-dir', dataDir]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(report.orders, { requested: 30, sent: 30, confirmed: 30, correct: 30, incorrect: 0 });
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.errors, []);
    assert.ok(report.orderIds.first > 2005, JSON.stringify(report.orderIds));
    assert.equal(report.orderIds.last - report.orderIds.first, 29);
    // Three changes per order, each timed.
    assert.equal(report.latency.samples, 90);
    for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const) {
      assert.equal(typeof report.latency[key], 'number', key);
      assert.ok(report.latency[key] >= 0, key);
    }
    assert.ok(report.latency.p50Ms <= report.latency.p99Ms && report.latency.p99Ms <= report.latency.maxMs);
    assert.deepEqual(Object.keys(report.latency.byStatus), ['PENDING', 'SHIPPED', 'COMPLETED']);
    for (const figures of Object.values(report.latency.byStatus)) assert.equal(figures.samples, 30);
    assert.ok(report.throughput.changesPerSecond > 0);
    // Cleaned up: nothing of the stress orders is left in the sink (nor in the source).
    assert.equal(report.cleanup.kept, false);
    assert.equal(report.cleanup.ordersDeleted, 30);
    assert.equal(report.cleanup.sinkRowsRemoved, 30);
    assert.equal(report.cleanup.historyRowsDeleted, 90);
    const range = [report.orderIds.first, report.orderIds.last];
    const [sink] = await query(
      sinkUrl,
      `SELECT (SELECT count(*)::int FROM result.orders_with_user_info WHERE order_id BETWEEN $1 AND $2) AS orders,
              (SELECT count(*)::int FROM result.order_status_history WHERE order_id BETWEEN $1 AND $2) AS history,
              (SELECT count(*)::int FROM result.orders_with_user_info) AS total`,
      range,
    );
    assert.deepEqual(sink, { orders: 0, history: 0, total: 5 });
    const [source] = await query(
      sourceUrl,
      'SELECT count(*)::int AS n FROM business.orders WHERE order_id BETWEEN $1 AND $2',
      range,
    );
    assert.equal(source?.n, 0);
  });

  it('prints a report in Chinese under LANG=zh_CN.UTF-8, and keeps the orders with --keep', async () => {
    const result = await runCli(['stress', '--orders', '5', '--rate', '50', '--keep', '--data-dir', dataDir], {
      LANG: 'zh_CN.UTF-8',
      LC_ALL: '',
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /=== 压力测试报告 ===/);
    assert.match(result.stdout, /两张结果表均正确的订单: 5\/5/);
    assert.match(result.stdout, /p50 \d+ 毫秒 · p95 \d+ 毫秒 · p99 \d+ 毫秒/);
    assert.match(result.stdout, /🎉 压力测试通过/);
    assert.ok(!result.stdout.includes('\u001b['), 'colour codes in piped output');
    const [row] = await query(
      sinkUrl,
      "SELECT count(*)::int AS n FROM result.orders_with_user_info WHERE order_id > 2005 AND order_status_desc = '已完成'",
    );
    assert.equal(row?.n, 5);
  });
});
