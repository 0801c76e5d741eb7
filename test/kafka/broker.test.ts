import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
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

  it('restarts on the same port with its records', { timeout: 120_000 }, async () => {
    const admin = new Admin({ clientId: 'test', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['kept'], partitions: 1, replicas: 1 });
    await admin.close();
    const producer = new Producer({
      clientId: 'test',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
    });
    await producer.send({ messages: [{ topic: 'kept', key: 'k', value: 'before' }] });
    await producer.close();
    await broker.restart();
    const after = new Admin({ clientId: 'test', bootstrapBrokers: [broker.bootstrap] });
    const offsets = await after.listOffsets({
      topics: [{ name: 'kept', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    await after.close();
    assert.equal(offsets[0]?.partitions[0]?.offset, 1n);
  });

  it('stops when the process that started it is killed', async () => {
    const starter = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "const { startKafkaBroker } = await import('./scripts/kafka/broker.ts'); const broker = await startKafkaBroker(); console.log(broker.bootstrap, broker.dir); setInterval(() => {}, 1000);",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [bootstrap, dir] = await new Promise<[string, string]>((resolve, reject) => {
      let out = '';
      starter.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.match(/^(127\.0\.0\.1:\d+) (\S+)\n/m);
        if (line) resolve([line[1] as string, line[2] as string]);
      });
      starter.once('exit', (code) => reject(new Error(`the starter exited with ${code}: ${out}`)));
    });
    const [host, port] = bootstrap.split(':');
    const listening = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(Number(port), host);
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    assert.equal(await listening(), true);
    starter.kill('SIGKILL');
    const deadline = Date.now() + 30_000;
    while ((await listening()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await listening(), false, 'the broker still listens after its starter was killed');
    const gone = Date.now() + 10_000;
    while (existsSync(dir) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(existsSync(dir), false, `${dir} is left behind`);
  });
});
