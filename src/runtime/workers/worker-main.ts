import { parentPort, workerData } from 'node:worker_threads';
import { stdoutLines } from '../../connectors/stdout-lines.ts';
import type { Log } from '../../log/log.ts';
import { openLog } from '../../log/open-log.ts';
import { planScriptWithFunctions } from '../../plan/planner.ts';
import { stateMemory } from '../../state/state-memory.ts';
import { Job } from '../job.ts';
import type { RestartVerdict } from '../restart-strategy.ts';
import { vertexFigures } from '../vertex-metrics.ts';
import {
  type FromWorker,
  type JobState,
  type JobSubmission,
  sendableError,
  type ToWorker,
  type WorkerSettings,
} from './protocol.ts';

/**
 * A worker of the engine's pool (see pool.ts): it runs the jobs the main thread places on it, each
 * planned again here from its script, on a log opened with the worker's own connections; it sends
 * the state of its jobs every `reportMs`, and when one ends. An error nothing catches ends the
 * worker, and the pool starts its jobs again on a new one.
 */

interface Placed {
  /** Set once the job is planned and made; its open may still be under way. */
  job: Job | undefined;
  /** Settles when the open has ended, well or not: a command waits for it, then ends what it opened. */
  readonly opened: Promise<void>;
  /** A cancel or stop is under way: its answer carries the job's end, not an `ended` message. */
  commanded: boolean;
}

const port = parentPort;
if (!port) throw new Error('worker-main.ts runs in a worker thread of the engine (see pool.ts)');
const settings = workerData as WorkerSettings;
const memory = stateMemory();
// Each worker spills into a directory of its own: configure() empties it.
if (settings.stateMemory) memory.configure(settings.stateMemory.limit, settings.stateMemory.dir);
let log: Promise<Log> | undefined;
const placed = new Map<string, Placed>();
/**
 * By job name, how many of its lines of standard output were sent: once per worker, as the parts
 * of a parallel job placed here (one name) write into the same lines.
 */
const printedSent = new Map<string, number>();
/** The failures of runs waiting for the verdict of their job's proxy. */
const verdicts = new Map<number, (verdict: RestartVerdict) => void>();
let nextFailure = 0;

/**
 * The worker's log, opened by the first job that needs it. A log that cannot be opened fails that
 * job's open, not the worker, and the next open tries again.
 */
function theLog(): Promise<Log> {
  if (log) return log;
  // The main thread's log compacts the topics and applies their retention, for every worker.
  const opening = openLog(settings.logUrl, {
    kafkaTransactionalId: settings.kafkaTransactionalId,
    maintenance: false,
    shareChannel: settings.tailChannel,
  });
  log = opening;
  opening.catch(() => {
    if (log === opening) log = undefined;
  });
  return opening;
}

function send(message: FromWorker): void {
  port?.postMessage(message);
}

function stateOf(id: string, job: Job): JobState {
  const graph = job.currentGraph;
  // Only the lines written since the previous state are copied.
  const printed = stdoutLines(job.plan.name, printedSent.get(job.plan.name) ?? 0);
  printedSent.set(job.plan.name, printed.total);
  return {
    id,
    status: job.status,
    failure: job.failure ? sendableError(job.failure) : undefined,
    endedAt: job.endedAt,
    exceptions: job.exceptions.map(({ timestamp, error }) => ({ timestamp, error: sendableError(error) })),
    stats: job.stats.snapshot(),
    vertices: graph ? [...graph.sources, ...graph.operators, ...graph.sinks].map(vertexFigures) : undefined,
    stdout: printed.lines,
  };
}

function open(submission: JobSubmission): void {
  let settle: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    settle = resolve;
  });
  // Placed before anything is awaited: a cancel or stop that comes meanwhile finds the job.
  const entry: Placed = { job: undefined, opened, commanded: false };
  placed.set(submission.id, entry);
  void openPlaced(submission, entry).finally(settle);
}

