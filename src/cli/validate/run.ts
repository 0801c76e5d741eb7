import type pg from 'pg';
import { connect, databaseUrl, getJson, errorMessage as message, percentile } from '../support.ts';
import { deleteHistory, deleteOrders, STATUSES, sinkRowsLeft } from '../test-orders.ts';
import { checkShopAnalytics, removeTestUser } from './shop-check.ts';
import { checkLayers, type Databases, driveTestOrder, POLL_MS, startTestOrder } from './test-order.ts';
import { record, type ValidateSettings, type ValidationResult, type ValidationRun } from './validation-run.ts';

/** The pipeline's layers: the job writing each, found by a fragment of its name. */
const LAYER_JOBS: ReadonlyArray<{ layer: string; fragment: string }> = [
  { layer: 'ODS', fragment: 'ods_orders' },
  { layer: 'DWD', fragment: 'dwd_orders' },
  { layer: 'join', fragment: 'result_orders_with_user_info' },
  { layer: 'sink', fragment: 'orders_with_user_info_sink' },
];

interface Job {
  readonly jid: string;
  readonly name: string;
  readonly state: string;
}

/** What the environment check found: both databases connected, and the engine's jobs. */
interface Environment extends Databases {
  readonly jobs: readonly Job[];
}

/**
 * The seed's realtime_validation_test.sh against a running instance: environment, initial state, a
 * test order through PENDING → SHIPPED → COMPLETED, each layer checked, latency and a report, the
 * shop analytics compared with PostgreSQL, and the test order (and test user) removed again.
 */
export async function validate(settings: ValidateSettings): Promise<ValidationResult> {
  const run: ValidationRun = {
    settings,
    result: { ok: false, checks: [], latencies: [], left: [] },
    watchers: [],
    inserted: false,
  };
  try {
    const environment = await checkEnvironment(run);
    if (!environment) return run.result;
    await showInitialState(run, environment);
    const order = await startTestOrder(run, environment);
    await driveTestOrder(run, environment, order);
    await checkLayers(run, environment, order);
    reportLatency(run);
    await reportPerformance(run, environment);
    await checkShopAnalytics(run, environment, environment.jobs);
  } catch (error) {
    record(run, 'internal', false, message(error));
  } finally {
    await finish(run);
  }
  run.result.ok = run.result.checks.every((check) => check.ok);
  return run.result;
}

/** The engine's REST API, both databases, a RUNNING job for every layer and active replication slots. */
async function checkEnvironment(run: ValidationRun): Promise<Environment | undefined> {
  const { instance, messages: m, reporter: out, timeoutMs } = run.settings;
  const result = run.result;
  out.step(m.stepEnvironment);
  let jobs: Job[] = [];
  try {
    jobs = (await getJson<{ jobs: Job[] }>(instance.restUrl, '/jobs/overview', timeoutMs)).jobs;
    record(run, 'environment.rest', true, m.restReachable(instance.restUrl));
  } catch (error) {
    record(run, 'environment.rest', false, m.restUnreachable(instance.restUrl, message(error)));
  }
  for (const [name, assign] of [
    ['source_db', (c: pg.Client) => (run.source = c)],
    ['sink_db', (c: pg.Client) => (run.sink = c)],
  ] as const) {
    try {
      assign(await connect(databaseUrl(instance, name)));
      record(run, `environment.${name}`, true, m.databaseReachable(name));
    } catch (error) {
      record(run, `environment.${name}`, false, m.databaseUnreachable(name, message(error)));
    }
  }
  if (result.checks.every((check) => check.ok)) {
    for (const { layer, fragment } of LAYER_JOBS) {
      const candidates = jobs.filter((job) => job.name.includes(fragment));
      const running = candidates.find((job) => job.state === 'RUNNING');
      record(
        run,
        `environment.job.${fragment}`,
        running !== undefined,
        running ? m.jobRunning(layer, running.name) : m.jobNotRunning(layer, fragment, candidates.at(-1)?.state),
      );
    }
    const slots = (
      await (run.source as pg.Client).query<{ slot_name: string; active: boolean }>(
        "SELECT slot_name, active FROM pg_replication_slots WHERE database = 'source_db' ORDER BY slot_name",
      )
    ).rows;
    const inactive = slots.filter((slot) => !slot.active).map((slot) => slot.slot_name);
    record(
      run,
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
    return undefined;
  }
  out.success(m.environmentOk);
  return { source: run.source as pg.Client, sink: run.sink as pg.Client, jobs };
}

async function count(db: pg.Client, table: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
}

/** The running jobs and what the source and sink tables hold before the test. */
async function showInitialState(run: ValidationRun, { source, sink, jobs }: Environment): Promise<void> {
  const { messages: m, reporter: out } = run.settings;
  out.step(m.stepInitial);
  out.info(m.runningJobs(jobs.filter((job) => job.state === 'RUNNING').length));
  out.info(
    m.initialCounts(
      await count(source, 'business.orders'),
      await count(sink, 'result.orders_with_user_info'),
      await count(sink, 'result.order_status_history'),
    ),
  );
}

/** Each change's latency at every layer, and the end-to-end check against --max-latency. */
function reportLatency(run: ValidationRun): void {
  const { maxLatencyMs, messages: m, reporter: out } = run.settings;
  const result = run.result;
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
    result.endToEnd = { averageMs, p99Ms: percentile(endToEnd, 99), maxMs, limitMs: maxLatencyMs };
    record(
      run,
      'latency.end_to_end',
      maxMs < maxLatencyMs,
      maxMs < maxLatencyMs ? m.latencyWithin(maxMs, maxLatencyMs) : m.latencyOver(maxMs, maxLatencyMs),
    );
  }
}

