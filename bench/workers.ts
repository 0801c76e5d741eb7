import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Measurement } from './harness.ts';

const ENTRY = new URL('../src/runtime/workers/entry.js', import.meta.url);
const PROBE = new URL('./worker-probe.ts', import.meta.url).href;
const WORKERS = 2;
const MESSAGES = 5_000;

interface Ready {
  readonly kind: 'ready';
  readonly rss: number;
  readonly heap: number;
}

/** One worker of either kind, with the same three operations. */
interface Probe {
  readonly ready: Promise<Ready>;
  send(message: unknown): void;
  next(): Promise<unknown>;
  stop(): Promise<void>;
}

function threadProbe(): Probe {
  const worker = new Worker(ENTRY, { workerData: { main: PROBE } });
  return {
    ready: once(worker, 'message').then(([m]) => m as Ready),
    send: (m) => worker.postMessage(m),
    next: () => once(worker, 'message').then(([m]) => m),
    stop: async () => {
      await worker.terminate();
    },
  };
}

function processProbe(): Probe {
  const child: ChildProcess = fork(ENTRY, {
    serialization: 'advanced',
    execArgv: [],
    env: { ...process.env, RIVULET_WORKER_MAIN: PROBE },
  });
  return {
    ready: once(child, 'message').then(([m]) => m as Ready),
    send: (m) => child.send(m as object),
    next: () => once(child, 'message').then(([m]) => m),
    stop: async () => {
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/**
 * A job's snapshot as a worker sends it each second: its stats with the latest 100 commits and
 * the figures of 8 vertices (what GET /jobs/:id, /metrics and the dashboard read).
 */
function snapshot(): unknown {
  const buckets = Array.from({ length: 14 }, (_, i) => i * 10);
  return {
    kind: 'snapshot',
    id: 'f'.repeat(32),
    status: 'RUNNING',
    stats: {
      recordsIn: 123_456,
      recordsOut: 123_000,
      commits: 5_000,
      recentCommits: Array.from({ length: 100 }, (_, id) => ({
        id,
        completedAt: Date.now(),
        millis: 2.5,
        records: 500,
        positions: [{ source: 'orders_source', position: 'partition 0 at offset 123456' }],
      })),
      commitSeconds: buckets,
      sourceToCommitSeconds: buckets,
    },
    vertices: Array.from({ length: 8 }, () => ({
      recordsIn: 1000,
      recordsOut: 1000,
      latency: buckets,
      times: { busyMs: 1, backPressuredMs: 2, idleMs: 3, busyMsPerSecond: 4, backPressuredMsPerSecond: 5 },
      state: { memoryBytes: 1, spilledBytes: 0 },
      pending: 0,
    })),
  };
}

async function measure(kind: string, make: () => Probe): Promise<Measurement[]> {
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const probes = Array.from({ length: WORKERS }, make);
  const ready = await Promise.all(probes.map((probe) => probe.ready));
  // Wall time of all starting at once: they share the cores, so it is no one worker's start-up.
  const startMillis = performance.now() - started;
  // A thread shares this process: its cost is what the process grew by; a child reports its own.
  const perWorker =
    kind === 'worker_threads'
      ? (process.memoryUsage().rss - before) / WORKERS
      : ready.reduce((sum, r) => sum + r.rss, 0) / WORKERS;
  const probe = probes[0] as Probe;
  const message = snapshot();
  const sent = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    probe.send(message);
    await probe.next();
  }
  const roundTrip = ((performance.now() - sent) * 1000) / MESSAGES;
  await Promise.all(probes.map((each) => each.stop()));
  return [
    {
      name: `workers ${kind}: ${WORKERS} started at once, until all have the engine's modules loaded (wall time)`,
      value: startMillis,
      unit: 'ms',
    },
    { name: `workers ${kind}: memory per worker (RSS)`, value: perWorker / 2 ** 20, unit: 'MiB' },
    {
      name: `workers ${kind}: a job snapshot (100 commits, 8 vertices) sent and answered`,
      value: roundTrip,
      unit: 'µs',
    },
  ];
}

/** What one worker costs as a thread and as a child process: start-up, memory, and a snapshot's round trip. */
export async function workerBenchmarks(): Promise<Measurement[]> {
  return [...(await measure('worker_threads', threadProbe)), ...(await measure('child_process', processProbe))];
}
