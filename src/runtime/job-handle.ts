import type { SourceMetric } from '../connectors/source-reader.ts';
import type { PlannedJob } from '../plan/planner.ts';
import type { JobGraph, SourceVertex } from './graph.ts';
import type { JobStats } from './job-stats.ts';

export type JobStatus = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'CANCELED' | 'FAILED';

/** A failure of a job, kept for `rivulet list` and the REST API's exceptions. */
export interface JobException {
  readonly timestamp: number;
  readonly error: Error;
}

/** What one source of a job's current run says for /metrics (a replication slot's lag, say). */
export interface SourceSamples {
  readonly vertex: SourceVertex;
  readonly samples: readonly SourceMetric[];
}

/**
 * A job as the engine and its server see it: a Job on the engine's own thread, or the proxy of
 * one that runs in a worker (see workers/remote-job.ts). Everything the REST API, /metrics, the
 * alerts and the dashboard read of a job is here, and nothing else.
 */
export interface JobHandle {
  readonly id: string;
  readonly plan: PlannedJob;
  readonly status: JobStatus;
  readonly failure: Error | undefined;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly stats: JobStats;
  /** Restarts after failures so far, and the failures (the latest last). */
  readonly restarts: number;
  readonly exceptions: readonly JobException[];
  /** Set when the job was stopped (its positions kept to resume) rather than cancelled. */
  readonly stopped: boolean;
  /** The script the job came from, as submitted, for the dashboard. */
  readonly script: { readonly file: string; readonly text: string } | undefined;
  /** The graph of the latest run, for its vertices and their figures. */
  readonly currentGraph: JobGraph | undefined;
  /** The subtasks its keyed operators run in (`parallelism.default`); 1 for a job of one task. */
  readonly parallelism: number;
  /** Its key groups (`pipeline.max-parallelism`); 1 for a job of one task. */
  readonly maxParallelism: number;
  /**
   * Per subtask of a parallel job, its graph with the router's in front, numbered as currentGraph:
   * a vertex of the router is the same in each, one of the subtasks is that subtask's.
   */
  readonly subtaskGraphs: readonly JobGraph[] | undefined;
  /** The worker that runs the job (1…N); undefined on the engine's own thread. */
  readonly worker: number | undefined;
  /** Resolves when the job has ended: finished, failed for good, cancelled or stopped. */
  readonly ended: Promise<void>;
  /** The samples the sources of the current run give to /metrics; none when no run is open. */
  sourceMetrics(): Promise<readonly SourceSamples[]>;
  /** Opens what the job reads and writes (a failure here fails its submission). */
  open(): Promise<void>;
  /** Runs the opened job; after `open` failed with `failure`, as its restart strategy allows. */
  launch(failure?: Error): void;
  cancel(): Promise<void>;
  stop(): Promise<void>;
}
