/** The text of `rivulet validate`, in English and in Chinese (the seed's realtime_validation_test.sh lines). */

export type Language = 'en' | 'zh';

export interface Messages {
  readonly title: string;
  readonly stepEnvironment: string;
  readonly stepInitial: string;
  readonly stepOperations: string;
  readonly stepVerify: string;
  readonly stepLatency: string;
  readonly stepCleanup: string;
  readonly restReachable: (url: string) => string;
  readonly restUnreachable: (url: string, why: string) => string;
  readonly databaseReachable: (name: string) => string;
  readonly databaseUnreachable: (name: string, why: string) => string;
  readonly jobRunning: (layer: string, name: string) => string;
  readonly jobNotRunning: (layer: string, fragment: string, state: string | undefined) => string;
  readonly slotsActive: (slots: readonly string[]) => string;
  readonly slotsInactive: (inactive: readonly string[]) => string;
  readonly noSlots: string;
  readonly environmentOk: string;
  readonly environmentFailed: string;
  readonly runningJobs: (n: number) => string;
  readonly initialCounts: (orders: number, sink: number, history: number) => string;
  readonly testOrderId: (id: number) => string;
  readonly inserted: string;
  readonly shipped: string;
  readonly completed: string;
  readonly changeNotSeen: (status: string, layer: string, timeoutMs: number) => string;
  readonly layerName: (layer: LayerId) => string;
  readonly layerOk: (layer: LayerId, records: number) => string;
  readonly layerFailed: (layer: LayerId, detail: string) => string;
  readonly missingStatuses: (statuses: readonly string[]) => string;
  readonly wrongValue: (field: string, expected: string, actual: string) => string;
  readonly latencyLine: (status: string, parts: string) => string;
  readonly latencyWithin: (ms: number, max: number) => string;
  readonly latencyOver: (ms: number, max: number) => string;
  readonly passed: string;
  readonly failed: (what: string) => string;
  readonly reportTitle: string;
  readonly reportData: string;
  readonly ordersProcessed: (n: number) => string;
  readonly averageLatency: (seconds: string) => string;
  readonly p99Latency: (seconds: string) => string;
  readonly reportCluster: string;
  readonly taskManagers: (n: number) => string;
  readonly slotsTotal: (n: number) => string;
  readonly slotsAvailable: (n: number) => string;
  readonly utilisation: (pct: number) => string;
  readonly latencyVerdict: (excellent: boolean, max: string) => string;
  readonly deletedOrder: (id: number) => string;
  readonly sinkRowRemoved: string;
  readonly sinkRowLeft: (id: number) => string;
  readonly historyDeleted: (n: number) => string;
  readonly leftInTopics: (id: number) => string;
  readonly leftInWindows: (n: number) => string;
  readonly cleanupFailed: (what: string) => string;
  readonly stepShop: string;
  readonly shopNotSubmitted: (fragment: string) => string;
  readonly testUser: (id: number) => string;
  readonly shopTableOk: (table: string, rows: number, scope: string) => string;
  readonly shopTableFailed: (table: string, scope: string, detail: string) => string;
  readonly shopDifference: (missing: number, extra: number, wrong: number, example: string) => string;
  readonly shopScope: (table: string, cutoff: string | null | undefined) => string;
  readonly deletedUser: (id: number) => string;
  readonly leftInShop: (id: number) => string;
}

export type LayerId = 'ods' | 'dwd' | 'join' | 'sink' | 'history';

