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
