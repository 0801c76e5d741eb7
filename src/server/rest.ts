import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { availableParallelism, freemem, hostname, totalmem } from 'node:os';
import { formatError, isRivuletError } from '../common/errors.ts';
import { VERSION } from '../common/version.ts';
import { stdoutLines } from '../connectors/stdout-lines.ts';
import { explainScript } from '../plan/explain-script.ts';
import { planScript } from '../plan/planner.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { JobHandle, JobStatus } from '../runtime/job-handle.ts';
import type { JobStats } from '../runtime/job-stats.ts';
import { vertexCounts, vertexTimes } from '../runtime/vertex-metrics.ts';
import type { AlertMonitor } from './alerts/alert-monitor.ts';
import { DEFAULT_THRESHOLDS } from './alerts/rules.ts';
import { vertexBackPressure } from './back-pressure.ts';
import { cdcSlots } from './cdc-slots.ts';
import { dashboardAssets, dashboardHeaders } from './dashboard-assets.ts';
import { EventStreams, type StreamView, type TailView } from './events.ts';
import { crashWorker } from './fault-injection.ts';
import { jobInsight, vertexInsight } from './job-insight.ts';
import { type LatencyTrace, latencyTrace } from './latency-trace.ts';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.ts';
import { type Refusal, RequestGuard } from './request-guard.ts';
import { SecretHider } from './secrets.ts';
import { submission } from './submission.ts';
import { DEFAULT_TAIL, MAX_TAIL, topicTail } from './topic-tail.ts';
import { graphVertices, type JobVertex } from './vertices.ts';

/** The Flink release whose SQL dialect and REST API Rivulet follows (see docs/rest.md). */
const FLINK_VERSION = '1.18';

/** Flink's job states, for `timestamps`. */
const JOB_STATES = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
] as const;

/** Flink's execution states of a task, for `tasks` and `status-counts`. */
const TASK_STATES = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
] as const;
type TaskState = (typeof TASK_STATES)[number];

/** Flink's default number of checkpoints in `history` (web.checkpoints.history). */
const CHECKPOINT_HISTORY = 10;

export interface RestOptions {
  /** Every request but GET and HEAD needs `Authorization: Bearer <token>`. */
  readonly token: string;
  /** The largest body accepted (default MAX_BODY_BYTES). */
  readonly maxBodyBytes?: number;
  /** The engine's alerts, for GET /alerts and the dashboard. */
  readonly alerts?: AlertMonitor;
  /** Whether POST /workers/:n/crash may end a worker (RIVULET_FAULT_INJECTION=1; see fault-injection.ts). */
  readonly faultInjection?: boolean;
}

function isActive(status: JobStatus): boolean {
  return status === 'CREATED' || status === 'RUNNING' || status === 'RESTARTING';
}

function endTime(job: JobHandle): number {
  return isActive(job.status) ? -1 : (job.endedAt ?? Date.now());
}

/** A job as Flink's REST API describes it in /jobs/overview. */
function overview(job: JobHandle) {
  const end = endTime(job);
  return {
    jid: job.id,
    name: job.plan.name,
    state: job.status,
    'start-time': job.startedAt,
    'end-time': end,
    duration: (end === -1 ? Date.now() : end) - job.startedAt,
    'last-modification': job.endedAt ?? job.startedAt,
    // How many subtasks its keyed operators run in (1: a job of one task), for `rivulet list`.
    rivulet: { parallelism: job.parallelism },
  };
}

/** Slots: one per job that holds a task loop (created, running, or waiting to restart). */
function slots(engine: Engine): { total: number; free: number } {
  const total = [...engine.jobs.values()].filter((job) => isActive(job.status)).length;
  return { total, free: 0 };
}

function clusterOverview(engine: Engine) {
  const jobs = [...engine.jobs.values()];
  const count = (status: JobStatus) => jobs.filter((job) => job.status === status).length;
  const { total, free } = slots(engine);
  return {
    taskmanagers: 1,
    'slots-total': total,
    'slots-available': free,
    'jobs-running': jobs.filter((job) => isActive(job.status)).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
    'flink-version': FLINK_VERSION,
    'flink-commit': `rivulet-${VERSION}`,
    'rivulet-version': VERSION,
  };
}

function taskManagerId(port: number): string {
  return `${hostname()}:${port}-${process.pid}`;
}

