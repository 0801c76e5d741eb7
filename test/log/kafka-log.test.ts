import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, mock } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { isRivuletError } from '../../src/common/errors.ts';
import type { CommittedTail } from '../../src/log/kafka/committed-tail.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import type { LogReader, LogRecord } from '../../src/log/log.ts';
import { logConformance } from './conformance.ts';

/** Small segments and an eager cleaner so that compaction happens within a test. */
const QUICK_COMPACTION = { 'segment.ms': '300', 'min.cleanable.dirty.ratio': '0.001', 'delete.retention.ms': '1000' };

/** One broker for the whole file, stopped after its last test. */
let brokerStarted: Promise<KafkaBroker> | undefined;
const sharedBroker = () => {
  brokerStarted ??= startKafkaBroker();
  return brokerStarted;
};
after(async () => {
  await (await brokerStarted)?.stop();
});

logConformance('kafka', async () => {
  const broker = await sharedBroker();
  const log = await KafkaLog.open(broker.bootstrap, { compactedTopicConfigs: QUICK_COMPACTION });
  const admin = new Admin({ clientId: 'rivulet-test-admin', bootstrapBrokers: [broker.bootstrap] });
  return {
    log,
    async deleteBefore(topic, partition, offset) {
      await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition, offset }] }] });
    },
    async compact(topic) {
      // Kafka compacts closed segments only: let the segment age, roll it with one more record,
      // then wait until the cleaner has kept one record per key.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await log.produce([{ topic, key: Buffer.from('__roll'), value: Buffer.from('x') }]);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const reader = await log.openReader(topic, { kind: 'earliest' });
        const seen: LogRecord[] = [];
        for (let i = 0; i < 10; i++) seen.push(...(await reader.poll(100, 100)));
        await reader.close();
        const perKey = new Map<string, number>();
        for (const record of seen)
          perKey.set(record.key?.toString() ?? '', (perKey.get(record.key?.toString() ?? '') ?? 0) + 1);
        if ([...perKey.values()].every((n) => n === 1)) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`topic ${topic} was not compacted within 30 s`);
    },
    async crashDuringTransaction(write) {
      const transactionalId = `crash-${Date.now()}`;
      const doomed = await KafkaLog.open(broker.bootstrap, { transactionalId });
      await write(doomed);
      // The process dies without ending its transaction. Its successor starts with the same
      // transactional id, which fences the dead writer and aborts what it left open.
      const successor = await KafkaLog.open(broker.bootstrap, { transactionalId });
      const fencing = await successor.beginTransaction();
      await fencing.abort();
      await successor.close();
      await doomed.close().catch(() => undefined);
    },
    async dispose() {
      await admin.close();
      await log.close();
    },
  };
});

describe('kafka log writers', () => {
  it('ends what a crashed writer left open when a writer of the same name begins, so readers go on', async () => {
    const broker = await sharedBroker();
    const transactionalId = `restart-${process.pid}`;
    const topic = `fenced_${process.pid}`;
    const other = `fenced_other_${process.pid}`;
    const crashed = await KafkaLog.open(broker.bootstrap, { transactionalId });
    await crashed.ensureTopic(topic);
    await crashed.ensureTopic(other);
    // Two jobs of the crashed process each leave a transaction open; only job-a starts again. Two
    // batches each, so that the first is not only held back but on the broker.
    const leaveOpen = async (writer: string, into: string) => {
      const transaction = await crashed.beginTransaction(writer);
      for (const batch of [1, 2]) {
        await transaction.produce([{ topic: into, key: null, value: Buffer.from(`${writer} ${batch}, left open`) }]);
      }
      return transaction;
    };
    await leaveOpen('job-b', other);
    const jobA = await leaveOpen('job-a', topic);
    const restarted = await KafkaLog.open(broker.bootstrap, { transactionalId });
    try {
      const again = await restarted.beginTransaction('job-a');
      await again.produce([{ topic, key: null, value: Buffer.from('a, after the restart') }]);
      await again.commit();
      // The crashed job-a is fenced: it can no longer commit, and its transaction is aborted now,
      // not when the broker times it out (up to 15 s later here, while it holds readers back).
      await assert.rejects(jobA.commit(), (error: unknown) => {
        const causes = (error as { errors?: { apiId?: string }[] }).errors ?? [];
        assert.ok(
          causes.some((cause) => cause.apiId === 'PRODUCER_FENCED'),
          `expected PRODUCER_FENCED, got ${(error as Error).message}`,
        );
        return true;
      });
      const reader = await restarted.openReader(topic, { kind: 'earliest' });
      const seen: LogRecord[] = [];
      const deadline = Date.now() + 15_000;
      while (seen.length === 0 && Date.now() < deadline) seen.push(...(await reader.poll(10, 200)));
      await reader.close();
      assert.deepEqual(
        seen.map((r) => r.value?.toString()),
        ['a, after the restart'],
      );
    } finally {
      await restarted.close();
      await crashed.close();
    }
  });
});

