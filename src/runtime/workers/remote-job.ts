import { keepStdoutLine } from '../../connectors/stdout-lines.ts';
import type { PlannedJob } from '../../plan/planner.ts';
import { closeOperators, type JobGraph } from '../graph.ts';
import { EXCEPTIONS_KEPT, jobEnv } from '../job.ts';
import type { JobException, JobHandle, JobStatus, SourceSamples } from '../job-handle.ts';
import { JobStats, type JobStatsSnapshot } from '../job-stats.ts';
import { parallelism, shownGraph } from '../parallel/shown-graph.ts';
import {
  NO_RESTART,
  type RestartStrategy,
  type RestartVerdict,
  restartStrategy,
  verdictOf,
} from '../restart-strategy.ts';
import { setRemoteFigures } from '../vertex-metrics.ts';
import { jobTopics } from './placement.ts';
import type { PlacedJob, WorkerPool, WorkerSlot } from './pool.ts';
import { type JobState, type JobSubmission, revivedError } from './protocol.ts';

function isFinal(status: JobStatus): boolean {
  return status === 'FINISHED' || status === 'CANCELED' || status === 'FAILED';
}

/**
 * The proxy on the engine's main thread of a job that runs in a worker of the pool: what the REST
 * API and /metrics read of it is the state its worker sends (see worker-main.ts), and its commands
 * go to the worker as messages. Its graph is built here from the same plan, without opening
 * anything, and its vertices answer with the figures of the running ones. When the worker ends,
 * the job is placed again and resumes from its committed positions; that counts as a restart, with
 * the worker's end among its exceptions.
 */
export class RemoteJob implements JobHandle, PlacedJob {
  status: JobStatus = 'CREATED';
  failure: Error | undefined;
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  /** The figures of the job over all its runs: those of its earlier workers and its current one's. */
  readonly stats = new JobStats();
  /** The totals of the job's earlier workers (each worker's Job counts from 0). */
  private earlierStats: JobStatsSnapshot | undefined;
  stopped = false;
  currentGraph: JobGraph | undefined;
  /** Subtasks' figures stay in the worker: the proxy shows subtask 0's with the router's (currentGraph). */
  readonly subtaskGraphs = undefined;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Restarts its strategy allowed, for failures of runs in its workers, ends of workers and failed opens. */
  private restartsAllowed = 0;
  /** Failures in earlier workers, and those the current worker reported. */
  private earlierExceptions: JobException[] = [];
  private workerExceptions: JobException[] = [];
  private slot: WorkerSlot | undefined;
  private lastWorker: number | undefined;
  private launched = false;
  private finished = false;
  private command: 'cancel' | 'stop' | undefined;
  private opening: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private readonly end: Promise<void>;
  private resolveEnd: () => void = () => undefined;
  /**
   * The job's one restart strategy: it decides on the ends of its workers and failed opens, and
   * on the failures of runs that its worker's Job reports (see onRunFailed).
   */
  private readonly restart: RestartStrategy;

  readonly topics: ReadonlySet<string>;

  constructor(
    readonly plan: PlannedJob,
    private readonly submission: JobSubmission,
    private readonly pool: WorkerPool,
  ) {
    this.restart = restartStrategy(plan.settings);
    // The parts of a parallel job are there to spread over the workers: placed by their number alone.
    this.topics = submission.part === undefined ? jobTopics(plan) : new Set();
    ({ parallelism: this.parallelism, maxParallelism: this.maxParallelism } = parallelism(plan));
    this.end = new Promise((resolve) => {
      this.resolveEnd = resolve;
    });
  }

  get id(): string {
    return this.submission.id;
  }

  get script(): { readonly file: string; readonly text: string } {
    return { file: this.submission.file, text: this.submission.text };
  }

  get worker(): number | undefined {
    return this.slot?.index ?? this.lastWorker;
  }

  get restarts(): number {
    return this.restartsAllowed;
  }

  get exceptions(): readonly JobException[] {
    return [...this.earlierExceptions, ...this.workerExceptions].slice(-EXCEPTIONS_KEPT);
  }

  get ended(): Promise<void> {
    return this.end;
  }

  async open(): Promise<void> {
    // Only shown: the worker's graph has the lookup sources, and its Job prints the plan's warnings.
    this.currentGraph ??= shownGraph(this.plan, jobEnv(this.plan), this.submission.part);
    await this.openOn(this.pool.place(this));
  }

  private openOn(slot: WorkerSlot): Promise<void> {
    this.earlierStats = this.stats.snapshot();
    this.slot = slot;
    this.lastWorker = slot.index;
    return new Promise<void>((resolve, reject) => {
      this.opening = { resolve, reject };
      slot.post({ kind: 'open', job: this.submission });
    });
  }

  onOpened(error: Error | undefined): void {
    const opening = this.opening;
    this.opening = undefined;
    if (error) opening?.reject(error);
    else opening?.resolve();
  }

