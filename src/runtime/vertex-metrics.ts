import type { Change } from '../exec/change.ts';
import type { PlanNode } from '../plan/nodes.ts';
import type { SpillableState } from '../state/state-memory.ts';
import { Histogram, type HistogramSnapshot, LATENCY_SECONDS_BUCKETS } from './histogram.ts';

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
  const figures = remote.get(vertex);
  if (figures) return figures.counts;
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
  return remoteLatencies.get(vertex) ?? latencies.get(vertex);
}

/** Remembers which plan node a vertex runs, for names in the REST API. */
export function setVertexNode(vertex: object, node: PlanNode): void {
  nodes.set(vertex, node);
}

export function vertexNode(vertex: object): PlanNode | undefined {
  return nodes.get(vertex);
}

/**
 * Where a vertex's wall time went since it was built, in milliseconds, as Flink's
 * accumulated-busy-time and accumulated-backpressured-time: `busy` processing (an operator's calls,
 * a sink's writes and commits), `backPressured` waiting because output could not be written yet (a
 * source whose next read waits for the commit of what it handed over).
 */
interface VertexTimes {
  readonly startedAt: number;
  busy: number;
  backPressured: number;
  /** Two readings, for figures per second over the latest one to two seconds (see vertexTimes). */
  older: TimesReading;
  newer: TimesReading;
}

interface TimesReading {
  readonly at: number;
  readonly busy: number;
  readonly backPressured: number;
}

const times = new WeakMap<object, VertexTimes>();

function timesOf(vertex: object): VertexTimes {
  let known = times.get(vertex);
  if (!known) {
    const at = performance.now();
    const reading = { at, busy: 0, backPressured: 0 };
    known = { startedAt: at, busy: 0, backPressured: 0, older: reading, newer: reading };
    times.set(vertex, known);
  }
  return known;
}

/** Starts a vertex's clock: its idle time counts from now. */
export function startVertexClock(vertex: object): void {
  timesOf(vertex);
}

/** Adds time a vertex spent processing (milliseconds, from two performance.now() readings). */
export function addBusyTime(vertex: object, millis: number): void {
  timesOf(vertex).busy += millis;
}

/** Adds time a vertex waited because its output could not be written yet. */
export function addBackPressuredTime(vertex: object, millis: number): void {
  timesOf(vertex).backPressured += millis;
}

/** A vertex's times since it was built, and per second of wall time over the latest one to two seconds. */
export interface VertexTimeFigures {
  readonly busyMs: number;
  readonly backPressuredMs: number;
  readonly idleMs: number;
  readonly busyMsPerSecond: number;
  readonly backPressuredMsPerSecond: number;
}

export function vertexTimes(vertex: object, now = performance.now()): VertexTimeFigures {
  const figures = remote.get(vertex);
  if (figures) return figures.times;
  const known = timesOf(vertex);
  if (now - known.newer.at >= 1000) {
    known.older = known.newer;
    known.newer = { at: now, busy: known.busy, backPressured: known.backPressured };
  }
  const window = now - known.older.at;
  const perSecond = (value: number, before: number) =>
    window > 0 ? Math.min(1000, Math.round(((value - before) / window) * 1000)) : 0;
  return {
    busyMs: Math.round(known.busy),
    backPressuredMs: Math.round(known.backPressured),
    idleMs: Math.max(0, Math.round(now - known.startedAt - known.busy - known.backPressured)),
    busyMsPerSecond: perSecond(known.busy, known.older.busy),
    backPressuredMsPerSecond: perSecond(known.backPressured, known.older.backPressured),
  };
}

const states = new WeakMap<object, readonly SpillableState[]>();

/** Remembers the keyed states an operator vertex keeps, for its state size in the REST API. */
export function setVertexStates(vertex: object, kept: readonly SpillableState[]): void {
  if (kept.length > 0) states.set(vertex, kept);
}

interface StateSize {
  readonly memoryBytes: number;
  readonly spilledBytes: number;
}

/**
 * Bytes of a vertex's keyed state in memory (estimated, as the state memory budget counts them)
 * and on disk; undefined for a vertex that keeps none.
 */
export function vertexStateSize(vertex: object): StateSize | undefined {
  const figures = remote.get(vertex);
  if (figures) return figures.state;
  const kept = states.get(vertex);
  if (!kept) return undefined;
  let memoryBytes = 0;
  let spilledBytes = 0;
  for (const state of kept) {
    memoryBytes += state.residentBytes;
    spilledBytes += state.spilledBytes;
  }
  return { memoryBytes, spilledBytes };
}

/** Changes at a sink vertex waiting for the next commit. */
export function vertexPending(vertex: { readonly pending: readonly unknown[] }): number {
  return remote.get(vertex)?.pending ?? vertex.pending.length;
}

/**
 * Everything above about one vertex, as plain data: what a worker sends each tick for the vertices
 * of its jobs, so that the same vertex of the job's graph on the engine's main thread answers the
 * REST API and /metrics as the running one would.
 */
export interface VertexFigures {
  readonly counts: VertexCounts;
  readonly latency: HistogramSnapshot | undefined;
  readonly times: VertexTimeFigures;
  readonly state: StateSize | undefined;
  readonly pending: number;
}

const remote = new WeakMap<object, VertexFigures>();
const remoteLatencies = new WeakMap<object, Histogram>();

/** The figures of a vertex of a graph that runs in this thread. */
export function vertexFigures(vertex: object & { readonly pending?: readonly unknown[] }): VertexFigures {
  return {
    counts: { ...vertexCounts(vertex) },
    latency: vertexSourceLatency(vertex)?.snapshot(),
    times: vertexTimes(vertex),
    state: vertexStateSize(vertex),
    pending: vertex.pending?.length ?? 0,
  };
}

/** Makes a vertex (of a graph that runs in a worker) answer with the figures the worker sent. */
export function setRemoteFigures(vertex: object, figures: VertexFigures): void {
  remote.set(vertex, figures);
  if (!figures.latency) return;
  let latency = remoteLatencies.get(vertex);
  if (!latency) {
    latency = new Histogram(LATENCY_SECONDS_BUCKETS);
    remoteLatencies.set(vertex, latency);
  }
  latency.load(figures.latency);
}
