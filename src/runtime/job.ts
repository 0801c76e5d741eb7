import type { EvalEnv } from '../expr/eval-env.ts';
import type { Log } from '../log/log.ts';
import type { PlannedJob } from '../plan/planner.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import type { JobGraph } from './graph.ts';
import type { JobException, JobHandle, JobStatus, SourceSamples } from './job-handle.ts';
import { JobRun } from './job-run.ts';
import { JobStats } from './job-stats.ts';
import { type RestartStrategy, type RestartVerdict, restartStrategy, verdictOf } from './restart-strategy.ts';

/** The most failures a job keeps for its exceptions (the latest last). */
export const EXCEPTIONS_KEPT = 20;

/** How a job runs, beside its plan. */
export interface JobOptions {
  /** The most changes a source hands over at once. */
  readonly batchSize?: number;
  /** Moved on by a start from scratch: positions of earlier generations are not read (see JobStore). */
  readonly generation?: number;
  /** The script the job came from, as submitted (placeholders not substituted), for the dashboard. */
  readonly script?: { readonly file: string; readonly text: string };
  /**
   * Decides on each failure of a run (at `failedAt`): by default the job's own restart strategy. A
   * job in a worker asks its proxy, whose one strategy also counts the ends of workers and failed
   * opens, so that the restart options bound all of the job's restarts, as in Flink.
   */
  readonly decideRestart?: (failedAt: number) => Promise<RestartVerdict>;
}

/** What a job's expressions evaluate in: its session time zone, and the clock. */
export function jobEnv(plan: PlannedJob): EvalEnv {
  return {
    timeZone: resolveTimeZone(plan.settings.get('table.local-time-zone') ?? 'default'),
    nowMicros: () => Date.now() * 1000,
  };
}

/**
 * A submitted job: its status, what it has done, and its current run (see JobRun), started again
 * after a failure as its restart strategy allows.
 */
export class Job implements JobHandle {
  status: JobStatus = 'CREATED';
  failure: Error | undefined;
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  readonly stats = new JobStats();
  /** Restarts after failures so far, and the failures (the latest last). */
  restarts = 0;
  readonly exceptions: JobException[] = [];
  /** Set when the job was stopped by `stop` (its positions kept to resume) rather than cancelled. */
  stopped = false;
  /** A Job runs on the thread that made it; see workers/remote-job.ts for one in a worker. */
  readonly worker = undefined;
  private readonly restart: RestartStrategy;
  private readonly stopping = new AbortController();
  private wakeFromPause: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** The latest run: open while the job runs, kept when it ends for its graph's vertices and counts. */
  private latest: JobRun | undefined;

  constructor(
    readonly id: string,
    readonly plan: PlannedJob,
    private readonly log: Log,
    private readonly options: JobOptions = {},
  ) {
    this.restart = restartStrategy(plan.settings);
  }

  get script(): { readonly file: string; readonly text: string } | undefined {
    return this.options.script;
  }

  get currentRun(): JobRun | undefined {
    return this.latest;
  }

  /** The graph of the latest run, read by the REST API for its vertices. */
  get currentGraph(): JobGraph | undefined {
    return this.latest?.graph;
  }

  sourceMetrics(): Promise<readonly SourceSamples[]> {
    return this.latest?.sourceMetrics() ?? Promise.resolve([]);
  }

  /** Builds and opens everything the job runs on, then runs it; a failure here fails the submission. */
  async start(): Promise<void> {
    await this.open();
    this.launch();
  }

  /**
   * Opens what the job reads and writes (the first half of `start`). The jobs of one script are
   * all opened before any runs: a CDC snapshot writes in a long transaction, and while it is open
   * PostgreSQL makes the creation of any other replication slot on the server wait.
   */
  async open(): Promise<void> {
    for (const warning of this.plan.warnings) console.warn(`job ${this.plan.name}: ${warning}`);
    this.latest = await this.openRun();
  }

  private openRun(): Promise<JobRun> {
    return JobRun.open({
      plan: this.plan,
      log: this.log,
      env: jobEnv(this.plan),
      stats: this.stats,
      stop: this.stopping.signal,
      batchSize: this.options.batchSize ?? 5000,
      generation: this.options.generation ?? 0,
    });
  }

  /**
   * Runs an opened job (the second half of `start`); or, after `open` failed with `failure`, starts
   * it again as its restart strategy allows, as if its run had failed.
   */
  launch(failure?: Error): void {
    this.status = 'RUNNING';
    this.loop = this.supervise(failure);
  }

  /** Resolves when the job has ended: finished, failed for good, cancelled or stopped. */
  get ended(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Runs the job, restarting it after a failure as the restart strategy allows. */
  private async supervise(openFailure?: Error): Promise<void> {
    let run = openFailure ? undefined : this.latest;
    let failure = openFailure;
    for (;;) {
      try {
        if (failure) {
          const error = failure;
          failure = undefined;
          throw error;
        }
        if (!run) {
          run = await this.openRun();
          this.latest = run;
          this.status = 'RUNNING';
        }
        if (await run.run()) {
          this.status = 'FINISHED';
          this.endedAt = Date.now();
          await run.close();
        }
        return;
      } catch (caught) {
        const error = caught as Error;
        await run?.close();
        run = undefined;
        this.exceptions.push({ timestamp: Date.now(), error });
        if (this.exceptions.length > EXCEPTIONS_KEPT) this.exceptions.shift();
        if (this.stopping.signal.aborted) return;
        const { decision, described } = await (this.options.decideRestart?.(Date.now()) ??
          verdictOf(this.restart, Date.now(), this.restarts));
        if (this.stopping.signal.aborted) return;
        if (!decision.restart) {
          this.status = 'FAILED';
          this.failure = error;
          this.endedAt = Date.now();
          return;
        }
        this.restarts++;
        this.status = 'RESTARTING';
        console.warn(`job ${this.plan.name} failed (${error.message}); ${described} in ${decision.delayMs} ms`);
        await this.pause(decision.delayMs);
        if (this.stopping.signal.aborted) return;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFromPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Cancels the job: it ends CANCELED. */
  cancel(): Promise<void> {
    return this.end('CANCELED');
  }

  /**
   * Stops the job keeping its committed positions, from which a later submission of its script
   * resumes (Flink's stop with a savepoint); it ends FINISHED, as in Flink.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.end('FINISHED');
  }

  private async end(status: JobStatus): Promise<void> {
    this.stopping.abort();
    this.wakeFromPause?.();
    await this.loop;
    await this.latest?.close();
    if (this.status === 'RUNNING' || this.status === 'RESTARTING' || this.status === 'CREATED') {
      this.status = status;
      this.endedAt = Date.now();
    }
  }
}