function taskManagers(engine: Engine, port: number) {
  const { total, free } = slots(engine);
  const memory = process.memoryUsage();
  return {
    taskmanagers: [
      {
        id: taskManagerId(port),
        path: `rivulet://127.0.0.1:${port}/engine/${process.pid}`,
        dataPort: -1,
        jmxPort: -1,
        timeSinceLastHeartbeat: Date.now(),
        slotsNumber: total,
        freeSlots: free,
        hardware: {
          cpuCores: availableParallelism(),
          physicalMemory: totalmem(),
          freeMemory: freemem(),
          managedMemory: 0,
        },
        blocked: false,
        memory: {
          rss: memory.rss,
          heapTotal: memory.heapTotal,
          heapUsed: memory.heapUsed,
          external: memory.external,
        },
        uptime: Math.round(process.uptime() * 1000),
      },
    ],
  };
}

/** The state of every task of a job: each vertex runs as one task, in the job's loop. */
function taskState(status: JobStatus): TaskState {
  // A restarting job has released its tasks and deploys them again after the delay.
  return status === 'RESTARTING' ? 'CREATED' : status;
}

function stateCounts(state: TaskState, n: number): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((s) => [s, s === state ? n : 0])) as Record<TaskState, number>;
}

function jobDetails(job: JobHandle) {
  const now = Date.now();
  const end = endTime(job);
  const duration = (end === -1 ? now : end) - job.startedAt;
  const state = taskState(job.status);
  const vertices = graphVertices(job);
  const timestamps = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<string, number>;
  timestamps.CREATED = job.startedAt;
  timestamps.RUNNING = job.startedAt;
  const restartedAfter = job.exceptions.at(job.status === 'FAILED' ? -2 : -1);
  if (job.restarts > 0 && restartedAfter) timestamps.RESTARTING = restartedAfter.timestamp;
  if (job.endedAt !== undefined) timestamps[job.status] = job.endedAt;
  return {
    jid: job.id,
    name: job.plan.name,
    isStoppable: false,
    state: job.status,
    'job-type': 'STREAMING',
    'start-time': job.startedAt,
    'end-time': end,
    duration,
    maxParallelism: job.maxParallelism,
    now,
    timestamps,
    vertices: vertices.map((shown) => ({
      id: shown.id,
      name: shown.name,
      maxParallelism: job.maxParallelism,
      parallelism: shown.parallelism,
      status: state,
      'start-time': job.startedAt,
      'end-time': end,
      duration,
      tasks: stateCounts(state, shown.parallelism),
      metrics: taskMetrics(shown.subtasks),
      rivulet: vertexInsight(shown.vertex, vertexTimes(shown.vertex)),
    })),
    'status-counts': stateCounts(state, vertices.length),
    plan: jobPlan(job, vertices),
    rivulet: {
      ...jobInsight(job),
      script: job.script ?? null,
      // For windowed percentiles: the difference of two readings is the histogram of that interval.
      'source-to-commit-buckets': job.stats.sourceToCommitSeconds
        .cumulative()
        .map(({ le, count }) => ({ le: Number.isFinite(le) ? le : null, count })),
    },
    ...(job.failure ? { 'failure-cause': formatError(job.failure) } : {}),
  };
}

/** Flink's IOMetricsInfo of a vertex, summed over the tasks it runs as (`tasks`: each subtask's vertex). */
function taskMetrics(tasks: readonly Vertex[]) {
  let recordsIn = 0;
  let recordsOut = 0;
  let backPressuredMs = 0;
  let idleMs = 0;
  let busyMs = 0;
  for (const task of tasks) {
    const counts = vertexCounts(task);
    const times = vertexTimes(task);
    recordsIn += counts.recordsIn;
    recordsOut += counts.recordsOut;
    backPressuredMs += times.backPressuredMs;
    idleMs += times.idleMs;
    busyMs += times.busyMs;
  }
  const source = tasks[0]?.kind === 'source';
  return {
    'read-bytes': 0,
    'read-bytes-complete': false,
    'write-bytes': 0,
    'write-bytes-complete': false,
    'read-records': recordsIn,
    'read-records-complete': true,
    'write-records': recordsOut,
    'write-records-complete': true,
    'accumulated-backpressured-time': backPressuredMs,
    // As Flink for a source whose busy time it does not measure: no busy, no idle time.
    'accumulated-idle-time': source ? 0 : idleMs,
    'accumulated-busy-time': source ? 'NaN' : busyMs,
  };
}

