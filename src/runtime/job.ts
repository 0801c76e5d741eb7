import type { EvalEnv } from '../expr/eval-env.ts';
import type { Log } from '../log/log.ts';
import type { PlannedJob } from '../plan/planner.ts';
import { resolveTimeZone } from '../types/temporal.ts';
import type { JobGraph } from './graph.ts';
import type { JobException, JobHandle, JobStatus, SourceSamples } from './job-handle.ts';
import { JobRun } from './job-run.ts';
import { JobStats } from './job-stats.ts';
import { joinGraphs, subtaskWriter } from './parallel/shown-graph.ts';
import { parallelLayout } from './parallel/split-plan.ts';
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
  /**
   * Of a parallel job, the one part this Job runs (0: the router, i + 1: subtask i), as a worker
   * runs it for its proxy (workers/parallel-remote-job.ts); all of them when undefined.
   */
  readonly part?: number;
  /** The id of the job's submission, which a parallel job's end markers carry; the job's id by default. */
  readonly submission?: string;
}

/** What a job's expressions evaluate in: its session time zone, and the clock. */
export function jobEnv(plan: PlannedJob): EvalEnv {
  return {
    timeZone: resolveTimeZone(plan.settings.get('table.local-time-zone') ?? 'default'),
    nowMicros: () => Date.now() * 1000,
  };
}

/**
 * One loop of runs of a job: the whole job, or a part of a parallel job (its router, or one of its
 * subtasks), each restarted alone after a failure.
 */
interface Part {
  readonly plan: PlannedJob;
  /** Who commits; the job's name when undefined. */
  readonly writer?: string;
  /** Of a subtask: its index and the job's parallelism. */
  readonly subtask?: { readonly index: number; readonly parallelism: number };
  /** The latest run: open while the part runs, kept when it ends for its graph's vertices and counts. */
  latest: JobRun | undefined;
  finished: boolean;
}

