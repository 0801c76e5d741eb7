import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/commands/validate.ts';
import { runCli } from '../helpers/cli.ts';
import { type ExampleInstance, query, startExampleInstance } from '../helpers/example-instance.ts';

interface Report {
  ok: boolean;
  testOrderId: number;
  testUserId: number;
  checks: { name: string; ok: boolean; detail: string }[];
  latencies: { status: string; ods?: number; dwd?: number; join?: number; sink?: number; history?: number }[];
  endToEnd: { averageMs: number; p99Ms: number; maxMs: number; limitMs: number };
  performance: { ordersProcessed: number; taskManagers: number; slotsTotal: number; slotsAvailable: number };
  left: string[];
}

describe('rivulet validate', () => {
  let instance: ExampleInstance;
  let dataDir: string;
  let sinkUrl: string;

  before(async () => {
    instance = await startExampleInstance();
    ({ dataDir, sinkUrl } = instance);
  });

  after(async () => {
    await instance?.stop();
  });

  it('parses durations', () => {
    assert.equal(parseDuration('--max-latency')('5s'), 5000);
    assert.equal(parseDuration('--max-latency')('250'), 250);
    assert.equal(parseDuration('--max-latency')('250ms'), 250);
    assert.equal(parseDuration('--max-latency')('1.5s'), 1500);
    assert.throws(() => parseDuration('--max-latency')('soon'), /--max-latency must be a duration/);
  });

  it('passes every check with --json, and removes its test order', async () => {
    const result = await runCli(['validate', '--data-dir', dataDir, '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(report.ok, true);
    for (const check of report.checks) assert.ok(check.ok, `${check.name}: ${check.detail}`);
    const names = report.checks.map((check) => check.name);
    for (const name of [
      'environment.rest',
      'environment.source_db',
      'environment.sink_db',
      'environment.job.ods_orders',
      'environment.job.dwd_orders',
      'environment.job.result_orders_with_user_info',
      'environment.job.orders_with_user_info_sink',
      'environment.replication_slots',
      'layer.ods',
      'layer.dwd',
      'layer.join',
      'layer.sink',
      'layer.history',
      'latency.end_to_end',
      'shop.result.order_latest_status',
      'shop.result.top_products_per_minute',
      'shop.result.user_spend_last_hour',
      'shop.result.payments_matched',
      'shop.result.order_changes_with_user_city',
      'cleanup.sink',
    ])
      assert.ok(names.includes(name), `no check ${name} in ${names.join(', ')}`);
    assert.ok(report.testOrderId > 2005);
    assert.deepEqual(
      report.latencies.map((l) => l.status),
      ['PENDING', 'SHIPPED', 'COMPLETED'],
    );
    for (const l of report.latencies) {
      for (const layer of ['ods', 'dwd', 'join', 'sink', 'history'] as const)
        assert.equal(typeof l[layer], 'number', `${l.status} ${layer}`);
      assert.ok((l.ods as number) <= (l.sink as number), JSON.stringify(l));
    }
    assert.ok(report.endToEnd.maxMs < 5000);
    assert.equal(report.performance.taskManagers, 1);
    assert.equal(report.performance.ordersProcessed, 6);
    assert.ok(report.performance.slotsTotal >= 5);
    // The test order is gone from the sink and the history; what stays is reported.
    const rows = await query(
      sinkUrl,
      `SELECT (SELECT count(*)::int FROM result.orders_with_user_info) AS orders,
              (SELECT count(*)::int FROM result.order_status_history WHERE order_id = ${report.testOrderId}) AS history`,
    );
    assert.deepEqual(rows, [{ orders: 5, history: 0 }]);
    assert.ok(report.left.some((left) => left.includes('ods_orders')));
    // The test user is gone again.
    const users = await query(instance.sourceUrl, 'SELECT count(*)::int AS n FROM business.users WHERE user_id = $1', [
      report.testUserId,
    ]);
    assert.deepEqual(users, [{ n: 0 }]);
  });

  it("holds the shop analytics of the seed's orders and payments, worked out by hand", async () => {
    // 6_shop_analytics.sql over the seed: five orders at 17:25:55.145, their users at .143, payments
    // at 17:27:03 (order 2001), 17:41:20 (2002), 17:50:00 (2003), 18:05:00 (2004), 18:20:00 (2003).
    const rows = (sql: string) => query(sinkUrl, sql);
    assert.deepEqual(
      await rows(`SELECT payment_id::int, order_id::int, order_status, amount::text FROM result.payments_matched
                   WHERE payment_id < 3100 ORDER BY 1`),
      [
        { payment_id: 3001, order_id: 2001, order_status: 'COMPLETED', amount: '5999.00' },
        { payment_id: 3002, order_id: 2002, order_status: 'SHIPPED', amount: '1798.00' },
        { payment_id: 3003, order_id: 2003, order_status: 'PENDING', amount: '2000.00' },
      ],
    );
    // 18:20:00 is the latest payment: the watermark (5 s behind) has not passed it.
    assert.deepEqual(
      await rows(`SELECT payment_id::int, spend_last_hour::text, payments_last_hour::int
                   FROM result.user_spend_last_hour ORDER BY 1`),
      [
        { payment_id: 3001, spend_last_hour: '5999.00', payments_last_hour: 1 },
        { payment_id: 3002, spend_last_hour: '1798.00', payments_last_hour: 1 },
        { payment_id: 3003, spend_last_hour: '2000.00', payments_last_hour: 1 },
        { payment_id: 3004, spend_last_hour: '599.00', payments_last_hour: 1 },
      ],
    );
    // Product names rank by their UTF-8 bytes on a tie: 'M' before 'i', 'N' before '羽'.
    assert.deepEqual(
      await rows(`SELECT product_category_normalized AS c, ranking::int, product_name, orders::int
                   FROM result.top_products_per_minute WHERE window_start = '2025-07-11 17:25:00' ORDER BY 1, 2`),
      [
        { c: 'BOOKS', ranking: 1, product_name: '三体（全集）', orders: 1 },
        { c: 'CLOTHING', ranking: 1, product_name: 'Nike Air Max 270', orders: 1 },
        { c: 'CLOTHING', ranking: 2, product_name: '羽绒服', orders: 1 },
        { c: 'ELECTRONICS', ranking: 1, product_name: 'MacBook Pro 14', orders: 1 },
        { c: 'ELECTRONICS', ranking: 2, product_name: 'iPhone 15', orders: 1 },
      ],
    );
    // The test user moved the users' watermark past the seed's orders: each joined its user's city.
    assert.deepEqual(
      await rows(`SELECT order_id::int, username, city FROM result.order_changes_with_user_city
                   WHERE order_id <= 2005 ORDER BY 1`),
      [
        { order_id: 2001, username: '张三', city: '北京' },
        { order_id: 2002, username: '李四', city: '上海' },
        { order_id: 2003, username: '王五', city: '广州' },
        { order_id: 2004, username: '赵六', city: '深圳' },
        { order_id: 2005, username: '钱七', city: '杭州' },
      ],
    );
    assert.deepEqual(
      await rows(
        'SELECT order_id::int, order_status FROM result.order_latest_status WHERE order_id <= 2005 ORDER BY 1',
      ),
      [
        { order_id: 2001, order_status: 'COMPLETED' },
        { order_id: 2002, order_status: 'SHIPPED' },
        { order_id: 2003, order_status: 'PENDING' },
        { order_id: 2004, order_status: 'COMPLETED' },
        { order_id: 2005, order_status: 'PENDING' },
      ],
    );
  });

  it('fails on a shop table that differs from what PostgreSQL computes, naming the table and the row', async () => {
    await query(sinkUrl, 'UPDATE result.payments_matched SET amount = 1 WHERE payment_id = 3001');
    try {
      const result = await runCli(['validate', '--data-dir', dataDir, '--json', '--timeout', '2s']);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const report = JSON.parse(result.stdout) as Report;
      const failed = report.checks.filter((check) => !check.ok);
      assert.deepEqual(
        failed.map((check) => check.name),
        ['shop.result.payments_matched'],
      );
      assert.match(
        failed[0]?.detail ?? '',
        /0 missing, 0 extra, 1 wrong rows; for example result\.payments_matched wrong 3001\|2025-07-11 17:25:55\.145: amount=1\.00 \(expected 5999\.00\)/,
      );
    } finally {
      await query(sinkUrl, 'UPDATE result.payments_matched SET amount = 5999.00 WHERE payment_id = 3001');
    }
  });

  it('speaks Chinese under LANG=zh_CN.UTF-8 and ends with the seed line', async () => {
    const result = await runCli(['validate', '--data-dir', dataDir], { LANG: 'zh_CN.UTF-8', LC_ALL: '' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\[STEP\] 检查环境状态\.\.\./);
    assert.match(result.stdout, /ODS层 \(ods_orders\)数据验证通过 \(发现 3 条记录\)/);
    assert.match(result.stdout, /\[SUCCESS\] 🎉 实时验证测试通过！/);
    assert.match(result.stdout, /=== 性能统计报告 ===/);
    assert.match(result.stdout, /总处理订单数: 6/);
    assert.match(result.stdout, /延迟性能: 优秀 \(< 5s\)/);
    assert.match(result.stdout, /已直接从 result\.order_status_history 删除测试订单的 3 条记录/);
    assert.match(result.stdout, /result\.payments_matched 与 PostgreSQL 计算结果一致 \(3 条记录; 所有支付\)/);
    // Not a terminal: no colour codes.
    assert.ok(!result.stdout.includes('\u001b['), 'colour codes in piped output');
  });

  it('fails, naming the layer, when the sink job is cancelled', async () => {
    const { restUrl } = JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')) as { restUrl: string };
    const { jobs } = (await (await fetch(`${restUrl}/jobs/overview`)).json()) as {
      jobs: { jid: string; name: string }[];
    };
    const sinkJob = jobs.find((job) => job.name.includes('orders_with_user_info_sink'));
    assert.ok(sinkJob, JSON.stringify(jobs));
    const cancelled = await runCli(['cancel', sinkJob.jid, '--data-dir', dataDir]);
    assert.equal(cancelled.code, 0, cancelled.stderr);

    const json = await runCli(['validate', '--data-dir', dataDir, '--json', '--timeout', '5s']);
    assert.equal(json.code, 1, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as Report;
    assert.equal(report.ok, false);
    const failed = report.checks.filter((check) => !check.ok);
    assert.deepEqual(
      failed.map((check) => check.name),
      ['environment.job.orders_with_user_info_sink'],
    );
    assert.match(failed[0]?.detail ?? '', /sink layer: no RUNNING job writing orders_with_user_info_sink/);

    const text = await runCli(['validate', '--data-dir', dataDir], { LANG: 'en_US.UTF-8', LC_ALL: '' });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /❌ sink layer: no RUNNING job/);
    assert.match(text.stdout, /Real-time validation failed: sink layer/);
    assert.doesNotMatch(text.stdout, /🎉/);
  });
});
