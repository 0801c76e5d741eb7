import type pg from 'pg';
import type { InstanceInfo } from '../../embedded/instance.ts';
import type { Log, LogReader } from '../../log/log.ts';
import { openLog } from '../../log/open-log.ts';
import { connect, databaseUrl, getJson, errorMessage as message, percentile } from '../support.ts';
import type { LayerId, Messages } from './messages.ts';

/** One check of the validation, as `--json` prints it. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** How the run is shown: the command prints these as they happen, or collects them for --json. */
export interface Reporter {
  step(text: string): void;
  check(check: Check): void;
  info(text: string): void;
  success(text: string): void;
  warn(text: string): void;
  error(text: string): void;
  line(text: string): void;
}

export interface ValidateSettings {
  readonly instance: InstanceInfo;
  readonly maxLatencyMs: number;
  readonly timeoutMs: number;
  readonly messages: Messages;
  readonly reporter: Reporter;
}

/** Milliseconds from a status change's commit in source_db to its arrival at each layer. */
export interface ChangeLatency {
  readonly status: string;
  readonly ods?: number;
  readonly dwd?: number;
  readonly join?: number;
  readonly sink?: number;
  readonly history?: number;
}

export interface ValidationResult {
  ok: boolean;
  failed?: string;
  testOrderId?: number;
  checks: Check[];
  latencies: ChangeLatency[];
  endToEnd?: { averageMs: number; p99Ms: number; maxMs: number; limitMs: number };
  performance?: {
    ordersProcessed: number;
    taskManagers: number;
    slotsTotal: number;
    slotsAvailable: number;
    utilisationPercent: number;
  };
  left: string[];
}

/** The pipeline's layers: the job writing each, found by a fragment of its name. */
const LAYER_JOBS: ReadonlyArray<{ layer: string; fragment: string }> = [
  { layer: 'ODS', fragment: 'ods_orders' },
  { layer: 'DWD', fragment: 'dwd_orders' },
  { layer: 'join', fragment: 'result_orders_with_user_info' },
  { layer: 'sink', fragment: 'orders_with_user_info_sink' },
];

const STATUSES = ['PENDING', 'SHIPPED', 'COMPLETED'] as const;
const TOPICS: ReadonlyArray<{ layer: 'ods' | 'dwd' | 'join'; topic: string }> = [
  { layer: 'ods', topic: 'ods_orders' },
  { layer: 'dwd', topic: 'dwd_orders' },
  { layer: 'join', topic: 'result_orders_with_user_info' },
];
const TEST_USER = 1001;
const POLL_MS = 5;

interface Seen {
  readonly status: string | null;
  readonly at: number;
  readonly value: Record<string, unknown> | null;
}

/** Reads a topic from where it ends now, keeping the records of one order with when they were seen. */
class TopicWatcher {
  readonly seen: Seen[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly reader: LogReader,
    private readonly orderId: () => number | undefined,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const records = await this.reader.poll(500, 50);
      const at = Date.now();
      const id = this.orderId();
      for (const record of records) {
        if (id === undefined || record.key === null) continue;
        let key: unknown;
        try {
          key = JSON.parse(record.key.toString('utf8'));
        } catch {
          continue;
        }
        if ((key as { order_id?: unknown } | null)?.order_id !== id) continue;
        const value =
          record.value === null ? null : (JSON.parse(record.value.toString('utf8')) as Record<string, unknown>);
        this.seen.push({ status: value === null ? null : String(value.order_status), at, value });
      }
    }
  }

  first(status: string): Seen | undefined {
    return this.seen.find((seen) => seen.status === status);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.catch(() => undefined);
    await this.reader.close().catch(() => undefined);
  }
}

