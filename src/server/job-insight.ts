import { bucketQuantile } from '../common/bucket-quantile.ts';
import type { TableReference } from '../plan/nodes.ts';
import type { Vertex } from '../runtime/graph.ts';
import type { JobHandle } from '../runtime/job-handle.ts';
import {
  type VertexTimeFigures,
  vertexPending,
  vertexSourceLatency,
  vertexStateSize,
  vertexTimes,
} from '../runtime/vertex-metrics.ts';
import { graphVertices } from './vertices.ts';

/** Rivulet's own figures of a vertex for the dashboard: `rivulet` beside Flink's `metrics` in /jobs/:id. */
export function vertexInsight(vertex: Vertex, times: VertexTimeFigures = vertexTimes(vertex)) {
  const buckets = vertexSourceLatency(vertex)?.cumulative() ?? [];
  const millis = (q: number) => {
    const seconds = bucketQuantile(buckets, q);
    return seconds === undefined ? null : Math.round(seconds * 1000);
  };
  const state = vertexStateSize(vertex);
  return {
    kind: vertex.kind,
    'latency-p50': millis(0.5),
    'latency-p99': millis(0.99),
    // Back-pressure as Rivulet sees it: changes at a sink waiting for the next commit.
    'pending-output': vertex.kind === 'sink' ? vertexPending(vertex) : null,
    // Flink's gauges, over the latest one to two seconds (a source's busy time is not measured).
    busyTimeMsPerSecond: vertex.kind === 'source' ? null : times.busyMsPerSecond,
    backPressuredTimeMsPerSecond: times.backPressuredMsPerSecond,
    // Keyed state: null for a vertex that keeps none.
    'state-size': state?.memoryBytes ?? null,
    'spilled-bytes': state?.spilledBytes ?? null,
  };
}

/** Where a table lives: its connector, and the database or topic it names (never a password). */
export function tableOf(table: TableReference, role: 'source' | 'sink') {
  const option = (key: string) => {
    const value = table.connector.get(key);
    return value === undefined ? undefined : String(value);
  };
  const connector = table.connector.factory.identifier;
  const host = option('hostname');
  const database =
    option('url') ??
    (host !== undefined ? `${host}:${option('port') ?? 5432}/${option('database-name') ?? ''}` : undefined);
  return { name: table.name, role, connector, database: database ?? null, topic: option('topic') ?? null };
}

/** The tables a job reads and writes, from its latest graph. */
export function jobTables(job: JobHandle) {
  return graphVertices(job).flatMap(({ vertex }) => {
    if (vertex.kind === 'source') return [tableOf(vertex.scan.table, 'source')];
    if (vertex.kind === 'sink') return [tableOf(vertex.sink.table, 'sink')];
    return [];
  });
}

/** Rivulet's own figures of a job for the dashboard: `rivulet` in /jobs/:id (which adds its script) and /events. */
export function jobInsight(job: JobHandle) {
  const sinks = job.currentGraph?.sinks ?? [];
  return {
    // The worker thread that runs the job (rivulet up --workers); null on the engine's own thread.
    worker: job.worker ?? null,
    restarts: job.restarts,
    'records-in': job.stats.recordsIn,
    'records-out': job.stats.recordsOut,
    'dead-letters': [...job.stats.deadLetters.values()].reduce((sum, n) => sum + n, 0),
    'pending-output': sinks.reduce((n, sink) => n + vertexPending(sink), 0),
    tables: jobTables(job),
  };
}