/** Polls into `seen` until it holds `count` records (15 s at most), and checks it does. */
async function readUpTo(reader: LogReader, seen: LogRecord[], count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (seen.length < count && Date.now() < deadline) seen.push(...(await reader.poll(100, 200)));
  assert.equal(seen.length, count, `read ${seen.map((r) => r.value?.toString()).join(', ')}`);
}

describe('kafka log readers of the writing process', () => {
  it('take committed records from memory, and fetch what other writers and aborted transactions put between', async () => {
    const broker = await sharedBroker();
    const topic = `memory_${process.pid}`;
    const log = await KafkaLog.open(broker.bootstrap);
    const elsewhere = await KafkaLog.open(broker.bootstrap);
    try {
      await log.ensureTopic(topic);
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const seen: LogRecord[] = [];
      const read = (count: number) => readUpTo(reader, seen, count);
      const commit = async (value: string, end: 'commit' | 'abort' = 'commit') => {
        const transaction = await log.beginTransaction('job');
        const bytes = Buffer.from(value);
        await transaction.produce([{ topic, key: null, value: bytes }]);
        await (end === 'commit' ? transaction.commit() : transaction.abort());
        return bytes;
      };
      const committed = [await commit('a'), await commit('b')];
      await read(2);
      // Taken when the commit returns, before the broker has written the markers that make the
      // records readable: the reader has the very buffers the writer gave.
      assert.ok(
        committed.some((bytes) => seen.some((record) => record.value === bytes)),
        'no record came from memory',
      );

      await log.produce([{ topic, key: null, value: Buffer.from('plain append') }]);
      await commit('c');
      await commit('aborted', 'abort');
      await commit('d');
      await elsewhere.produce([{ topic, key: null, value: Buffer.from('another process') }]);
      await commit('e');
      await read(7);
      // Nothing after the last commit of this process: the reader asks the broker now and then.
      await elsewhere.produce([{ topic, key: null, value: Buffer.from('another process, later') }]);
      await read(8);
      await reader.close();
      assert.deepEqual(
        seen.map((r) => r.value?.toString()),
        ['a', 'b', 'plain append', 'c', 'd', 'another process', 'e', 'another process, later'],
      );
      const offsets = seen.map((r) => r.offset);
      assert.deepEqual(
        offsets,
        [...offsets].sort((x, y) => (x < y ? -1 : 1)),
        'in offset order',
      );
    } finally {
      await elsewhere.close();
      await log.close();
    }
  });
  it("take from memory what another thread's log of the process committed, in order with other writers' records", async () => {
    const broker = await sharedBroker();
    const topic = `shared_${process.pid}`;
    const shareChannel = `test-${randomUUID()}`;
    const writer = await KafkaLog.open(broker.bootstrap, { shareChannel });
    const log = await KafkaLog.open(broker.bootstrap, { shareChannel });
    const elsewhere = await KafkaLog.open(broker.bootstrap);
    try {
      await log.ensureTopic(topic);
      const kept = mock.method((log as unknown as { tail: CommittedTail }).tail, 'add');
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const seen: LogRecord[] = [];
      const read = (count: number) => readUpTo(reader, seen, count);
      const commit = async (value: string) => {
        const transaction = await writer.beginTransaction('job');
        await transaction.produce([{ topic, key: Buffer.from('k'), value: Buffer.from(value), partition: 0 }]);
        await transaction.commit();
      };
      await commit('a');
      await commit('b');
      await read(2);
      // A topic no reader of this log reads: its records are not kept here.
      await writer.ensureTopic(`${topic}_unread`);
      const unread = await writer.beginTransaction('job');
      await unread.produce([{ topic: `${topic}_unread`, key: null, value: Buffer.from('unread'), partition: 0 }]);
      await unread.commit();
      await elsewhere.produce([{ topic, key: null, value: Buffer.from('another process'), partition: 0 }]);
      await commit('c');
      await read(4);
      await reader.close();
      assert.deepEqual(
        seen.map((r) => [r.key?.toString() ?? null, r.value?.toString()]),
        [
          ['k', 'a'],
          ['k', 'b'],
          [null, 'another process'],
          ['k', 'c'],
        ],
      );
      assert.ok(seen.every((r) => r.value === null || Buffer.isBuffer(r.value)));
      assert.deepEqual(
        kept.mock.calls.map((call) => call.arguments[2].records.map((r) => r.value?.toString())),
        [['a'], ['b'], ['c']],
        "the reading log kept the other thread's commits of the topic it reads",
      );
    } finally {
      await Promise.all([writer.close(), log.close(), elsewhere.close()]);
    }
  });
  it('look at the broker for other writers also while commits of the process keep coming', async () => {
    const broker = await sharedBroker();
    const topic = `memory_busy_${process.pid}`;
    const log = await KafkaLog.open(broker.bootstrap);
    const elsewhere = await KafkaLog.open(broker.bootstrap);
    try {
      await log.ensureTopic(topic, { partitions: 2 });
      const reader = await log.openReader(topic, { kind: 'earliest' });
      let writing = true;
      // This process commits to partition 0 every 20 ms, more often than the reader's look at the broker.
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const transaction = await log.beginTransaction('busy');
          await transaction.produce([{ topic, key: null, value: Buffer.from(`own ${i}`), partition: 0 }]);
          await transaction.commit();
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await elsewhere.produce([{ topic, key: null, value: Buffer.from('from elsewhere'), partition: 1 }]);
        const sent = Date.now();
        let found = false;
        while (!found && Date.now() - sent < 3_000) {
          found = (await reader.poll(1000, 100)).some((record) => record.value?.toString() === 'from elsewhere');
        }
        assert.ok(found, 'the other writer’s record did not come while this process kept committing');
      } finally {
        writing = false;
        await writer;
        await reader.close();
      }
    } finally {
      await elsewhere.close();
      await log.close();
    }
  });
});

describe('the cluster of a kafka log', () => {
  it('serves the brokers it was opened with, and other names of brokers of the same cluster, and no others', async () => {
    const broker = await sharedBroker();
    const log = await KafkaLog.open(broker.bootstrap);
    try {
      const port = broker.bootstrap.split(':')[1];
      assert.equal(await log.servesBrokers(broker.bootstrap), true);
      assert.equal(await log.servesBrokers(`127.0.0.1:1, 127.0.0.1:${port}`), true, 'one of a list');
      assert.equal(
        await log.servesBrokers(`localhost:${port}`),
        true,
        'another name of the broker: it answers with the same cluster id',
      );
      assert.equal(await log.servesBrokers('127.0.0.1:1'), false, 'no broker there');
    } finally {
      await log.close();
    }
  });
});

describe('kafka log errors', () => {
  it('names brokers it cannot reach', async () => {
    await assert.rejects(KafkaLog.open('127.0.0.1:1'), (error: unknown) => {
      assert.ok(isRivuletError(error));
      assert.equal(error.code, 'LOG_UNREACHABLE');
      assert.match(error.message, /cannot reach the Kafka brokers 127\.0\.0\.1:1/);
      return true;
    });
  });
});