async function openPlaced(submission: JobSubmission, entry: Placed): Promise<void> {
  try {
    const script = await planScriptWithFunctions(
      submission.file,
      submission.text,
      new Map(submission.variables),
      {},
      submission.directory,
    );
    const plan = script.jobs.find((each) => each.name === submission.name);
    if (!plan) throw new Error(`the script ${submission.file} has no job ${submission.name} any more`);
    const job = new Job(submission.id, plan, await theLog(), {
      generation: submission.generation,
      script: { file: submission.file, text: submission.text },
      ...(submission.part === undefined ? {} : { part: submission.part }),
      ...(submission.job === undefined ? {} : { submission: submission.job }),
      decideRestart: (at) =>
        new Promise((resolve) => {
          const request = ++nextFailure;
          verdicts.set(request, resolve);
          send({ kind: 'failed', id: submission.id, request, at });
        }),
    });
    entry.job = job;
    await job.open();
    send({ kind: 'opened', id: submission.id, error: undefined });
  } catch (error) {
    // What the open made it closed again (see JobRun.open); the proxy's restart strategy decides on the failure.
    if (placed.get(submission.id) === entry) placed.delete(submission.id);
    send({ kind: 'opened', id: submission.id, error: sendableError(error) });
  }
}

function launch(id: string): void {
  const entry = placed.get(id);
  const job = entry?.job;
  if (!entry || !job) return;
  job.launch();
  void job.ended.then(() => {
    if (entry.commanded || placed.get(id) !== entry) return;
    placed.delete(id);
    send({ kind: 'ended', state: stateOf(id, job) });
  });
}

async function command(kind: 'cancel' | 'stop', id: string, request: number): Promise<void> {
  const entry = placed.get(id);
  if (!entry) {
    send({ kind: 'answer', request });
    return;
  }
  entry.commanded = true;
  try {
    // A job still opening is cancelled or stopped once it has opened: what it opened is closed again.
    await entry.opened;
    const { job } = entry;
    if (job) await (kind === 'cancel' ? job.cancel() : job.stop());
    placed.delete(id);
    send({ kind: 'answer', request, ...(job ? { state: stateOf(id, job) } : {}) });
  } catch (error) {
    send({ kind: 'answer', request, error: sendableError(error) });
  }
}

async function sourceMetrics(id: string, request: number): Promise<void> {
  const sources = (await placed.get(id)?.job?.sourceMetrics()) ?? [];
  send({ kind: 'answer', request, samples: sources.map(({ samples }) => samples) });
}

port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'open':
      void open(message.job);
      return;
    case 'launch':
      launch(message.id);
      return;
    case 'restart':
      verdicts.get(message.request)?.(message.verdict);
      verdicts.delete(message.request);
      return;
    case 'cancel':
    case 'stop':
      void command(message.kind, message.id, message.request);
      return;
    case 'source-metrics':
      void sourceMetrics(message.id, message.request);
      return;
    case 'crash':
      // As a bug in the worker would: an error nothing catches, outside any job's promise.
      setImmediate(() => {
        throw new Error(message.reason);
      });
      return;
    default:
      message satisfies never;
  }
});

/** Sends the state of the worker's jobs and memory. */
function report(): void {
  const spilled = memory.spilled();
  send({
    kind: 'states',
    jobs: [...placed].flatMap(([id, entry]) => (entry.job ? [stateOf(id, entry.job)] : [])),
    memory: {
      used: memory.used,
      limit: memory.limit,
      spilledBytes: spilled.bytes,
      spilledKeys: spilled.keys,
      spilledEntries: memory.spilledEntries,
      restoredEntries: memory.restoredEntries,
      heapUsed: process.memoryUsage().heapUsed,
    },
  });
}

// At once, to tell the pool the worker has started: an end after this is not a failure to start.
report();
setInterval(report, settings.reportMs);
