/**
 * One run of one scenario: fresh databases and engine, both pipelines submitted, the seeded
 * workload writing while faults are injected at random points, then every sink table compared
 * with its oracle once the pipelines have caught up.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../kafka/broker.ts';
import { compareTables, type Difference, totalDifferences } from './compare.ts';
import { CHAOS_DIR, DatabaseServer, Engine, EXAMPLE_DIR } from './environment.ts';
import { SALES_TABLES, SEED_TABLES, SHOP_TABLES } from './oracle.ts';
import { CuttingProxy } from './pg-proxy.ts';
import type { Scenario } from './scenarios.ts';
import { seededRandom } from './seeded-random.ts';
import { Workload, Writer } from './workload.ts';

export interface RunOptions {
  /** Worker threads of the engine (`rivulet up --workers`). */
  readonly workers: number;
  /** How long the workload writes. */
  readonly seconds: number;
  /** Faults injected while it writes. */
  readonly faults: number;
  readonly outageMs: number;
  /** Pause between two source transactions. */
  readonly pauseMs: number;
  /** How long the pipelines may take to catch up after the workload ends. */
  readonly settleMs: number;
  /** How long a change made after a fault may take to reach the sinks. */
  readonly probeTimeoutMs: number;
  readonly log: (line: string) => void;
  /** Ends the run early, cleaning up what it started (Ctrl-C, a test's timeout). */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly workers: number;
  /** Row changes committed at the source. */
  readonly changes: number;
  readonly transactions: number;
  readonly differences: readonly Difference[];
  /** Rows of the event-time window table for minutes of the workload (compared with the others). */
  readonly workloadWindows: number;
  /** Per fault: seconds from its end until a change made then reached both pipelines' sinks. */
  readonly recoverySeconds: readonly number[];
  /** Anything else that went wrong: a failed job, a probe that never arrived, a workload error. */
  readonly problems: readonly string[];
  readonly engineLog: string;
}

const SEED_SCRIPTS = [
  '1_cdc_source_to_kafka.sql',
  '2_dwd_layer.sql',
  '3_dimension_join.sql',
  '4_sink_to_postgres.sql',
  '5_dws_ads.sql',
  '6_shop_analytics.sql',
];
const SALES_SCRIPTS = ['sales_1_cdc.sql', 'sales_2_aggregates.sql'];
/** Jobs of both pipelines: two in the seed's first and sixth scripts, one in each other script. */
const JOBS = SEED_SCRIPTS.length + 2 + SALES_SCRIPTS.length;
const TABLES = [...SEED_TABLES, ...SHOP_TABLES, ...SALES_TABLES];
/** Chance that the first fault comes right after the submissions, while the jobs snapshot and start. */
const EARLY_FAULT = 0.3;

/** A pause that ends at once, with the signal's reason, when the run is aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

interface Probe {
  readonly sourceUrl: string;
  readonly sinkUrl: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Makes one change that both pipelines carry to their sinks (order 1's product name through every
 * layer of the seed, its new `updated_at` through the deduplication of 6_shop_analytics.sql, item
 * 0's quantity through the sales pipeline), and resolves with the milliseconds until all arrived,
 * or undefined when they did not within the timeout. Its `updated_at` is `aheadSeconds` after now:
 * the last probe also pays order 1 and changes user 2 then, which moves the watermarks of the
 * orders, the payments and the users past every minute of the workload, so that all their
 * windows, OVER rows and temporal joins are emitted.
 */
