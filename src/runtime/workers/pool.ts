import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SourceMetric } from '../../connectors/source-reader.ts';
import { NO_RESTART, type RestartVerdict } from '../restart-strategy.ts';
import { chooseSlot } from './placement.ts';
import type { FromWorker, JobState, MemoryState, ToWorker, WorkerSettings } from './protocol.ts';
import { revivedError } from './protocol.ts';

const ENTRY = new URL('./entry.js', import.meta.url);
const MAIN = new URL('./worker-main.ts', import.meta.url).href;
/**
 * How long a scrape waits for a worker's source metrics: a worker busy with a long batch answers
 * none then, as a source database that does not answer in time (see slot-metrics.ts).
 */
const SOURCE_METRICS_TIMEOUT_MS = 2000;
/** Workers of one place that may end in a row before any of them starts (see WorkerSlot.exited). */
const MAX_SILENT_ENDS = 3;

/** How the pool's workers are started. */
export interface PoolOptions {
  /** The number of workers (rivulet up --workers). */
  readonly size: number;
  /** The log every worker opens for its jobs (--log). */
  readonly logUrl: string;
  readonly kafkaTransactionalId?: string;
  /** The state memory budget of all jobs, shared out evenly, and the directory under which each worker spills. */
  readonly stateMemory: { readonly limit: number; readonly dir: string };
  /** How often each worker sends the state of its jobs (default 500 ms). */
  readonly reportMs?: number;
}

/** What a worker's job proxy is told: see RemoteJob. */
export interface PlacedJob {
  readonly id: string;
  /** The topics it writes or reads: it is placed with the jobs it shares them with (see chooseSlot). */
  readonly topics: ReadonlySet<string>;
  onOpened(error: Error | undefined): void;
  onState(state: JobState): void;
  onEnded(state: JobState): void;
  /** A run of the job failed in its worker: whether and when it starts again. */
  onRunFailed(failedAt: number): RestartVerdict;
  /** Its worker ended; the job is to be placed again. */
  onWorkerLost(error: Error): void;
}

/** The answer to a request (cancel, stop, source metrics) of a job's proxy. */
export interface Answer {
  readonly state?: JobState;
  readonly samples?: readonly (readonly SourceMetric[])[];
}

/**
 * One place in the pool: its worker thread (started when the first job is placed here, a new one
 * at once after the previous ended) and the jobs on it.
 */