/** The figures of the performance report: orders in the sink, and the engine's task managers and slots. */
async function reportPerformance(run: ValidationRun, { sink }: Databases): Promise<void> {
  const { instance, messages: m, reporter: out, timeoutMs } = run.settings;
  const ordersProcessed = await count(sink, 'result.orders_with_user_info');
  let overview: Record<string, number> = {};
  try {
    overview = await getJson<Record<string, number>>(instance.restUrl, '/overview', timeoutMs);
  } catch (error) {
    out.warn(m.restUnreachable(instance.restUrl, message(error)));
  }
  const slotsTotal = Number(overview['slots-total'] ?? 0);
  const slotsAvailable = Number(overview['slots-available'] ?? 0);
  run.result.performance = {
    ordersProcessed,
    taskManagers: Number(overview.taskmanagers ?? 0),
    slotsTotal,
    slotsAvailable,
    utilisationPercent: slotsTotal > 0 ? Math.round(((slotsTotal - slotsAvailable) / slotsTotal) * 100) : 0,
  };
}

/** Stops the topic readers, removes the test order if it was written, and closes the log and databases. */
async function finish(run: ValidationRun): Promise<void> {
  for (const watcher of run.watchers) await watcher.stop();
  const id = run.result.testOrderId;
  if (run.inserted && id !== undefined && run.source && run.sink) {
    await cleanUp(run, id, { source: run.source, sink: run.sink });
  }
  await run.log?.close().catch(() => undefined);
  await run.source?.end().catch(() => undefined);
  await run.sink?.end().catch(() => undefined);
}

/** Removes the test order; says what stays. */
async function cleanUp(run: ValidationRun, id: number, { source, sink }: Databases): Promise<void> {
  const { messages: m, reporter: out, timeoutMs } = run.settings;
  const result = run.result;
  out.step(m.stepCleanup);
  try {
    await deleteOrders(source, [id]);
    out.info(m.deletedOrder(id));
    const gone = (await sinkRowsLeft(sink, [id], timeoutMs, POLL_MS)) === 0;
    if (!gone) result.left.push(m.sinkRowLeft(id));
    record(run, 'cleanup.sink', gone, gone ? m.sinkRowRemoved : m.sinkRowLeft(id));
    out.info(m.historyDeleted(await deleteHistory(sink, [id])));
    const events = result.latencies.filter((l) => l.sink !== undefined).length;
    result.left.push(m.leftInTopics(id));
    if (events > 0) result.left.push(m.leftInWindows(events));
    const userId = result.testUserId;
    if (userId !== undefined) {
      await removeTestUser(source, userId);
      out.info(m.deletedUser(userId));
      result.left.push(m.leftInShop(id));
    }
    for (const left of result.left) out.warn(left);
  } catch (error) {
    record(run, 'cleanup', false, m.cleanupFailed(message(error)));
    result.left.push(m.cleanupFailed(message(error)));
  }
}