const en: Messages = {
  title: 'Rivulet real-time pipeline validation',
  stepEnvironment: 'Checking the environment...',
  stepInitial: 'Checking the initial data...',
  stepOperations: 'Running the business operations...',
  stepVerify: 'Verifying the data flow...',
  stepLatency: 'Measuring latency...',
  stepCleanup: 'Removing the test order...',
  restReachable: (url) => `engine REST API reachable at ${url}`,
  restUnreachable: (url, why) => `engine REST API not reachable at ${url}: ${why}`,
  databaseReachable: (name) => `${name} reachable`,
  databaseUnreachable: (name, why) => `${name} not reachable: ${why}`,
  jobRunning: (layer, name) => `${layer} job RUNNING: ${name}`,
  jobNotRunning: (layer, fragment, state) =>
    `${layer} layer: no RUNNING job writing ${fragment}${state ? ` (it is ${state})` : ' (no such job)'}`,
  slotsActive: (slots) => `replication slots active in source_db: ${slots.join(', ')}`,
  slotsInactive: (inactive) => `CDC layer: replication slots not active in source_db: ${inactive.join(', ')}`,
  noSlots: 'CDC layer: no replication slot in source_db',
  environmentOk: 'environment check passed',
  environmentFailed: 'environment check failed',
  runningJobs: (n) => `running jobs: ${n}`,
  initialCounts: (orders, sink, history) =>
    `business.orders: ${orders}, result.orders_with_user_info: ${sink}, result.order_status_history: ${history}`,
  testOrderId: (id) => `test order id: ${id}`,
  inserted: 'order inserted (PENDING)',
  shipped: 'order status updated to SHIPPED',
  completed: 'order completed (COMPLETED)',
  changeNotSeen: (status, layer, timeoutMs) => `${status} did not reach the ${layer} within ${timeoutMs} ms`,
  layerName: (layer) =>
    ({
      ods: 'ODS layer (topic ods_orders)',
      dwd: 'DWD layer (topic dwd_orders)',
      join: 'join layer (topic result_orders_with_user_info)',
      sink: 'sink (sink_db result.orders_with_user_info)',
      history: 'history (sink_db result.order_status_history)',
    })[layer],
  layerOk: (layer, records) => `${en.layerName(layer)} verified (${records} records)`,
  layerFailed: (layer, detail) => `${en.layerName(layer)} failed: ${detail}`,
  missingStatuses: (statuses) => `no record with status ${statuses.join(', ')}`,
  wrongValue: (field, expected, actual) => `${field} is '${actual}', expected '${expected}'`,
  latencyLine: (status, parts) => `${status.padEnd(9)} ${parts}`,
  latencyWithin: (ms, max) => `end-to-end latency ${ms} ms, under ${max} ms`,
  latencyOver: (ms, max) => `end-to-end latency ${ms} ms, over the limit of ${max} ms`,
  passed: '🎉 Real-time validation passed!',
  failed: (what) => `Real-time validation failed: ${what}`,
  reportTitle: '=== Performance report ===',
  reportData: '📊 Data processing:',
  ordersProcessed: (n) => `  • orders processed: ${n}`,
  averageLatency: (s) => `  • average end-to-end latency: ${s} s`,
  p99Latency: (s) => `  • p99 end-to-end latency: ${s} s`,
  reportCluster: '🔧 Cluster resources:',
  taskManagers: (n) => `  • task managers: ${n}`,
  slotsTotal: (n) => `  • task slots: ${n}`,
  slotsAvailable: (n) => `  • available task slots: ${n}`,
  utilisation: (pct) => `  • utilisation: ${pct}%`,
  latencyVerdict: (excellent, max) =>
    excellent ? `✅ latency: excellent (< ${max})` : `❌ latency: too slow (>= ${max})`,
  deletedOrder: (id) => `deleted test order ${id} from business.orders`,
  sinkRowRemoved: 'the delete went through the pipeline: the sink row is gone',
  sinkRowLeft: (id) => `order ${id} is still in result.orders_with_user_info (the delete did not arrive in time)`,
  historyDeleted: (n) =>
    `deleted ${n} rows of the test order from result.order_status_history directly (history is append-only)`,
  leftInTopics: (id) =>
    `left behind: the topics ods_orders, dwd_orders and result_orders_with_user_info keep the records of order ${id} and its delete, as a log does`,
  leftInWindows: (n) =>
    `left behind: result.dws_order_events_per_minute counts the test order's ${n} status changes in its per-minute windows (once they close)`,
  cleanupFailed: (what) => `cleanup failed: ${what}`,
  stepShop: 'Checking the shop analytics (6_shop_analytics.sql) against PostgreSQL...',
  shopNotSubmitted: (fragment) =>
    `no job writes ${fragment}: the shop analytics are not checked (submit examples/ecommerce/6_shop_analytics.sql with rivulet sql -f)`,
  testUser: (id) =>
    `test user ${id} registered (it moves the watermark of the users' versions past the earlier order changes)`,
  shopTableOk: (table, rows, scope) => `${table}: ${rows} rows as PostgreSQL computes them (${scope})`,
  shopTableFailed: (table, scope, detail) => `${table} differs from PostgreSQL's result (${scope}): ${detail}`,
  shopDifference: (missing, extra, wrong, example) =>
    `${missing} missing, ${extra} extra, ${wrong} wrong rows; for example ${example}`,
  shopScope: (table, cutoff) =>
    ({
      'result.order_latest_status': 'every order, from business.order_versions',
      'result.top_products_per_minute': `minutes ending by ${cutoff}; later ones are still open`,
      'result.user_spend_last_hour': `payments up to ${cutoff}; later ones wait for a later payment's watermark`,
      'result.payments_matched': 'every payment',
      'result.order_changes_with_user_city': `order changes up to ${cutoff}; later ones wait for the orders' and the users' watermarks`,
    })[table] ?? table,
  deletedUser: (id) => `deleted test user ${id} from business.users`,
  leftInShop: (id) =>
    `left behind: result.order_latest_status, top_products_per_minute and order_changes_with_user_city keep the changes of test order ${id}, as business.order_versions does`,
};

