import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startKafkaBroker } from '../scripts/kafka/broker.ts';
import { freeLoopbackPort } from '../src/embedded/ports.ts';
import { EmbeddedPostgres } from '../src/embedded/postgres-server.ts';
import { seedDatabases } from '../src/embedded/seed.ts';
import { KafkaLog } from '../src/log/kafka/kafka-log.ts';
import type { Log } from '../src/log/log.ts';
import { PostgresLog } from '../src/log/postgres/postgres-log.ts';
import { Engine } from '../src/runtime/engine.ts';
import type { JobHandle } from '../src/runtime/job-handle.ts';
import { WorkerPool } from '../src/runtime/workers/pool.ts';
import { stateMemory } from '../src/state/state-memory.ts';
import { CpuShare } from './cpu.ts';
import type { Measurement } from './harness.ts';
import { BackendCpu, type BackendCpuResult, BENCH_APPLICATION } from './pg-backends.ts';
import { profileAreas } from './profile-areas.ts';
import { type ThreadProfile, WorkerProfiles } from './worker-profiles.ts';

const run = promisify(execFile);
export const WARM_UP_SECONDS = 3;

/** The seed's four layers, source to sink. */
export const FILES = ['1_cdc_source_to_kafka.sql', '2_dwd_layer.sql', '3_dimension_join.sql', '4_sink_to_postgres.sql'];

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Why the pipeline under measurement cannot deliver any more, if it cannot. */
export type Failure = () => Promise<Error | undefined>;

/** A running pipeline: its source and sink database, on one server. */
export interface Target {
  readonly server: EmbeddedPostgres;
  /** A connection to sink_db, kept for the whole run. */
  readonly sink: pg.Client;
  readonly failure: Failure;
}

