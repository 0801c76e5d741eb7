import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { RivuletError } from '../../common/errors.ts';
import { publishInstance, withdrawInstance } from '../../embedded/instance.ts';
import type { EmbeddedPostgres } from '../../embedded/postgres-server.ts';
import { createDatabaseIfMissing, type SeededDatabase, seedDatabases } from '../../embedded/seed.ts';
import { Workspace } from '../../embedded/workspace.ts';
import { openLog } from '../../log/open-log.ts';
import { PostgresLog } from '../../log/postgres/postgres-log.ts';
import { Engine } from '../../runtime/engine.ts';
import { PostgresJobStore, type StoredJob } from '../../runtime/job-store.ts';
import { WorkerPool } from '../../runtime/workers/pool.ts';
import { AlertMonitor } from '../../server/alerts/alert-monitor.ts';
import { observe } from '../../server/alerts/observation.ts';
import { DEFAULT_THRESHOLDS } from '../../server/alerts/rules.ts';
import { AlertWebhook } from '../../server/alerts/webhook.ts';
import { FAULT_INJECTION_ENV, faultInjectionFromEnvironment } from '../../server/fault-injection.ts';
import { startRestServer } from '../../server/rest.ts';
import { stateMemory } from '../../state/state-memory.ts';
import { publishLocalEngine, runtimeDir, withdrawLocalEngine } from '../local-engines.ts';
import { memorySizeOption, portOption, positiveIntegerOption, positiveNumberOption } from '../options.ts';
import { type RestToken, restToken } from '../rest-token.ts';

interface UpOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly pgPort: number;
  readonly example?: string;
  readonly log?: string;
  readonly restToken?: string;
  readonly restTokenFile?: string;
  readonly stateMemory?: number;
  readonly workers: number;
  readonly alertLatency: number;
  readonly alertPending: number;
  readonly alertWal: number;
  readonly alertWebhook?: AlertWebhook;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start Rivulet: the embedded PostgreSQL and the engine; with --example, its databases and pipeline')
    .option('--data-dir <dir>', 'where Rivulet keeps its data', '.rivulet')
    .option('--port <port>', 'port of the REST API on 127.0.0.1', portOption('--port'), 8081)
    .option('--pg-port <port>', 'port of the embedded PostgreSQL on 127.0.0.1', portOption('--pg-port'), 5433)
    .option('--example <dir>', 'create the databases of this example (its databases/<name>.sql) and run its pipeline')
    .option('--log <url>', 'the log: kafka://host:port or postgres://… (default: the embedded PostgreSQL)')
    .option(
      '--rest-token <token>',
      'bearer token for the REST calls that change something (visible in ps: prefer --rest-token-file or env RIVULET_REST_TOKEN; default: <data-dir>/rest-token)',
    )
    .option('--rest-token-file <file>', 'read the REST token from the first line of this file')
    .option(
      '--state-memory <size>',
      'memory for operator state of all jobs, such as 512mb; beyond it state spills to <data-dir>/spill (default: half the V8 heap)',
      memorySizeOption('--state-memory'),
    )
    .option(
      '--workers <n>',
      'worker threads the jobs run on, each job in one of them, a thread started when a job is placed on it (docs/workers.md)',
      positiveIntegerOption('--workers'),
      1,
    )
    .option(
      '--alert-latency <seconds>',
      'alert when the p99 time from a source commit to the commit of a job stays over this for 5 minutes',
      positiveNumberOption('--alert-latency'),
      DEFAULT_THRESHOLDS.latencySeconds,
    )
    .option(
      '--alert-pending <changes>',
      'alert when a job keeps more changes than this waiting for a commit for 5 minutes (back-pressure)',
      positiveNumberOption('--alert-pending'),
      DEFAULT_THRESHOLDS.pendingOutput,
    )
    .option(
      '--alert-wal <size>',
      'alert when a replication slot holds back more WAL than this for 10 minutes, such as 1gb',
      memorySizeOption('--alert-wal'),
      DEFAULT_THRESHOLDS.retainedWalBytes,
    )
    .option(
      '--alert-webhook <url>',
      'POST each alert that fires or resolves to this http(s) URL, as Alertmanager webhook JSON (or env RIVULET_ALERT_WEBHOOK, out of ps)',
      (url: string) => new AlertWebhook(url),
    )
    .action((options: UpOptions) => up(options));
}

