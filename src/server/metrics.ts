import type { Engine } from '../runtime/engine.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { Histogram } from '../runtime/histogram.ts';
import type { JobHandle, JobStatus } from '../runtime/job-handle.ts';
import { vertexCounts, vertexPending, vertexSourceLatency } from '../runtime/vertex-metrics.ts';
import type { MemoryState } from '../runtime/workers/protocol.ts';
import { stateMemory } from '../state/state-memory.ts';
import { graphVertices } from './vertices.ts';

/** The content type of the Prometheus text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const JOB_STATUSES: readonly JobStatus[] = ['CREATED', 'RUNNING', 'RESTARTING', 'FINISHED', 'CANCELED', 'FAILED'];

type Labels = Readonly<Record<string, string>>;
type MetricType = 'counter' | 'gauge' | 'histogram';

/** A label value as the exposition format writes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/** Metric families, each written as HELP, TYPE and its samples together. */
class Exposition {
  private readonly families = new Map<string, { help: string; type: MetricType; lines: string[] }>();

  family(name: string, type: MetricType, help: string): this {
    if (!this.families.has(name)) this.families.set(name, { help, type, lines: [] });
    return this;
  }

  sample(name: string, labels: Labels, value: number | bigint, suffix = ''): void {
    const family = this.families.get(name);
    if (!family) throw new Error(`metric ${name} has no family`);
    family.lines.push(`${name}${suffix}${formatLabels(labels)} ${formatValue(value)}`);
  }

  histogram(name: string, labels: Labels, histogram: Histogram): void {
    for (const { le, count } of histogram.cumulative()) {
      this.sample(name, { ...labels, le: formatValue(le) }, count, '_bucket');
    }
    this.sample(name, labels, histogram.sum, '_sum');
    this.sample(name, labels, histogram.count, '_count');
  }

  text(): string {
    const out: string[] = [];
    for (const [name, family] of this.families) {
      out.push(`# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${name} ${family.type}`);
      out.push(...family.lines);
    }
    return `${out.join('\n')}\n`;
  }
}

/** rivulet_job_pending_output: changes at the job's sinks waiting for the next commit. */
export function pendingOutput(job: JobHandle): number {
  return (job.currentGraph?.sinks ?? []).reduce((n, sink) => n + vertexPending(sink), 0);
}

/** rivulet_checkpoints_failed_total: each failure of the job aborts the commit in progress. */
export function failedCommits(job: JobHandle): number {
  return job.restarts + (job.status === 'FAILED' ? 1 : 0);
}

/** Each job's source samples (a replication slot's lag, say), asked of every job at once. */
export async function sourceSamples(engine: Engine) {
  const jobs = [...engine.jobs.values()];
  const answers = await Promise.all(jobs.map((job) => job.sourceMetrics()));
  return new Map(jobs.map((job, i) => [job, answers[i] ?? []]));
}

/**
 * The operator state memory of the jobs: of the pool's workers as they last reported it, or of this
 * thread; heapUsed is the workers' heaps (none without a pool).
 */
function jobMemory(engine: Engine): MemoryState {
  if (engine.pool) return engine.pool.memory();
  const state = stateMemory();
  const spilled = state.spilled();
  return {
    used: state.used,
    limit: state.limit,
    spilledBytes: spilled.bytes,
    spilledKeys: spilled.keys,
    spilledEntries: state.spilledEntries,
    restoredEntries: state.restoredEntries,
    heapUsed: 0,
  };
}