interface Setup extends Target {
  readonly source: pg.Client;
  readonly jobs: JobHandle[];
  readonly pool: WorkerPool;
  start(files: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/** The log the bench runs on: its URL, which each worker of the engine's pool opens again. */
interface BenchLog {
  readonly log: Log;
  readonly url: string;
}

/**
 * The example's jobs run by the engine as `rivulet up` runs them: on a pool of `workers` worker
 * threads, each job in one of them.
 */
export async function setup(server: EmbeddedPostgres, { log, url }: BenchLog, workers: number): Promise<Setup> {
  const source = new pg.Client(server.connectionConfig('source_db'));
  const sink = new pg.Client({ ...server.connectionConfig('sink_db'), application_name: BENCH_APPLICATION });
  await source.connect();
  await sink.connect();
  const memory = stateMemory();
  const pool = new WorkerPool({ size: workers, logUrl: url, stateMemory: { limit: memory.limit, dir: memory.dir } });
  const engine = new Engine(log, undefined, pool);
  const jobs: JobHandle[] = [];
  const variables = new Map([
    ['SOURCE_HOST', server.host],
    ['SOURCE_PORT', String(server.port)],
    ['SINK_HOST', server.host],
    ['SINK_PORT', String(server.port)],
    ...(log.kind === 'kafka' ? [['KAFKA_SERVERS', log.description.slice('kafka://'.length)] as const] : []),
  ]);
  return {
    server,
    source,
    sink,
    jobs,
    pool,
    failure: async () => jobs.find((job) => job.status === 'FAILED')?.failure as Error | undefined,
    async start(files) {
      for (const file of files) {
        const path = `examples/ecommerce/${file}`;
        jobs.push(...(await engine.submit(path, readFileSync(path, 'utf8'), variables)));
      }
    },
    async stop() {
      jobs.splice(0);
      await engine.close();
      await source.end();
      await sink.end();
    },
  };
}

export async function until(what: string, failure: Failure, check: () => Promise<boolean>, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    const failed = await failure();
    if (failed) throw failed;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const count = async (client: pg.Client, sql: string) => Number((await client.query(sql)).rows[0]?.n);

/** Runs the source application (source-writer.ts); the rate it reached. */
async function sourceWriter(s: Target, mode: 'steady' | 'bulk', ...args: number[]): Promise<number> {
  const script = ['--import', 'tsx', 'bench/source-writer.ts', s.server.url('source_db'), mode];
  const { stdout } = await run(process.execPath, [...script, ...args.map(String)]);
  return (JSON.parse(stdout) as { achieved: number }).achieved;
}

/**
 * Source-commit to sink-visible latency at a steady rate: a separate process (source-writer.ts)
 * inserts, ships and completes orders, each change in its own transaction stamped with the time of
 * its statement; the sink's history row of that change is committed at a time PostgreSQL records
 * (track_commit_timestamp). The first WARM_UP_SECONDS are not counted: the engine's code is still
 * being optimized then, and a steady rate is what is asked about.
 */
export async function latency(s: Target, rate: number, seconds: number, firstId: number) {
  const orders = Math.floor((rate * (seconds + WARM_UP_SECONDS)) / 3);
  const firstCounted = firstId + Math.floor((rate * WARM_UP_SECONDS) / 3);
  const achieved = await sourceWriter(s, 'steady', rate, seconds + WARM_UP_SECONDS, firstId);
  const expected = orders * 3;
  await until('the latency run in the sink', s.failure, async () => {
    const n = await count(s.sink, `SELECT count(*) AS n FROM result.order_status_history WHERE order_id >= ${firstId}`);
    return n >= expected;
  });
  const rows = await s.sink.query<{ ms: number }>(
    `SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - updated_at::timestamptz) * 1000 AS ms
       FROM result.order_status_history WHERE order_id >= ${firstCounted}`,
  );
  const latencies = rows.rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  // Part of every figure above and no work of the pipeline's: from the source statement's time to
  // its commit (of each order's last change).
  const source = new pg.Client(s.server.connectionConfig('source_db'));
  await source.connect();
  const commits = await source
    .query<{ ms: number }>(
      `SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin) - updated_at::timestamptz) * 1000 AS ms
         FROM business.orders WHERE order_id >= ${firstCounted} AND order_id < ${firstId + orders}`,
    )
    .finally(() => source.end());
  const sourceCommits = commits.rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  return { achieved, latencies, sourceCommits };
}

/**
 * Sustained throughput: `total` orders from `first` on, in 1,000-row transactions, as fast as the
 * source takes them; the seconds until the last is in the sink, and those the source took.
 */
export async function sustained(s: Target, total: number, first: number, timeoutMs?: number) {
  const started = performance.now();
  await sourceWriter(s, 'bulk', total, first);
  const written = performance.now();
  // The last order first, with an index lookup: counting the growing table every 20 ms cost the
  // sink database 0.5–0.8 s of CPU in this run, taken from the pipeline being measured.
  await until(
    'the last order in the sink',
    s.failure,
    async () =>
      (await count(
        s.sink,
        `SELECT count(*) AS n FROM result.orders_with_user_info WHERE order_id = ${first + total - 1}`,
      )) === 1,
    timeoutMs,
  );
  await until(
    `${total.toLocaleString('en-US')} orders in the sink`,
    s.failure,
    async () =>
      (await count(s.sink, `SELECT count(*) AS n FROM result.orders_with_user_info WHERE order_id >= ${first}`)) ===
      total,
    timeoutMs,
  );
  return { seconds: (performance.now() - started) / 1000, sourceSeconds: (written - started) / 1000 };
}

/** What the pipeline group is asked for besides its pool sizes. */
export interface PipelineOptions {
  /** Where to write a CPU profile of each of the engine's threads for each sustained run (--profile). */
  readonly profileDir?: string;
}

async function pipelineBenchmarks(
  name: string,
  server: EmbeddedPostgres,
  log: BenchLog,
  workers: number,
  options: PipelineOptions,
): Promise<Measurement[]> {
  const s = await setup(server, log, workers);
  try {
    await s.start(FILES);
    await until(
      'the seed orders in the sink',
      s.failure,
      async () => (await count(s.sink, 'SELECT count(*) AS n FROM result.orders_with_user_info')) === 5,
    );
    const rate = 2_000;
    const { achieved, latencies } = await latency(s, rate, 10, 1_000_000);

    const total = 100_000;
    // The workers that have started: those jobs were placed on.
    const threads = s.pool.slots.flatMap((slot) => (slot.thread ? [slot.thread] : []));
    const backends = await BackendCpu.start(s.server);
    let profiles: WorkerProfiles | undefined;
    let run: { seconds: number; sourceSeconds: number; share: ReturnType<CpuShare['end']> };
    let commits = { commits: 0, recordsIn: 0 };
    try {
      profiles = options.profileDir ? await WorkerProfiles.start(threads) : undefined;
      const cpu = new CpuShare(s.server.pid ?? 0, threads);
      const before = jobCommits(s.jobs);
      run = { ...(await sustained(s, total, 2_000_000)), share: cpu.end() };
      // The workers' last reports of the run (each sends one every 500 ms).
      await new Promise((resolve) => setTimeout(resolve, 600));
      commits = jobCommits(s.jobs, before);
    } catch (error) {
      // The sampler's timer and connection and the inspector session end with the run, also when it fails.
      await profiles?.stop().catch(() => undefined);
      await backends.end().catch(() => undefined);
      throw error;
    }
    const { seconds, sourceSeconds, share } = run;
    const threadProfiles = (await profiles?.stop()) ?? [];
    const postgres = await backends.end();
    const rss = process.memoryUsage().rss / 2 ** 20;
    return [
      {
        name: `pipeline ${name}: 4 layers, sustained, 100,000 inserts (source took ${sourceSeconds.toFixed(1)} s)`,
        value: total / seconds,
        unit: 'changes/s',
        target: '>= 20,000',
      },
      {
        name: `pipeline ${name}: source commit → sink, p50 at ${Math.round(achieved)} changes/s (after ${WARM_UP_SECONDS} s)`,
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      {
        name: `pipeline ${name}: source commit → sink, p99`,
        value: percentile(latencies, 99),
        unit: 'ms',
        ...(name.startsWith('postgres log') ? { target: '< 50 ms' } : {}),
      },
      { name: `pipeline ${name}: source commit → sink, max`, value: latencies[latencies.length - 1] ?? 0, unit: 'ms' },
      { name: `pipeline ${name}: process RSS after the runs`, value: rss, unit: 'MiB' },
      // Where the machine's CPU went during the sustained run (see bench/cpu.ts).
      {
        name: `pipeline ${name}: sustained run, CPU of the engine (all its threads)`,
        value: share.engine,
        unit: 'cores',
      },
      ...share.loops.map((utilization, i) => ({
        name: `pipeline ${name}: sustained run, worker ${i + 1} event loop busy`,
        value: utilization * 100,
        unit: '%',
      })),
      // Fewer records per commit means more commits, notifications and wake-ups per change.
      { name: `pipeline ${name}: sustained run, commits of all jobs`, value: commits.commits, unit: '' },
      {
        name: `pipeline ${name}: sustained run, records taken in per commit (all jobs)`,
        value: commits.recordsIn / commits.commits,
        unit: 'records',
      },
      { name: `pipeline ${name}: sustained run, CPU of PostgreSQL`, value: share.postgres, unit: 'cores' },
      ...postgresRows(name, postgres),
      {
        name: `pipeline ${name}: sustained run, CPU of everything else on the machine`,
        value: share.others,
        unit: 'cores',
      },
      ...profileRows(name, threadProfiles, options.profileDir),
    ];
  } finally {
    await s.stop();
  }
}

/** The commits and records taken in of all jobs, since `since` when given. */
function jobCommits(jobs: readonly JobHandle[], since = { commits: 0, recordsIn: 0 }) {
  let commits = -since.commits;
  let recordsIn = -since.recordsIn;
  for (const job of jobs) {
    commits += job.stats.commits;
    recordsIn += job.stats.recordsIn;
  }
  return { commits, recordsIn };
}

/** PostgreSQL's CPU by what its processes do (see pg-backends.ts). */
function postgresRows(name: string, postgres: BackendCpuResult): Measurement[] {
  if (postgres.strangers > 0) {
    process.stderr.write(
      `pipeline ${name}: pg_stat_activity listed ${postgres.strangers} backends that are not children of the postmaster; the breakdown of PostgreSQL's CPU misses them\n`,
    );
  }
  return postgres.groups.map(({ group, cores }) => ({
    name: `pipeline ${name}: sustained run, PostgreSQL: ${group}`,
    value: cores,
    unit: 'cores',
  }));
}

/** Areas below this share of a thread's time are summed in one row. */
const AREA_FLOOR = 0.01;
const REPOSITORY = new URL('..', import.meta.url).href;

/** Writes each thread's profile into `dir`; each thread's self time by code area (see profile-areas.ts). */
function profileRows(name: string, profiles: readonly ThreadProfile[], dir: string | undefined): Measurement[] {
  if (!dir) return [];
  const rows: Measurement[] = [];
  const run = name.replace(/[^a-z0-9]+/gi, '-');
  for (const { thread, profile } of profiles) {
    const file = join(dir, `${run}.${thread.replace(' ', '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`pipeline ${name}: ${thread}'s CPU profile of the sustained run written to ${file}\n`);
    const { seconds, areas } = profileAreas(profile, REPOSITORY);
    const row = (area: string, share: number) => ({
      name: `pipeline ${name}: sustained run, ${thread} profile: ${area}`,
      value: share * 100,
      unit: '% of time',
    });
    const small = areas.filter((area) => area.seconds / seconds < AREA_FLOOR);
    rows.push(...areas.filter((area) => !small.includes(area)).map((area) => row(area.area, area.seconds / seconds)));
    if (small.length > 0) {
      const rest = small.reduce((sum, area) => sum + area.seconds, 0) / seconds;
      rows.push(row(`${small.length} other areas, each under ${AREA_FLOOR * 100} %`, rest));
    }
  }
  return rows;
}

/** Snapshot of 1,000,000 rows through the CDC job into the ods_orders topic. */
async function snapshotBenchmark(server: EmbeddedPostgres, log: BenchLog): Promise<Measurement[]> {
  const admin = new pg.Client(server.connectionConfig('source_db'));
  await admin.connect();
  const rows = 1_000_000;
  await admin.query(
    `INSERT INTO business.orders (order_id, user_id, product_name, product_category, quantity, unit_price, total_amount, order_status)
     SELECT g, 1001 + g % 5, 'Snapshot row', '电子产品', 1, 10.00, 10.00, 'PENDING' FROM generate_series(10000000, ${10_000_000 + rows - 1}) g`,
  );
  await admin.end();
  const s = await setup(server, log, 1);
  try {
    const started = performance.now();
    await s.start(['1_cdc_source_to_kafka.sql']);
    const orders = s.jobs[0] as JobHandle;
    await until(
      'the snapshot',
      s.failure,
      async () => orders.stats.recordsOut >= rows + 5 && (await committed(log.log)),
    );
    const seconds = (performance.now() - started) / 1000;
    return [
      {
        name: `cdc snapshot of ${rows.toLocaleString('en-US')} rows into ods_orders`,
        value: rows / seconds,
        unit: 'rows/s',
        target: '>= 50,000',
      },
    ];
  } finally {
    await s.stop();
  }
}

/** Whether the snapshot's transaction is committed: the CDC position of the orders job exists. */
async function committed(log: Log): Promise<boolean> {
  const positions = await log.committedPositions(
    'insert-into_default_catalog.default_database.ods_orders/orders_source',
    'rivulet-cdc-positions.flink_slot_orders',
  );
  return positions.size > 0;
}

export async function withServer<T>(run: (server: EmbeddedPostgres) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-'));
  chmodSync(dir, 0o711);
  const server = await EmbeddedPostgres.start({
    dataDir: join(dir, 'data'),
    port: await freeLoopbackPort(),
    settings: { track_commit_timestamp: 'on' },
  });
  try {
    const admin = new pg.Client(server.connectionConfig('postgres'));
    await admin.connect();
    await admin.query('CREATE DATABASE rivulet');
    await admin.end();
    await seedDatabases(server, 'examples/ecommerce/databases');
    return await run(server);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A benchmark that fails is reported as such, and the others still run. */
export async function section(name: string, run: () => Promise<Measurement[]>): Promise<Measurement[]> {
  try {
    return await run();
  } catch (error) {
    process.stderr.write(`${name} failed: ${(error as Error).stack}\n`);
    return [{ name: `${name}: FAILED (${(error as Error).message.split('\n')[0]})`, value: Number.NaN, unit: '' }];
  }
}

/** A postgres log in the server's database `rivulet`, for the bench and its workers. */
async function postgresLog(server: EmbeddedPostgres): Promise<BenchLog> {
  const url = server.connectionUrl('rivulet');
  return { log: await PostgresLog.open(url, { maintenanceIntervalMs: 0 }), url };
}

const workersName = (workers: number) => `${workers} worker${workers === 1 ? '' : 's'}`;

/** One pipeline run on a fresh server: on its postgres log, or on a Kafka broker of its own. */
function runOn(
  kind: 'postgres' | 'kafka',
  name: string,
  workers: number,
  options: PipelineOptions,
): Promise<Measurement[]> {
  return withServer(async (server) => {
    if (kind === 'postgres') {
      const log = await postgresLog(server);
      try {
        return await pipelineBenchmarks(name, server, log, workers, options);
      } finally {
        await log.log.close();
      }
    }
    const broker = await startKafkaBroker();
    try {
      const log = await KafkaLog.open(broker.bootstrap);
      try {
        return await pipelineBenchmarks(name, server, { log, url: `kafka://${broker.bootstrap}` }, workers, options);
      } finally {
        await log.close();
      }
    } finally {
      await broker.stop();
    }
  });
}

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/**
 * The seed's four layers end to end with each number of workers, one after the other, `rounds`
 * times (alternating, so that a change of the machine's load during the runs falls on both), on
 * the postgres log and then on kafka; with several counts, the medians per count and the ratio of
 * the sustained rates. Then a 1M-row snapshot.
 */
export async function fullPipelineBenchmarks(
  workerCounts: readonly number[] = [1, 2],
  options: PipelineOptions = {},
  rounds = 1,
): Promise<Measurement[]> {
  const out: Measurement[] = [];
  for (const kind of ['postgres', 'kafka'] as const) {
    const figures = new Map<number, { sustained: number[]; p50: number[]; p99: number[] }>();
    for (let round = 1; round <= rounds; round++) {
      for (const workers of workerCounts) {
        const name = `${kind} log, ${workersName(workers)}${rounds > 1 ? `, round ${round}` : ''}`;
        const rows = await section(`pipeline ${name}`, () => runOn(kind, name, workers, options));
        out.push(...rows);
        const kept = figures.get(workers) ?? { sustained: [], p50: [], p99: [] };
        figures.set(workers, kept);
        const value = (suffix: string) => rows.find((row) => row.name.includes(suffix))?.value ?? Number.NaN;
        kept.sustained.push(value('sustained, 100,000 inserts'));
        kept.p50.push(value('sink, p50'));
        kept.p99.push(value('sink, p99'));
      }
    }
    if (figures.size < 2) continue;
    for (const [workers, kept] of figures) {
      if (rounds === 1) break;
      const of = `pipeline ${kind} log, ${workersName(workers)}, median of ${rounds} rounds`;
      out.push(
        { name: `${of}: sustained`, value: median(kept.sustained), unit: 'changes/s' },
        { name: `${of}: source commit → sink p50 at 2,000/s asked`, value: median(kept.p50), unit: 'ms' },
        { name: `${of}: source commit → sink p99`, value: median(kept.p99), unit: 'ms' },
      );
    }
    const [fewest, most] = [Math.min(...workerCounts), Math.max(...workerCounts)];
    out.push({
      name: `pipeline ${kind} log: sustained with ${workersName(most)} / with ${workersName(fewest)}${rounds > 1 ? ' (medians)' : ''}`,
      value: median(figures.get(most)?.sustained ?? []) / median(figures.get(fewest)?.sustained ?? []),
      unit: '×',
      target: most === 2 && fewest === 1 ? '>= 1.6' : undefined,
    });
  }
  const snapshot = await section('cdc snapshot', () =>
    withServer(async (server) => {
      const log = await postgresLog(server);
      try {
        return await snapshotBenchmark(server, log);
      } finally {
        await log.log.close();
      }
    }),
  );
  return [...out, ...snapshot];
}
