import type pg from 'pg';
import { errorMessage, percentile, sleep } from '../support.ts';
import { STATUSES } from '../test-orders.ts';
import type { Order, StressDatabases, StressPlan, StressRun, User } from './stress-run.ts';

const PRODUCTS = [
  { name: 'AirPods Pro', category: '电子产品', price: 1999 },
  { name: 'Nike Air Max 270', category: '服装鞋帽', price: 899 },
  { name: '三体（全集）', category: '图书', price: 68 },
  { name: '羽绒服', category: '服装鞋帽', price: 599 },
];

/** Where the drive loop is: when it started, the last change seen, and the statements on their way. */
interface Drive {
  readonly databases: StressDatabases;
  readonly plan: StressPlan;
  readonly started: number;
  lastVisible: number;
  interrupted: boolean;
  readonly pending: Set<Promise<void>>;
}

/**
 * Starts orders on schedule; polls the sink for every change in flight; sends the next change of an
 * order once its last one is visible in both sink tables. Returns when every order is done (or, once
 * interrupted, every order started), with the time from the start to the last change seen.
 */
export async function driveOrders(
  run: StressRun,
  databases: StressDatabases,
  plan: StressPlan,
): Promise<{ durationMs: number }> {
  const { settings } = run;
  const { messages: m, reporter: out } = settings;
  const pollMs = settings.pollMs ?? 10;
  const started = Date.now();
  const drive: Drive = { databases, plan, started, lastVisible: started, interrupted: false, pending: new Set() };
  for (;;) {
    const now = Date.now();
    if (settings.signal?.aborted && !drive.interrupted) {
      drive.interrupted = true;
      out.warn(m.interrupted);
    }
    startDueOrders(run, drive, now);
    await confirmVisibleChanges(run, drive);
    if (showProgress(run, drive)) break;
    const spent = Date.now() - now;
    await sleep(Math.max(1, pollMs - spent));
  }
  out.endProgress();
  run.result.orders.sent = run.orders.length;
  return { durationMs: Math.max(1, drive.lastVisible - drive.started) };
}

/** Starts the orders whose time has come at `rate` per second, unless interrupted. */
function startDueOrders(run: StressRun, drive: Drive, now: number): void {
  const { orders, settings } = run;
  while (
    !drive.interrupted &&
    orders.length < settings.orders &&
    now >= drive.started + (orders.length * 1000) / settings.rate
  ) {
    const k = orders.length;
    const order: Order = {
      id: drive.plan.first + k,
      user: drive.plan.users[k % drive.plan.users.length] as User,
      step: -1,
      busy: false,
      done: false,
      committedAt: [],
      latencies: [],
    };
    orders.push(order);
    launch(run, drive, order, 0);
  }
}

/** One query for every order whose last change is committed: each one visible in both sink tables is timed. */
async function confirmVisibleChanges(run: StressRun, drive: Drive): Promise<void> {
  const { result, settings } = run;
  const { messages: m, timeoutMs } = settings;
  const waiting = run.orders.filter((o) => !o.done && !o.busy && o.committedAt[o.step] !== undefined);
  if (waiting.length === 0) return;
  const rows = (
    await drive.databases.sink.query<{ order_id: string; order_status: string | null; history: string[] }>(
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
      run.latencies.push(latency);
      drive.lastVisible = seenAt;
      if (order.step === STATUSES.length - 1) {
        order.done = true;
        result.orders.confirmed += 1;
      } else launch(run, drive, order, order.step + 1);
    } else if (seenAt - committed > timeoutMs) {
      order.failure = m.notConfirmed(status, timeoutMs);
      order.done = true;
    }
  }
}

/** Hands the figures of this poll to the reporter; whether the drive is finished (then they are the final ones). */
function showProgress(run: StressRun, drive: Drive): boolean {
  const { orders, latencies, settings } = run;
  const inFlight = orders.filter((o) => !o.done).length;
  const finished =
    (orders.length === settings.orders || drive.interrupted) && inFlight === 0 && drive.pending.size === 0;
  settings.reporter.progress(
    {
      sent: orders.length,
      total: settings.orders,
      confirmed: run.result.orders.confirmed,
      inFlight,
      failed: orders.filter((o) => o.failure !== undefined).length,
      p50Ms: latencies.length > 0 ? percentile(latencies, 50) : undefined,
      p99Ms: latencies.length > 0 ? percentile(latencies, 99) : undefined,
    },
    finished,
  );
  return finished;
}

function launch(run: StressRun, drive: Drive, order: Order, step: number): void {
  const promise = send(run, drive.databases.pool, order, step).finally(() => drive.pending.delete(promise));
  drive.pending.add(promise);
}

/** Writes an order's change number `step` to source_db: the insert, then the status updates. */
async function send(run: StressRun, pool: pg.Pool, order: Order, step: number): Promise<void> {
  const m = run.settings.messages;
  const status = STATUSES[step] as string;
  order.busy = true;
  order.step = step;
  try {
    if (step === 0) {
      const product = PRODUCTS[order.id % PRODUCTS.length] as (typeof PRODUCTS)[number];
      const quantity = 1 + (order.id % 3);
      await pool.query(
        `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status, order_time, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', now(), now())`,
        [order.id, order.user.id, product.name, product.category, quantity, product.price, product.price * quantity],
      );
    } else {
      await pool.query('UPDATE business.orders SET order_status = $2, updated_at = now() WHERE order_id = $1', [
        order.id,
        status,
      ]);
    }
    order.committedAt[step] = Date.now();
  } catch (error) {
    order.failure = m.statementFailed(status, errorMessage(error));
    order.done = true;
    run.result.errors.push(m.problem(order.id, order.failure));
  } finally {
    order.busy = false;
  }
}
