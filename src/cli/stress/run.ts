import pg from 'pg';
import { connect, databaseUrl, errorMessage, percentile } from '../support.ts';
import { deleteHistory, deleteOrders, firstFreeOrderId, STATUSES, sinkRowCount, sinkRowsLeft } from '../test-orders.ts';
import { driveOrders } from './drive.ts';
import type { StressMessages } from './messages.ts';
import type {
  LatencyFigures,
  Order,
  StressDatabases,
  StressPlan,
  StressResult,
  StressRun,
  StressSettings,
  User,
} from './stress-run.ts';

const STATUS_DESC: Record<string, string> = { PENDING: '待处理', SHIPPED: '已发货', COMPLETED: '已完成' };
const SEED_USERS = [1001, 1002, 1003, 1004, 1005];

/** The user_city_tier of 3_dimension_join.sql. */
export function cityTier(city: string | null): string {
  if (city === null) return '未知';
  if (['北京', '上海', '广州', '深圳'].includes(city)) return '一线城市';
  if (['杭州', '南京', '成都', '武汉', '西安', '重庆', '天津', '苏州'].includes(city)) return '二线城市';
  return '其他城市';
}

/**
 * The seed's continuous test against a running instance: orders inserted PENDING, then SHIPPED,
 * then COMPLETED, started at `rate` per second; every change timed from its commit in source_db to
 * its visibility in result.orders_with_user_info and result.order_status_history; every order
 * checked at the end, and removed again unless `keep`.
 */
export async function stress(settings: StressSettings): Promise<StressResult> {
  const run: StressRun = {
    settings,
    result: {
      ok: false,
      orders: { requested: settings.orders, sent: 0, confirmed: 0, correct: 0, incorrect: 0 },
      problems: [],
      throughput: { durationMs: 0, changesPerSecond: 0, ordersPerSecond: 0, targetOrdersPerSecond: settings.rate },
      errors: [],
    },
    orders: [],
    latencies: [],
  };
  const { result } = run;
  try {
    const plan = await planOrders(run);
    if (!plan) return result;
    run.pool = new pg.Pool({
      connectionString: databaseUrl(settings.instance, 'source_db'),
      max: 8,
      connectionTimeoutMillis: 5000,
    });
    run.pool.on('error', () => undefined);
    const databases: StressDatabases = { pool: run.pool, sink: run.sink as pg.Client };
    const { durationMs } = await driveOrders(run, databases, plan);
    await checkOrders(run, databases, plan);
    measure(run, durationMs);
    await cleanUp(run, databases, plan);
  } catch (error) {
    result.errors.push(errorMessage(error));
  } finally {
    await run.pool?.end().catch(() => undefined);
    await run.sink?.end().catch(() => undefined);
  }
  result.ok = result.orders.correct === settings.orders && result.problems.length === 0 && result.errors.length === 0;
  return result;
}

/** Connects to both databases, and picks the order ids and the seed users to spread the orders over. */
async function planOrders(run: StressRun): Promise<StressPlan | undefined> {
  const { instance, messages: m, reporter: out, orders, rate } = run.settings;
  const result = run.result;
  let source: pg.Client;
  try {
    source = await connect(databaseUrl(instance, 'source_db'));
  } catch (error) {
    result.errors.push(m.databaseUnreachable('source_db', errorMessage(error)));
    return undefined;
  }
  let sink: pg.Client;
  try {
    sink = await connect(databaseUrl(instance, 'sink_db'));
    run.sink = sink;
  } catch (error) {
    await source.end().catch(() => undefined);
    result.errors.push(m.databaseUnreachable('sink_db', errorMessage(error)));
    return undefined;
  }
  const first = await firstFreeOrderId(source, sink);
  const users: User[] = (
    await source.query<{ user_id: string; username: string; city: string | null }>(
      'SELECT user_id, username, city FROM business.users WHERE user_id = ANY($1::bigint[]) ORDER BY user_id',
      [SEED_USERS],
    )
  ).rows.map((row) => ({ id: Number(row.user_id), username: row.username, cityTier: cityTier(row.city) }));
  await source.end().catch(() => undefined);
  if (users.length === 0) {
    result.errors.push(m.noUsers);
    return undefined;
  }
  result.orderIds = { first, last: first + orders - 1 };
  out.info(
    m.plan(
      orders,
      rate,
      first,
      first + orders - 1,
      users.map((u) => u.id),
    ),
  );
  return { first, users };
}

