import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import type { WorkerSlot } from '../../src/runtime/workers/pool.ts';

/** The thread of a place of the pool that has a job: it has started. */
export function threadOf(slot: WorkerSlot | undefined): Worker {
  const thread = slot?.thread;
  assert.ok(thread, 'the worker of a placed job has started');
  return thread;
}