async function up(options: UpOptions): Promise<void> {
  const startedAt = performance.now();
  const workspace = await Workspace.acquire(options.dataDir);
  let token: RestToken;
  try {
    token = restToken(options, workspace);
  } catch (error) {
    workspace.release();
    throw error;
  }
  const memory = stateMemory();
  memory.configure(options.stateMemory ?? memory.limit, join(workspace.dir, 'spill'));
  let server: EmbeddedPostgres | undefined;
  let engine: Engine | undefined;
  let rest: Server | undefined;
  let alerts: AlertMonitor | undefined;
  let stopRequested: Promise<NodeJS.Signals> | undefined;
  try {
    server = await workspace.startPostgres(options.pgPort);
    const databases = options.example ? await seedDatabases(server, databasesDir(options.example)) : [];
    // The instance's own database keeps the submitted jobs, and the log's topics by default.
    await createDatabaseIfMissing(server, 'rivulet');
    const logUrl = options.log ?? (await prepareLog(server));
    // Published without the embedded server's password: the commands read it from <data-dir>/pgpass.
    const shownLogUrl = options.log ?? server.url('rivulet');
    const store = await PostgresJobStore.open(server.connectionUrl('rivulet'));
    const kafkaTransactionalId = workspace.kafkaTransactionalId();
    // Each worker opens the log with connections of its own; this one is the REST API's (topics, tails).
    const log = await openLog(logUrl, { kafkaTransactionalId });
    const pool = new WorkerPool({
      size: options.workers,
      logUrl,
      kafkaTransactionalId,
      stateMemory: { limit: memory.limit, dir: memory.dir },
    });
    engine = new Engine(log, store, pool);
    const running = engine;
    // From the environment, a webhook URL with credentials stays out of `ps`.
    const fromEnvironment = process.env.RIVULET_ALERT_WEBHOOK;
    const webhook = options.alertWebhook ?? (fromEnvironment ? new AlertWebhook(fromEnvironment) : undefined);
    alerts = new AlertMonitor(() => observe(running), {
      thresholds: {
        latencySeconds: options.alertLatency,
        pendingOutput: options.alertPending,
        retainedWalBytes: options.alertWal,
      },
      ...(webhook ? { webhook } : {}),
      externalUrl: `http://127.0.0.1:${options.port}/`,
      warn: (line) => process.stderr.write(`warning: ${line}\n`),
    });
    const faultInjection = faultInjectionFromEnvironment();
    if (faultInjection) {
      process.stderr.write(
        `warning: ${FAULT_INJECTION_ENV}=1: POST /workers/N/crash (with the REST token) ends a worker thread, for tests only\n`,
      );
    }
    rest = await startRestServer(engine, options.port, { token: token.token, alerts, faultInjection }).catch(
      (cause: NodeJS.ErrnoException) => {
        throw cause.code === 'EADDRINUSE'
          ? new RivuletError(
              'PORT_IN_USE',
              `port ${options.port} on 127.0.0.1 is already in use by another program`,
              'stop that program, or choose another port with --port',
            )
          : cause;
      },
    );
    const restUrl = `http://127.0.0.1:${options.port}`;
    const example = options.example;
    const exampleVariables = serverVariables(server, engine);
    // Jobs of the examples read the server of this start, whatever port it had when they were submitted.
    alerts.start();
    const restored = await engine.restore((job: StoredJob) =>
      job.origin === 'example' ? new Map([...job.variables, ...exampleVariables]) : job.variables,
    );
    const pipeline = restored.map(({ job, file }) => jobLine(job.id, job.plan.name, file));
    if (example && !(await store.exampleSubmitted(exampleKey(example)))) {
      pipeline.push(...(await submitExample(engine, example, exampleVariables)));
      await store.markExampleSubmitted(exampleKey(example));
    }
    publishInstance(workspace.dir, { pid: process.pid, logUrl: shownLogUrl, postgresPort: server.port, restUrl });
    const unpublished = publishLocalEngine(options.port, {
      pid: process.pid,
      restUrl,
      dataDir: workspace.dir,
      token: token.token,
    });
    if (unpublished) {
      process.stderr.write(
        `warning: the REST token could not be left for the rivulet commands in ${runtimeDir()} (${unpublished}); they need RIVULET_REST_TOKEN\n`,
      );
    }
    // Listening before "Ready" is printed: a signal sent as soon as it is read must find the handler.
    stopRequested = untilStopRequested();
    printReady(
      server,
      workspace,
      databases,
      engine.log.description,
      restUrl,
      token,
      performance.now() - startedAt,
      pipeline,
    );
  } catch (error) {
    alerts?.stop();
    rest?.close();
    await engine?.close();
    await engine?.log.close();
    await server?.stop();
    workspace.release();
    throw error;
  }
  await stopRequested;
  process.stdout.write('\nStopping… ');
  withdrawLocalEngine(options.port);
  withdrawInstance(workspace.dir);
  alerts?.stop();
  rest.close();
  await engine.close();
  await engine.log.close();
  await server.stop();
  workspace.release();
  process.stdout.write('stopped.\n');
}

