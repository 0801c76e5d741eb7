import { createHash } from 'node:crypto';
import pg from 'pg';
import { cdcSettings } from '../connectors/cdc/cdc-table.ts';
import { type CdcConnection, clientConfig } from '../connectors/cdc/preflight.ts';
import { describeNode } from '../plan/explain.ts';
import type { Engine } from '../runtime/engine.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { Histogram } from '../runtime/histogram.ts';
import type { Job, JobStatus } from '../runtime/job.ts';
import { vertexCounts, vertexNode, vertexSourceLatency } from '../runtime/vertex-metrics.ts';
import { stateMemory } from '../state/state-memory.ts';

/** The content type of the Prometheus text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** How long /metrics waits for a source database to report its replication slots. */
const SLOT_QUERY_TIMEOUT_MS = 2000;

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

/** The vertices of a job's current graph with the ids and names that /jobs/:id gives them. */
function vertices(job: Job): { vertex: Vertex; id: string; name: string }[] {
  const graph = job.currentGraph;
  if (!graph) return [];
  const order: Vertex[] = [...graph.sources, ...graph.operators, ...graph.sinks];
  return order.map((vertex, i) => ({
    vertex,
    id: createHash('md5').update(`${job.id}/${i}`).digest('hex'),
    name: vertexName(vertex),
  }));
}

function vertexName(vertex: Vertex): string {
  const node = vertexNode(vertex);
  if (node) return describeNode(node);
  return vertex.kind === 'operator' ? 'SinkMaterializer' : vertex.kind;
}

/** What a source database says of one replication slot. */
interface SlotState {
  readonly retainedBytes: number;
  readonly lagBytes: number | undefined;
}

function connectionKey(c: CdcConnection): string {
  return JSON.stringify([c.host, c.port, c.database, c.user]);
}

/**
 * Asks one source database for its slots' retained WAL and lag, on a short-lived connection that
 * is given up after SLOT_QUERY_TIMEOUT_MS; undefined when the database does not answer in time.
 */
async function querySlots(
  connection: CdcConnection,
  slots: readonly string[],
): Promise<Map<string, SlotState> | undefined> {
  const client = new pg.Client({
    ...clientConfig(connection),
    connectionTimeoutMillis: Math.min(connection.connectTimeoutMs || SLOT_QUERY_TIMEOUT_MS, SLOT_QUERY_TIMEOUT_MS),
    query_timeout: SLOT_QUERY_TIMEOUT_MS,
    statement_timeout: SLOT_QUERY_TIMEOUT_MS,
    application_name: 'rivulet-metrics',
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SLOT_QUERY_TIMEOUT_MS);
  });
  const query = (async () => {
    await client.connect();
    const result = await client.query<{ slot_name: string; retained: string | null; lag: string | null }>(
      `SELECT slot_name,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS retained,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
         FROM pg_replication_slots
        WHERE slot_name = ANY($1) AND database = current_database()`,
      [slots],
    );
    const states = new Map<string, SlotState>();
    for (const row of result.rows) {
      if (row.retained === null) continue;
      states.set(row.slot_name, {
        retainedBytes: Number(row.retained),
        lagBytes: row.lag === null ? undefined : Number(row.lag),
      });
    }
    return states;
  })().catch(() => undefined);
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}

/** The slots of every running postgres-cdc source, looked up with one query per source database. */
async function slotStates(engine: Engine): Promise<Map<string, Map<string, SlotState> | undefined>> {
  const byDatabase = new Map<string, { connection: CdcConnection; slots: Set<string> }>();
  for (const job of engine.jobs.values()) {
    for (const source of job.cdcSources) {
      const { connection, target } = cdcSettings(source.table);
      const key = connectionKey(connection);
      const entry = byDatabase.get(key) ?? { connection, slots: new Set<string>() };
      entry.slots.add(target.slot);
      byDatabase.set(key, entry);
    }
  }
  const answers = await Promise.all(
    [...byDatabase].map(
      async ([key, { connection, slots }]) => [key, await querySlots(connection, [...slots])] as const,
    ),
  );
  return new Map(answers);
}

