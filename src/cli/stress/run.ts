import pg from 'pg';
import type { InstanceInfo } from '../../embedded/instance.ts';
import { connect, databaseUrl, errorMessage, percentile } from '../support.ts';
import type { ProgressFigures, StressMessages } from './messages.ts';

export interface StressReporter {
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  /** Called on every poll of the sink, the reporter decides how often to show it; `final` once at the end. */
  progress(figures: ProgressFigures, final?: boolean): void;
  /** The run is over: end a live progress line. */
  endProgress(): void;
}

export interface StressSettings {
  readonly instance: InstanceInfo;
  readonly orders: number;
  /** Orders started per second. */
  readonly rate: number;
  /** How long one change may take to reach the sink, and the deletes of the cleanup. */
  readonly timeoutMs: number;
  readonly keep: boolean;
  readonly messages: StressMessages;
  readonly reporter: StressReporter;
  /** Aborted: no more orders are started; those in flight are finished, checked and cleaned up. */
  readonly signal?: AbortSignal;
  /** Milliseconds between two polls of the sink. */
  readonly pollMs?: number;
}

export interface LatencyFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface StressResult {
  ok: boolean;
  orders: { requested: number; sent: number; confirmed: number; correct: number; incorrect: number };
  orderIds?: { first: number; last: number };
  /** One line per order that is not correct. */
  problems: { orderId: number; problem: string }[];
  /** Milliseconds from each change's commit in source_db to its visibility in both sink tables. */
  latency?: LatencyFigures & { byStatus: Record<string, LatencyFigures> };
  throughput: { durationMs: number; changesPerSecond: number; ordersPerSecond: number; targetOrdersPerSecond: number };
  errors: string[];
  cleanup?: {
    kept: boolean;
    ordersDeleted: number;
    sinkRowsRemoved: number;
    historyRowsDeleted: number;
    left: string[];
  };
}

export const STATUSES = ['PENDING', 'SHIPPED', 'COMPLETED'] as const;
const STATUS_DESC: Record<string, string> = { PENDING: '待处理', SHIPPED: '已发货', COMPLETED: '已完成' };
const SEED_USERS = [1001, 1002, 1003, 1004, 1005];
const PRODUCTS = [
  { name: 'AirPods Pro', category: '电子产品', price: 1999 },
  { name: 'Nike Air Max 270', category: '服装鞋帽', price: 899 },
  { name: '三体（全集）', category: '图书', price: 68 },
  { name: '羽绒服', category: '服装鞋帽', price: 599 },
];

interface User {
  readonly id: number;
  readonly username: string;
  readonly cityTier: string;
}

/** The user_city_tier of 3_dimension_join.sql. */
export function cityTier(city: string | null): string {
  if (city === null) return '未知';
  if (['北京', '上海', '广州', '深圳'].includes(city)) return '一线城市';
  if (['杭州', '南京', '成都', '武汉', '西安', '重庆', '天津', '苏州'].includes(city)) return '二线城市';
  return '其他城市';
}

