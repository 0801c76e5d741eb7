import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { Engine, EXAMPLE_DIR } from '../scripts/chaos/environment.ts';
import {
  createTopics,
  FLINK_DEFAULT_SETS,
  prepareSource,
  withSets,
  withTableOptions,
} from '../scripts/flink/ecommerce.ts';
import { ensureFlink, type FlinkCluster, jobStates, startFlink } from '../scripts/flink/run.ts';
import { type KafkaBroker, startKafkaBroker } from '../scripts/kafka/broker.ts';
import type { EmbeddedPostgres } from '../src/embedded/postgres-server.ts';
import type { Measurement } from './harness.ts';
import {
  count,
  type Failure,
  FILES,
  latency,
  percentile,
  section,
  sustained,
  type Target,
  until,
  WARM_UP_SECONDS,
  withServer,
} from './pipeline.ts';
import { type TreeUsage, treeUsage } from './process-tree.ts';

/** Options that only Flink gets, put into the same scripts. */
export interface FlinkTuning {
  /** `KEY=VALUE`, SET after each script's own SETs. */
  readonly sets: readonly string[];
  /** Options added to every table of a connector. */
  readonly tableOptions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type Configuration =
  | { readonly engine: 'rivulet'; readonly label: string; readonly log: 'postgres' | 'kafka' }
  | { readonly engine: 'flink'; readonly label: string; readonly tuning?: FlinkTuning };

/**
 * Flink tuned for latency, as the issue measured it on one job: every row flushed to the jdbc sink
 * at once (default: 100 rows or 1 s), Debezium polling its queue every 20 ms (default 500 ms), and
 * checkpoints every second instead of the scripts' 10 s. This runs on Flink only: Rivulet accepts
 * 'debezium.poll.interval.ms' with a warning and nothing to tune (its replication stream is pushed,
 * not polled; docs/performance.md).
 */
export const FLINK_LATENCY_TUNING: FlinkTuning = {
  sets: ['execution.checkpointing.interval=1s'],
  tableOptions: {
    'postgres-cdc': { 'debezium.poll.interval.ms': '20' },
    jdbc: { 'sink.buffer-flush.max-rows': '1' },
  },
};

export const CONFIGURATIONS: readonly Configuration[] = [
  { engine: 'rivulet', label: 'rivulet, postgres log', log: 'postgres' },
  { engine: 'rivulet', label: 'rivulet, kafka log', log: 'kafka' },
  { engine: 'flink', label: 'flink + kafka, defaults' },
  { engine: 'flink', label: 'flink + kafka, tuned', tuning: FLINK_LATENCY_TUNING },
];

/** The steady rates of the latency runs, changes/s, and the seconds each is counted after its warm-up. */
const RATES = [1_000, 2_000];
const LATENCY_SECONDS = 10;
const SUSTAINED_ORDERS = 100_000;
/** Flink tuned for latency writes each sink row in a transaction of its own: 200,000 of them here. */
const SUSTAINED_TIMEOUT_MS = 20 * 60_000;
/** How often the engine is asked whether a job failed: often enough to stop early, rarely enough to cost nothing. */
const FAILURE_CHECK_MS = 1_000;
const SAMPLE_MS = 500;

/**
 * The scripts of the four layers as the configuration's engine runs them: Rivulet as written;
 * Flink with FLINK_DEFAULT_SETS (as `npm run parity` runs it), its checkpoints in files under
 * `checkpointsUrl`, and its tuning. Flink's default checkpoint storage keeps checkpoints in the
 * JobManager's memory, at most 5 MiB of state per operator: the sink job's ChangelogNormalize of
 * 100,000 orders outgrows it, every checkpoint then fails, and the job restarts from the last one
 * again and again (seen here). Any real deployment sets `state.checkpoints.dir`.
 */
export function scriptsFor(config: Configuration, checkpointsUrl: string): { name: string; text: string }[] {
  return FILES.map((name) => {
    const text = readFileSync(join(EXAMPLE_DIR, name), 'utf8');
    if (config.engine === 'rivulet') return { name, text };
    const tuning = config.tuning ?? { sets: [], tableOptions: {} };
    let tuned = withSets(text, [...FLINK_DEFAULT_SETS, `state.checkpoints.dir=${checkpointsUrl}`, ...tuning.sets]);
    for (const [connector, options] of Object.entries(tuning.tableOptions))
      tuned = withTableOptions(tuned, connector, options);
    return { name, text: tuned };
  });
}

/** Checks at most every FAILURE_CHECK_MS, answering with the last answer in between. */
function throttled(check: Failure): Failure {
  let last = 0;
  let answer: Error | undefined;
  return async () => {
    if (performance.now() - last >= FAILURE_CHECK_MS) {
      answer = await check();
      last = performance.now();
    }
    return answer;
  };
}

/** The highest memory of the processes under the roots, sampled until stopped. */
function memorySampler(roots: () => number[]) {
  let peak: TreeUsage | undefined;
  const sample = () => {
    const usage = treeUsage(roots());
    if (!peak || usage.pssBytes > peak.pssBytes) peak = usage;
  };
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop(): TreeUsage | undefined {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

interface Results {
  readonly startupSeconds: number;
  readonly runs: {
    readonly rate: number;
    readonly achieved: number;
    readonly latencies: readonly number[];
    readonly sourceCommits: readonly number[];
    readonly cpuPer100k: number;
  }[];
  readonly sustained: { readonly perSecond: number; readonly sourceSeconds: number; readonly cpuPer100k: number };
  readonly peak: TreeUsage | undefined;
  /** What the jobs restarted after, if they did: the figures include the restarts. */
  readonly failures: readonly string[];
}

/** The pid of a process whose tree belongs to the configuration, once it runs. */
type Root = () => number | undefined;

interface Deployment {
  /** Set once a job has failed for good; a job that restarts is counted at the end (recoveredFailures). */
  readonly failure: Failure;
  readonly restUrl: string;
  jobs(): Promise<readonly { id: string; name: string }[]>;
  /** Stops the engine and keeps its log in LOGS. */
  stop(): Promise<void>;
}

/** Where the engines' logs of the last run are kept (git ignores it). */
const LOGS = join(fileURLToPath(new URL('../', import.meta.url)), '.tmp', 'bench-flink');

function keepLog(config: Configuration, text: string): void {
  mkdirSync(LOGS, { recursive: true });
  writeFileSync(join(LOGS, `${config.label.replace(/\W+/g, '-')}.log`), text);
}

/** The failures the jobs restarted after, from the REST API (Flink 1.18's paths, which both engines serve). */
async function recoveredFailures(deployment: Deployment): Promise<string[]> {
  const failures: string[] = [];
  for (const job of await deployment.jobs()) {
    const response = await fetch(`${deployment.restUrl}/jobs/${job.id}/exceptions`);
    const body = (await response.json()) as { exceptionHistory?: { entries: { stacktrace: string }[] } };
    for (const entry of body.exceptionHistory?.entries ?? [])
      failures.push(`${job.name}: ${entry.stacktrace.split('\n')[0]}`);
  }
  return failures;
}

async function deployRivulet(
  config: Configuration & { engine: 'rivulet' },
  dir: string,
  variables: Record<string, string>,
  broker: KafkaBroker | undefined,
  roots: Root[],
): Promise<Deployment> {
  const engine = new Engine(dir, broker ? ['--log', `kafka://${broker.bootstrap}`] : []);
  roots.push(() => engine.pid);
  try {
    await engine.start();
    for (const { name, text } of scriptsFor(config, ''))
      await engine.submit(`examples/ecommerce/${name}`, text, variables);
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return {
    failure: throttled(async () => {
      const failed = (await engine.jobs()).find((job) => job.state === 'FAILED');
      return failed && new Error(`Rivulet job ${failed.name} failed: ${await engine.failureOf(failed.jid)}`);
    }),
    restUrl: engine.restUrl,
    jobs: async () => (await engine.jobs()).map((job) => ({ id: job.jid, name: job.name })),
    async stop() {
      await engine.stop();
      keepLog(config, readFileSync(engine.logFile, 'utf8'));
    },
  };
}

/** A Flink job in these states still runs or will again (a restart after a failure, with its state). */
const LIVE_FLINK_STATES = new Set(['CREATED', 'INITIALIZING', 'RUNNING', 'RESTARTING', 'RECONCILING']);

async function deployFlink(
  config: Configuration & { engine: 'flink' },
  variables: Record<string, string>,
  roots: Root[],
  dir: string,
): Promise<Deployment> {
  const cluster: FlinkCluster = await startFlink({
    scripts: scriptsFor(config, pathToFileURL(join(dir, 'checkpoints')).href),
    variables: new Map(Object.entries(variables)),
  });
  roots.push(() => cluster.pid);
  return {
    failure: throttled(async () => {
      const states = await jobStates(cluster.restUrl).catch(
        (error: Error) => new Map([['the cluster', error.message]]),
      );
      const failed = [...states].find(([, state]) => !LIVE_FLINK_STATES.has(state));
      return failed && new Error(`Flink job ${failed[0]} is ${failed[1]}; see ${LOGS}`);
    }),
    restUrl: cluster.restUrl,
    jobs: async () => cluster.jobs,
    async stop() {
      keepLog(config, readFileSync(cluster.logFile, 'utf8'));
      await cluster.stop();
    },
  };
}

const perHundredThousand = (cpu: number, changes: number) => (cpu / changes) * 100_000;

/**
 * One configuration from nothing: its own source and sink server (as bench/pipeline.ts), a Kafka
 * broker when it uses one, the engine started and the four scripts submitted; then the start-up,
 * latency and sustained runs, with the CPU and memory of the configuration's processes.
 */
async function measure(config: Configuration, server: EmbeddedPostgres): Promise<Results> {
  const progress = (line: string) => process.stderr.write(`flink bench, ${config.label}: ${line}\n`);
  await prepareSource(server.url('source_db'));
  const dir = mkdtempSync(join(tmpdir(), 'rivulet-bench-flink-'));
  chmodSync(dir, 0o711); // as root, the embedded PostgreSQL runs as another OS user that must pass through
  const roots: Root[] = [];
  const pids = () => roots.map((root) => root()).filter((pid) => pid !== undefined);
  const usage = () => treeUsage(pids());
  let broker: KafkaBroker | undefined;
  let deployment: Deployment | undefined;
  const sink = new pg.Client(server.connectionConfig('sink_db'));
  await sink.connect();
  const memory = memorySampler(pids);
  try {
    if (config.engine === 'flink' || config.log === 'kafka') {
      broker = await startKafkaBroker();
      const { pid } = broker;
      roots.push(() => pid);
      if (config.engine === 'flink') await createTopics(broker);
    }
    const variables = {
      SOURCE_HOST: server.host,
      SOURCE_PORT: String(server.port),
      SINK_HOST: server.host,
      SINK_PORT: String(server.port),
      KAFKA_SERVERS: broker?.bootstrap ?? '',
    };
    const began = performance.now();
    deployment =
      config.engine === 'rivulet'
        ? await deployRivulet(config, dir, variables, broker, roots)
        : await deployFlink(config, variables, roots, dir);
    const target: Target = { server, sink, failure: deployment.failure };
    await until(
      'the seed orders in the sink',
      target.failure,
      async () => (await count(sink, 'SELECT count(*) AS n FROM result.orders_with_user_info')) === 5,
    );
    const startupSeconds = (performance.now() - began) / 1000;
    progress(`first result after ${startupSeconds.toFixed(1)} s`);

    const runs: Results['runs'][number][] = [];
    for (const [i, rate] of RATES.entries()) {
      const before = usage().cpuSeconds;
      const run = await latency(target, rate, LATENCY_SECONDS, 1_000_000 + i * 100_000);
      const changes = Math.floor((rate * (LATENCY_SECONDS + WARM_UP_SECONDS)) / 3) * 3;
      runs.push({ rate, ...run, cpuPer100k: perHundredThousand(usage().cpuSeconds - before, changes) });
      progress(`latency at ${rate} changes/s: p50 ${percentile(run.latencies, 50).toFixed(1)} ms`);
    }
    const before = usage().cpuSeconds;
    const { seconds, sourceSeconds } = await sustained(target, SUSTAINED_ORDERS, 2_000_000, SUSTAINED_TIMEOUT_MS);
    const cpuPer100k = perHundredThousand(usage().cpuSeconds - before, SUSTAINED_ORDERS);
    progress(`sustained: ${Math.round(SUSTAINED_ORDERS / seconds)} changes/s`);
    const failures = await recoveredFailures(deployment);
    for (const failure of failures) progress(`a job restarted after: ${failure}`);
    const results = {
      startupSeconds,
      runs,
      sustained: { perSecond: SUSTAINED_ORDERS / seconds, sourceSeconds, cpuPer100k },
      peak: memory.stop(),
      failures,
    };
    // The figures so far, in case a later configuration does not finish.
    progress(JSON.stringify(measurements(config, results).map(({ name, value }) => [name, value])));
    return results;
  } finally {
    memory.stop();
    await sink.end();
    await deployment?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const MiB = 2 ** 20;

function measurements(config: Configuration, r: Results): Measurement[] {
  const name = (what: string) => `flink bench, ${config.label}: ${what}`;
  return [
    { name: name('start-up to first result'), value: r.startupSeconds, unit: 's' },
    ...r.runs.flatMap((run) => {
      const at = `at ${run.rate.toLocaleString('en-US')} changes/s`;
      return [
        { name: name(`source rate reached ${at}`), value: run.achieved, unit: 'changes/s' },
        { name: name(`source commit → sink p50 ${at}`), value: percentile(run.latencies, 50), unit: 'ms' },
        { name: name(`source commit → sink p99 ${at}`), value: percentile(run.latencies, 99), unit: 'ms' },
        { name: name(`source commit → sink max ${at}`), value: run.latencies.at(-1) ?? Number.NaN, unit: 'ms' },
        {
          name: name(`of which source statement → source commit, p50 ${at}`),
          value: percentile(run.sourceCommits, 50),
          unit: 'ms',
        },
        { name: name(`CPU per 100,000 changes ${at}`), value: run.cpuPer100k, unit: 's' },
      ];
    }),
    {
      name: name(
        `sustained, ${SUSTAINED_ORDERS.toLocaleString('en-US')} inserts (source took ${r.sustained.sourceSeconds.toFixed(1)} s)`,
      ),
      value: r.sustained.perSecond,
      unit: 'changes/s',
    },
    { name: name('CPU per 100,000 changes, sustained'), value: r.sustained.cpuPer100k, unit: 's' },
    { name: name('peak memory of all processes, PSS'), value: (r.peak?.pssBytes ?? Number.NaN) / MiB, unit: 'MiB' },
    { name: name('the same, sum of RSS'), value: (r.peak?.rssBytes ?? Number.NaN) / MiB, unit: 'MiB' },
    { name: name('processes at that peak'), value: r.peak?.processes ?? Number.NaN, unit: '' },
    { name: name('job restarts during the runs'), value: r.failures.length, unit: '' },
  ];
}

/** The figures of every configuration side by side. */
function table(results: readonly { config: Configuration; results: Results | undefined }[]): string {
  const fixed = (digits: number) => (value: number) =>
    Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits }) : '–';
  const ms = fixed(1);
  const rows: [string, (r: Results) => string][] = [
    ['start-up to first result (s)', (r) => fixed(1)(r.startupSeconds)],
    ...RATES.map((rate, i): [string, (r: Results) => string] => [
      `commit → sink p50 / p99 / max at ${rate.toLocaleString('en-US')}/s (ms)`,
      (r) => {
        const run = r.runs[i];
        return run
          ? `${ms(percentile(run.latencies, 50))} / ${ms(percentile(run.latencies, 99))} / ${ms(run.latencies.at(-1) ?? Number.NaN)}`
          : '–';
      },
    ]),
    ['sustained (changes/s)', (r) => fixed(0)(r.sustained.perSecond)],
    [
      'peak memory, all processes: PSS / RSS sum (MiB)',
      (r) =>
        `${fixed(0)((r.peak?.pssBytes ?? Number.NaN) / MiB)} / ${fixed(0)((r.peak?.rssBytes ?? Number.NaN) / MiB)}`,
    ],
    ['CPU s per 100,000 changes: sustained', (r) => fixed(2)(r.sustained.cpuPer100k)],
    ...RATES.map((rate, i): [string, (r: Results) => string] => [
      `CPU s per 100,000 changes: at ${rate.toLocaleString('en-US')}/s`,
      (r) => fixed(2)(r.runs[i]?.cpuPer100k ?? Number.NaN),
    ]),
    ['job restarts during the runs', (r) => String(r.failures.length)],
  ];
  const header = ['', ...results.map(({ config }) => config.label)];
  const lines = [
    header,
    ...rows.map(([label, cell]) => [label, ...results.map(({ results: r }) => (r ? cell(r) : 'FAILED'))]),
  ];
  const widths = header.map((_, c) => Math.max(...lines.map((line) => (line[c] ?? '').length)));
  return lines
    .map((line) =>
      line.map((text, c) => (c === 0 ? text.padEnd(widths[c] ?? 0) : text.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

/**
 * The seed's four layers on Rivulet (postgres log, kafka log) and on Apache Flink 1.18 with Kafka
 * (its defaults, and tuned for latency), one after the other: start-up, latency at 1,000 and 2,000
 * changes/s, sustained rate, and the CPU and memory of every process each one runs.
 */
export async function flinkBenchmarks(): Promise<Measurement[]> {
  ensureFlink();
  const all: { config: Configuration; results: Results | undefined }[] = [];
  const out: Measurement[] = [];
  // BENCH_FLINK_ONLY=rivulet (or flink, or a whole label) runs only the configurations whose label starts with it.
  const only = process.env.BENCH_FLINK_ONLY;
  for (const config of CONFIGURATIONS.filter((c) => only === undefined || c.label.startsWith(only))) {
    let results: Results | undefined;
    out.push(
      ...(await section(`flink bench, ${config.label}`, async () => {
        results = await withServer((server) => measure(config, server));
        return measurements(config, results);
      })),
    );
    all.push({ config, results });
  }
  process.stdout.write(`${table(all)}\n\n`);
  return out;
}
