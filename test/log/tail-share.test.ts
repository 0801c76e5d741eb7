import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it, mock } from 'node:test';
import type { LogRecord } from '../../src/log/log.ts';
import { PostgresLog } from '../../src/log/postgres/postgres-log.ts';
import { GRACE_MS, type TailShare } from '../../src/log/postgres/tail-share.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

/** Polls until `count` records are read, or 10 s pass. */
async function readCount(reader: { poll(max: number, ms: number): Promise<LogRecord[]> }, count: number) {
  const out: LogRecord[] = [];
  const deadline = Date.now() + 10_000;
  while (out.length < count && Date.now() < deadline) out.push(...(await reader.poll(1_000, 200)));
  return out;
}

const text = (record: LogRecord) => [record.key?.toString(), record.value?.toString()];

/** Calls of the log's table reads (its readers' `fetch`), counted without changing them. */
const countFetches = (log: PostgresLog) => mock.method(log, 'fetch');

/** Lets the logs' channel deliver what was posted (their hellos) before the test writes. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('tail shared by the logs of one process', () => {
  let server: TestPostgres;
  let url: string;
  before(async () => {
    server = await startTestPostgres();
    const admin = await server.connect();
    await admin.query('CREATE DATABASE rivulet');
    url = server.server.url('rivulet');
  });
  after(() => server.dispose());

  /**
   * Two logs of one process sharing a channel, as two workers' are: `writer`, and `reading` with a
   * reader of `topic` that has read the empty table once (so that what follows comes by the share
   * or by a notification), both having heard each other's hello.
   */
  async function peers(topic: string, partitions = 1) {
    const shareChannel = `test-${randomUUID()}`;
    const writer = await PostgresLog.open(url, { maintenanceIntervalMs: 0, shareChannel });
    const reading = await PostgresLog.open(url, { maintenanceIntervalMs: 0, shareChannel });
    await writer.ensureTopic(topic, { partitions });
    const reader = await reading.openReader(topic, { kind: 'earliest' });
    assert.deepEqual(await reader.poll(100, 50), []);
    await settle();
    return {
      writer,
      reading,
      reader,
      close: async () => {
        await reader.close();
        await Promise.all([writer.close(), reading.close()]);
      },
    };
  }

  it("reads a peer's commit from memory, as its own, and a stranger's from the table", async () => {
    const { writer, reading, reader, close } = await peers('shared', 2);
    const stranger = await PostgresLog.open(url, { maintenanceIntervalMs: 0 });
    try {
      const fetches = countFetches(reading);

      const transaction = await writer.beginTransaction();
      await transaction.produce([
        { topic: 'shared', key: Buffer.from('a'), value: Buffer.from('1'), partition: 0 },
        { topic: 'shared', key: Buffer.from('b'), value: null, partition: 1 },
      ]);
      await transaction.commit();
      const shared = await readCount(reader, 2);
      assert.deepEqual(shared.map(text).sort(), [
        ['a', '1'],
        ['b', undefined],
      ]);
      assert.ok(shared.every((record) => Buffer.isBuffer(record.key)));
      assert.deepEqual(shared.map((record) => `${record.partition}@${record.offset}`).sort(), ['0@0', '1@0']);
      // The peer's notification arrives too, and is not a reason to read the table.
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 2));
      assert.deepEqual(await reader.poll(100, 50), []);
      assert.equal(fetches.mock.callCount(), 0);

      await stranger.produce([{ topic: 'shared', key: Buffer.from('c'), value: Buffer.from('3'), partition: 0 }]);
      assert.deepEqual((await readCount(reader, 1)).map(text), [['c', '3']]);
      assert.ok(fetches.mock.callCount() > 0, 'a write of another process is read from the table');
    } finally {
      await Promise.all([close(), stranger.close()]);
    }
  });

  it("reads from the table a peer's commit whose records never came (its thread ended before sending)", async () => {
    const { writer, reading, reader, close } = await peers('lost-send');
    try {
      // The writer commits but its send never happens, as in a worker terminated right after its commit.
      const share = (writer as unknown as { share: TailShare }).share;
      mock.method(share, 'publish', () => undefined);
      const fetches = countFetches(reading);
      await writer.produce([{ topic: 'lost-send', key: Buffer.from('k'), value: Buffer.from('v') }]);
      const started = Date.now();
      assert.deepEqual((await readCount(reader, 1)).map(text), [['k', 'v']]);
      assert.ok(Date.now() - started >= GRACE_MS - 5, 'the notification waited for the records first');
      assert.ok(fetches.mock.callCount() > 0);
    } finally {
      await close();
    }
  });

  it('a transaction of many statements, with more records than are kept, is read whole', async () => {
    const { writer, reader, close } = await peers('big');
    try {
      const transaction = await writer.beginTransaction();
      const batches = 6;
      const size = 4_000;
      for (let b = 0; b < batches; b++) {
        await transaction.produce(
          Array.from({ length: size }, (_, i) => ({
            topic: 'big',
            key: Buffer.from(String(b * size + i)),
            value: Buffer.from('x'),
          })),
        );
      }
      await transaction.commit();
      const records = await readCount(reader, batches * size);
      assert.equal(records.length, batches * size);
      assert.deepEqual(
        records.map((record) => Number(record.offset)),
        records.map((_, i) => i),
      );
      assert.deepEqual(await reader.poll(100, GRACE_MS * 2), []);
    } finally {
      await close();
    }
  });
});
