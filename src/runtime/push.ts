import type { Change } from '../exec/change.ts';
import { stateMemory } from '../state/state-memory.ts';
import type { JobGraph, OperatorVertex, Vertex } from './graph.ts';
import { lookupWithRetry } from './lookup-retry.ts';
import { addBusyTime, countBatch, observeSourceLatency } from './vertex-metrics.ts';

/**
 * Looks up the keys the lookup joins are missing and goes on with the changes waiting for them,
 * until no change waits; then ends the batch for each lookup join (its cache policy).
 */
export async function resolveLookups(graph: JobGraph, replaying = false): Promise<void> {
  for (;;) {
    const waiting = graph.lookups.filter((l) => l.operator.waiting);
    if (waiting.length === 0) break;
    for (const { vertex, operator, lookup, retry } of waiting) {
      const keys = operator.missingKeys();
      if (keys.length > 0) operator.fill(keys, await lookupWithRetry(lookup, keys, retry));
      const started = performance.now();
      const out = operator.resume();
      addBusyTime(vertex, performance.now() - started);
      graph.replay.active = replaying;
      try {
        for (const edge of vertex.outputs) push(edge.target, out, edge.input);
      } finally {
        graph.replay.active = false;
      }
    }
  }
  for (const { operator } of graph.lookups) operator.endBatch();
}

/**
 * Pushes changes into a vertex and on through the graph, collecting sink output in `pending`. An
 * operator that generates watermarks sends its new watermark downstream after its changes. Every
 * operator and sink observes the latency of each change it processed from its source commit
 * (Change.time; `sourceMillis`, the source time of the batch's newest change, where it has none).
 */
export function push(vertex: Vertex, changes: readonly Change[], input: number, sourceMillis?: number): void {
  if (changes.length === 0) return;
  switch (vertex.kind) {
    case 'sink':
      vertex.pending.push(...changes);
      countBatch(vertex, changes.length, changes.length);
      observeSourceLatency(vertex, changes, sourceMillis);
      return;
    case 'source':
      countBatch(vertex, changes.length, changes.length);
      for (const edge of vertex.outputs) push(edge.target, changes, edge.input, sourceMillis);
      return;
    case 'operator': {
      // Two clock readings per batch, not per change: the operator's busy time.
      const started = performance.now();
      const out = vertex.operator.process(changes, input);
      addBusyTime(vertex, performance.now() - started);
      // Between two operator calls no operator holds a state entry: entries may go to disk.
      stateMemory().enforce();
      countBatch(vertex, changes.length, out.length);
      observeSourceLatency(vertex, changes, sourceMillis);
      for (const edge of vertex.outputs) push(edge.target, out, edge.input, sourceMillis);
      const generated = vertex.operator.generatedWatermark?.();
      if (generated !== undefined && generated > vertex.watermark) sendWatermark(vertex, generated);
    }
  }
}

function sendWatermark(vertex: OperatorVertex, watermark: number): void {
  vertex.watermark = watermark;
  for (const edge of vertex.outputs) pushWatermark(edge.target, watermark, edge.slot);
}

/**
 * Delivers a watermark on one incoming edge (`slot`) of a vertex. An operator's watermark is the
 * minimum over its incoming edges (none until every edge has one); when it advances, the operator
 * sees it first (a window may fire), then it goes on downstream. Sinks need none, and an operator
 * that generates watermarks ignores those from upstream.
 */
export function pushWatermark(vertex: Vertex, watermark: number, slot: number): void {
  if (vertex.kind !== 'operator' || vertex.operator.generatedWatermark) return;
  const inputs = vertex.inputWatermarks;
  if (!(watermark > (inputs[slot] ?? Number.POSITIVE_INFINITY))) return;
  inputs[slot] = watermark;
  const combined = Math.min(...inputs);
  if (combined <= (vertex.inputWatermark ?? Number.NEGATIVE_INFINITY)) return;
  vertex.inputWatermark = combined;
  const started = performance.now();
  const out = vertex.operator.onWatermark?.(combined) ?? [];
  addBusyTime(vertex, performance.now() - started);
  countBatch(vertex, 0, out.length);
  for (const edge of vertex.outputs) push(edge.target, out, edge.input);
  const output = vertex.operator.outputWatermark?.(combined) ?? combined;
  if (output > vertex.watermark) sendWatermark(vertex, output);
}

/** Tells every operator with processing-time timers the time; true when any of them emitted changes. */
export function fireProcessingTime(graph: JobGraph, now: number): boolean {
  let emitted = false;
  for (const vertex of graph.operators) {
    if (!vertex.operator.onProcessingTime) continue;
    const started = performance.now();
    const out = vertex.operator.onProcessingTime(now);
    addBusyTime(vertex, performance.now() - started);
    if (out.length === 0) continue;
    emitted = true;
    countBatch(vertex, 0, out.length);
    for (const edge of vertex.outputs) push(edge.target, out, edge.input);
  }
  return emitted;
}

/**
 * Pushes changes of records that were processed before a restart, to rebuild state. The caller
 * discards what reaches the sinks; processing-time windows skip these rows (see WindowTableFunctionOperator).
 */
export function pushReplayed(graph: JobGraph, vertex: Vertex, changes: readonly Change[], input: number): void {
  graph.replay.active = true;
  try {
    push(vertex, changes, input);
  } finally {
    graph.replay.active = false;
  }
}