async function probe(
  { sourceUrl, sinkUrl, timeoutMs, signal }: Probe,
  n: number,
  aheadSeconds = 0,
): Promise<number | undefined> {
  const source = new pg.Client({ connectionString: sourceUrl });
  await source.connect();
  const startedAt = Date.now();
  let updatedAt = '';
  try {
    await source.query('BEGIN');
    const { rows } = await source.query<{ at: string }>(
      `UPDATE business.orders SET product_name = $1, updated_at = clock_timestamp() + make_interval(secs => $2)
        WHERE order_id = 1 RETURNING updated_at::text AS at`,
      [`probe-${n}`, aheadSeconds],
    );
    updatedAt = rows[0]?.at ?? '';
    await source.query('UPDATE business.order_items SET quantity = $1 WHERE item_id = 0', [1000 + n]);
    if (aheadSeconds > 0) {
      await source.query(
        `INSERT INTO business.payments (payment_id, order_id, user_id, amount, pay_method, paid_at)
         VALUES ($1, 1, 2, 1.00, '支付宝', clock_timestamp() + make_interval(secs => $2))`,
        [n, aheadSeconds],
      );
      await source.query(
        'UPDATE business.users SET username = $1, updated_at = clock_timestamp() + make_interval(secs => $2) WHERE user_id = 2',
        [`probe-${n}`, aheadSeconds],
      );
    }
    await source.query('COMMIT');
  } finally {
    await source.end();
  }
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    const sink = new pg.Client({ connectionString: sinkUrl });
    try {
      await sink.connect();
      const { rows } = await sink.query<{ seed: boolean; shop: boolean; sales: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM result.orders_with_user_info WHERE order_id = 1 AND product_name = $1) AS seed,
                EXISTS (SELECT 1 FROM result.order_latest_status WHERE order_id = 1 AND updated_at = $3::timestamp) AS shop,
                EXISTS (SELECT 1 FROM sales.order_lines WHERE order_id = 1 AND units = $2) AS sales`,
        [`probe-${n}`, 1000 + n, updatedAt],
      );
      if (rows[0]?.seed && rows[0]?.shop && rows[0]?.sales) return Date.now() - startedAt;
    } finally {
      await sink.end().catch(() => undefined);
    }
    await sleep(50, signal);
  }
  return undefined;
}

async function oneValue(url: string, sql: string, params: unknown[] = []): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return String((await client.query(sql, params)).rows[0]?.value);
  } finally {
    await client.end();
  }
}

/** The minute the workload starts in, by the source's clock. */
const firstMinute = (sourceUrl: string) =>
  oneValue(sourceUrl, "SELECT date_trunc('minute', localtimestamp)::text AS value");

const windowsSince = async (sinkUrl: string, minute: string) =>
  Number(
    await oneValue(
      sinkUrl,
      'SELECT count(*) AS value FROM result.dws_order_events_per_minute WHERE window_start >= $1',
      [minute],
    ),
  );

export async function runScenario(scenario: Scenario, seed: number, options: RunOptions): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), `rivulet-chaos-${scenario.name}-`));
  chmodSync(dir, 0o711); // as root, the PostgreSQL servers run as another OS user that must pass through
  const random = seededRandom(seed);
  const problems: string[] = [];
  const recoverySeconds: number[] = [];
  let source: DatabaseServer | undefined;
  let sink: DatabaseServer | undefined;
  let sinkProxy: CuttingProxy | undefined;
  let broker: KafkaBroker | undefined;
  let engine: Engine | undefined;
  let writer: Writer | undefined;
  const { signal } = options;
  try {
    source = await DatabaseServer.source(dir);
    sink = await DatabaseServer.sink(dir);
    sinkProxy = await CuttingProxy.start(sink.port);
    if (scenario.kafkaLog) broker = await startKafkaBroker();
    engine = new Engine(dir, [
      ...(broker ? ['--log', `kafka://${broker.bootstrap}`] : []),
      '--state-memory',
      '1mb',
      '--workers',
      `${options.workers}`,
    ]);
    await engine.start();
    const variables = {
      SOURCE_HOST: '127.0.0.1',
      SOURCE_PORT: `${source.port}`,
      SOURCE_PASSWORD: 'unused',
      SINK_HOST: '127.0.0.1',
      SINK_PORT: `${sinkProxy.port}`,
      SINK_PASSWORD: 'unused',
      KAFKA_SERVERS: broker?.bootstrap ?? 'localhost:9092',
    };
    for (const file of SEED_SCRIPTS)
      await engine.submit(`examples/ecommerce/${file}`, readFileSync(join(EXAMPLE_DIR, file), 'utf8'), variables);
    for (const file of SALES_SCRIPTS)
      await engine.submit(`scripts/chaos/${file}`, readFileSync(join(CHAOS_DIR, file), 'utf8'), variables);
    const sourceUrl = source.url();
    const sinkUrl = sink.url();
    const probing: Probe = { sourceUrl, sinkUrl, timeoutMs: options.probeTimeoutMs, signal };

    const checkJobs = async () => {
      for (const job of await (engine as Engine).jobs())
        if (job.state === 'FAILED')
          problems.push(`job ${job.name} FAILED: ${await (engine as Engine).failureOf(job.jid)}`);
    };

    writer = new Writer(sourceUrl, new Workload(seededRandom(seed ^ 0x5bd1e995)), options.pauseMs);
    const context = {
      engine,
      source,
      sinkProxy,
      broker,
      random,
      outageMs: options.outageMs,
      workers: options.workers,
    };
    const startedAt = Date.now();
    const workloadMinute = await firstMinute(sourceUrl);
    const slot = (options.seconds * 1000) / options.faults;
    const early = random() < EARLY_FAULT;
    for (let fault = 1; fault <= options.faults; fault++) {
      // Somewhere in the first two thirds of this fault's share of the run; the first one sometimes
      // within 1.5 s of the submissions, while the jobs take their snapshots and start.
      const at =
        fault === 1 && early ? startedAt + random() * 1500 : startedAt + (fault - 1) * slot + random() * slot * 0.66;
      await sleep(Math.max(0, at - Date.now()), signal);
      options.log(`  fault ${fault}: ${scenario.name} after ${writer.changes} changes`);
      await scenario.inject(context);
      const recovery = await probe(probing, fault);
      if (recovery === undefined)
        problems.push(`fault ${fault}: no change reached the sinks within ${options.probeTimeoutMs / 1000} s`);
      else {
        recoverySeconds.push(recovery / 1000);
        options.log(`  fault ${fault}: flowing again after ${(recovery / 1000).toFixed(1)} s`);
      }
      await checkJobs();
    }
    await sleep(Math.max(0, startedAt + options.seconds * 1000 - Date.now()), signal);
    await writer.stop();
    problems.push(...writer.errors.slice(0, 5).map((error) => `workload: ${error}`));
    if ((await probe(probing, options.faults + 1, 70)) === undefined)
      problems.push('the last change did not reach the sinks');

    // Caught up: the comparison holds twice in a row, or time runs out and what differs is reported.
    const deadline = Date.now() + options.settleMs;
    let differences: Difference[] = [];
    let clean = 0;
    while (clean < 2) {
      differences = await compareTables(sourceUrl, sinkUrl, TABLES);
      clean = totalDifferences(differences) === 0 ? clean + 1 : 0;
      if (Date.now() > deadline) break;
      await sleep(1000, signal);
    }
    await checkJobs();
    const running = (await engine.jobs()).filter((job) => job.state === 'RUNNING').length;
    if (running !== JOBS) problems.push(`${running} of ${JOBS} jobs running at the end`);
    return {
      scenario: scenario.name,
      seed,
      workers: options.workers,
      changes: writer.changes,
      transactions: writer.transactions,
      differences,
      workloadWindows: await windowsSince(sinkUrl, workloadMinute),
      recoverySeconds,
      problems,
      engineLog: engine.tail(),
    };
  } catch (error) {
    return {
      scenario: scenario.name,
      seed,
      workers: options.workers,
      changes: writer?.changes ?? 0,
      transactions: writer?.transactions ?? 0,
      differences: [],
      workloadWindows: 0,
      recoverySeconds,
      problems: [...problems, `run aborted: ${(error as Error).message}`],
      engineLog: engine?.tail() ?? '',
    };
  } finally {
    await writer?.stop().catch(() => undefined);
    await engine?.stop().catch(() => undefined);
    await broker?.stop().catch(() => undefined);
    await sinkProxy?.stop().catch(() => undefined);
    await sink?.stop().catch(() => undefined);
    await source?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
