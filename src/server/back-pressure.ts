import type { Vertex } from '../runtime/graph.ts';
import { vertexTimes } from '../runtime/vertex-metrics.ts';

/** Flink's levels: up to 10% of the time back-pressured is ok, up to 50% low, above that high. */
function level(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

/**
 * GET /jobs/:id/vertices/:vid/backpressure as Flink answers it from its back-pressure gauges: one
 * subtask (Rivulet runs a vertex once), its share of the latest one to two seconds back-pressured,
 * idle and busy (a source's busy time is not measured: its idle and busy ratios are 0).
 */
export function vertexBackPressure(vertex: Vertex, now = Date.now()) {
  const times = vertexTimes(vertex);
  const ratio = times.backPressuredMsPerSecond / 1000;
  const busyRatio = vertex.kind === 'source' ? 0 : times.busyMsPerSecond / 1000;
  const idleRatio = vertex.kind === 'source' ? 0 : Math.max(0, 1 - ratio - busyRatio);
  return {
    status: 'ok',
    'backpressure-level': level(ratio),
    'end-timestamp': now,
    subtasks: [
      {
        subtask: 0,
        'attempt-number': 0,
        'backpressure-level': level(ratio),
        ratio,
        idleRatio,
        busyRatio,
      },
    ],
  };
}
