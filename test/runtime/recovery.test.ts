/**
 * Recovery under SIGKILL: `rivulet up` runs layers 2–4 of the e-commerce example while a writer
 * produces a seeded stream of changes into ods_orders and ods_users; the engine is killed with
 * SIGKILL at random points and restarted on the same data directory (which stops the orphaned embedded
 * PostgreSQL and starts it again), which brings back every job it had accepted; a script whose
 * submission the kill cut off is submitted again. At the end the sink tables must
 * equal what a plain model of the SQL computes from the changes written: no row lost, duplicated or
 * stale.
 *
 * RECOVERY_SEED=<n> replays a run's changes and kill points; RECOVERY_KILLS=<n> sets the number of
 * kills (5 by default).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import { readEmbeddedPassword } from '../../src/embedded/pgpass.ts';
import { freeLoopbackPort } from '../../src/embedded/ports.ts';
import { isProcessAlive, waitForExit } from '../../src/embedded/process-alive.ts';
import type { Change } from '../../src/exec/change.ts';
import type { Value } from '../../src/expr/value.ts';
import type { ProduceRecord } from '../../src/log/log.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import type { CatalogTable } from '../../src/plan/catalog.ts';
import { planScript } from '../../src/plan/planner.ts';
import { parseTimestamp } from '../../src/types/temporal.ts';
import { CliProcess } from '../helpers/cli.ts';
import { topicWriter } from '../helpers/topic-writer.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'ecommerce');
const SCRIPTS = ['2_dwd_layer.sql', '3_dimension_join.sql', '4_sink_to_postgres.sql'];

const SEED = process.env.RECOVERY_SEED ? Number(process.env.RECOVERY_SEED) : randomInt(2 ** 31);
const KILLS = Number(process.env.RECOVERY_KILLS ?? 5);
const STATE_MEMORY = '32kb';
/** Partitions of each topic. */
const PARTITIONS = 2;
/** Pause of the writer between two appends. */
const WRITER_PAUSE_MS = 8;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The workload: what the writer produces, and the source tables it amounts to

interface User {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly phone: string;
  readonly city: string | null;
  readonly registerTime: string;
  readonly updatedAt: string;
}

interface OrderVersion {
  readonly id: number;
  readonly userId: number;
  readonly productName: string;
  readonly category: string;
  readonly quantity: number;
  /** DECIMAL(10, 2) amounts in cents. */
  readonly unitPrice: number;
  readonly total: number;
  readonly status: string;
  readonly orderTime: string;
  readonly updatedAt: string;
}

interface Order {
  readonly versions: OrderVersion[];
  deleted: boolean;
}

type Step =
  | { readonly topic: 'ods_users'; readonly id: number; readonly user: User | null }
  | { readonly topic: 'ods_orders'; readonly id: number; readonly order: OrderVersion | null };

const CITIES = [
  '北京',
  '上海',
  '广州',
  '深圳',
  '杭州',
  '南京',
  '成都',
  '武汉',
  '西安',
  '重庆',
  '天津',
  '苏州',
  '昆明',
  '拉萨',
  '大理',
  null,
];
const CATEGORIES = ['电子产品', '服装鞋帽', '图书', '家居用品', '食品饮料', '宠物用品'];
const PRODUCTS = ['iPhone 15', ' MacBook Pro 14 ', 'Nike Air Max 270', 'AirPods Pro', 'Kindle  ', '三体', '宜家台灯'];
const BASE_MS = Date.UTC(2025, 6, 1);
const DAY_MS = 86_400_000;

/** 'yyyy-MM-dd HH:mm:ss.SSS' of a UTC instant, as TIMESTAMP(3) text. */
function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** The seeded stream of changes; also keeps the source tables as they are after the changes made so far. */
class Workload {
  readonly users = new Map<number, User>();
  /** Every username a user id has had (an intermediate history row may show any of them). */
  readonly usernames = new Map<number, Set<string>>();
  readonly orders = new Map<number, Order>();
  /** Ids of users that orders refer to before the user exists (late users), in arrival order. */
  private readonly late: number[] = [];
  private readonly userVersions = new Map<number, number>();
  private liveOrders: number[] = [];
  private openOrders: number[] = [];
  private nextUser = 1001;
  private nextOrder = 5001;
  steps = 0;

