import type { CumulativeBucket } from '../../common/bucket-quantile.ts';
import type { Engine } from '../../runtime/engine.ts';
import type { JobStatus } from '../../runtime/job-handle.ts';
import { cdcSlots } from '../cdc-slots.ts';
import { failedCommits, pendingOutput } from '../metrics.ts';

/** What the alert rules read of one job at one evaluation: the series of /metrics they are written over. */
export interface JobObservation {
  readonly id: string;
  readonly name: string;
  readonly status: JobStatus;
  readonly startedAt: number;
  /** rivulet_job_restarts_total */
  readonly restarts: number;
  /** rivulet_checkpoints_failed_total */
  readonly failedCommits: number;
  /** rivulet_job_pending_output */
  readonly pendingOutput: number;
  /** rivulet_source_to_commit_latency_seconds, cumulative buckets */
  readonly sourceToCommit: readonly CumulativeBucket[];
}

/** rivulet_cdc_slot_retained_wal_bytes of one slot (null when its database did not report it). */
export interface SlotObservation {
  readonly slot: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly retainedWalBytes: number | null;
}

export interface Observation {
  readonly at: number;
  readonly jobs: readonly JobObservation[];
  readonly slots: readonly SlotObservation[];
}

/** The engine's jobs and their sources' replication slots, as /metrics would show them now. */
export async function observe(engine: Engine): Promise<Observation> {
  const jobs = [...engine.jobs.values()].map((job) => ({
    id: job.id,
    name: job.plan.name,
    status: job.status,
    startedAt: job.startedAt,
    restarts: job.restarts,
    failedCommits: failedCommits(job),
    pendingOutput: pendingOutput(job),
    sourceToCommit: job.stats.sourceToCommitSeconds.cumulative(),
  }));
  const slots = (await cdcSlots(engine)).slots.map((slot) => ({
    slot: slot.slot,
    jobId: slot.jid,
    jobName: slot.job,
    retainedWalBytes: slot.reported ? slot['retained-wal-bytes'] : null,
  }));
  return { at: Date.now(), jobs, slots };
}
