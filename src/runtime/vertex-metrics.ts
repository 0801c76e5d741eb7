import type { Change } from '../exec/change.ts';
import type { PlanNode } from '../plan/nodes.ts';
import { Histogram, LATENCY_SECONDS_BUCKETS } from './histogram.ts';

/** Records into and out of one vertex of a job graph since the graph was built (one run of a job). */
export interface VertexCounts {
  /** Changes pushed into the vertex: read from the source's topic or slot, or from upstream vertices. */
  recordsIn: number;
  /** Changes the vertex passed on: to downstream vertices, or (a sink) into the output of its next commit. */
  recordsOut: number;
}

const counts = new WeakMap<object, VertexCounts>();
const nodes = new WeakMap<object, PlanNode>();

/** Counts one batch through a vertex. */
export function countBatch(vertex: object, recordsIn: number, recordsOut: number): void {
  const current = counts.get(vertex);
  if (current) {
    current.recordsIn += recordsIn;
    current.recordsOut += recordsOut;
  } else counts.set(vertex, { recordsIn, recordsOut });
}

/** The counts of a vertex so far (zero before its first batch). */
export function vertexCounts(vertex: object): VertexCounts {
  return counts.get(vertex) ?? { recordsIn: 0, recordsOut: 0 };
}

const latencies = new WeakMap<object, Histogram>();

/**
 * Observes, for each change a vertex has just processed, the time since its source commit
 * (Change.time, ms since the epoch), or since `batchMillis` for a change without one.
 */
export function observeSourceLatency(
  vertex: object,
  changes: readonly Change[],
  batchMillis: number | undefined,
): void {
  let histogram = latencies.get(vertex);
  const now = Date.now();
  for (const change of changes) {
    const time = change.time ?? batchMillis;
    if (time === undefined) continue;
    if (!histogram) {
      histogram = new Histogram(LATENCY_SECONDS_BUCKETS);
      latencies.set(vertex, histogram);
    }
    histogram.observe(Math.max(0, now - time) / 1000);
  }
}

/** The source latency of the changes through a vertex so far, undefined before the first with a source time. */
export function vertexSourceLatency(vertex: object): Histogram | undefined {
  return latencies.get(vertex);
}

/** Remembers which plan node a vertex runs, for names in the REST API. */
export function setVertexNode(vertex: object, node: PlanNode): void {
  nodes.set(vertex, node);
}

export function vertexNode(vertex: object): PlanNode | undefined {
  return nodes.get(vertex);
}