/** The log lives in the instance's own database of the embedded server, `rivulet`. */
async function prepareLog(server: EmbeddedPostgres): Promise<string> {
  const url = server.connectionUrl('rivulet');
  const log = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
  await log.close();
  return url;
}

/** The example's pipeline files (`1_….sql`, `2_….sql`, …), in order. */
function pipelineFiles(example: string): string[] {
  return readdirSync(example)
    .filter((file) => /^\d+_.*\.sql$/.test(file))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((file) => join(example, file));
}

/** The example's placeholders that name the embedded server, as source and sink database, and the log. */
function serverVariables(server: EmbeddedPostgres, engine: Engine): ReadonlyMap<string, string> {
  const variables = new Map([
    ['SOURCE_HOST', server.host],
    ['SOURCE_PORT', String(server.port)],
    ['SINK_HOST', server.host],
    ['SINK_PORT', String(server.port)],
    // The example's kafka tables name the brokers of a kafka log ('properties.bootstrap.servers').
    ...(engine.log.kind === 'kafka'
      ? [['KAFKA_SERVERS', engine.log.description.slice('kafka://'.length)] as const]
      : []),
  ]);
  if (server.password !== undefined) {
    variables.set('SOURCE_PASSWORD', server.password);
    variables.set('SINK_PASSWORD', server.password);
  }
  return variables;
}

/** How the store knows an example folder: its path from the working directory. */
function exampleKey(example: string): string {
  return relative(process.cwd(), resolve(example)) || '.';
}

function jobLine(id: string, name: string, file: string): string {
  return `  ${id}  ${name}   (${file})`;
}

/**
 * Submits the example's pipeline, its files in order, once for a data directory: its jobs are kept
 * like any other submitted job, and restored by the next start.
 */
async function submitExample(
  engine: Engine,
  example: string,
  variables: ReadonlyMap<string, string>,
): Promise<string[]> {
  const lines: string[] = [];
  for (const file of pipelineFiles(example)) {
    const name = relative(process.cwd(), file);
    const jobs = await engine.submit(name, readFileSync(file, 'utf8'), variables, {
      origin: 'example',
      directory: resolve(example),
    });
    for (const job of jobs) lines.push(jobLine(job.id, job.plan.name, name));
  }
  return lines;
}

function databasesDir(example: string): string {
  const dir = join(example, 'databases');
  return existsSync(dir) ? dir : example;
}

function printReady(
  server: EmbeddedPostgres,
  workspace: Workspace,
  databases: readonly SeededDatabase[],
  log: string,
  restUrl: string,
  token: RestToken,
  elapsedMs: number,
  pipeline: readonly string[],
): void {
  const where = relative(process.cwd(), workspace.dir) || '.';
  const passwordFile = relative(process.cwd(), workspace.passwordFile) || workspace.passwordFile;
  const lines = [
    `PostgreSQL ${server.version} (embedded) on ${server.host}:${server.port}, data in ${where}/, password in ${passwordFile}`,
    ...databases.map(
      (db) =>
        `  ${db.name.padEnd(10)} ${server.url(db.name)}   ${db.created ? `created from ${relative(process.cwd(), db.file)}` : 'already there, kept as it was'}`,
    ),
  ];
  lines.push(`  log        ${log}   (topics: npx rivulet topics)`);
  lines.push(
    `REST API and dashboard on ${restUrl}/ (jobs: npx rivulet list; submit: npx rivulet sql -f FILE), token from ${token.source}`,
  );
  if (pipeline.length > 0) lines.push(`Running ${pipeline.length} jobs:`, ...pipeline);
  if (databases.length > 0) {
    lines.push(
      'Open psql on them (libpq reads the password from PGPASSFILE):',
      `  export PGPASSFILE=${shellWord(workspace.passwordFile)}`,
      ...databases.map((db) => `  psql ${server.url(db.name)}`),
    );
  }
  lines.push(`Ready in ${(elapsedMs / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A path as one word of a POSIX shell: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The first SIGINT, SIGTERM or SIGHUP. Later ones are ignored so that the shutdown completes: a
 * Ctrl-C under `npm start` reaches this process twice (from the terminal and from npm).
 */
function untilStopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve(signal));
  });
}
