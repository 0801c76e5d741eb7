import type { PlannedJob } from '../../plan/planner.ts';
import type { JobGraph } from '../graph.ts';
import { EXCEPTIONS_KEPT } from '../job.ts';
import type { JobException, JobHandle, JobStatus, SourceSamples } from '../job-handle.ts';
import { JobStats } from '../job-stats.ts';
import { joinGraphs, parallelism } from '../parallel/shown-graph.ts';
import type { WorkerPool } from './pool.ts';
import type { JobSubmission } from './protocol.ts';
import { RemoteJob } from './remote-job.ts';

/**
 * The proxy of a parallel job on a pool: its router and each of its subtasks are placed on the
 * pool as jobs are (the least loaded worker first), each with a proxy of its own (a RemoteJob of
 * one part, whose worker runs only that part) that restarts it alone when it fails or its worker
 * ends. This one shows them as one job: its status, counts and exceptions over all parts, the
 * router's graph with each subtask's.
 */
export class ParallelRemoteJob implements JobHandle {
  readonly startedAt = Date.now();
  readonly parallelism: number;
  readonly maxParallelism: number;
  stopped = false;
  /** The router (part 0), then subtask i as part i + 1. */
  private readonly parts: readonly RemoteJob[];

  constructor(
    readonly plan: PlannedJob,
    private readonly submission: JobSubmission,
    pool: WorkerPool,
  ) {
    ({ parallelism: this.parallelism, maxParallelism: this.maxParallelism } = parallelism(plan));
    this.parts = Array.from(
      { length: this.parallelism + 1 },
      (_, part) =>
        new RemoteJob(plan, { ...submission, id: `${submission.id}#${part}`, part, job: submission.id }, pool),
    );
    // A part that fails for good fails the job: the other parts end with it.
    for (const part of this.parts) {
      void part.ended.then(() => {
        if (part.status === 'FAILED') for (const other of this.parts) void other.cancel();
      });
    }
  }

  get id(): string {
    return this.submission.id;
  }

  get status(): JobStatus {
    const statuses = this.parts.map((part) => part.status);
    for (const status of ['FAILED', 'CANCELED', 'RESTARTING', 'CREATED'] as const) {
      if (statuses.includes(status)) return status;
    }
    return statuses.every((status) => status === 'FINISHED') ? 'FINISHED' : 'RUNNING';
  }

  get failure(): Error | undefined {
    return this.parts.find((part) => part.failure)?.failure;
  }

  get endedAt(): number | undefined {
    const ends = this.parts.map((part) => part.endedAt);
    return ends.every((end) => end !== undefined) ? Math.max(...(ends as number[])) : undefined;
  }

  /** The parts' figures summed. */
  get stats(): JobStats {
    const stats = new JobStats();
    for (const part of this.parts) stats.load(part.stats.snapshot(), stats.snapshot());
    return stats;
  }

  get restarts(): number {
    return this.parts.reduce((sum, part) => sum + part.restarts, 0);
  }

  get exceptions(): readonly JobException[] {
    return this.parts
      .flatMap((part) => part.exceptions)
      .sort((a, b) => a.timestamp - b.timestamp)
      .slice(-EXCEPTIONS_KEPT);
  }

  get script(): { readonly file: string; readonly text: string } {
    return { file: this.submission.file, text: this.submission.text };
  }

  /** The router's worker. */
  get worker(): number | undefined {
    return this.parts[0]?.worker;
  }

  get currentGraph(): JobGraph | undefined {
    return this.subtaskGraphs?.[0];
  }

  get subtaskGraphs(): readonly JobGraph[] | undefined {
    const [router, ...subtasks] = this.parts.map((part) => part.currentGraph);
    if (!router || subtasks.some((graph) => !graph)) return undefined;
    return subtasks.map((graph) => joinGraphs(router, graph as JobGraph));
  }

  get ended(): Promise<void> {
    return Promise.all(this.parts.map((part) => part.ended)).then(() => undefined);
  }

  async sourceMetrics(): Promise<readonly SourceSamples[]> {
    return (await Promise.all(this.parts.map((part) => part.sourceMetrics()))).flat();
  }

  /** Opens every part; the first failure fails the open, after the others have been tried. */
  private opened: (Error | undefined)[] = [];

  async open(): Promise<void> {
    const results = await Promise.allSettled(this.parts.map((part) => part.open()));
    this.opened = results.map((result) => (result.status === 'rejected' ? (result.reason as Error) : undefined));
    const failure = this.opened.find((error) => error !== undefined);
    if (failure) throw failure;
  }

  launch(failure?: Error): void {
    for (const [i, part] of this.parts.entries()) part.launch(failure ? this.opened[i] : undefined);
  }

  async cancel(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.cancel()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.parts.map((part) => part.stop()));
  }
}