interface Order {
  readonly id: number;
  readonly user: User;
  /** Index in STATUSES of the last change sent; -1 before the insert. */
  step: number;
  busy: boolean;
  done: boolean;
  readonly committedAt: number[];
  readonly latencies: number[];
  failure?: string;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The seed's continuous test against a running instance: orders inserted PENDING, then SHIPPED,
 * then COMPLETED, started at `rate` per second; every change timed from its commit in source_db to
 * its visibility in result.orders_with_user_info and result.order_status_history; every order
 * checked at the end, and removed again unless `keep`.
 */
export async function stress(settings: StressSettings): Promise<StressResult> {
  const { instance, messages: m, reporter: out, timeoutMs } = settings;
  const pollMs = settings.pollMs ?? 10;
  const result: StressResult = {
    ok: false,
    orders: { requested: settings.orders, sent: 0, confirmed: 0, correct: 0, incorrect: 0 },
    problems: [],
    throughput: { durationMs: 0, changesPerSecond: 0, ordersPerSecond: 0, targetOrdersPerSecond: settings.rate },
    errors: [],
  };
  let pool: pg.Pool | undefined;
  let sink: pg.Client | undefined;
  const orders: Order[] = [];
  try {
    let source: pg.Client;
    try {
      source = await connect(databaseUrl(instance, 'source_db'));
    } catch (error) {
      result.errors.push(m.databaseUnreachable('source_db', errorMessage(error)));
      return result;
    }
    try {
      sink = await connect(databaseUrl(instance, 'sink_db'));
    } catch (error) {
      await source.end().catch(() => undefined);
      result.errors.push(m.databaseUnreachable('sink_db', errorMessage(error)));
      return result;
    }
    const sinkDb = sink;
    const maxIn = async (db: pg.Client, table: string): Promise<number> =>
      Number((await db.query<{ n: string | null }>(`SELECT max(order_id) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const first =
      Math.max(
        await maxIn(source, 'business.orders'),
        await maxIn(sinkDb, 'result.orders_with_user_info'),
        await maxIn(sinkDb, 'result.order_status_history'),
      ) + 1;
    const users: User[] = (
      await source.query<{ user_id: string; username: string; city: string | null }>(
        'SELECT user_id, username, city FROM business.users WHERE user_id = ANY($1::bigint[]) ORDER BY user_id',
        [SEED_USERS],
      )
    ).rows.map((row) => ({ id: Number(row.user_id), username: row.username, cityTier: cityTier(row.city) }));
    await source.end().catch(() => undefined);
    if (users.length === 0) {
      result.errors.push(m.noUsers);
      return result;
    }
    result.orderIds = { first, last: first + settings.orders - 1 };
    out.info(
      m.plan(
        settings.orders,
        settings.rate,
        first,
        first + settings.orders - 1,
        users.map((u) => u.id),
      ),
    );

    pool = new pg.Pool({
      connectionString: databaseUrl(instance, 'source_db'),
      max: 8,
      connectionTimeoutMillis: 5000,
    });
    pool.on('error', () => undefined);
    const sourcePool = pool;
    const latencies: number[] = [];
    const send = async (order: Order, step: number): Promise<void> => {
      const status = STATUSES[step] as string;
      order.busy = true;
      order.step = step;
      try {
        if (step === 0) {
          const product = PRODUCTS[order.id % PRODUCTS.length] as (typeof PRODUCTS)[number];
          const quantity = 1 + (order.id % 3);
          await sourcePool.query(
            `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status, order_time, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', now(), now())`,
            [
              order.id,
              order.user.id,
              product.name,
              product.category,
              quantity,
              product.price,
              product.price * quantity,
            ],
          );
        } else {
          await sourcePool.query(
            'UPDATE business.orders SET order_status = $2, updated_at = now() WHERE order_id = $1',
            [order.id, status],
          );
        }
        order.committedAt[step] = Date.now();
      } catch (error) {
        order.failure = m.statementFailed(status, errorMessage(error));
        order.done = true;
        result.errors.push(m.problem(order.id, order.failure));
      } finally {
        order.busy = false;
      }
    };

    // Drive: start orders on schedule; poll the sink for every change in flight; send the next change
    // of an order once its last one is visible in both sink tables.
    const started = Date.now();
    let lastVisible = started;
    let interrupted = false;
    const pending = new Set<Promise<void>>();
    const launch = (order: Order, step: number) => {
      const promise = send(order, step).finally(() => pending.delete(promise));
      pending.add(promise);
    };
    for (;;) {
      const now = Date.now();
      if (settings.signal?.aborted && !interrupted) {
        interrupted = true;
        out.warn(m.interrupted);
      }
      while (
        !interrupted &&
        orders.length < settings.orders &&
        now >= started + (orders.length * 1000) / settings.rate
      ) {
        const k = orders.length;
        const order: Order = {
          id: first + k,
          user: users[k % users.length] as User,
          step: -1,
          busy: false,
          done: false,
          committedAt: [],
          latencies: [],
        };
        orders.push(order);
        launch(order, 0);
      }
      const waiting = orders.filter((o) => !o.done && !o.busy && o.committedAt[o.step] !== undefined);
      if (waiting.length > 0) {
        const rows = (
          await sinkDb.query<{ order_id: string; order_status: string | null; history: string[] }>(
            `SELECT i.id AS order_id, o.order_status,
                    ARRAY(SELECT h.order_status FROM result.order_status_history h WHERE h.order_id = i.id) AS history
               FROM unnest($1::bigint[]) AS i(id)
               LEFT JOIN result.orders_with_user_info o ON o.order_id = i.id`,
            [waiting.map((o) => o.id)],
          )
        ).rows;
        const seenAt = Date.now();
        const byId = new Map(rows.map((row) => [Number(row.order_id), row]));
        for (const order of waiting) {
          const row = byId.get(order.id);
          const status = STATUSES[order.step] as string;
          const committed = order.committedAt[order.step] as number;
          const visible =
            row !== undefined &&
            STATUSES.indexOf(row.order_status as (typeof STATUSES)[number]) >= order.step &&
            row.history.includes(status);
          if (visible) {
            const latency = Math.max(0, seenAt - committed);
            order.latencies[order.step] = latency;
            latencies.push(latency);
            lastVisible = seenAt;
            if (order.step === STATUSES.length - 1) {
              order.done = true;
              result.orders.confirmed += 1;
            } else launch(order, order.step + 1);
          } else if (seenAt - committed > timeoutMs) {
            order.failure = m.notConfirmed(status, timeoutMs);
            order.done = true;
          }
        }
      }
      const inFlight = orders.filter((o) => !o.done).length;
      const finished = (orders.length === settings.orders || interrupted) && inFlight === 0 && pending.size === 0;
      out.progress(
        {
          sent: orders.length,
          total: settings.orders,
          confirmed: result.orders.confirmed,
          inFlight,
          failed: orders.filter((o) => o.failure !== undefined).length,
          p50Ms: latencies.length > 0 ? percentile(latencies, 50) : undefined,
          p99Ms: latencies.length > 0 ? percentile(latencies, 99) : undefined,
        },
        finished,
      );
      if (finished) break;
      const spent = Date.now() - now;
      await sleep(Math.max(1, pollMs - spent));
    }
    out.endProgress();
    result.orders.sent = orders.length;

    // Every order, checked in both sink tables.
    const ids = orders.map((o) => o.id);
    const finals = new Map(
      (
        await sinkDb.query<Record<string, unknown> & { order_id: string }>(
          `SELECT order_id, user_id, order_status, order_status_desc, username, user_city_tier
             FROM result.orders_with_user_info WHERE order_id = ANY($1::bigint[])`,
          [ids],
        )
      ).rows.map((row) => [Number(row.order_id), row]),
    );
    const histories = new Map<number, { order_status: string; order_status_desc: string | null }[]>();
    for (const row of (
      await sinkDb.query<{ order_id: string; order_status: string; order_status_desc: string | null }>(
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
      result.problems.push({ orderId: first + k, problem: m.notSent });
    result.orders.incorrect = settings.orders - result.orders.correct;

    const durationMs = Math.max(1, lastVisible - started);
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

    // Clean up, unless --keep.
    if (orders.length > 0) {
      const last = first + orders.length - 1;
      if (settings.keep) {
        result.cleanup = { kept: true, ordersDeleted: 0, sinkRowsRemoved: 0, historyRowsDeleted: 0, left: [] };
        out.info(m.kept(first, last));
      } else {
        result.cleanup = await cleanUp(ids, sourcePool, sinkDb, settings, result, first, last, latencies.length);
      }
    }
  } catch (error) {
    result.errors.push(errorMessage(error));
  } finally {
    await pool?.end().catch(() => undefined);
    await sink?.end().catch(() => undefined);
  }
  result.ok = result.orders.correct === settings.orders && result.problems.length === 0 && result.errors.length === 0;
  return result;
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

async function cleanUp(
  ids: readonly number[],
  source: pg.Pool,
  sink: pg.Client,
  settings: StressSettings,
  result: StressResult,
  first: number,
  last: number,
  changes: number,
): Promise<NonNullable<StressResult['cleanup']>> {
  const { messages: m, reporter: out, timeoutMs } = settings;
  const cleanup = { kept: false, ordersDeleted: 0, sinkRowsRemoved: 0, historyRowsDeleted: 0, left: [] as string[] };
  try {
    const inSink = async () =>
      Number(
        (
          await sink.query<{ n: string }>(
            'SELECT count(*) AS n FROM result.orders_with_user_info WHERE order_id = ANY($1::bigint[])',
            [ids],
          )
        ).rows[0]?.n ?? 0,
      );
    const before = await inSink();
    cleanup.ordersDeleted =
      (await source.query('DELETE FROM business.orders WHERE order_id = ANY($1::bigint[])', [ids])).rowCount ?? 0;
    out.info(m.deletedOrders(cleanup.ordersDeleted));
    const deadline = Date.now() + timeoutMs;
    let left = await inSink();
    while (left > 0 && Date.now() < deadline) {
      await sleep(20);
      left = await inSink();
    }
    cleanup.sinkRowsRemoved = before - left;
    if (left > 0) {
      const text = m.sinkRowsLeft(left);
      cleanup.left.push(text);
      result.errors.push(text);
      out.error(text);
    } else out.info(m.sinkRowsRemoved(cleanup.sinkRowsRemoved));
    cleanup.historyRowsDeleted =
      (await sink.query('DELETE FROM result.order_status_history WHERE order_id = ANY($1::bigint[])', [ids]))
        .rowCount ?? 0;
    out.info(m.historyDeleted(cleanup.historyRowsDeleted));
    cleanup.left.push(m.leftInTopics(first, last));
    if (changes > 0) cleanup.left.push(m.leftInWindows(changes));
    for (const text of cleanup.left.slice(left > 0 ? 1 : 0)) out.warn(text);
  } catch (error) {
    const text = m.cleanupFailed(errorMessage(error));
    cleanup.left.push(text);
    result.errors.push(text);
    out.error(text);
  }
  return cleanup;
}