  constructor(private readonly random: () => number) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private now(): string {
    return timestampText(BASE_MS + 30 * DAY_MS + this.steps * 1000);
  }

  private userVersion(id: number): User {
    const n = (this.userVersions.get(id) ?? 0) + 1;
    this.userVersions.set(id, n);
    const user: User = {
      id,
      username: `用户${id}-${n}`,
      email: `u${id}.${n}@example.com`,
      phone: `139${String(id).padStart(5, '0')}${String(n).padStart(3, '0')}`,
      city: this.pick(CITIES),
      registerTime: timestampText(BASE_MS - Math.floor(this.random() * 365 * DAY_MS)),
      updatedAt: this.now(),
    };
    this.users.set(id, user);
    const names = this.usernames.get(id) ?? new Set<string>();
    names.add(user.username);
    this.usernames.set(id, names);
    return user;
  }

  private orderVersion(previous: OrderVersion, change: Partial<OrderVersion>): OrderVersion {
    const next = { ...previous, ...change, updatedAt: this.now() };
    return { ...next, total: next.quantity * next.unitPrice };
  }

  private setOrder(version: OrderVersion): Step {
    const order = this.orders.get(version.id);
    if (order) order.versions.push(version);
    else {
      this.orders.set(version.id, { versions: [version], deleted: false });
      this.liveOrders.push(version.id);
      this.openOrders.push(version.id);
    }
    if (version.status === 'COMPLETED' || version.status === 'CANCELLED')
      this.openOrders = this.openOrders.filter((id) => id !== version.id);
    return { topic: 'ods_orders', id: version.id, order: version };
  }

  private newOrder(): Step {
    let userId: number;
    const r = this.random();
    const live = [...this.users.keys()];
    if (r < 0.8 && live.length > 0) userId = this.pick(live);
    else if (r < 0.9 && this.late.length > 0) userId = this.pick(this.late);
    else {
      userId = this.nextUser++;
      this.late.push(userId);
    }
    const unitPrice = 100 + Math.floor(this.random() * 999_900);
    const quantity = 1 + Math.floor(this.random() * 5);
    return this.setOrder({
      id: this.nextOrder++,
      userId,
      productName: this.pick(PRODUCTS),
      category: this.pick(CATEGORIES),
      quantity,
      unitPrice,
      total: quantity * unitPrice,
      status: 'PENDING',
      orderTime: timestampText(BASE_MS + Math.floor(this.random() * 28 * DAY_MS)),
      updatedAt: this.now(),
    });
  }

  private latest(id: number): OrderVersion {
    return (this.orders.get(id) as Order).versions.at(-1) as OrderVersion;
  }

  /** The next change of the stream. */
  next(): Step {
    this.steps++;
    if (this.users.size < 8) {
      const id = this.late.shift() ?? this.nextUser++;
      return { topic: 'ods_users', id, user: this.userVersion(id) };
    }
    const r = this.random();
    if (r < 0.22 || this.liveOrders.length < 5) return this.newOrder();
    if (r < 0.5) {
      if (this.openOrders.length === 0) return this.newOrder();
      const current = this.latest(this.pick(this.openOrders));
      const status =
        current.status === 'PENDING' ? (this.random() < 0.1 ? 'CANCELLED' : 'SHIPPED') : ('COMPLETED' as const);
      return this.setOrder(this.orderVersion(current, { status }));
    }
    if (r < 0.58) {
      const current = this.latest(this.pick(this.liveOrders));
      const quantity = 1 + ((current.quantity + Math.floor(this.random() * 4)) % 5);
      return this.setOrder(this.orderVersion(current, { quantity }));
    }
    if (r < 0.63) {
      const id = this.pick(this.liveOrders);
      (this.orders.get(id) as Order).deleted = true;
      this.liveOrders = this.liveOrders.filter((o) => o !== id);
      this.openOrders = this.openOrders.filter((o) => o !== id);
      return { topic: 'ods_orders', id, order: null };
    }
    if (r < 0.76) {
      const id = this.pick([...this.users.keys()]);
      return { topic: 'ods_users', id, user: this.userVersion(id) };
    }
    if (r < 0.79) {
      const id = this.pick([...this.users.keys()]);
      this.users.delete(id);
      this.late.push(id); // comes back later, as a late user of its orders
      return { topic: 'ods_users', id, user: null };
    }
    const id = r < 0.9 && this.late.length > 0 ? (this.late.shift() as number) : this.nextUser++;
    return { topic: 'ods_users', id, user: this.userVersion(id) };
  }
}