/**
 * Flink's JobVertexDetailsInfo (`GET /jobs/:id/vertices/:vid`): the vertex and each of its
 * subtasks (SubtaskExecutionAttemptDetailsInfo), numbered from 0; a subtask restarted alone keeps
 * its number, and `attempt` is 0 (restarts are counted per job).
 */
function vertexDetails(job: JobHandle, shown: JobVertex) {
  const now = Date.now();
  const end = endTime(job);
  const duration = (end === -1 ? now : end) - job.startedAt;
  const state = taskState(job.status);
  return {
    id: shown.id,
    name: shown.name,
    parallelism: shown.parallelism,
    maxParallelism: job.maxParallelism,
    now,
    subtasks: Array.from({ length: shown.parallelism }, (_, subtask) => {
      const task = shown.subtasks[subtask];
      return {
        subtask,
        status: state,
        attempt: 0,
        endpoint: 'localhost',
        'start-time': job.startedAt,
        'end-time': end,
        duration,
        // A worker's job shows subtask 0's figures only (its proxy's graph): the others' are null.
        metrics: task ? taskMetrics([task]) : null,
        'taskmanager-id': job.worker === undefined ? 'rivulet' : `rivulet-worker-${job.worker}`,
      };
    }),
  };
}

function jobPlan(job: JobHandle, vertices: readonly JobVertex[] = graphVertices(job)) {
  return {
    jid: job.id,
    name: job.plan.name,
    type: 'STREAMING',
    nodes: vertices.map(({ id, name, inputs, parallelism }) => ({
      id,
      parallelism,
      operator: '',
      operator_strategy: '',
      description: name,
      ...(inputs.length > 0
        ? {
            inputs: inputs.map((input, num) => ({
              num,
              id: input,
              ship_strategy: 'FORWARD',
              exchange: 'pipelined_bounded',
            })),
          }
        : {}),
      optimizer_properties: {},
    })),
  };
}

