import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/broker.ts';

describe('the local Kafka broker from Maven jars', () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await startKafkaBroker();
  });
  after(async () => {
    await broker?.stop();
  });

  it('is a real KRaft broker on loopback that takes topics and records', async () => {
    assert.match(broker.bootstrap, /^127\.0\.0\.1:\d+$/);
    const admin = new Admin({ clientId: 'test', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['smoke'], partitions: 2, replicas: 1 });
    const producer = new Producer({
      clientId: 'test',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
    });
    const result = await producer.send({ messages: [{ topic: 'smoke', key: 'k', value: 'v', partition: 1 }] });
    assert.equal(result.offsets?.[0]?.partition, 1);
    await producer.close();
    const topics = await admin.listTopics();
    assert.ok(topics.includes('smoke'));
    await admin.close();
  });
});