/** The engine's metrics in the Prometheus text exposition format (see docs/rest.md, GET /metrics). */
export async function metricsText(engine: Engine): Promise<string> {
  const sources = await sourceSamples(engine);
  const m = new Exposition();

  m.family('rivulet_job_status', 'gauge', 'Status of the job: 1 for its current status, 0 for the others.');
  m.family('rivulet_job_restarts_total', 'counter', 'Restarts of the job after failures.');
  m.family('rivulet_job_records_in_total', 'counter', 'Records (changes) the job read from its sources.');
  m.family('rivulet_job_records_out_total', 'counter', 'Records (changes) the job wrote to its sinks.');
  m.family('rivulet_job_pending_output', 'gauge', 'Changes at the sinks waiting for the next commit.');
  m.family(
    'rivulet_vertex_records_in_total',
    'counter',
    'Records pushed into the vertex in the current run of the job (restarts start again at 0).',
  );
  m.family(
    'rivulet_vertex_records_out_total',
    'counter',
    'Records the vertex passed on in the current run of the job (restarts start again at 0).',
  );
  m.family(
    'rivulet_vertex_source_latency_seconds',
    'histogram',
    'Per change an operator or sink processed: seconds from its source commit to the end of its processing there.',
  );
  m.family(
    'rivulet_dead_letter_records_total',
    'counter',
    "Records of a source table that could not be read, committed to the table's dead-letter topic.",
  );
  m.family('rivulet_checkpoints_completed_total', 'counter', 'Commits of output and source positions (checkpoints).');
  m.family(
    'rivulet_checkpoints_failed_total',
    'counter',
    'Failures of the job; each one aborts the checkpoint in progress.',
  );
  m.family('rivulet_checkpoint_duration_seconds', 'histogram', 'Duration of each commit (checkpoint).');
  m.family(
    'rivulet_source_to_commit_latency_seconds',
    'histogram',
    'At each commit covering new source transactions: time from the source commit of the latest of them to the commit of the output.',
  );

  for (const job of engine.jobs.values()) {
    const labels = { job_id: job.id, job_name: job.plan.name };
    for (const status of JOB_STATUSES) {
      m.sample('rivulet_job_status', { ...labels, status }, job.status === status ? 1 : 0);
    }
    m.sample('rivulet_job_restarts_total', labels, job.restarts);
    m.sample('rivulet_job_records_in_total', labels, job.stats.recordsIn);
    m.sample('rivulet_job_records_out_total', labels, job.stats.recordsOut);
    m.sample('rivulet_job_pending_output', labels, pendingOutput(job));
    const names = new Map<Vertex, string>();
    for (const { vertex, id, name, subtasks } of graphVertices(job)) {
      names.set(vertex, name);
      // A vertex a parallel job's subtasks run has a sample per subtask, labelled as Flink labels them.
      for (const [index, task] of subtasks.entries()) {
        const at = {
          ...labels,
          vertex_id: id,
          vertex: name,
          ...(subtasks.length > 1 ? { subtask_index: `${index}` } : {}),
        };
        const counts = vertexCounts(task);
        m.sample('rivulet_vertex_records_in_total', at, counts.recordsIn);
        m.sample('rivulet_vertex_records_out_total', at, counts.recordsOut);
        const latency = vertexSourceLatency(task);
        if (latency) m.histogram('rivulet_vertex_source_latency_seconds', at, latency);
      }
    }
    for (const [table, count] of job.stats.deadLetters) {
      m.sample('rivulet_dead_letter_records_total', { ...labels, table }, count);
    }
    m.sample('rivulet_checkpoints_completed_total', labels, job.stats.commits);
    m.sample('rivulet_checkpoints_failed_total', labels, failedCommits(job));
    m.histogram('rivulet_checkpoint_duration_seconds', labels, job.stats.commitSeconds);
    m.histogram('rivulet_source_to_commit_latency_seconds', labels, job.stats.sourceToCommitSeconds);
    for (const { vertex, samples } of sources.get(job) ?? []) {
      for (const sample of samples) {
        m.family(sample.name, sample.type, sample.help);
        m.sample(sample.name, { ...labels, vertex: names.get(vertex) ?? vertex.name, ...sample.labels }, sample.value);
      }
    }
  }

  const memory = process.memoryUsage();
  const state = jobMemory(engine);
  const processWide: [string, MetricType, string, number][] = [
    ['rivulet_process_resident_memory_bytes', 'gauge', 'Resident set size of the engine process.', memory.rss],
    [
      'rivulet_process_heap_used_bytes',
      'gauge',
      'V8 heap in use by the engine process (its worker threads included).',
      memory.heapUsed + state.heapUsed,
    ],
    ['rivulet_state_memory_used_bytes', 'gauge', 'Operator state held in memory (estimated heap bytes).', state.used],
    ['rivulet_state_memory_limit_bytes', 'gauge', 'The state memory budget (rivulet up --state-memory).', state.limit],
    [
      'rivulet_state_spilled_bytes',
      'gauge',
      'Operator state written to spill files, live records.',
      state.spilledBytes,
    ],
    ['rivulet_state_spilled_keys', 'gauge', 'Keys of operator state that are on disk.', state.spilledKeys],
    ['rivulet_state_spilled_entries_total', 'counter', 'State entries written to spill files.', state.spilledEntries],
    [
      'rivulet_state_restored_entries_total',
      'counter',
      'State entries read back from spill files.',
      state.restoredEntries,
    ],
    ['rivulet_process_uptime_seconds', 'gauge', 'Seconds since the engine process started.', process.uptime()],
  ];
  for (const [name, type, help, value] of processWide) {
    m.family(name, type, help);
    m.sample(name, {}, value);
  }
  const maintenanceFailures = engine.log.maintenanceFailures;
  if (maintenanceFailures !== undefined) {
    const name = 'rivulet_log_maintenance_failures_total';
    m.family(name, 'counter', "Failed runs of the log's compaction and retention; each is tried again later.");
    m.sample(name, {}, maintenanceFailures);
  }
  return m.text();
}
