import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseSlot, type PlacementSlot } from '../../src/runtime/workers/placement.ts';

/** A worker with jobs, each given as the topics it writes or reads. */
const slot = (...jobs: string[][]): PlacementSlot => ({
  jobs: new Map(jobs.map((topics, i) => [`job${i}`, { topics: new Set(topics) }])),
});

describe('placement of jobs on workers', () => {
  it('puts a job that shares no topic on the worker with the fewest jobs, the first on a tie', () => {
    const slots = [slot(['a'], ['b']), slot(['c']), slot(['d'])];
    assert.equal(chooseSlot(slots, new Set(['x'])), slots[1]);
    assert.equal(chooseSlot(slots, new Set()), slots[1]);
    const empty = [slot(), slot()];
    assert.equal(chooseSlot(empty, new Set(['a'])), empty[0]);
  });

  it('puts a job with the jobs it shares a topic with, however many they are', () => {
    const slots = [slot(['ods_orders'], ['ods_orders', 'dwd_orders'], ['x']), slot(['ods_users'])];
    assert.equal(chooseSlot(slots, new Set(['dwd_orders'])), slots[0]);
  });

  it('between workers it is connected to, chooses the one with more jobs connected through topics', () => {
    // The seed's pipeline: orders CDC and DWD on worker 1, users CDC on worker 2; the join reads
    // dwd_orders and ods_users: two connected jobs on worker 1 (DWD, and orders CDC through it), one on worker 2.
    const slots = [slot(['ods_orders'], ['ods_orders', 'dwd_orders']), slot(['ods_users'])];
    assert.equal(chooseSlot(slots, new Set(['dwd_orders', 'ods_users', 'dws_orders'])), slots[0]);
    // Two jobs on each side: the first worker.
    const even = [slot(['a'], ['a', 'b']), slot(['c'], ['c', 'd'])];
    assert.equal(chooseSlot(even, new Set(['b', 'd'])), even[0]);
  });
});
