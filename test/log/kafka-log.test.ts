import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { isRivuletError } from '../../src/common/errors.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import type { LogRecord } from '../../src/log/log.ts';
import { logConformance } from './conformance.ts';

/** Small segments and an eager cleaner so that compaction happens within a test. */
const QUICK_COMPACTION = { 'segment.ms': '300', 'min.cleanable.dirty.ratio': '0.001', 'delete.retention.ms': '1000' };

logConformance('kafka', async () => {
  const broker: KafkaBroker = await startKafkaBroker();
  const log = await KafkaLog.open(broker.bootstrap, { compactedTopicConfigs: QUICK_COMPACTION });
  return {
    log,
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
      await log.close();
      await broker.stop();
    },
  };
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