/**
 * A submitted job: its status, what it has done, and its current run (see JobRun), started again
 * after a failure as its restart strategy allows. A job with `parallelism.default` > 1 runs as a
 * router and p subtasks (see parallel/split-plan.ts), each a run of its own.
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
  readonly parallelism: number;
  readonly maxParallelism: number;
  private readonly restart: RestartStrategy;
  private readonly stopping = new AbortController();
  private readonly wakeFromPause = new Set<() => void>();
  private loop: Promise<void> | undefined;
  /** The job's runs: one, or a parallel job's router then its subtasks. */
  private readonly parts: Part[];

  constructor(
    readonly id: string,
    readonly plan: PlannedJob,
    private readonly log: Log,
    private readonly options: JobOptions = {},
  ) {
    this.restart = restartStrategy(plan.settings);
    const layout = parallelLayout(plan, options.generation ?? 0);
    this.parallelism = layout?.parallelism ?? 1;
    this.maxParallelism = layout?.maxParallelism ?? 1;
    const parts: Part[] = layout
      ? [
          { plan: layout.router, latest: undefined, finished: false },
          ...Array.from({ length: layout.parallelism }, (_, i) => ({
            plan: layout.subtask(i).plan,
            writer: subtaskWriter(plan.name, i),
            subtask: { index: i, parallelism: layout.parallelism },
            latest: undefined,
            finished: false,
          })),
        ]
      : [{ plan, latest: undefined, finished: false }];
    this.parts = options.part === undefined ? parts : parts.slice(options.part, options.part + 1);
  }

  get script(): { readonly file: string; readonly text: string } | undefined {
    return this.options.script;
  }

  get currentRun(): JobRun | undefined {
    return this.parts[0]?.latest;
  }

  /** The graph of the latest run, read by the REST API for its vertices (a parallel job's router and subtask 0). */
  get currentGraph(): JobGraph | undefined {
    return this.subtaskGraphs?.[0] ?? this.parts[0]?.latest?.graph;
  }

  /** Per subtask of a parallel job, its graph with the router's in front (see shownGraph); undefined for a job of one task. */
  get subtaskGraphs(): readonly JobGraph[] | undefined {
    const [router, ...subtasks] = this.parts;
    if (subtasks.length === 0 || !router?.latest) return undefined;
    const graphs: JobGraph[] = [];
    for (const subtask of subtasks) {
      if (!subtask.latest) return undefined;
      graphs.push(joinGraphs(router.latest.graph, subtask.latest.graph));
    }
    return graphs;
  }

  async sourceMetrics(): Promise<readonly SourceSamples[]> {
    const samples = await Promise.all(this.parts.map((part) => part.latest?.sourceMetrics() ?? []));
    return samples.flat();
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
    const parallelism = this.plan.settings.get('parallelism.default');
    if (this.parallelism === 1 && Number(parallelism ?? '1') > 1) {
      console.warn(
        `job ${this.plan.name}: SET 'parallelism.default' = '${parallelism}' has no effect: the job has no keyed operator to divide by key, and runs as one task`,
      );
    }
    for (const warning of this.plan.warnings) console.warn(`job ${this.plan.name}: ${warning}`);
    try {
      for (const part of this.parts) part.latest = await this.openRun(part);
    } catch (error) {
      await Promise.all(this.parts.map((part) => part.latest?.close()));
      for (const part of this.parts) part.latest = undefined;
      throw error;
    }
  }

  private openRun(part: Part): Promise<JobRun> {
    return JobRun.open({
      plan: part.plan,
      log: this.log,
      env: jobEnv(part.plan),
      stats: this.stats,
      stop: this.stopping.signal,
      batchSize: this.options.batchSize ?? 5000,
      generation: this.options.generation ?? 0,
      ...(part.writer ? { writer: part.writer } : {}),
      ...(part.subtask ? { subtask: part.subtask } : {}),
      submission: this.options.submission ?? this.id,
    });
  }

  /**
   * Runs an opened job (the second half of `start`); or, after `open` failed with `failure`, starts
   * it again as its restart strategy allows, as if its run had failed.
   */
  launch(failure?: Error): void {
    this.status = 'RUNNING';
    this.loop = Promise.all(this.parts.map((part, i) => this.supervise(part, i === 0 ? failure : undefined))).then(
      () => undefined,
    );
  }

  /** Resolves when the job has ended: finished, failed for good, cancelled or stopped. */
  get ended(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Runs a part, restarting it after a failure as the restart strategy allows. */
  private async supervise(part: Part, openFailure?: Error): Promise<void> {
    let run = openFailure ? undefined : part.latest;
    let failure = openFailure;
    for (;;) {
      try {
        if (failure) {
          const error = failure;
          failure = undefined;
          throw error;
        }
        if (!run) {
          run = await this.openRun(part);
          part.latest = run;
          if (this.status === 'RESTARTING') this.status = 'RUNNING';
        }
        if (await run.run()) {
          part.finished = true;
          await run.close();
          if (this.parts.every((p) => p.finished)) {
            this.status = 'FINISHED';
            this.endedAt = Date.now();
          }
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
          // The other parts of a parallel job end with it.
          this.stopping.abort();
          for (const wake of this.wakeFromPause) wake();
          return;
        }
        this.restarts++;
        this.status = 'RESTARTING';
        const which = this.parts.length > 1 ? ` (${part.writer ?? 'router'})` : '';
        console.warn(`job ${this.plan.name}${which} failed (${error.message}); ${described} in ${decision.delayMs} ms`);
        await this.pause(decision.delayMs);
        if (this.stopping.signal.aborted) return;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeFromPause.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeFromPause.add(wake);
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
    for (const wake of this.wakeFromPause) wake();
    await this.loop;
    await Promise.all(this.parts.map((part) => part.latest?.close()));
    if (this.status === 'RUNNING' || this.status === 'RESTARTING' || this.status === 'CREATED') {
      this.status = status;
      this.endedAt = Date.now();
    }
  }
}