async function until<T>(timeoutMs: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The seed's realtime_validation_test.sh against a running instance: environment, initial state, a
 * test order through PENDING → SHIPPED → COMPLETED, each layer checked, latency and a report, and
 * the test order removed again.
 */
export async function validate(settings: ValidateSettings): Promise<ValidationResult> {
  const { instance, messages: m, reporter: out, timeoutMs } = settings;
  const result: ValidationResult = { ok: false, checks: [], latencies: [], left: [] };
  const record = (name: string, ok: boolean, detail: string): boolean => {
    const check = { name, ok, detail };
    result.checks.push(check);
    out.check(check);
    if (!ok && result.failed === undefined) result.failed = detail;
    return ok;
  };

  let source: pg.Client | undefined;
  let sink: pg.Client | undefined;
  let log: Log | undefined;
  const watchers: TopicWatcher[] = [];
  let orderId: number | undefined;
  let inserted = false;
  try {
    // 1. Environment.
    out.step(m.stepEnvironment);
    let jobs: { jid: string; name: string; state: string }[] = [];
    try {
      jobs = (await getJson<{ jobs: typeof jobs }>(instance.restUrl, '/jobs/overview', timeoutMs)).jobs;
      record('environment.rest', true, m.restReachable(instance.restUrl));
    } catch (error) {
      record('environment.rest', false, m.restUnreachable(instance.restUrl, message(error)));
    }
    for (const [name, assign] of [
      ['source_db', (c: pg.Client) => (source = c)],
      ['sink_db', (c: pg.Client) => (sink = c)],
    ] as const) {
      try {
        assign(await connect(databaseUrl(instance, name)));
        record(`environment.${name}`, true, m.databaseReachable(name));
      } catch (error) {
        record(`environment.${name}`, false, m.databaseUnreachable(name, message(error)));
      }
    }
    if (result.checks.every((check) => check.ok)) {
      for (const { layer, fragment } of LAYER_JOBS) {
        const candidates = jobs.filter((job) => job.name.includes(fragment));
        const running = candidates.find((job) => job.state === 'RUNNING');
        record(
          `environment.job.${fragment}`,
          running !== undefined,
          running ? m.jobRunning(layer, running.name) : m.jobNotRunning(layer, fragment, candidates.at(-1)?.state),
        );
      }
      const slots = (
        await (source as pg.Client).query<{ slot_name: string; active: boolean }>(
          "SELECT slot_name, active FROM pg_replication_slots WHERE database = 'source_db' ORDER BY slot_name",
        )
      ).rows;
      const inactive = slots.filter((slot) => !slot.active).map((slot) => slot.slot_name);
      record(
        'environment.replication_slots',
        slots.length > 0 && inactive.length === 0,
        slots.length === 0
          ? m.noSlots
          : inactive.length > 0
            ? m.slotsInactive(inactive)
            : m.slotsActive(slots.map((slot) => slot.slot_name)),
      );
    }
    if (!result.checks.every((check) => check.ok)) {
      out.error(m.environmentFailed);
      return result;
    }
    out.success(m.environmentOk);
    const sourceDb = source as pg.Client;
    const sinkDb = sink as pg.Client;

    // 2. Initial state.
    out.step(m.stepInitial);
    const count = async (db: pg.Client, table: string, where = ''): Promise<number> =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} ${where}`)).rows[0]?.n ?? 0);
    out.info(m.runningJobs(jobs.filter((job) => job.state === 'RUNNING').length));
    out.info(
      m.initialCounts(
        await count(sourceDb, 'business.orders'),
        await count(sinkDb, 'result.orders_with_user_info'),
        await count(sinkDb, 'result.order_status_history'),
      ),
    );

    // 3. The test order, through its three statuses, timed at every layer.
    out.step(m.stepOperations);
    const maxIn = async (db: pg.Client, table: string): Promise<number> =>
      Number((await db.query<{ n: string | null }>(`SELECT max(order_id) AS n FROM ${table}`)).rows[0]?.n ?? 0);
    const id =
      Math.max(
        await maxIn(sourceDb, 'business.orders'),
        await maxIn(sinkDb, 'result.orders_with_user_info'),
        await maxIn(sinkDb, 'result.order_status_history'),
      ) + 1;
    orderId = id;
    result.testOrderId = id;
    out.info(m.testOrderId(id));
    log = await openLog(instance.logUrl);
    for (const { topic } of TOPICS) {
      watchers.push(new TopicWatcher(await log.openReader(topic, { kind: 'latest' }), () => orderId));
    }
    const [ods, dwd, join] = watchers as [TopicWatcher, TopicWatcher, TopicWatcher];
    const sinkRow = async () =>
      (
        await sinkDb.query<Record<string, unknown>>(
          'SELECT order_status, order_status_desc, username, user_city_tier FROM result.orders_with_user_info WHERE order_id = $1',
          [id],
        )
      ).rows[0];
    const historyStatuses = async () =>
      (
        await sinkDb.query<{ order_status: string }>(
          'SELECT order_status FROM result.order_status_history WHERE order_id = $1 ORDER BY updated_at, order_status',
          [id],
        )
      ).rows.map((row) => row.order_status);

    const statements: Record<(typeof STATUSES)[number], { sql: string; done: string }> = {
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
    let flowing = true;
    for (const status of STATUSES) {
      if (!flowing) break;
      await sourceDb.query(statements[status].sql, [id]);
      const committed = Date.now();
      inserted = true;
      out.success(statements[status].done);
      const sinkAt = await until(timeoutMs, async () =>
        (await sinkRow())?.order_status === status ? Date.now() : undefined,
      );
      const historyAt = await until(sinkAt === undefined ? 0 : timeoutMs, async () =>
        (await historyStatuses()).includes(status) ? Date.now() : undefined,
      );
      // The topics come before the sink: give their readers a moment to catch up with what they hold.
      await until(sinkAt === undefined ? 0 : 1000, async () =>
        watchers.every((watcher) => watcher.first(status)) ? true : undefined,
      );
      const since = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, at - committed));
      result.latencies.push({
        status,
        ods: since(ods.first(status)?.at),
        dwd: since(dwd.first(status)?.at),
        join: since(join.first(status)?.at),
        sink: since(sinkAt),
        history: since(historyAt),
      });
      if (sinkAt === undefined || historyAt === undefined) flowing = false;
    }

    // 4. Every layer.
    out.step(m.stepVerify);
    const reached = (layer: keyof Omit<ChangeLatency, 'status'>) =>
      STATUSES.filter((status) => result.latencies.find((l) => l.status === status)?.[layer] === undefined);
    for (const [layer, watcher] of [
      ['ods', ods],
      ['dwd', dwd],
      ['join', join],
    ] as const) {
      const missing = reached(layer);
      const last = watcher.first('COMPLETED')?.value;
      let detail = missing.length > 0 ? m.missingStatuses(missing) : undefined;
      if (!detail && layer === 'dwd' && last?.order_status_desc !== '已完成')
        detail = m.wrongValue('order_status_desc', '已完成', String(last?.order_status_desc));
      if (!detail && layer === 'join' && last?.username !== '张三')
        detail = m.wrongValue('username', '张三', String(last?.username));
      const records = watcher.seen.filter((seen) => seen.status !== null).length;
      layerCheck(layer, detail, records);
    }
    const row = await sinkRow();
    let sinkDetail: string | undefined;
    if (!row) sinkDetail = m.missingStatuses(['COMPLETED']);
    else if (row.order_status_desc !== '已完成')
      sinkDetail = m.wrongValue('order_status_desc', '已完成', String(row.order_status_desc));
    else if (row.user_city_tier !== '一线城市')
      sinkDetail = m.wrongValue('user_city_tier', '一线城市', String(row.user_city_tier));
    else if (row.username !== '张三') sinkDetail = m.wrongValue('username', '张三', String(row.username));
    layerCheck('sink', sinkDetail, row ? 1 : 0);
    const history = await historyStatuses();
    const missingHistory = STATUSES.filter((status) => !history.includes(status));
    layerCheck('history', missingHistory.length > 0 ? m.missingStatuses(missingHistory) : undefined, history.length);

    // 5. Latency and the report.
    out.step(m.stepLatency);
    const fmt = (ms: number | undefined) => (ms === undefined ? '—' : `${ms} ms`);
    for (const l of result.latencies) {
      out.line(
        m.latencyLine(
          l.status,
          `ODS ${fmt(l.ods)} · DWD ${fmt(l.dwd)} · join ${fmt(l.join)} · sink ${fmt(l.sink)} · history ${fmt(l.history)}`,
        ),
      );
    }
    const endToEnd = result.latencies.map((l) => l.sink).filter((ms): ms is number => ms !== undefined);
    if (endToEnd.length === STATUSES.length) {
      const averageMs = Math.round(endToEnd.reduce((a, b) => a + b, 0) / endToEnd.length);
      const maxMs = Math.max(...endToEnd);
      result.endToEnd = { averageMs, p99Ms: percentile(endToEnd, 99), maxMs, limitMs: settings.maxLatencyMs };
      record(
        'latency.end_to_end',
        maxMs < settings.maxLatencyMs,
        maxMs < settings.maxLatencyMs
          ? m.latencyWithin(maxMs, settings.maxLatencyMs)
          : m.latencyOver(maxMs, settings.maxLatencyMs),
      );
    }
    const ordersProcessed = await count(sinkDb, 'result.orders_with_user_info');
    let overview: Record<string, number> = {};
    try {
      overview = await getJson<Record<string, number>>(instance.restUrl, '/overview', timeoutMs);
    } catch (error) {
      out.warn(m.restUnreachable(instance.restUrl, message(error)));
    }
    const slotsTotal = Number(overview['slots-total'] ?? 0);
    const slotsAvailable = Number(overview['slots-available'] ?? 0);
    result.performance = {
      ordersProcessed,
      taskManagers: Number(overview.taskmanagers ?? 0),
      slotsTotal,
      slotsAvailable,
      utilisationPercent: slotsTotal > 0 ? Math.round(((slotsTotal - slotsAvailable) / slotsTotal) * 100) : 0,
    };
  } catch (error) {
    record('internal', false, message(error));
  } finally {
    for (const watcher of watchers) await watcher.stop();
    // 6. Remove the test order; say what stays.
    if (inserted && orderId !== undefined && source && sink) {
      await cleanUp(orderId, source, sink, settings, result, record);
    }
    await log?.close().catch(() => undefined);
    await source?.end().catch(() => undefined);
    await sink?.end().catch(() => undefined);
  }
  result.ok = result.checks.every((check) => check.ok);
  return result;

  function layerCheck(layer: LayerId, detail: string | undefined, records: number): void {
    record(
      `layer.${layer}`,
      detail === undefined,
      detail === undefined ? m.layerOk(layer, records) : m.layerFailed(layer, detail),
    );
  }
}

async function cleanUp(
  id: number,
  source: pg.Client,
  sink: pg.Client,
  settings: ValidateSettings,
  result: ValidationResult,
  record: (name: string, ok: boolean, detail: string) => boolean,
): Promise<void> {
  const { messages: m, reporter: out, timeoutMs } = settings;
  out.step(m.stepCleanup);
  try {
    await source.query('DELETE FROM business.orders WHERE order_id = $1', [id]);
    out.info(m.deletedOrder(id));
    const gone = await until(timeoutMs, async () =>
      (await sink.query('SELECT 1 FROM result.orders_with_user_info WHERE order_id = $1', [id])).rowCount === 0
        ? true
        : undefined,
    );
    if (!gone) result.left.push(m.sinkRowLeft(id));
    record('cleanup.sink', gone === true, gone ? m.sinkRowRemoved : m.sinkRowLeft(id));
    const deleted = await sink.query('DELETE FROM result.order_status_history WHERE order_id = $1', [id]);
    out.info(m.historyDeleted(deleted.rowCount ?? 0));
    const events = result.latencies.filter((l) => l.sink !== undefined).length;
    result.left.push(m.leftInTopics(id));
    if (events > 0) result.left.push(m.leftInWindows(events));
    for (const left of result.left) out.warn(left);
  } catch (error) {
    record('cleanup', false, m.cleanupFailed(message(error)));
    result.left.push(m.cleanupFailed(message(error)));
  }
}