const zh: Messages = {
  title: 'Rivulet 实时业务验证测试',
  stepEnvironment: '检查环境状态...',
  stepInitial: '验证初始数据状态...',
  stepOperations: '执行实时业务操作...',
  stepVerify: '验证数据流转...',
  stepLatency: '测量延迟...',
  stepCleanup: '清理测试订单...',
  restReachable: (url) => `REST API 可访问 (${url})`,
  restUnreachable: (url, why) => `REST API 无法访问 (${url}): ${why}`,
  databaseReachable: (name) => `${name} 可连接`,
  databaseUnreachable: (name, why) => `${name} 无法连接: ${why}`,
  jobRunning: (layer, name) => `${layer} 作业运行中: ${name}`,
  jobNotRunning: (layer, fragment, state) =>
    `${layer} 层: 没有运行中的作业写入 ${fragment}${state ? ` (状态 ${state})` : ' (作业不存在)'}`,
  slotsActive: (slots) => `source_db 复制槽活跃: ${slots.join(', ')}`,
  slotsInactive: (inactive) => `CDC 层: source_db 复制槽未活跃: ${inactive.join(', ')}`,
  noSlots: 'CDC 层: source_db 没有复制槽',
  environmentOk: '环境检查通过',
  environmentFailed: '环境检查失败',
  runningJobs: (n) => `运行中的作业数量: ${n}`,
  initialCounts: (orders, sink, history) => `源订单数: ${orders}, 结果表订单数: ${sink}, 状态历史记录数: ${history}`,
  testOrderId: (id) => `测试订单ID: ${id}`,
  inserted: '订单插入成功',
  shipped: '订单状态更新为SHIPPED',
  completed: '订单完成',
  changeNotSeen: (status, layer, timeoutMs) => `${status} 在 ${timeoutMs} 毫秒内未到达${layer}`,
  layerName: (layer) =>
    ({
      ods: 'ODS层 (ods_orders)',
      dwd: 'DWD层 (dwd_orders)',
      join: '维度关联 (result_orders_with_user_info)',
      sink: '结果表 (result.orders_with_user_info)',
      history: '状态历史 (result.order_status_history)',
    })[layer],
  layerOk: (layer, records) => `${zh.layerName(layer)}数据验证通过 (发现 ${records} 条记录)`,
  layerFailed: (layer, detail) => `${zh.layerName(layer)}验证失败: ${detail}`,
  missingStatuses: (statuses) => `缺少状态 ${statuses.join(', ')} 的记录`,
  wrongValue: (field, expected, actual) => `${field} 为 '${actual}', 应为 '${expected}'`,
  latencyLine: (status, parts) => `${status.padEnd(9)} ${parts}`,
  latencyWithin: (ms, max) => `端到端延迟 ${ms} 毫秒, 低于 ${max} 毫秒`,
  latencyOver: (ms, max) => `端到端延迟 ${ms} 毫秒, 超过上限 ${max} 毫秒`,
  passed: '🎉 实时验证测试通过！',
  failed: (what) => `实时验证测试失败: ${what}`,
  reportTitle: '=== 性能统计报告 ===',
  reportData: '📊 数据处理统计:',
  ordersProcessed: (n) => `  • 总处理订单数: ${n}`,
  averageLatency: (s) => `  • 平均端到端延迟: ${s} 秒`,
  p99Latency: (s) => `  • p99 端到端延迟: ${s} 秒`,
  reportCluster: '🔧 集群资源状态:',
  taskManagers: (n) => `  • TaskManager数量: ${n}`,
  slotsTotal: (n) => `  • 总Task Slots: ${n}`,
  slotsAvailable: (n) => `  • 可用Task Slots: ${n}`,
  utilisation: (pct) => `  • 资源利用率: ${pct}%`,
  latencyVerdict: (excellent, max) => (excellent ? `✅ 延迟性能: 优秀 (< ${max})` : `❌ 延迟性能: 未达标 (>= ${max})`),
  deletedOrder: (id) => `已从 business.orders 删除测试订单 ${id}`,
  sinkRowRemoved: '删除已流经管道: 结果表中的行已移除',
  sinkRowLeft: (id) => `订单 ${id} 仍在 result.orders_with_user_info 中 (删除未及时到达)`,
  historyDeleted: (n) => `已直接从 result.order_status_history 删除测试订单的 ${n} 条记录 (历史表只追加)`,
  leftInTopics: (id) =>
    `保留: 主题 ods_orders、dwd_orders、result_orders_with_user_info 保留订单 ${id} 及其删除的记录 (日志特性)`,
  leftInWindows: (n) => `保留: result.dws_order_events_per_minute 的分钟窗口 (关闭后) 计入测试订单的 ${n} 次状态变更`,
  cleanupFailed: (what) => `清理失败: ${what}`,
  stepShop: '对比运营分析结果与 PostgreSQL 的计算 (6_shop_analytics.sql)...',
  shopNotSubmitted: (fragment) =>
    `没有作业写入 ${fragment}: 不检查运营分析 (用 rivulet sql -f 提交 examples/ecommerce/6_shop_analytics.sql)`,
  testUser: (id) => `测试用户 ${id} 注册成功 (推进用户版本的水位线)`,
  shopTableOk: (table, rows, scope) => `${table} 与 PostgreSQL 计算结果一致 (${rows} 条记录; ${scope})`,
  shopTableFailed: (table, scope, detail) => `${table} 与 PostgreSQL 计算结果不一致 (${scope}): ${detail}`,
  shopDifference: (missing, extra, wrong, example) =>
    `缺少 ${missing} 条, 多出 ${extra} 条, 不同 ${wrong} 条; 例如 ${example}`,
  shopScope: (table, cutoff) =>
    ({
      'result.order_latest_status': '所有订单 (按 business.order_versions)',
      'result.top_products_per_minute': `截至 ${cutoff} 结束的分钟窗口; 之后的窗口尚未关闭`,
      'result.user_spend_last_hour': `截至 ${cutoff} 的支付; 之后的支付等待下一笔支付推进水位线`,
      'result.payments_matched': '所有支付',
      'result.order_changes_with_user_city': `截至 ${cutoff} 的订单变更; 之后的变更等待订单和用户的水位线`,
    })[table] ?? table,
  deletedUser: (id) => `已从 business.users 删除测试用户 ${id}`,
  leftInShop: (id) =>
    `保留: result.order_latest_status、top_products_per_minute、order_changes_with_user_city 保留测试订单 ${id} 的变更, 与 business.order_versions 一致`,
};

/** Chinese when LANG (or LC_ALL, LC_MESSAGES) starts with zh, English otherwise. */
export function languageOf(env: NodeJS.ProcessEnv): Language {
  const lang = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(lang) ? 'zh' : 'en';
}

export function messagesFor(language: Language): Messages {
  return language === 'zh' ? zh : en;
}