export class WorkerSlot {
  readonly jobs = new Map<string, PlacedJob>();
  /** The worker's state memory, as it last reported it. */
  memory: MemoryState | undefined;
  /** Workers started in this place, the first included. */
  starts = 0;
  private worker: Worker | undefined;
  private requests = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout }
  >();
  private nextRequest = 0;
  private closing = false;
  /** Whether the current worker has sent anything yet, and how many workers in a row ended before they did. */
  private heard = false;
  private silentEnds = 0;
  /** Told the ids of the jobs the worker had, once a crash asked of it has ended it and the next one is started. */
  private crashWaiters: ((jobs: readonly string[]) => void)[] = [];

  constructor(
    readonly index: number,
    private readonly settings: WorkerSettings,
    /** Told the jobs of a worker that ended, once the next worker is started. */
    private readonly onLost: (lost: readonly PlacedJob[], error: Error) => void,
  ) {}

  private spawn(): Worker {
    this.starts++;
    this.heard = false;
    const worker = new Worker(ENTRY, { workerData: this.settings, name: `rivulet-worker-${this.index}` });
    worker.on('message', (message: FromWorker) => this.receive(message));
    // An uncaught error ends the worker: its `exit` follows and handles it.
    worker.on('error', (error) => console.warn(`worker ${this.index} failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => this.exited(worker, code));
    return worker;
  }

  /** Starts the worker of this place if none has started yet (the first message to it does too). */
  start(): Worker {
    this.worker ??= this.spawn();
    return this.worker;
  }

  post(message: ToWorker): void {
    // After close() no worker starts again: the message goes nowhere, as to a terminated worker.
    if (this.closing) return;
    this.start().postMessage(message);
  }

  /** Asks the worker about a job; source metrics are answered with none after SOURCE_METRICS_TIMEOUT_MS. */
  request(kind: 'cancel' | 'stop' | 'source-metrics', id: string): Promise<Answer> {
    const request = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      const timer =
        kind === 'source-metrics'
          ? setTimeout(() => {
              this.requests.delete(request);
              resolve({ samples: [] });
            }, SOURCE_METRICS_TIMEOUT_MS)
          : undefined;
      this.requests.set(request, { resolve, reject, ...(timer ? { timer } : {}) });
      this.post({ kind, id, request });
    });
  }

  /**
   * Fault injection: the worker throws an error nothing catches, as a bug in it would, and ends;
   * resolves with the ids of the jobs it had once the next worker is started and they are placed again.
   */
  crash(reason: string): Promise<readonly string[]> {
    // No worker has started here yet: none to end.
    if (!this.worker) return Promise.resolve([]);
    return new Promise((resolve) => {
      // A second request before the worker has ended is answered with the first: one worker ends.
      this.crashWaiters.push(resolve);
      if (this.crashWaiters.length === 1) this.post({ kind: 'crash', reason });
    });
  }

  /** The thread of this place, if one has started (tests end it as a crash would; the bench measures it). */
  get thread(): Worker | undefined {
    return this.worker;
  }

  private receive(message: FromWorker): void {
    this.heard = true;
    switch (message.kind) {
      case 'opened':
        this.jobs.get(message.id)?.onOpened(message.error ? revivedError(message.error) : undefined);
        return;
      case 'states':
        this.memory = message.memory;
        for (const state of message.jobs) this.jobs.get(state.id)?.onState(state);
        return;
      case 'ended':
        this.jobs.get(message.state.id)?.onEnded(message.state);
        return;
      case 'failed': {
        // A job no longer placed here is being cancelled or stopped: it does not start again.
        const verdict = this.jobs.get(message.id)?.onRunFailed(message.at) ?? NO_RESTART;
        this.post({ kind: 'restart', request: message.request, verdict });
        return;
      }
      case 'answer': {
        const waiting = this.requests.get(message.request);
        this.requests.delete(message.request);
        clearTimeout(waiting?.timer);
        if (message.error) waiting?.reject(revivedError(message.error));
        else waiting?.resolve({ ...message });
        return;
      }
      default:
        message satisfies never;
    }
  }

  private exited(worker: Worker, code: number): void {
    if (this.closing || worker !== this.worker) return;
    const error = new Error(`worker ${this.index} of the engine exited (code ${code}) while running its jobs`);
    this.silentEnds = this.heard ? 0 : this.silentEnds + 1;
    if (this.silentEnds >= MAX_SILENT_ENDS) {
      // A worker that cannot even start (a broken install, a module that fails to load) would be
      // started again in a busy loop: the engine stops instead, saying why.
      console.error(
        `error[WORKER_START]: worker ${this.index} of the engine ended ${this.silentEnds} times in a row before it started (last exit code ${code}); the engine stops\n  hint: see the worker's error above; run \`rivulet up --workers 1\` again once it is fixed`,
      );
      process.exit(1);
    }
    for (const { reject, timer } of this.requests.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.requests.clear();
    const lost = [...this.jobs.values()];
    this.jobs.clear();
    this.memory = undefined;
    this.worker = this.spawn();
    this.onLost(lost, error);
    const waiters = this.crashWaiters;
    this.crashWaiters = [];
    for (const resolve of waiters) resolve(lost.map((job) => job.id));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const resolve of this.crashWaiters) resolve([]);
    this.crashWaiters = [];
    await this.worker?.terminate();
  }
}

/**
 * The engine's workers: N threads, each running the jobs placed on it (see worker-main.ts). A job
 * goes to the worker of the jobs it shares topics with, else to the one with the fewest jobs. A
 * worker that ends (an uncaught error, process.exit, a terminate) is started again at once, and its
 * jobs are placed again, to resume from their committed positions as after a crash of the engine.
 */
export class WorkerPool {
  readonly slots: readonly WorkerSlot[];

  constructor(options: PoolOptions) {
    // The workers' logs send each other their commits over it (one channel per pool).
    const tailChannel = `rivulet-log-tail-${randomUUID()}`;
    this.slots = Array.from({ length: options.size }, (_, i) => {
      const index = i + 1;
      const settings: WorkerSettings = {
        main: MAIN,
        index,
        logUrl: options.logUrl,
        kafkaTransactionalId: options.kafkaTransactionalId,
        tailChannel,
        stateMemory: {
          limit: Math.floor(options.stateMemory.limit / options.size),
          dir: join(options.stateMemory.dir, `worker-${index}`),
        },
        reportMs: options.reportMs ?? 500,
      };
      return new WorkerSlot(index, settings, (lost, error) => {
        for (const job of lost) job.onWorkerLost(error);
      });
    });
  }

  /** The worker of the jobs this one shares topics with, else the one with the fewest jobs (see chooseSlot). */
  place(job: PlacedJob): WorkerSlot {
    const chosen = chooseSlot(this.slots, job.topics);
    chosen.jobs.set(job.id, job);
    return chosen;
  }

  /** The state memory of all workers, as they last reported it. */
  memory(): MemoryState {
    const sum = (pick: (memory: MemoryState) => number) =>
      this.slots.reduce((total, slot) => total + (slot.memory ? pick(slot.memory) : 0), 0);
    return {
      used: sum((m) => m.used),
      limit: sum((m) => m.limit),
      spilledBytes: sum((m) => m.spilledBytes),
      spilledKeys: sum((m) => m.spilledKeys),
      spilledEntries: sum((m) => m.spilledEntries),
      restoredEntries: sum((m) => m.restoredEntries),
      heapUsed: sum((m) => m.heapUsed),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.close()));
  }
}
