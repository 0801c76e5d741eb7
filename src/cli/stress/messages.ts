/** The text of `rivulet stress`, in English and in Chinese. */

import type { Language } from '../validate/messages.ts';

export interface ProgressFigures {
  readonly sent: number;
  readonly total: number;
  readonly confirmed: number;
  readonly inFlight: number;
  readonly failed: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

const ms = (value: number | undefined, unit: string) => (value === undefined ? '—' : `${value} ${unit}`);

export interface StressMessages {
  readonly title: string;
  readonly databaseUnreachable: (name: string, why: string) => string;
  readonly noUsers: string;
  readonly plan: (orders: number, rate: number, first: number, last: number, users: readonly number[]) => string;
  readonly progress: (p: ProgressFigures) => string;
  readonly interrupted: string;
  readonly notConfirmed: (status: string, timeoutMs: number) => string;
  readonly statementFailed: (status: string, why: string) => string;
  readonly noSinkRow: string;
  readonly wrongValue: (field: string, expected: string, actual: string) => string;
  readonly wrongHistory: (statuses: readonly string[]) => string;
  readonly notSent: string;
  readonly reportTitle: string;
  readonly ordersCorrect: (correct: number, total: number) => string;
  readonly latency: (samples: number, p50: number, p95: number, p99: number, max: number) => string;
  readonly noLatency: string;
  readonly throughput: (changesPerSecond: number, ordersPerSecond: number, target: number) => string;
  readonly errors: (n: number) => string;
  readonly problem: (id: number, what: string) => string;
  readonly kept: (first: number, last: number) => string;
  readonly deletedOrders: (n: number) => string;
  readonly sinkRowsRemoved: (n: number) => string;
  readonly sinkRowsLeft: (n: number) => string;
  readonly historyDeleted: (n: number) => string;
  readonly leftInTopics: (first: number, last: number) => string;
  readonly leftInWindows: (n: number) => string;
  readonly cleanupFailed: (what: string) => string;
  readonly passed: string;
  readonly failed: string;
}

const en: StressMessages = {
  title: 'Rivulet stress test',
  databaseUnreachable: (name, why) => `${name} not reachable: ${why}`,
  noUsers: 'business.users has none of the seed users 1001–1005',
  plan: (orders, rate, first, last, users) =>
    `sending ${orders} orders at ${rate}/s (order ids ${first}–${last}, users ${users.join(', ')}), each PENDING → SHIPPED → COMPLETED`,
  progress: (p) =>
    `sent ${p.sent}/${p.total} · confirmed ${p.confirmed} · in flight ${p.inFlight}${p.failed > 0 ? ` · failed ${p.failed}` : ''} · p50 ${ms(p.p50Ms, 'ms')} · p99 ${ms(p.p99Ms, 'ms')}`,
  interrupted: 'interrupted: no more orders are sent; waiting for those in flight',
  notConfirmed: (status, timeoutMs) => `${status} not in the sink within ${timeoutMs} ms`,
  statementFailed: (status, why) => `${status} statement failed in source_db: ${why}`,
  noSinkRow: 'no row in result.orders_with_user_info',
  wrongValue: (field, expected, actual) => `${field} is '${actual}', expected '${expected}'`,
  wrongHistory: (statuses) =>
    `result.order_status_history has [${statuses.join(', ')}], expected [PENDING, SHIPPED, COMPLETED]`,
  notSent: 'not sent (interrupted)',
  reportTitle: '=== Stress report ===',
  ordersCorrect: (correct, total) => `orders correct in both sink tables: ${correct}/${total}`,
  latency: (samples, p50, p95, p99, max) =>
    `latency, source commit → sink (${samples} changes): p50 ${p50} ms · p95 ${p95} ms · p99 ${p99} ms · max ${max} ms`,
  noLatency: 'latency: no change reached the sink',
  throughput: (changes, orders, target) =>
    `throughput: ${changes} changes/s (${orders} orders/s, target ${target} orders/s)`,
  errors: (n) => `errors: ${n}`,
  problem: (id, what) => `order ${id}: ${what}`,
  kept: (first, last) => `--keep: orders ${first}–${last} stay in source_db and sink_db`,
  deletedOrders: (n) => `deleted ${n} stress orders from business.orders`,
  sinkRowsRemoved: (n) => `the deletes went through the pipeline: ${n} rows gone from result.orders_with_user_info`,
  sinkRowsLeft: (n) =>
    `${n} stress orders are still in result.orders_with_user_info (the deletes did not arrive in time)`,
  historyDeleted: (n) => `deleted ${n} rows from result.order_status_history directly (history is append-only)`,
  leftInTopics: (first, last) =>
    `left behind: the topics ods_orders, dwd_orders and result_orders_with_user_info keep the records of orders ${first}–${last} and their deletes, as a log does`,
  leftInWindows: (n) =>
    `left behind: result.dws_order_events_per_minute counts the ${n} status changes in its per-minute windows (once they close)`,
  cleanupFailed: (what) => `cleanup failed: ${what}`,
  passed: '🎉 Stress test passed: every order is correct',
  failed: '❌ Stress test failed',
};

const zh: StressMessages = {
  title: 'Rivulet 持续压力测试',
  databaseUnreachable: (name, why) => `${name} 无法连接: ${why}`,
  noUsers: 'business.users 中没有种子用户 1001–1005',
  plan: (orders, rate, first, last, users) =>
    `以每秒 ${rate} 个订单发送 ${orders} 个订单 (订单ID ${first}–${last}, 用户 ${users.join(', ')}), 每个订单 PENDING → SHIPPED → COMPLETED`,
  progress: (p) =>
    `已发送 ${p.sent}/${p.total} · 已确认 ${p.confirmed} · 处理中 ${p.inFlight}${p.failed > 0 ? ` · 失败 ${p.failed}` : ''} · p50 ${ms(p.p50Ms, '毫秒')} · p99 ${ms(p.p99Ms, '毫秒')}`,
  interrupted: '已中断: 不再发送新订单, 等待处理中的订单',
  notConfirmed: (status, timeoutMs) => `${status} 在 ${timeoutMs} 毫秒内未到达结果表`,
  statementFailed: (status, why) => `${status} 语句在 source_db 中执行失败: ${why}`,
  noSinkRow: 'result.orders_with_user_info 中没有该订单',
  wrongValue: (field, expected, actual) => `${field} 为 '${actual}', 应为 '${expected}'`,
  wrongHistory: (statuses) =>
    `result.order_status_history 中为 [${statuses.join(', ')}], 应为 [PENDING, SHIPPED, COMPLETED]`,
  notSent: '未发送 (已中断)',
  reportTitle: '=== 压力测试报告 ===',
  ordersCorrect: (correct, total) => `两张结果表均正确的订单: ${correct}/${total}`,
  latency: (samples, p50, p95, p99, max) =>
    `延迟, 源库提交 → 结果表 (${samples} 次变更): p50 ${p50} 毫秒 · p95 ${p95} 毫秒 · p99 ${p99} 毫秒 · 最大 ${max} 毫秒`,
  noLatency: '延迟: 没有变更到达结果表',
  throughput: (changes, orders, target) =>
    `吞吐量: 每秒 ${changes} 次变更 (每秒 ${orders} 个订单, 目标每秒 ${target} 个订单)`,
  errors: (n) => `错误数: ${n}`,
  problem: (id, what) => `订单 ${id}: ${what}`,
  kept: (first, last) => `--keep: 订单 ${first}–${last} 保留在 source_db 和 sink_db 中`,
  deletedOrders: (n) => `已从 business.orders 删除 ${n} 个压测订单`,
  sinkRowsRemoved: (n) => `删除已流经管道: result.orders_with_user_info 中 ${n} 行已移除`,
  sinkRowsLeft: (n) => `${n} 个压测订单仍在 result.orders_with_user_info 中 (删除未及时到达)`,
  historyDeleted: (n) => `已直接从 result.order_status_history 删除 ${n} 条记录 (历史表只追加)`,
  leftInTopics: (first, last) =>
    `保留: 主题 ods_orders、dwd_orders、result_orders_with_user_info 保留订单 ${first}–${last} 及其删除的记录 (日志特性)`,
  leftInWindows: (n) => `保留: result.dws_order_events_per_minute 的分钟窗口 (关闭后) 计入这 ${n} 次状态变更`,
  cleanupFailed: (what) => `清理失败: ${what}`,
  passed: '🎉 压力测试通过: 所有订单均正确',
  failed: '❌ 压力测试失败',
};

export function stressMessagesFor(language: Language): StressMessages {
  return language === 'zh' ? zh : en;
}