  /**
   * Runs the opened job; after its open failed with `failure` (a restore), that failure is the
   * job's first, and the restart strategy decides whether and when it is opened again.
   */
  launch(failure?: Error): void {
    this.status = 'RUNNING';
    this.launched = true;
    if (failure) this.failed(failure);
    else this.slot?.post({ kind: 'launch', id: this.id });
  }

  onState(state: JobState): void {
    if (isFinal(this.status)) return;
    this.status = state.status === 'CREATED' ? this.status : state.status;
    this.failure = state.failure ? revivedError(state.failure) : undefined;
    this.endedAt = state.endedAt;
    this.workerExceptions = state.exceptions.map(({ timestamp, error }) => ({ timestamp, error: revivedError(error) }));
    this.stats.load(state.stats, this.earlierStats);
    const graph = this.currentGraph;
    if (graph && state.vertices) {
      const order = [...graph.sources, ...graph.operators, ...graph.sinks];
      for (const [i, figures] of state.vertices.entries()) {
        const vertex = order[i];
        if (vertex) setRemoteFigures(vertex, figures);
      }
    }
    for (const line of state.stdout) keepStdoutLine(this.plan.name, line);
  }

  onRunFailed(failedAt: number): RestartVerdict {
    if (this.command || isFinal(this.status)) return NO_RESTART;
    const verdict = verdictOf(this.restart, failedAt, this.restartsAllowed);
    if (verdict.decision.restart) this.restartsAllowed++;
    return verdict;
  }

  onEnded(state: JobState): void {
    this.onState(state);
    this.finish(state.status);
  }

  async sourceMetrics(): Promise<readonly SourceSamples[]> {
    const sources = this.currentGraph?.sources ?? [];
    if (!this.slot || !this.launched || sources.length === 0) return [];
    const answer = await this.slot.request('source-metrics', this.id).catch(() => ({ samples: [] }));
    return (answer.samples ?? []).flatMap((samples, i) => {
      const vertex = sources[i];
      return vertex ? [{ vertex, samples }] : [];
    });
  }

  cancel(): Promise<void> {
    return this.ask('cancel');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.ask('stop');
  }

  private async ask(command: 'cancel' | 'stop'): Promise<void> {
    const status: JobStatus = command === 'cancel' ? 'CANCELED' : 'FINISHED';
    if (isFinal(this.status)) return;
    this.command = command;
    const slot = this.slot;
    if (slot) {
      const answer = await slot.request(command, this.id).catch(() => undefined);
      if (answer?.state) this.onState(answer.state);
    }
    this.finish(status);
  }

  /** Ends the proxy: a final status stays (the job ended by itself before the command reached it). */
  private finish(status: JobStatus): void {
    if (this.finished) return;
    this.finished = true;
    if (!isFinal(this.status)) this.status = status;
    this.endedAt ??= Date.now();
    this.slot?.jobs.delete(this.id);
    this.slot = undefined;
    if (this.currentGraph) closeOperators(this.currentGraph);
    this.resolveEnd();
  }

  onWorkerLost(error: Error): void {
    this.slot = undefined;
    // It had ended (its last state said so) before the worker's `ended` message could come.
    if (isFinal(this.status)) {
      this.finish(this.status);
      return;
    }
    // During its submission the submission fails, as when opening fails on the engine's thread.
    this.onOpened(error);
    // Under a cancel or stop, the command's answer (now an error) ends the job.
    if (!this.launched || this.command) return;
    this.failed(error);
  }

  /**
   * The job's run in its worker is gone (the worker ended, or the job could not be opened there):
   * the restart strategy decides, as Job.supervise does for a failure of a run on the engine's thread.
   */
  private failed(error: Error): void {
    this.slot?.jobs.delete(this.id);
    this.slot = undefined;
    this.earlierExceptions = [...this.exceptions, { timestamp: Date.now(), error }];
    this.workerExceptions = [];
    const { decision, described } = verdictOf(this.restart, Date.now(), this.restartsAllowed);
    if (!decision.restart) {
      this.failure = error;
      this.status = 'FAILED';
      this.endedAt = Date.now();
      this.finish('FAILED');
      return;
    }
    this.restartsAllowed++;
    this.status = 'RESTARTING';
    console.warn(
      `job ${this.plan.name}: ${error.message}; ${described} from its committed positions in ${decision.delayMs} ms`,
    );
    setTimeout(() => void this.resume(), decision.delayMs);
  }

  /** Opens and runs the job on the worker it is placed on now; a failure to open is a failure of the job. */
  private async resume(): Promise<void> {
    if (this.command || isFinal(this.status)) return;
    const slot = this.pool.place(this);
    const failure = await this.openOn(slot).then(
      () => undefined,
      (error: Error) => error,
    );
    // Cancelled or stopped meanwhile, or its worker lost (which counted as the failure): nothing more to do here.
    if (this.command || isFinal(this.status) || this.slot !== slot) return;
    if (failure) this.failed(failure);
    else slot.post({ kind: 'launch', id: this.id });
  }
}