function statsSummary(values: readonly number[], min: number, max: number, count: number, sum: number) {
  if (count === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const quantile = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
  return {
    min: Math.round(min),
    max: Math.round(max),
    avg: Math.round(sum / count),
    p50: quantile(0.5),
    p90: quantile(0.9),
    p95: quantile(0.95),
    p99: quantile(0.99),
    p999: quantile(0.999),
  };
}

const zeroSummary = () => statsSummary([], 0, 0, 0, 0);

/** Every committed transaction of a job's output and source positions is one completed checkpoint. */
function checkpoints(job: JobHandle) {
  const tasks = Math.max(1, graphVertices(job).length);
  const stats = (commit: JobStats['recentCommits'][number]) => {
    const millis = Math.round(commit.millis);
    return {
      className: 'completed',
      id: commit.id,
      status: 'COMPLETED',
      is_savepoint: false,
      savepointFormat: null,
      trigger_timestamp: commit.completedAt - millis,
      latest_ack_timestamp: commit.completedAt,
      checkpointed_size: 0,
      state_size: 0,
      end_to_end_duration: millis,
      alignment_buffered: 0,
      processed_data: 0,
      persisted_data: 0,
      num_subtasks: tasks,
      num_acknowledged_subtasks: tasks,
      checkpoint_type: 'CHECKPOINT',
      tasks: {},
      external_path: '<checkpoint-not-externally-addressable>',
      discarded: false,
      // Flink's sizes are bytes of state; what a Rivulet commit made durable is told apart here.
      rivulet: {
        records: commit.records,
        positions: commit.positions.map(({ source, position }) => ({ source, position })),
      },
    };
  };
  const latest = job.stats.recentCommits.at(-1);
  return {
    counts: {
      restored: job.restarts,
      total: job.stats.commits,
      in_progress: 0,
      completed: job.stats.commits,
      failed: 0,
    },
    summary: {
      checkpointed_size: zeroSummary(),
      state_size: zeroSummary(),
      end_to_end_duration: statsSummary(
        job.stats.recentCommits.map((c) => c.millis),
        job.stats.commitMillisMin,
        job.stats.commitMillisMax,
        job.stats.commits,
        job.stats.commitMillis,
      ),
      alignment_buffered: zeroSummary(),
      processed_data: zeroSummary(),
      persisted_data: zeroSummary(),
    },
    latest: {
      completed: latest ? stats(latest) : null,
      savepoint: null,
      failed: null,
      restored: null,
    },
    history: job.stats.recentCommits.slice(-CHECKPOINT_HISTORY).reverse().map(stats),
  };
}

function stackText(error: Error): string {
  return error.stack ?? `${error.name}: ${error.message}`;
}

/** Flink 1.18's JobExceptionsInfoWithHistory: the latest failure first. */
function exceptions(job: JobHandle, max: number) {
  const all = [...job.exceptions].reverse();
  const shown = all.slice(0, max);
  const root = all[0];
  // The job keeps its latest failures only; any beyond them were dropped.
  const failures = job.restarts + (job.status === 'FAILED' ? 1 : 0);
  const truncated = shown.length < all.length || failures > all.length;
  return {
    'root-exception': root ? stackText(root.error) : null,
    timestamp: root ? root.timestamp : null,
    'all-exceptions': [],
    truncated,
    exceptionHistory: {
      entries: shown.map(({ timestamp, error }) => ({
        exceptionName: error.constructor?.name ?? error.name,
        stacktrace: stackText(error),
        timestamp,
        taskName: null,
        location: null,
        endpoint: null,
        taskManagerId: null,
        // The code of an error the user can act on, as Flink labels failures.
        failureLabels: isRivuletError(error) ? { code: error.code } : {},
        concurrentExceptions: [],
      })),
      truncated,
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown, engine: Engine): void {
  const text = JSON.stringify(SecretHider.of(engine).answer(body));
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
  });
  response.end(text);
}

/** An answer to a refused request; a body it did not read is read and dropped by Node after it. */
function refuse(response: ServerResponse, refusal: Refusal, engine: Engine): void {
  send(response, refusal.status, { errors: [refusal.message] }, engine);
}

/** What one event of GET /events carries: everything a dashboard page shows (see docs/dashboard.md). */
/** The retained WAL the CDC page flags: the alerts' threshold (--alert-wal), or its default. */
function walWarningBytes(state: ServerState): number {
  return (state.alerts?.thresholds ?? DEFAULT_THRESHOLDS).retainedWalBytes;
}

/** What the server keeps beside the engine: its alerts, and the latest trace `rivulet validate` reported. */
interface ServerState {
  readonly alerts: AlertMonitor | undefined;
  readonly faultInjection: boolean;
  latencyTrace: LatencyTrace | null;
}

async function snapshot(engine: Engine, port: number, view: StreamView, state: ServerState) {
  const jobId = view.job;
  const job = jobId === undefined ? undefined : engine.get(jobId);
  return {
    now: Date.now(),
    alerts: state.alerts?.view() ?? null,
    'latency-trace': state.latencyTrace,
    overview: clusterOverview(engine),
    taskmanager: taskManagers(engine, port).taskmanagers[0],
    log: { kind: engine.log.kind, description: engine.log.description },
    jobs: [...engine.jobs.values()].map((each) => ({
      ...overview(each),
      rivulet: jobInsight(each),
    })),
    ...(jobId === undefined
      ? {}
      : {
          job: job
            ? { details: jobDetails(job), checkpoints: checkpoints(job), exceptions: exceptions(job, 20) }
            : null,
        }),
    ...(view.cdc ? { cdc: await cdcSlots(engine, walWarningBytes(state)) } : {}),
    ...(view.topics ? { topics: await engine.log.describeTopics() } : {}),
    ...(view.tail ? { tail: await tailOrError(engine, view.tail) } : {}),
  };
}

/** A topic's tail for a page, or the error that the page shows instead (a topic that does not exist). */
async function tailOrError(engine: Engine, view: TailView) {
  try {
    return await topicTail(engine.log, view.topic, view.limit, view.key);
  } catch (error) {
    if (!isRivuletError(error)) throw error;
    return { topic: view.topic, error: formatError(error) };
  }
}

/** `?topic=…&limit=…&key=…` of a request for a topic's tail, or why not. */
function tailView(url: URL): TailView | Refusal | undefined {
  const topic = url.searchParams.get('topic');
  if (topic === null) return undefined;
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null ? DEFAULT_TAIL : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TAIL) {
    return { status: 400, message: `Bad Request: limit must be a whole number from 1 to ${MAX_TAIL}` };
  }
  const key = url.searchParams.get('key') ?? '';
  return { topic, limit, key: key === '' ? undefined : key };
}

