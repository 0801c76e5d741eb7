import { parentPort } from 'node:worker_threads';

/**
 * A worker of the pool (see src/runtime/workers/pool.ts) that has started and then never
 * answers: as one whose thread is busy with a long batch.
 */
parentPort?.postMessage({
  kind: 'states',
  jobs: [],
  memory: { used: 0, limit: 0, spilledBytes: 0, spilledKeys: 0, spilledEntries: 0, restoredEntries: 0, heapUsed: 0 },
});
parentPort?.on('message', () => undefined);
