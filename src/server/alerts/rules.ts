import { bucketQuantile } from '../../common/bucket-quantile.ts';
import { RETAINED_WAL_WARNING_BYTES } from '../cdc-slots.ts';
import type { AlertName, Severity } from './alert.ts';
import type { JobObservation, Observation } from './observation.ts';

/** The thresholds of the alert rules (`rivulet up --alert-…`, see docs/dashboard.md). */
export interface AlertThresholds {
  /** p99 of the source-to-commit latency over 5 minutes, in seconds. */
  readonly latencySeconds: number;
  /** Changes waiting for a commit. */
  readonly pendingOutput: number;
  /** WAL a replication slot makes its server keep, in bytes. */
  readonly retainedWalBytes: number;
}

/** The thresholds of docs/alerts/rivulet-rules.yml. */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  latencySeconds: 30,
  pendingOutput: 10_000,
  retainedWalBytes: RETAINED_WAL_WARNING_BYTES,
};

/** One rule's condition holding at one evaluation, for one job or slot. */
export interface Condition {
  readonly name: AlertName;
  readonly severity: Severity;
  /** How long it must hold before the alert fires (Prometheus' `for`). */
  readonly forMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

const MINUTE = 60_000;
/** The windows of the rules file: increase(…[10m]), rate(…[5m]). */
const FAILURE_WINDOW_MS = 10 * MINUTE;
const LATENCY_WINDOW_MS = 5 * MINUTE;

/** The job as of the oldest observation within `windowMs` before `now`, if it was there. */
function jobAt(history: readonly Observation[], job: JobObservation, now: number, windowMs: number) {
  const oldest = history.find((observation) => observation.at >= now - windowMs);
  return oldest?.jobs.find((each) => each.id === job.id);
}

/**
 * Prometheus' increase() of a job's counter over the window: from its value at the window's start (0 for a
 * job started within the window, as every counter of a new job starts at 0).
 */
function increase(
  history: readonly Observation[],
  job: JobObservation,
  now: number,
  windowMs: number,
  counter: (job: JobObservation) => number,
): number {
  const before = jobAt(history, job, now, windowMs);
  const start = job.startedAt >= now - windowMs || !before ? 0 : counter(before);
  return counter(job) - start;
}

/** p99 (seconds) of the commits' source-to-commit latency within the window; undefined without any. */
function windowP99(history: readonly Observation[], job: JobObservation, now: number): number | undefined {
  const before = jobAt(history, job, now, LATENCY_WINDOW_MS);
  return bucketQuantile(
    job.sourceToCommit.map(({ le, count }, i) => ({ le, count: count - (before?.sourceToCommit[i]?.count ?? 0) })),
    0.99,
  );
}

/**
 * The conditions of docs/alerts/rivulet-rules.yml that hold now, evaluated over the current observation and
 * the earlier ones (oldest first), as Prometheus would evaluate the rules over /metrics.
 */
export function conditions(
  current: Observation,
  history: readonly Observation[],
  thresholds: AlertThresholds,
): Condition[] {
  const now = current.at;
  const out: Condition[] = [];
  for (const job of current.jobs) {
    const labels = { job_id: job.id, job_name: job.name };
    const alert = (name: AlertName, severity: Condition['severity'], forMs: number, summary: string, text: string) =>
      out.push({ name, severity, forMs, labels, summary, description: text });
    if (job.status === 'FAILED') {
      alert('RivuletJobFailed', 'critical', 0, `Job ${job.name} failed`, `Job ${job.id} failed for good.`);
    }
    const restarts = increase(history, job, now, FAILURE_WINDOW_MS, (j) => j.restarts);
    if (restarts > 0 || job.status === 'RESTARTING') {
      alert(
        'RivuletJobRestarting',
        'warning',
        0,
        `Job ${job.name} restarted`,
        `Job ${job.id} failed and restarted; restarts in the last 10 minutes: ${restarts}.`,
      );
    }
    const failed = increase(history, job, now, FAILURE_WINDOW_MS, (j) => j.failedCommits);
    if (failed > 0) {
      alert(
        'RivuletCheckpointFailures',
        'warning',
        0,
        `Commits of job ${job.name} failed`,
        `Job ${job.id} failed and aborted its commit; failed commits in the last 10 minutes: ${failed}.`,
      );
    }
    const p99 = windowP99(history, job, now);
    if (p99 !== undefined && p99 > thresholds.latencySeconds) {
      alert(
        'RivuletSourceToCommitLatencyHigh',
        'warning',
        5 * MINUTE,
        `Job ${job.name} commits changes late`,
        `The p99 time from the source commit to the commit of job ${job.id} is ${p99.toFixed(1)} s (over ${thresholds.latencySeconds} s).`,
      );
    }
    if (job.pendingOutput > thresholds.pendingOutput) {
      alert(
        'RivuletBackPressure',
        'warning',
        5 * MINUTE,
        `Job ${job.name} is back-pressured`,
        `Job ${job.id} keeps ${job.pendingOutput} changes waiting for a commit (over ${thresholds.pendingOutput}): its commits do not keep up.`,
      );
    }
  }
  for (const slot of current.slots) {
    if (slot.retainedWalBytes === null || slot.retainedWalBytes <= thresholds.retainedWalBytes) continue;
    out.push({
      name: 'RivuletCdcSlotRetainsWal',
      severity: 'warning',
      forMs: 10 * MINUTE,
      labels: { job_id: slot.jobId, job_name: slot.jobName, slot: slot.slot },
      summary: `Replication slot ${slot.slot} holds back WAL`,
      description: `Slot ${slot.slot} makes its source server keep ${slot.retainedWalBytes} bytes of WAL (over ${thresholds.retainedWalBytes}).`,
    });
  }
  return out;
}

/** How long the monitor keeps observations: the longest window of the rules. */
export const HISTORY_MS = FAILURE_WINDOW_MS;