// ---------------------------------------------------------------------------------------------
// The expected sink: a plain model of 2_dwd_layer.sql, 3_dimension_join.sql and 4_sink_to_postgres.sql

const CATEGORY: Record<string, string> = {
  电子产品: 'ELECTRONICS',
  服装鞋帽: 'CLOTHING',
  图书: 'BOOKS',
  家居用品: 'HOME',
  食品饮料: 'FOOD',
};
const STATUS_DESC: Record<string, string> = {
  PENDING: '待处理',
  SHIPPED: '已发货',
  COMPLETED: '已完成',
  CANCELLED: '已取消',
};
const TIER_1 = ['北京', '上海', '广州', '深圳'];
const TIER_2 = ['杭州', '南京', '成都', '武汉', '西安', '重庆', '天津', '苏州'];

const money = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const trimSpaces = (text: string) => text.replace(/^ +| +$/g, '');
function tier(city: string | null): string {
  if (city === null) return '未知';
  if (TIER_1.includes(city)) return '一线城市';
  if (TIER_2.includes(city)) return '二线城市';
  return '其他城市';
}

type SinkRow = Record<string, string | number | boolean | null>;

function expectedOrderRow(order: OrderVersion, user: User | undefined): SinkRow {
  return {
    order_id: order.id,
    user_id: order.userId,
    username: user?.username ?? 'Unknown User',
    email: user?.email ?? 'unknown@example.com',
    phone: user?.phone ?? null,
    city: user?.city ?? null,
    product_name: trimSpaces(order.productName),
    product_category: order.category,
    product_category_normalized: CATEGORY[order.category] ?? 'OTHER',
    quantity: order.quantity,
    unit_price: money(order.unitPrice),
    total_amount: money(order.total),
    total_amount_yuan: `¥${money(order.total)}`,
    order_status: order.status,
    order_status_desc: STATUS_DESC[order.status] ?? '未知状态',
    order_time: order.orderTime,
    order_date: order.orderTime.slice(0, 10),
    order_hour: Number(order.orderTime.slice(11, 13)),
    user_register_time: user?.registerTime ?? null,
    user_city_tier: tier(user?.city ?? null),
    updated_at: order.updatedAt,
    has_join_time: true,
    has_processed_time: true,
  };
}

/** One row of order_status_history; `username` may be one of several where the model cannot tell which. */
interface ExpectedHistory {
  readonly row: SinkRow;
  readonly usernames: ReadonlySet<string> | undefined;
}

function expectedState(workload: Workload): { orders: Map<string, SinkRow>; history: Map<string, ExpectedHistory> } {
  const orders = new Map<string, SinkRow>();
  const history = new Map<string, ExpectedHistory>();
  for (const [id, order] of workload.orders) {
    const latest = order.versions.at(-1) as OrderVersion;
    if (!order.deleted) orders.set(String(id), expectedOrderRow(latest, workload.users.get(latest.userId)));
    // Each status the order was in: the last version in that status. Its row is written last when
    // the join emits that version; the user it carries is the final one only for the status the
    // order is still in (the join has seen everything by then). Any other row was last written while
    // the join held some version of the user, or none yet.
    const last = new Map<string, OrderVersion>();
    for (const version of order.versions) last.set(version.status, version);
    for (const [status, version] of last) {
      const full = expectedOrderRow(version, workload.users.get(version.userId));
      const final = !order.deleted && status === latest.status;
      const columns = ['order_status_desc', 'username', 'product_name', 'total_amount', 'order_time', 'updated_at'];
      history.set(`${id}/${status}`, {
        row: {
          order_id: id,
          order_status: status,
          user_id: version.userId,
          ...Object.fromEntries(columns.map((column) => [column, full[column] ?? null])),
          has_processed_time: true,
        },
        usernames: final ? undefined : new Set([...(workload.usernames.get(version.userId) ?? []), 'Unknown User']),
      });
    }
  }
  return { orders, history };
}

