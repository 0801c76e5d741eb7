/**
 * The topic tail on a kafka log shows record headers decoded: a record written by another producer
 * with headers (a UTF-8 one, one that is not UTF-8, one with a null value), as Kafka keeps them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Producer } from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';
import { KafkaLog } from '../../src/log/kafka/kafka-log.ts';
import { topicTail } from '../../src/server/topic-tail.ts';

describe('the topic tail on a kafka log', () => {
  let broker: KafkaBroker;
  let log: KafkaLog | undefined;
  before(async () => {
    broker = await startKafkaBroker();
  });
  after(async () => {
    await log?.close();
    await broker?.stop();
  });

  it("decodes each record's headers, in their order, and says the log keeps them", async () => {
    const admin = new Admin({ clientId: 'test', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['with_headers'], partitions: 1, replicas: 1 });
    await admin.close();
    const producer = new Producer({ clientId: 'test', bootstrapBrokers: [broker.bootstrap] });
    await producer.send({
      messages: [
        {
          topic: 'with_headers',
          key: Buffer.from('k-1'),
          value: Buffer.from('{"id":1}'),
          headers: new Map<Buffer, Buffer>([
            [Buffer.from('trace-id'), Buffer.from('abc-123')],
            [Buffer.from('raw'), Buffer.from([0xff, 0x00])],
          ]),
        },
        { topic: 'with_headers', key: Buffer.from('k-2'), value: Buffer.from('{"id":2}') },
      ],
    });
    await producer.close();
    log = await KafkaLog.open(broker.bootstrap);
    const tail = await topicTail(log, 'with_headers', 10, undefined);
    assert.equal(tail['log-headers'], true);
    const byKey = new Map(tail.records.map((record) => [record.key.text, record.headers]));
    assert.deepEqual(byKey.get('k-1'), [
      { key: { text: 'trace-id', encoding: 'utf8' }, value: { text: 'abc-123', encoding: 'utf8' } },
      { key: { text: 'raw', encoding: 'utf8' }, value: { text: 'ff00', encoding: 'hex' } },
    ]);
    assert.deepEqual(byKey.get('k-2'), []);
  });
});