/** The engine's metrics in the Prometheus text exposition format (see docs/rest.md, GET /metrics). */
export async function metricsText(engine: Engine): Promise<string> {
  const slots = await slotStates(engine);
  const now = Date.now();
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
    'At each commit covering new postgres-cdc source transactions: time from the source commit of the latest of them to the commit of the output.',
  );
  m.family(
    'rivulet_cdc_source_lag_seconds',
    'gauge',
    'Now minus the source commit time of the last transaction read from the slot; 0 when the slot stream is idle and caught up, or before the first transaction.',
  );
  m.family(
    'rivulet_cdc_slot_metrics_up',
    'gauge',
    '1 when the source database reported the replication slot in time for this scrape, 0 otherwise.',
  );
  m.family(
    'rivulet_cdc_slot_retained_wal_bytes',
    'gauge',
    'WAL the replication slot keeps on the source server: pg_current_wal_lsn() - restart_lsn.',
  );
  m.family(
    'rivulet_cdc_lag_bytes',
    'gauge',
    'WAL written after the position the job confirmed to the slot: pg_current_wal_lsn() - confirmed_flush_lsn.',
  );

  for (const job of engine.jobs.values()) {
    const labels = { job_id: job.id, job_name: job.plan.name };
    for (const status of JOB_STATUSES) {
      m.sample('rivulet_job_status', { ...labels, status }, job.status === status ? 1 : 0);
    }
    m.sample('rivulet_job_restarts_total', labels, job.restarts);
    m.sample('rivulet_job_records_in_total', labels, job.recordsIn);
    m.sample('rivulet_job_records_out_total', labels, job.recordsOut);
    const pending = (job.currentGraph?.sinks ?? []).reduce((n, sink) => n + sink.pending.length, 0);
    m.sample('rivulet_job_pending_output', labels, pending);
    const names = new Map<Vertex, string>();
    for (const { vertex, id, name } of vertices(job)) {
      names.set(vertex, name);
      const counts = vertexCounts(vertex);
      m.sample('rivulet_vertex_records_in_total', { ...labels, vertex_id: id, vertex: name }, counts.recordsIn);
      m.sample('rivulet_vertex_records_out_total', { ...labels, vertex_id: id, vertex: name }, counts.recordsOut);
      const latency = vertexSourceLatency(vertex);
      if (latency)
        m.histogram('rivulet_vertex_source_latency_seconds', { ...labels, vertex_id: id, vertex: name }, latency);
    }
    m.sample('rivulet_checkpoints_completed_total', labels, job.commits);
    m.sample('rivulet_checkpoints_failed_total', labels, job.restarts + (job.status === 'FAILED' ? 1 : 0));
    m.histogram('rivulet_checkpoint_duration_seconds', labels, job.commitSeconds);

    const sources = job.cdcSources;
    if (sources.length > 0 || job.sourceToCommitSeconds.count > 0) {
      m.histogram('rivulet_source_to_commit_latency_seconds', labels, job.sourceToCommitSeconds);
    }
    for (const source of sources) {
      const { connection, target } = cdcSettings(source.table);
      const slotLabels = { ...labels, vertex: names.get(source.vertex) ?? source.vertex.name, slot: target.slot };
      const lag =
        source.caughtUp || source.lastCommitMicros === 0 ? 0 : Math.max(0, now / 1000 - source.lastCommitMicros / 1e6);
      m.sample('rivulet_cdc_source_lag_seconds', slotLabels, lag);
      const state = slots.get(connectionKey(connection))?.get(target.slot);
      m.sample('rivulet_cdc_slot_metrics_up', slotLabels, state ? 1 : 0);
      if (!state) continue;
      m.sample('rivulet_cdc_slot_retained_wal_bytes', slotLabels, state.retainedBytes);
      if (state.lagBytes !== undefined) m.sample('rivulet_cdc_lag_bytes', slotLabels, state.lagBytes);
    }
  }

  const memory = process.memoryUsage();
  const state = stateMemory();
  const spilled = state.spilled();
  const processWide: [string, MetricType, string, number][] = [
    ['rivulet_process_resident_memory_bytes', 'gauge', 'Resident set size of the engine process.', memory.rss],
    ['rivulet_process_heap_used_bytes', 'gauge', 'V8 heap in use by the engine process.', memory.heapUsed],
    ['rivulet_state_memory_used_bytes', 'gauge', 'Operator state held in memory (estimated heap bytes).', state.used],
    ['rivulet_state_memory_limit_bytes', 'gauge', 'The state memory budget (rivulet up --state-memory).', state.limit],
    ['rivulet_state_spilled_bytes', 'gauge', 'Operator state written to spill files, live records.', spilled.bytes],
    ['rivulet_state_spilled_keys', 'gauge', 'Keys of operator state that are on disk.', spilled.keys],
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
  return m.text();
}
