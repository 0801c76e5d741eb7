/**
 * A Kafka transaction that fails while its offset commit is still under way must not end before
 * that commit settles: the Kafka client retries the commit on its own, and a retry that finds its
 * transaction aborted throws outside any promise, ending the process. The client here is a stand-in
 * whose write fails at once while its offset commit takes a while, an order a real broker gives
 * only now and then (a broker restart between the two).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaTransaction } from '../../src/log/kafka/kafka-log.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a kafka log transaction whose write fails beside its offset commit', () => {
  it('raises the failure only once the offset commit has settled, so that the abort after it is safe, and drops its producer', async () => {
    const events: string[] = [];
    const log = {
      prepareMessages: async () => [{ messages: [] }],
      groupClient: () => ({ findGroupCoordinator: async () => 1 }),
      sent: () => [],
      committed: () => undefined,
    };
    const transaction = {
      addConsumer: async () => undefined,
      send: async () => {
        events.push('write failed');
        throw new Error('NOT_LEADER_OR_FOLLOWER');
      },
      addOffset: async () => {
        await sleep(50);
        events.push('offset commit settled');
      },
      abort: async () => {
        events.push('aborted');
      },
      cancel: async () => undefined,
      commit: async () => undefined,
    };
    const released: boolean[] = [];
    const tx = new KafkaTransaction(
      log as unknown as ConstructorParameters<typeof KafkaTransaction>[0],
      'job',
      transaction as unknown as ConstructorParameters<typeof KafkaTransaction>[2],
      (healthy) => released.push(healthy),
    );
    await tx.produce([{ topic: 't', key: null, value: null }] as unknown as Parameters<typeof tx.produce>[0]);
    await assert.rejects(tx.commitPositions('g', 't', new Map([[0, 5n]])), /NOT_LEADER_OR_FOLLOWER/);
    events.push('failure raised');
    await tx.abort();
    assert.deepEqual(events, ['write failed', 'offset commit settled', 'failure raised', 'aborted']);
    // The producer that failed is closed rather than kept for the job's next transaction.
    assert.deepEqual(released, [false]);
  });
});
