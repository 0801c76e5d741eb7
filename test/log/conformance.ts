import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRivuletError } from '../../src/common/errors.ts';
import type { Log, LogReader, LogRecord } from '../../src/log/log.ts';
import { partitionForKey } from '../../src/log/partitioner.ts';

/** What the conformance suite needs from one log implementation. */
export interface LogUnderTest {
  readonly log: Log;
  /** Runs compaction now (or waits until the implementation has compacted). */
  compact(topic: string): Promise<void>;
  /** Removes a partition's records before an offset, as retention does. */
  deleteBefore(topic: string, partition: number, offset: bigint): Promise<void>;
  /** Simulates a crash in the middle of a transaction: its connection is gone, nothing committed. */
  crashDuringTransaction(write: (log: Log) => Promise<void>): Promise<void>;
  dispose(): Promise<void>;
}

const text = (value: string) => Buffer.from(value, 'utf8');

async function readAll(reader: LogReader, expected: number, timeoutMs = 10_000): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < expected && Date.now() < deadline) out.push(...(await reader.poll(1000, 200)));
  return out;
}

let counter = 0;
const topicName = (what: string) => `conformance_${what}_${process.pid}_${counter++}`;

/** The behaviour every log must have; run once per implementation. */
export function logConformance(name: string, open: () => Promise<LogUnderTest>): void {
  describe(`log conformance: ${name}`, () => {
    let subject: LogUnderTest;
    let log: Log;
    before(async () => {
      subject = await open();
      log = subject.log;
    });
    after(async () => {
      await subject?.dispose();
    });

    it('reads records back in order with contiguous offsets from 0', async () => {
      const topic = topicName('order');
      await log.ensureTopic(topic);
      await log.produce(Array.from({ length: 50 }, (_, i) => ({ topic, key: null, value: text(`v${i}`) })));
      await log.produce([{ topic, key: text('k'), value: text('v50') }]);
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const records = await readAll(reader, 51);
      assert.deepEqual(
        records.map((r) => r.offset),
        Array.from({ length: 51 }, (_, i) => BigInt(i)),
      );
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        Array.from({ length: 51 }, (_, i) => `v${i}`),
      );
      assert.equal(records[50]?.key?.toString(), 'k');
      assert.deepEqual(reader.positions(), new Map([[0, 51n]]));
      await reader.close();
    });

    it('partitions keyed records by murmur2 of the key, as Kafka does', async () => {
      const topic = topicName('partitions');
      await log.ensureTopic(topic, { partitions: 4 });
      assert.equal(await log.partitions(topic), 4);
      const keys = Array.from({ length: 40 }, (_, i) => `{"order_id":${2000 + i}}`);
      await log.produce(keys.map((key) => ({ topic, key: text(key), value: text('x') })));
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const records = await readAll(reader, 40);
      assert.equal(records.length, 40);
      for (const record of records) {
        assert.equal(record.partition, partitionForKey(record.key, 4), `key ${record.key?.toString()}`);
      }
      assert.ok(new Set(records.map((r) => r.partition)).size > 1, 'keys spread over partitions');
      await reader.close();
    });

    it('keeps tombstones: a null value reads back as null', async () => {
      const topic = topicName('tombstone');
      await log.ensureTopic(topic, { compacted: true });
      await log.produce([
        { topic, key: text('a'), value: text('1') },
        { topic, key: text('a'), value: null },
      ]);
      const records = await readAll(await log.openReader(topic, { kind: 'earliest' }), 2);
      assert.deepEqual(
        records.map((r) => r.value),
        [text('1'), null],
      );
    });

    it('starts readers at earliest, latest, a timestamp, or given offsets', async () => {
      const topic = topicName('start');
      await log.ensureTopic(topic);
      await log.produce([0, 1, 2].map((i) => ({ topic, key: null, value: text(`old${i}`), timestamp: 1_000 + i })));
      await log.produce([0, 1].map((i) => ({ topic, key: null, value: text(`new${i}`), timestamp: 5_000 + i })));
      const latest = await log.openReader(topic, { kind: 'latest' });
      assert.deepEqual(await latest.poll(10, 100), []);
      await log.produce([{ topic, key: null, value: text('after') }]);
      assert.deepEqual(
        (await readAll(latest, 1)).map((r) => r.value?.toString()),
        ['after'],
      );
      const byTime = await log.openReader(topic, { kind: 'timestamp', millis: 5_000 });
      assert.deepEqual(
        (await readAll(byTime, 3)).map((r) => r.value?.toString()),
        ['new0', 'new1', 'after'],
      );
      const byOffset = await log.openReader(topic, {
        kind: 'offsets',
        offsets: new Map([[0, 2n]]),
        otherwise: 'earliest',
      });
      assert.equal((await readAll(byOffset, 4))[0]?.value?.toString(), 'old2');
    });

    it('goes on from the first record still there when retention removed those at its position', async () => {
      const topic = topicName('deleted');
      await log.ensureTopic(topic);
      await log.produce(Array.from({ length: 5 }, (_, i) => ({ topic, key: null, value: text(`v${i}`) })));
      await subject.deleteBefore(topic, 0, 3n);
      const reader = await log.openReader(topic, {
        kind: 'offsets',
        offsets: new Map([[0, 1n]]),
        otherwise: 'earliest',
      });
      const records = await readAll(reader, 2);
      assert.deepEqual(
        records.map((r) => [r.offset, r.value?.toString()]),
        [
          [3n, 'v3'],
          [4n, 'v4'],
        ],
      );
      assert.deepEqual(reader.positions(), new Map([[0, 5n]]));
      await reader.close();
    });

    it('commits output and consumed positions together, or neither on abort', async () => {
      const topic = topicName('tx');
      await log.ensureTopic(topic);
      const committed = await log.beginTransaction();
      await committed.produce([{ topic, key: null, value: text('kept') }]);
      await committed.commitPositions('group-a', topic, new Map([[0, 7n]]));
      await committed.commit();
      const aborted = await log.beginTransaction();
      await aborted.produce([{ topic, key: null, value: text('dropped') }]);
      await aborted.commitPositions('group-a', topic, new Map([[0, 9n]]));
      await aborted.abort();
      const records = await readAll(await log.openReader(topic, { kind: 'earliest' }), 1, 500);
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        ['kept'],
      );
      assert.deepEqual(await log.committedPositions('group-a', topic), new Map([[0, 7n]]));
    });

    it('leaves out every record of an aborted transaction larger than one read', async () => {
      const topic = topicName('big_abort');
      await log.ensureTopic(topic);
      const filler = Buffer.alloc(1000, 'x');
      const aborted = await log.beginTransaction();
      for (let batch = 0; batch < 12; batch++) {
        await aborted.produce(
          Array.from({ length: 1000 }, (_, i) => ({
            topic,
            key: null,
            value: Buffer.concat([text(`aborted ${batch}/${i} `), filler]),
          })),
        );
      }
      await aborted.abort();
      const committed = await log.beginTransaction();
      await committed.produce([{ topic, key: null, value: text('kept') }]);
      await committed.commit();
      // Records come in offset order: any aborted one that got through arrives before 'kept'.
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const records: LogRecord[] = [];
      const deadline = Date.now() + 20_000;
      while (!records.some((r) => r.value?.toString() === 'kept') && Date.now() < deadline) {
        records.push(...(await reader.poll(1000, 200)));
      }
      await reader.close();
      assert.equal(
        records.length,
        1,
        `read ${records.length} records: ${records[0]?.value?.toString().slice(0, 20)} …`,
      );
      assert.equal(records[0]?.value?.toString(), 'kept');
    });

    it('loses nothing and repeats nothing after a crash between write and position commit', async () => {
      const topic = topicName('crash');
      await log.ensureTopic(topic);
      const first = await log.beginTransaction();
      await first.produce([{ topic, key: null, value: text('step1') }]);
      await first.commitPositions('group-b', topic, new Map([[0, 1n]]));
      await first.commit();
      await subject.crashDuringTransaction(async (crashing) => {
        const tx = await crashing.beginTransaction();
        // Two batches: a log may hold the first back until the commit, the second sends both.
        await tx.produce([{ topic, key: null, value: text('half-done') }]);
        await tx.produce([{ topic, key: null, value: text('half-done too') }]);
        // the process dies here: the positions of step 2 are never committed
      });
      // The step is repeated from the committed position and now commits.
      assert.deepEqual(await log.committedPositions('group-b', topic), new Map([[0, 1n]]));
      const retry = await log.beginTransaction();
      await retry.produce([{ topic, key: null, value: text('step2') }]);
      await retry.commitPositions('group-b', topic, new Map([[0, 2n]]));
      await retry.commit();
      const records = await readAll(await log.openReader(topic, { kind: 'earliest' }), 2, 1000);
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        ['step1', 'step2'],
      );
    });

    it('wakes a reader that starts during a write as soon as the write commits', async () => {
      const topic = topicName('wake');
      await log.ensureTopic(topic);
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const tx = await log.beginTransaction();
      await tx.produce([{ topic, key: null, value: text('during') }]);
      const polled = reader.poll(10, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const committedAt = Date.now();
      await tx.commit();
      const records = await polled;
      const waited = Date.now() - committedAt;
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        ['during'],
      );
      assert.ok(waited < 2_000, `the reader woke ${waited} ms after the commit; it must not wait for its timeout`);
      await reader.close();
    });

    it('hands its own readers the row each record it wrote was encoded from, at that record', async () => {
      const topic = topicName('decoded');
      await log.ensureTopic(topic, { partitions: 2 });
      const reader = await log.openReader(topic, { kind: 'earliest' });
      const format = {};
      const record = (i: number, partition: number) => ({
        topic,
        key: null,
        value: text(`v${i}`),
        partition,
        decoded: { format, row: [i] },
      });
      const aborted = await log.beginTransaction();
      await aborted.produce([record(-1, 0), record(-2, 0), record(-3, 1)]);
      await aborted.abort();
      const tx = await log.beginTransaction();
      await tx.produce([
        record(0, 0),
        record(1, 1),
        record(2, 0),
        { topic, key: null, value: text('plain'), partition: 1 },
      ]);
      await tx.produce([record(3, 1), record(4, 0)]);
      await tx.commit();
      // A plain append may be read before its writer has heard its offsets: the row may be missing
      // there, but never wrong.
      await log.produce([record(5, 1)]);
      const records = await readAll(reader, 7);
      const rows = new Map(records.map((r) => [r.value?.toString(), r.decoded?.row]));
      assert.ok([undefined, 5].includes(rows.get('v5')?.[0] as number | undefined), `v5 came with ${rows.get('v5')}`);
      rows.delete('v5');
      assert.deepEqual(
        [...rows].sort(([a], [b]) => String(a).localeCompare(String(b))),
        [['plain', undefined], ...Array.from({ length: 5 }, (_, i) => [`v${i}`, [i]])],
      );
      assert.ok(records.every((r) => r.decoded === undefined || r.decoded.format === format));
      await reader.close();
    });

    it('compacts an upsert topic to the newest record per key while a reader reads', async () => {
      const topic = topicName('compact');
      await log.ensureTopic(topic, { compacted: true });
      const reader = await log.openReader(topic, { kind: 'earliest' });
      for (let version = 0; version < 5; version++) {
        await log.produce(['a', 'b', 'c'].map((key) => ({ topic, key: text(key), value: text(`${key}${version}`) })));
      }
      const firstHalf = await reader.poll(6, 2_000);
      await subject.compact(topic);
      const rest: LogRecord[] = [];
      for (let i = 0; i < 20 && rest.length < 9; i++) rest.push(...(await reader.poll(100, 100)));
      const seen = [...firstHalf, ...rest];
      // Whatever the reader saw comes in offset order, and it ends with the newest value of each key.
      const offsets = seen.map((r) => r.offset);
      assert.deepEqual(
        offsets,
        [...offsets].sort((x, y) => (x < y ? -1 : 1)),
      );
      const last = new Map(
        seen.filter((r) => !r.key?.toString().startsWith('__')).map((r) => [r.key?.toString(), r.value?.toString()]),
      );
      assert.deepEqual(
        last,
        new Map([
          ['a', 'a4'],
          ['b', 'b4'],
          ['c', 'c4'],
        ]),
      );
      const fresh = (await readAll(await log.openReader(topic, { kind: 'earliest' }), 4, 1000)).filter(
        (r) => !r.key?.toString().startsWith('__'), // records the implementation wrote to trigger compaction
      );
      assert.deepEqual(fresh.map((r) => r.value?.toString()).sort(), ['a4', 'b4', 'c4']);
    });

    it('names a topic that does not exist', async () => {
      await assert.rejects(log.openReader('no_such_topic_here', { kind: 'earliest' }), (error: unknown) => {
        assert.ok(isRivuletError(error));
        assert.equal(error.code, 'LOG_TOPIC_NOT_FOUND');
        assert.match(error.message, /topic 'no_such_topic_here' does not exist/);
        return true;
      });
    });
  });
}