const TS = (column: string) => `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.MS') AS ${column}`;
const ORDERS_SQL = `SELECT order_id::int, user_id::int, username, email, phone, city, product_name, product_category,
    product_category_normalized, quantity, unit_price::text, total_amount::text, total_amount_yuan, order_status,
    order_status_desc, ${TS('order_time')}, order_date, order_hour, ${TS('user_register_time')}, user_city_tier,
    ${TS('updated_at')}, join_time IS NOT NULL AS has_join_time, processed_time IS NOT NULL AS has_processed_time
  FROM result.orders_with_user_info ORDER BY order_id`;
const HISTORY_SQL = `SELECT order_id::int, order_status, order_status_desc, user_id::int, username, product_name,
    total_amount::text, ${TS('order_time')}, ${TS('updated_at')}, processed_time IS NOT NULL AS has_processed_time
  FROM result.order_status_history ORDER BY order_id, order_status`;

/** What differs between the sink and the model: lost rows, rows that should not be there, stale fields. */
function compare(
  table: string,
  actual: readonly SinkRow[],
  expected: ReadonlyMap<string, SinkRow>,
  keyOf: (row: SinkRow) => string,
  allowed: (key: string, column: string, value: unknown) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const row of actual) {
    const key = keyOf(row);
    if (seen.has(key)) problems.push(`${table} ${key}: duplicated`);
    seen.add(key);
    const want = expected.get(key);
    if (!want) {
      problems.push(`${table} ${key}: present but should not be (${JSON.stringify(row)})`);
      continue;
    }
    for (const [column, value] of Object.entries(want)) {
      if (row[column] !== value && !allowed(key, column, row[column]))
        problems.push(
          `${table} ${key}: stale ${column}: ${JSON.stringify(row[column])}, expected ${JSON.stringify(value)}`,
        );
    }
  }
  for (const [key, want] of expected) {
    if (!seen.has(key)) problems.push(`${table} ${key}: lost (expected ${JSON.stringify(want)})`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The writer: appends the stream to the ods topics while the engine runs, dies and restarts

class Writer {
  private log: PostgresLog | undefined;
  private paused: { resume: Promise<void>; release: () => void } | undefined;
  private idle: (() => void) | undefined;
  private finished = false;
  private loop: Promise<void> | undefined;
  failure: Error | undefined;
  appends = 0;

  constructor(
    private readonly workload: Workload,
    private readonly random: () => number,
    private readonly encode: (step: Step) => ProduceRecord,
  ) {}

  start(log: PostgresLog): void {
    this.log = log;
    this.loop = this.run().catch((error: Error) => {
      this.failure = error;
    });
  }

  private async run(): Promise<void> {
    while (!this.finished) {
      if (this.paused) {
        this.idle?.();
        await this.paused.resume;
        continue;
      }
      // One to four changes per append, in one transaction: several changes of one key may meet in a batch.
      const count = 1 + Math.floor(this.random() * 4);
      const records: ProduceRecord[] = [];
      for (let i = 0; i < count; i++) records.push(this.encode(this.workload.next()));
      await (this.log as PostgresLog).produce(records);
      this.appends++;
      await sleep(WRITER_PAUSE_MS);
    }
  }

  /** Waits until no append is under way, and closes the connections (the server is about to restart). */
  async pause(): Promise<void> {
    let release: () => void = () => undefined;
    const resume = new Promise<void>((resolve) => {
      release = resolve;
    });
    const idle = new Promise<void>((resolve) => {
      this.idle = resolve;
    });
    this.paused = { resume, release };
    if (this.loop && !this.failure) await Promise.race([idle, this.loop]);
    await this.log?.close();
    this.log = undefined;
  }

  resume(log: PostgresLog): void {
    this.log = log;
    const paused = this.paused;
    this.paused = undefined;
    paused?.release();
  }

  async finish(): Promise<void> {
    this.finished = true;
    this.paused?.release();
    await this.loop;
    await this.log?.close();
    this.log = undefined;
    if (this.failure) throw this.failure;
  }
}

/** Encoders of the ods tables as the example scripts declare them (upsert-kafka, json). */
function odsEncoder(): (step: Step) => ProduceRecord {
  const writers = new Map<string, (change: Change) => ProduceRecord | undefined>();
  for (const [file, topic] of [
    ['2_dwd_layer.sql', 'ods_orders'],
    ['3_dimension_join.sql', 'ods_users'],
  ] as const) {
    const script = planScript(file, readFileSync(join(EXAMPLE, file), 'utf8'), new Map(), {});
    const table = script.catalog.get(topic) as CatalogTable;
    writers.set(topic, topicWriter(table));
  }
  const ts = (text: string) => parseTimestamp(text) as number;
  return (step) => {
    let change: Change;
    if (step.topic === 'ods_users') {
      const u = step.user;
      change = u
        ? { kind: '+U', row: [BigInt(u.id), u.username, u.email, u.phone, u.city, ts(u.registerTime), ts(u.updatedAt)] }
        : { kind: '-D', row: [BigInt(step.id), null, null, null, null, null, null] };
    } else {
      const o = step.order;
      const row: Value[] = o
        ? [
            BigInt(o.id),
            BigInt(o.userId),
            o.productName,
            o.category,
            o.quantity,
            BigInt(o.unitPrice),
            BigInt(o.total),
            o.status,
            ts(o.orderTime),
            ts(o.updatedAt),
          ]
        : [BigInt(step.id), null, null, null, null, null, null, null, null, null];
      change = { kind: o ? '+U' : '-D', row };
    }
    return (writers.get(step.topic) as (change: Change) => ProduceRecord | undefined)(change) as ProduceRecord;
  };
}

// ---------------------------------------------------------------------------------------------
// The engine process

/** Resolves true when `promise` settles within `ms`, false otherwise (without keeping the process alive). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One round of submissions of the scripts, in order, as `rivulet sql -f` sends them (POST /sql). */
interface Submissions {
  readonly done: Promise<void>;
  settledAt: number | undefined;
  error: Error | undefined;
}

describe('recovery after SIGKILL of the engine while changes flow', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-recovery-'));
  chmodSync(dir, 0o711); // as root, the embedded server runs as another OS user that must pass through
  const dataDir = join(dir, 'data');
  let up: CliProcess | undefined;
  let writer: Writer | undefined;

  const postmasterPid = (): number | undefined => {
    const file = join(dataDir, 'postgres', 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };

  after(async () => {
    await writer?.finish().catch(() => undefined);
    if (up && up.child.exitCode === null && up.child.signalCode === null) {
      up.child.kill('SIGTERM');
      if (!(await within(up.done, 20_000))) up.child.kill('SIGKILL');
    }
    // A SIGKILLed `up` leaves its server running: stop it, whatever happened to the test.
    const server = postmasterPid();
    if (server !== undefined && isProcessAlive(server)) {
      process.kill(server, 'SIGINT');
      if (!(await waitForExit(server, 15_000))) process.kill(server, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps the sink exact through ${KILLS} kills (seed ${SEED})`, { timeout: 240_000 }, async (t) => {
    const startedAt = Date.now();
    t.diagnostic(`seed ${SEED}: rerun with RECOVERY_SEED=${SEED}`);
    const workload = new Workload(seededRandom(SEED));
    const kills = seededRandom(SEED ^ 0x5bd1e995);
    // Ports stay the same across restarts, unless another program takes one while the engine is down.
    let pgPort = await freeLoopbackPort();
    let restPort = await freeLoopbackPort();
    const restUrl = () => `http://127.0.0.1:${restPort}`;
    // The embedded server's password and the REST token, made by the first start in the data directory.
    const password = () => readEmbeddedPassword(dataDir, 'postgres') ?? '';
    const dbUrl = (database: string) => `postgresql://postgres:${password()}@127.0.0.1:${pgPort}/${database}`;
    const token = () => readFileSync(join(dataDir, 'rest-token'), 'utf8').trim();
    const events: string[] = [];
    const fail = (message: string): never => {
      const tail = (text: string) => text.split('\n').slice(-15).join('\n');
      assert.fail(
        `${message}\nseed ${SEED} (rerun with RECOVERY_SEED=${SEED})\n${events.join('\n')}\n` +
          `engine output:\n${tail(up?.stdout ?? '')}\n${tail(up?.stderr ?? '')}`,
      );
    };

    const startEngine = async (): Promise<CliProcess> => {
      for (let attempt = 1; ; attempt++) {
        // A state budget this small makes the jobs spill their state to disk after most batches.
        const child = new CliProcess([
          'up',
          '--data-dir',
          dataDir,
          '--pg-port',
          `${pgPort}`,
          '--port',
          `${restPort}`,
          '--state-memory',
          STATE_MEMORY,
        ]);
        up = child;
        try {
          await child.waitFor(/Ready in [\d.]+ s/, 60_000);
          return child;
        } catch (error) {
          const taken = Number(/error\[PORT_IN_USE\]: port (\d+)/.exec(child.stderr)?.[1]);
          if (attempt >= 3 || (taken !== pgPort && taken !== restPort)) fail((error as Error).message);
          events.push(`port ${taken} was taken while the engine was down; another one is used`);
          if (taken === pgPort) pgPort = await freeLoopbackPort();
          else restPort = await freeLoopbackPort();
        }
      }
    };

    /** Submits every script; after a restart, one whose jobs came back by themselves is refused as running. */
    const submitAll = (restarted: boolean): Submissions => {
      const round: Submissions = { done: Promise.resolve(), settledAt: undefined, error: undefined };
      const submit = async () => {
        for (const file of SCRIPTS) {
          const response = await fetch(`${restUrl()}/sql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
            body: JSON.stringify({
              name: `examples/ecommerce/${file}`,
              script: readFileSync(join(EXAMPLE, file), 'utf8'),
              variables: { SINK_HOST: '127.0.0.1', SINK_PORT: `${pgPort}`, SINK_PASSWORD: password() },
            }),
          });
          const body = await response.text();
          if (restarted && response.status === 400 && body.includes('error[JOB_RUNNING]')) continue;
          if (!response.ok) throw new Error(`submitting ${file}: HTTP ${response.status} ${body}`);
        }
      };
      return Object.assign(round, {
        done: submit().then(
          () => {
            round.settledAt = Date.now();
          },
          (error: Error) => {
            round.settledAt = Date.now();
            round.error = error;
          },
        ),
      });
    };

    const checkJobs = async () => {
      const { jobs } = (await (await fetch(`${restUrl()}/jobs/overview`)).json()) as {
        jobs: { jid: string; name: string; state: string }[];
      };
      for (const job of jobs.filter((j) => j.state === 'FAILED')) {
        const detail = (await (await fetch(`${restUrl()}/jobs/${job.jid}`)).json()) as { 'failure-cause'?: string };
        fail(`job ${job.name} FAILED: ${detail['failure-cause']}`);
      }
      if (jobs.filter((j) => j.state === 'RUNNING').length !== SCRIPTS.length)
        fail(`expected ${SCRIPTS.length} running jobs: ${JSON.stringify(jobs)}`);
    };

    // First start: the server, the sink database (from the example's schema), and the topics.
    up = await startEngine();
    const admin = new pg.Client({ connectionString: dbUrl('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE sink_db');
    await admin.end();
    const sinkSetup = new pg.Client({ connectionString: dbUrl('sink_db') });
    await sinkSetup.connect();
    await sinkSetup.query(readFileSync(join(EXAMPLE, 'databases', 'sink_db.sql'), 'utf8'));
    await sinkSetup.end();
    const firstLog = await PostgresLog.open(dbUrl('rivulet'), { maintenanceIntervalMs: 0 });
    // All four topics up front: compacted as the scripts' upsert tables make them, and with
    // PARTITIONS partitions, so that a job reads several partitions of each of its sources.
    for (const topic of ['ods_orders', 'ods_users', 'dwd_orders', 'result_orders_with_user_info'])
      await firstLog.ensureTopic(topic, { compacted: true, partitions: PARTITIONS });
    writer = new Writer(workload, seededRandom(SEED ^ 0x27d4eb2f), odsEncoder());
    writer.start(firstLog);
    let submissions = submitAll(false);

    for (let cycle = 1; cycle <= KILLS; cycle++) {
      // About a third of the kills land within 700 ms of the start, while the scripts are submitted
      // and the jobs rebuild their state; the others up to 3 s after all three jobs run.
      const early = kills() < 0.3;
      const delay = early ? kills() * 700 : 200 + kills() * 2800;
      const readyAt = Date.now();
      if (!early) {
        await submissions.done;
        if (submissions.error) fail(submissions.error.message);
        await checkJobs();
      }
      await sleep(delay);
      if (submissions.settledAt !== undefined) {
        if (submissions.error) fail(submissions.error.message);
        await checkJobs();
      }
      if (writer.failure) fail(`the writer failed: ${writer.failure.message}`);
      const engine = up as CliProcess;
      const stepsAtKill = workload.steps;
      engine.child.kill('SIGKILL');
      const killedAt = Date.now();
      await engine.done;
      await submissions.done;
      // A submission cut off by the kill fails; one that failed before it is a real failure.
      if (submissions.error && (submissions.settledAt as number) < killedAt) fail(submissions.error.message);
      const downMs = Math.floor(kills() * 1000);
      events.push(
        `kill ${cycle}: ${killedAt - readyAt} ms after ready${submissions.error ? ' (while submitting)' : ''}, ` +
          `${stepsAtKill} changes written; down ${downMs} ms`,
      );
      // The engine is down; the writer goes on until the next start takes the orphaned server over.
      await sleep(downMs);
      await writer.pause();
      const orphan = postmasterPid();
      assert.ok(orphan !== undefined && isProcessAlive(orphan), 'the server outlives its SIGKILLed parent');
      const restartAt = Date.now();
      up = await startEngine();
      events.push(`  ready again after ${Date.now() - restartAt} ms (orphaned server ${orphan} stopped)`);
      assert.equal(isProcessAlive(orphan), false, 'the new start stopped the orphaned server');
      writer.resume(await PostgresLog.open(dbUrl('rivulet'), { maintenanceIntervalMs: 0 }));
      submissions = submitAll(true);
    }

    await submissions.done;
    if (submissions.error) fail(submissions.error.message);
    await checkJobs();
    await sleep(1000);
    await writer.finish();
    events.push(`writer done: ${workload.steps} changes in ${writer.appends} appends`);

    // Quiescence: every job has committed the end of each topic it reads.
    const quiet = await waitForQuiescence(dbUrl('rivulet'), dbUrl('sink_db'), checkJobs);
    if (quiet !== undefined) fail(`no quiescence within 60 s: ${quiet}`);
    const metrics = await (await fetch(`${restUrl()}/metrics`)).text();
    const restored = Number(/^rivulet_state_restored_entries_total (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(restored > 0, `state was spilled and read back (${restored} entries)`);

    const sink = new pg.Client({ connectionString: dbUrl('sink_db') });
    await sink.connect();
    const actualOrders = (await sink.query(ORDERS_SQL)).rows as SinkRow[];
    const actualHistory = (await sink.query(HISTORY_SQL)).rows as SinkRow[];
    await sink.end();
    const expected = expectedState(workload);
    const expectedHistory = new Map([...expected.history].map(([key, h]) => [key, h.row]));
    const problems = [
      ...compare('orders_with_user_info', actualOrders, expected.orders, (row) => String(row.order_id)),
      ...compare(
        'order_status_history',
        actualHistory,
        expectedHistory,
        (row) => `${row.order_id}/${row.order_status}`,
        (key, column, value) =>
          column === 'username' && (expected.history.get(key)?.usernames?.has(value as string) ?? false),
      ),
    ];
    t.diagnostic(
      `${KILLS} kills, ${workload.steps} changes, ${expected.orders.size} orders, ` +
        `${expected.history.size} history rows, ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
    );
    for (const event of events) t.diagnostic(event);
    if (problems.length > 0)
      fail(`${problems.length} differences between the sink and the model:\n${problems.slice(0, 40).join('\n')}`);
  });
});

/**
 * Waits until each job has committed positions at the end of the topics it reads (an append-only
 * source may stop before trailing tombstones, which it skips); undefined when reached, else what lags.
 */
async function waitForQuiescence(
  logUrl: string,
  sinkUrl: string,
  check: () => Promise<void>,
): Promise<string | undefined> {
  const log = new pg.Client({ connectionString: logUrl });
  const sink = new pg.Client({ connectionString: sinkUrl });
  await log.connect();
  await sink.connect();
  try {
    const deadline = Date.now() + 60_000;
    let lag = '';
    let quietPolls = 0;
    while (Date.now() < deadline) {
      await check();
      const ends = new Map<string, { end: bigint; lastValue: bigint }>();
      const topics = await log.query<{ id: number; name: string }>('SELECT id, name FROM rivulet_log.topics');
      for (const topic of topics.rows) {
        const result = await log.query<{ partition: number; end: string; last_value: string | null }>(
          `SELECT p.partition, p.next_offset::text AS end,
                  (SELECT max(r."offset") FROM rivulet_log.records_${topic.id} r
                    WHERE r.partition = p.partition AND r.value IS NOT NULL)::text AS last_value
             FROM rivulet_log.partitions p WHERE p.topic_id = $1`,
          [topic.id],
        );
        for (const row of result.rows)
          ends.set(`${topic.name}/${row.partition}`, { end: BigInt(row.end), lastValue: BigInt(row.last_value ?? -1) });
      }
      const positions = [
        ...(
          await log.query<{ group_id: string; topic: string; partition: number; next: string }>(
            `SELECT g.group_id, t.name AS topic, g.partition, g.next::text AS next
               FROM rivulet_log.positions g JOIN rivulet_log.topics t ON t.id = g.topic_id`,
          )
        ).rows,
        ...(
          await sink
            .query<{ group_id: string; topic: string; partition: number; next: string }>(
              // The jdbc sink's commit marker (src/connectors/jdbc/database.ts) is no position.
              `SELECT group_id, topic, partition, next::text AS next FROM rivulet_sink_positions
                WHERE topic <> 'rivulet-commit-marker'`,
            )
            .catch(() => ({ rows: [] }))
        ).rows,
      ];
      const behind = positions.filter((p) => {
        const end = ends.get(`${p.topic}/${p.partition}`);
        if (!end) return true;
        const next = BigInt(p.next);
        return p.group_id.includes('result_order_changes') ? next <= end.lastValue : next < end.end;
      });
      // dwd job: ods_orders; join job: dwd_orders, ods_users; sink job: the result topic twice.
      const complete = positions.length === 5 * PARTITIONS && behind.length === 0;
      lag = complete
        ? ''
        : `${positions.length} positions, behind: ${JSON.stringify(behind.map((p) => [p.group_id, p.topic, p.next]))}; ends ${JSON.stringify([...ends].map(([k, v]) => [k, String(v.end)]))}`;
      quietPolls = complete ? quietPolls + 1 : 0;
      if (quietPolls >= 2) return undefined;
      await sleep(250);
    }
    return lag;
  } finally {
    await log.end();
    await sink.end();
  }
}