/**
 * The engine's HTTP API on loopback, with Flink's paths and field names (see docs/rest.md):
 * GET /overview, /taskmanagers, /jobs, /jobs/overview, /jobs/:id, /jobs/:id/plan,
 * /jobs/:id/checkpoints, /jobs/:id/exceptions, /jobs/:id/stdout (the lines its sinks wrote to standard output), and
 * /metrics (Prometheus), /alerts (the alerts the engine evaluates); PATCH /jobs/:id?mode=cancel; POST /jobs/:id/stop; POST /sql to submit a script, POST
 * /sql/explain to plan one; POST /workers/:n/crash when fault injection is on; the dashboard at GET / and its live data at GET /events. Every request passes the
 * RequestGuard first: this server's Host, no other origin, the
 * token for all but GET and HEAD, JSON bodies of limited size.
 */
export function startRestServer(engine: Engine, port: number, options: RestOptions): Promise<Server> {
  const guard = new RequestGuard(port, options.token, options.maxBodyBytes);
  const state: ServerState = {
    alerts: options.alerts,
    latencyTrace: null,
    faultInjection: options.faultInjection ?? false,
  };
  const events = new EventStreams(async (view) =>
    JSON.stringify(SecretHider.of(engine).answer(await snapshot(engine, port, view, state))),
  );
  const server = createServer((request, response) => {
    handle(engine, port, guard, events, state, request, response).catch((error: unknown) => {
      send(response, isRivuletError(error) ? 400 : 500, { errors: [formatError(error)] }, engine);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function handle(
  engine: Engine,
  port: number,
  guard: RequestGuard,
  events: EventStreams,
  state: ServerState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const refusal = guard.check(request);
  if (refusal) {
    refuse(response, refusal, engine);
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = url.pathname === '/' ? '/' : url.pathname.replace(/\/$/, '');
  const method = request.method ?? 'GET';
  const reply = (status: number, body: unknown) => send(response, status, body, engine);
  if (method === 'GET') {
    switch (path) {
      case '/':
      case '/assets/dashboard.js':
      case '/assets/dashboard.css': {
        const asset = (await dashboardAssets()).get(path);
        if (asset) {
          response.writeHead(200, dashboardHeaders(asset));
          response.end(request.method === 'HEAD' ? undefined : asset.body);
          return;
        }
        break;
      }
      case '/events': {
        const tail = tailView(url);
        if (tail && 'status' in tail) {
          refuse(response, tail, engine);
          return;
        }
        events.open(request, response, {
          job: url.searchParams.get('job') ?? undefined,
          cdc: url.searchParams.get('view') === 'cdc',
          topics: url.searchParams.get('view') === 'topics',
          tail,
        });
        return;
      }
      case '/topics':
        reply(200, { topics: await engine.log.describeTopics() });
        return;
      case '/topics/tail': {
        const tail = tailView(url) ?? { status: 400, message: 'Bad Request: name the topic: ?topic=<name>' };
        if ('status' in tail) refuse(response, tail, engine);
        else reply(200, await topicTail(engine.log, tail.topic, tail.limit, tail.key));
        return;
      }
      case '/cdc':
        reply(200, await cdcSlots(engine, walWarningBytes(state)));
        return;
      case '/latency-trace':
        reply(200, { trace: state.latencyTrace });
        return;
      case '/alerts':
        if (state.alerts) reply(200, state.alerts.view());
        else reply(404, { errors: ['This engine evaluates no alerts'] });
        return;
      case '/overview':
        reply(200, clusterOverview(engine));
        return;
      case '/taskmanagers':
        reply(200, taskManagers(engine, port));
        return;
      case '/jobs':
        reply(200, { jobs: [...engine.jobs.values()].map((job) => ({ id: job.id, status: job.status })) });
        return;
      case '/jobs/overview':
        reply(200, { jobs: [...engine.jobs.values()].map(overview) });
        return;
      case '/metrics': {
        const text = SecretHider.of(engine).text(await metricsText(engine));
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
        response.end(text);
        return;
      }
    }
  }
  const vertexRoute = /^\/jobs\/([^/]+)\/vertices\/([^/]+)(\/subtasks)?$/.exec(path);
  if (vertexRoute && method === 'GET') {
    const id = decodeURIComponent(vertexRoute[1] as string);
    const vertexId = decodeURIComponent(vertexRoute[2] as string);
    const job = engine.get(id);
    const found = job && graphVertices(job).find((v) => v.id === vertexId);
    if (!found) reply(404, { errors: [job ? `Vertex ${vertexId} of job ${id} not found` : `Job ${id} not found`] });
    else if (vertexRoute[3]) reply(200, { subtasks: vertexDetails(job, found).subtasks });
    else reply(200, vertexDetails(job, found));
    return;
  }
  const backPressure = /^\/jobs\/([^/]+)\/vertices\/([^/]+)\/backpressure$/.exec(path);
  if (backPressure && method === 'GET') {
    const id = decodeURIComponent(backPressure[1] as string);
    const vertexId = decodeURIComponent(backPressure[2] as string);
    const job = engine.get(id);
    const found = job && graphVertices(job).find((v) => v.id === vertexId);
    if (found) reply(200, vertexBackPressure(found.vertex));
    else reply(404, { errors: [job ? `Vertex ${vertexId} of job ${id} not found` : `Job ${id} not found`] });
    return;
  }
  const route = /^\/jobs\/([^/]+)(?:\/(checkpoints|exceptions|plan|stdout|stop))?$/.exec(path);
  if (route && route[1] !== 'overview') {
    const id = decodeURIComponent(route[1] as string);
    const job = engine.get(id);
    if (!job) {
      reply(404, { errors: [`Job ${id} not found`] });
      return;
    }
    const sub = route[2];
    if (method === 'PATCH' && sub === undefined) {
      const mode = url.searchParams.get('mode') ?? 'cancel';
      if (mode !== 'cancel') {
        reply(400, { errors: ['only mode=cancel is supported: PATCH /jobs/<id>?mode=cancel'] });
        return;
      }
      await engine.cancel(job.id);
      reply(202, {});
      return;
    }
    if (method === 'POST' && sub === 'stop') {
      // Flink's stop with a savepoint: here the committed positions are what is kept.
      await engine.stop(job.id);
      reply(202, {});
      return;
    }
    if (method === 'GET') {
      if (sub === undefined) reply(200, jobDetails(job));
      else if (sub === 'plan') reply(200, { plan: jobPlan(job) });
      else if (sub === 'checkpoints') reply(200, checkpoints(job));
      else if (sub === 'stdout') reply(200, stdoutLines(job.plan.name));
      else {
        const max = Number(url.searchParams.get('maxExceptions') ?? 20);
        reply(200, exceptions(job, Number.isInteger(max) && max >= 0 ? max : 20));
      }
      return;
    }
  }
  const crash = /^\/workers\/([^/]+)\/crash$/.exec(path);
  if (crash && method === 'POST') {
    const answer = await crashWorker(engine, decodeURIComponent(crash[1] as string), state.faultInjection);
    reply(answer.status, answer.body);
    return;
  }
  if (method === 'POST' && path === '/latency-trace') {
    const body = await guard.readJson(request);
    const trace = body.kind === 'json' ? latencyTrace(body.value, Date.now()) : body.refusal;
    if ('status' in trace) {
      refuse(response, trace, engine);
      return;
    }
    state.latencyTrace = trace;
    reply(200, {});
    return;
  }
  if (method === 'POST' && (path === '/sql' || path === '/sql/explain')) {
    const body = await guard.readJson(request);
    const submitted = body.kind === 'json' ? submission(body.value) : body.refusal;
    if ('status' in submitted) {
      refuse(response, submitted, engine);
      return;
    }
    if (path === '/sql/explain') {
      // Planning reads no table: nothing is connected to, nothing is started. A script that does not
      // plan is an answer too (the editor shows it as the user types), not a failed request.
      try {
        reply(200, { explain: explainScript(planScript(submitted.name, submitted.script, submitted.variables, {})) });
      } catch (error) {
        if (!isRivuletError(error)) throw error;
        reply(200, { errors: [formatError(error)] });
      }
      return;
    }
    // The answers of SHOW and DESCRIBE statements come from the script's own catalog, as it plans.
    const { jobs, results } = await engine.submitScript(submitted.name, submitted.script, submitted.variables, {
      fromScratch: submitted.fromScratch,
      ...(submitted.directory !== undefined ? { directory: submitted.directory } : {}),
    });
    reply(200, { jobs: jobs.map((j) => ({ jid: j.id, name: j.plan.name })), results });
    return;
  }
  reply(404, { errors: [`Not found: ${method} ${path}`] });
}