/** Every order, checked in both sink tables; the orders never sent count as incorrect. */
async function checkOrders(run: StressRun, { sink }: StressDatabases, plan: StressPlan): Promise<void> {
  const { orders, result, settings } = run;
  const m = settings.messages;
  const ids = orders.map((o) => o.id);
  const finals = new Map(
    (
      await sink.query<Record<string, unknown> & { order_id: string }>(
        `SELECT order_id, user_id, order_status, order_status_desc, username, user_city_tier
             FROM result.orders_with_user_info WHERE order_id = ANY($1::bigint[])`,
        [ids],
      )
    ).rows.map((row) => [Number(row.order_id), row]),
  );
  const histories = new Map<number, { order_status: string; order_status_desc: string | null }[]>();
  for (const row of (
    await sink.query<{ order_id: string; order_status: string; order_status_desc: string | null }>(
      `SELECT order_id, order_status, order_status_desc FROM result.order_status_history
          WHERE order_id = ANY($1::bigint[]) ORDER BY order_id, updated_at, order_status`,
      [ids],
    )
  ).rows) {
    const list = histories.get(Number(row.order_id)) ?? [];
    list.push(row);
    histories.set(Number(row.order_id), list);
  }
  for (const order of orders) {
    const problem = order.failure ?? checkOrder(order, finals.get(order.id), histories.get(order.id) ?? [], m);
    if (problem === undefined) result.orders.correct += 1;
    else result.problems.push({ orderId: order.id, problem });
  }
  for (let k = orders.length; k < settings.orders; k++)
    result.problems.push({ orderId: plan.first + k, problem: m.notSent });
  result.orders.incorrect = settings.orders - result.orders.correct;
}

function checkOrder(
  order: Order,
  row: Record<string, unknown> | undefined,
  history: readonly { order_status: string; order_status_desc: string | null }[],
  m: StressMessages,
): string | undefined {
  if (!row) return m.noSinkRow;
  const expected: [string, string][] = [
    ['order_status', 'COMPLETED'],
    ['order_status_desc', '已完成'],
    ['user_id', String(order.user.id)],
    ['username', order.user.username],
    ['user_city_tier', order.user.cityTier],
  ];
  for (const [field, value] of expected) {
    if (String(row[field]) !== value) return m.wrongValue(field, value, String(row[field]));
  }
  const statuses = history.map((h) => h.order_status);
  if (statuses.length !== STATUSES.length || STATUSES.some((status) => !statuses.includes(status))) {
    return m.wrongHistory(statuses);
  }
  for (const h of history) {
    const desc = STATUS_DESC[h.order_status] as string;
    if (h.order_status_desc !== desc) return m.wrongValue('order_status_desc', desc, String(h.order_status_desc));
  }
  return undefined;
}

/** Throughput over the time from the start to the last change seen, and the latency figures, all and per status. */
function measure(run: StressRun, durationMs: number): void {
  const { latencies, orders, result, settings } = run;
  result.throughput = {
    durationMs,
    changesPerSecond: Math.round((latencies.length / durationMs) * 10_000) / 10,
    ordersPerSecond: Math.round((result.orders.confirmed / durationMs) * 10_000) / 10,
    targetOrdersPerSecond: settings.rate,
  };
  if (latencies.length > 0) {
    const byStatus: Record<string, LatencyFigures> = {};
    STATUSES.forEach((status, step) => {
      byStatus[status] = figures(orders.map((o) => o.latencies[step]).filter((ms): ms is number => ms !== undefined));
    });
    result.latency = { ...figures(latencies), byStatus };
  }
}

function figures(values: readonly number[]): LatencyFigures {
  return {
    samples: values.length,
    p50Ms: percentile(values, 50),
    p95Ms: percentile(values, 95),
    p99Ms: percentile(values, 99),
    maxMs: values.length > 0 ? Math.max(...values) : 0,
  };
}

/** Removes the orders sent from source_db (the deletes flow to the sink) and from the history, unless --keep. */
async function cleanUp(run: StressRun, { pool, sink }: StressDatabases, plan: StressPlan): Promise<void> {
  const { orders, result, settings } = run;
  const { messages: m, reporter: out, timeoutMs } = settings;
  if (orders.length === 0) return;
  const first = plan.first;
  const last = first + orders.length - 1;
  if (settings.keep) {
    result.cleanup = { kept: true, ordersDeleted: 0, sinkRowsRemoved: 0, historyRowsDeleted: 0, left: [] };
    out.info(m.kept(first, last));
    return;
  }
  const ids = orders.map((o) => o.id);
  const cleanup = { kept: false, ordersDeleted: 0, sinkRowsRemoved: 0, historyRowsDeleted: 0, left: [] as string[] };
  result.cleanup = cleanup;
  try {
    const before = await sinkRowCount(sink, ids);
    cleanup.ordersDeleted = await deleteOrders(pool, ids);
    out.info(m.deletedOrders(cleanup.ordersDeleted));
    const left = await sinkRowsLeft(sink, ids, timeoutMs, 20);
    cleanup.sinkRowsRemoved = before - left;
    if (left > 0) {
      const text = m.sinkRowsLeft(left);
      cleanup.left.push(text);
      result.errors.push(text);
      out.error(text);
    } else out.info(m.sinkRowsRemoved(cleanup.sinkRowsRemoved));
    cleanup.historyRowsDeleted = await deleteHistory(sink, ids);
    out.info(m.historyDeleted(cleanup.historyRowsDeleted));
    cleanup.left.push(m.leftInTopics(first, last));
    if (run.latencies.length > 0) cleanup.left.push(m.leftInWindows(run.latencies.length));
    for (const text of cleanup.left.slice(left > 0 ? 1 : 0)) out.warn(text);
  } catch (error) {
    const text = m.cleanupFailed(errorMessage(error));
    cleanup.left.push(text);
    result.errors.push(text);
    out.error(text);
  }
}
