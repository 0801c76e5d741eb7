import type pg from 'pg';
import { openLog } from '../../log/open-log.ts';
import { until } from '../support.ts';
import { firstFreeOrderId, STATUSES } from '../test-orders.ts';
import type { LayerId, Messages } from './messages.ts';
import { TopicWatcher } from './topic-watcher.ts';
import { type ChangeLatency, record, type ValidationRun } from './validation-run.ts';

type TopicLayer = 'ods' | 'dwd' | 'join';

const TOPICS: ReadonlyArray<{ layer: TopicLayer; topic: string }> = [
  { layer: 'ods', topic: 'ods_orders' },
  { layer: 'dwd', topic: 'dwd_orders' },
  { layer: 'join', topic: 'result_orders_with_user_info' },
];
const TEST_USER = 1001;
export const POLL_MS = 5;

/** The environment's two databases, both reachable. */
export interface Databases {
  readonly source: pg.Client;
  readonly sink: pg.Client;
}

/** The test order, and the readers of the topics it passes through. */
export interface TestOrder {
  readonly id: number;
  readonly topics: Readonly<Record<TopicLayer, TopicWatcher>>;
}

/** Picks the test order's id and starts reading the topics from where they end now. */
export async function startTestOrder(run: ValidationRun, { source, sink }: Databases): Promise<TestOrder> {
  const { instance, messages: m, reporter: out } = run.settings;
  out.step(m.stepOperations);
  const id = await firstFreeOrderId(source, sink);
  run.result.testOrderId = id;
  out.info(m.testOrderId(id));
  const log = await openLog(instance.logUrl);
  run.log = log;
  for (const { topic } of TOPICS) {
    run.watchers.push(new TopicWatcher(await log.openReader(topic, { kind: 'latest' }), () => id));
  }
  const [ods, dwd, join] = run.watchers as [TopicWatcher, TopicWatcher, TopicWatcher];
  return { id, topics: { ods, dwd, join } };
}

/** The test order through its three statuses, each change timed at every layer; stops at the first that does not arrive. */
export async function driveTestOrder(run: ValidationRun, { source, sink }: Databases, order: TestOrder): Promise<void> {
  const { messages: m, reporter: out, timeoutMs } = run.settings;
  const statements = statusChanges(m);
  const watchers = Object.values(order.topics);
  for (const status of STATUSES) {
    await source.query(statements[status].sql, [order.id]);
    const committed = Date.now();
    run.inserted = true;
    out.success(statements[status].done);
    const sinkAt = await until(timeoutMs, POLL_MS, async () =>
      (await sinkRow(sink, order.id))?.order_status === status ? Date.now() : undefined,
    );
    const historyAt = await until(sinkAt === undefined ? 0 : timeoutMs, POLL_MS, async () =>
      (await historyStatuses(sink, order.id)).includes(status) ? Date.now() : undefined,
    );
    // The topics come before the sink: give their readers a moment to catch up with what they hold.
    await until(sinkAt === undefined ? 0 : 1000, POLL_MS, async () =>
      watchers.every((watcher) => watcher.first(status)) ? true : undefined,
    );
    const since = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, at - committed));
    run.result.latencies.push({
      status,
      ods: since(order.topics.ods.first(status)?.at),
      dwd: since(order.topics.dwd.first(status)?.at),
      join: since(order.topics.join.first(status)?.at),
      sink: since(sinkAt),
      history: since(historyAt),
    });
    if (sinkAt === undefined || historyAt === undefined) break;
  }
}

function statusChanges(m: Messages): Record<(typeof STATUSES)[number], { sql: string; done: string }> {
  return {
    PENDING: {
      sql: `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status, order_time, updated_at)
              VALUES ($1, ${TEST_USER}, 'AirPods Pro', '电子产品', 1, 1999.00, 1999.00, 'PENDING', now(), now())`,
      done: m.inserted,
    },
    SHIPPED: {
      sql: "UPDATE business.orders SET order_status = 'SHIPPED', updated_at = now() WHERE order_id = $1",
      done: m.shipped,
    },
    COMPLETED: {
      sql: "UPDATE business.orders SET order_status = 'COMPLETED', updated_at = now() WHERE order_id = $1",
      done: m.completed,
    },
  };
}

async function sinkRow(sink: pg.Client, id: number): Promise<Record<string, unknown> | undefined> {
  return (
    await sink.query<Record<string, unknown>>(
      'SELECT order_status, order_status_desc, username, user_city_tier FROM result.orders_with_user_info WHERE order_id = $1',
      [id],
    )
  ).rows[0];
}

async function historyStatuses(sink: pg.Client, id: number): Promise<string[]> {
  return (
    await sink.query<{ order_status: string }>(
      'SELECT order_status FROM result.order_status_history WHERE order_id = $1 ORDER BY updated_at, order_status',
      [id],
    )
  ).rows.map((row) => row.order_status);
}

/** Every layer: each status seen on each topic, the final values of the DWD and join layers, and both sink tables. */
export async function checkLayers(run: ValidationRun, { sink }: Databases, order: TestOrder): Promise<void> {
  const { messages: m, reporter: out } = run.settings;
  out.step(m.stepVerify);
  const reached = (layer: keyof Omit<ChangeLatency, 'status'>) =>
    STATUSES.filter((status) => run.result.latencies.find((l) => l.status === status)?.[layer] === undefined);
  for (const { layer } of TOPICS) {
    const watcher = order.topics[layer];
    const missing = reached(layer);
    const last = watcher.first('COMPLETED')?.value;
    let detail = missing.length > 0 ? m.missingStatuses(missing) : undefined;
    if (!detail && layer === 'dwd' && last?.order_status_desc !== '已完成')
      detail = m.wrongValue('order_status_desc', '已完成', String(last?.order_status_desc));
    if (!detail && layer === 'join' && last?.username !== '张三')
      detail = m.wrongValue('username', '张三', String(last?.username));
    const records = watcher.seen.filter((seen) => seen.status !== null).length;
    layerCheck(run, layer, detail, records);
  }
  const row = await sinkRow(sink, order.id);
  let sinkDetail: string | undefined;
  if (!row) sinkDetail = m.missingStatuses(['COMPLETED']);
  else if (row.order_status_desc !== '已完成')
    sinkDetail = m.wrongValue('order_status_desc', '已完成', String(row.order_status_desc));
  else if (row.user_city_tier !== '一线城市')
    sinkDetail = m.wrongValue('user_city_tier', '一线城市', String(row.user_city_tier));
  else if (row.username !== '张三') sinkDetail = m.wrongValue('username', '张三', String(row.username));
  layerCheck(run, 'sink', sinkDetail, row ? 1 : 0);
  const history = await historyStatuses(sink, order.id);
  const missingHistory = STATUSES.filter((status) => !history.includes(status));
  layerCheck(run, 'history', missingHistory.length > 0 ? m.missingStatuses(missingHistory) : undefined, history.length);
}

function layerCheck(run: ValidationRun, layer: LayerId, detail: string | undefined, records: number): void {
  const m = run.settings.messages;
  record(
    run,
    `layer.${layer}`,
    detail === undefined,
    detail === undefined ? m.layerOk(layer, records) : m.layerFailed(layer, detail),
  );
}
