import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../src/log/log.ts';
import { KEPT_RECORDS, TailCache } from '../../src/log/postgres/tail-cache.ts';

function batch(first: number, count: number): LogRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: 't',
    partition: 0,
    offset: BigInt(first + i),
    key: null,
    value: Buffer.from(String(first + i)),
    timestamp: 0,
  }));
}
const offsets = (records: readonly LogRecord[] | undefined) => records?.map((r) => Number(r.offset));

describe('tail cache', () => {
  it('reads across batches up to a gap, whatever order the commits returned in', () => {
    const cache = new TailCache();
    cache.add(1, 0, batch(3, 2));
    cache.add(1, 0, batch(0, 3));
    cache.add(1, 0, batch(8, 2));
    assert.deepEqual(offsets(cache.read(1, 0, 0n, 100)), [0, 1, 2, 3, 4]);
    assert.deepEqual(offsets(cache.read(1, 0, 4n, 100)), [4]);
    assert.deepEqual(offsets(cache.read(1, 0, 1n, 2)), [1, 2]);
    assert.equal(cache.read(1, 0, 5n, 100), undefined, 'offsets 5 to 7 were not committed here');
    assert.deepEqual(offsets(cache.read(1, 0, 8n, 100)), [8, 9]);
    assert.equal(cache.end(1, 0), 10n);
    assert.equal(cache.end(1, 1), undefined);
    assert.equal(cache.read(2, 0, 0n, 100), undefined);
  });

  it('keeps the newest records and forgets the oldest batches', () => {
    const cache = new TailCache();
    for (let first = 0; first < 30_000; first += 1_000) cache.add(1, 0, batch(first, 1_000));
    assert.equal(cache.read(1, 0, 0n, 10), undefined);
    assert.deepEqual(offsets(cache.read(1, 0, 29_998n, 10)), [29_998, 29_999]);
    const oldestKept = 30_000 - KEPT_RECORDS;
    assert.deepEqual(offsets(cache.read(1, 0, BigInt(oldestKept), 1)), [oldestKept]);
    assert.equal(cache.read(1, 0, BigInt(oldestKept - 1), 1), undefined);
    assert.equal(cache.end(1, 0), 30_000n);
  });

  it('keeps a batch larger than its budget until a newer one arrives, then only what fits', () => {
    const cache = new TailCache();
    cache.add(1, 0, batch(0, KEPT_RECORDS + 5));
    assert.deepEqual(offsets(cache.read(1, 0, 0n, 1)), [0]);
    for (let n = 0; n < KEPT_RECORDS; n++) cache.add(1, 0, batch(KEPT_RECORDS + 5 + n, 1));
    assert.equal(cache.read(1, 0, BigInt(KEPT_RECORDS + 4), 1), undefined);
    assert.deepEqual(offsets(cache.read(1, 0, BigInt(KEPT_RECORDS + 5), 2)), [KEPT_RECORDS + 5, KEPT_RECORDS + 6]);
  });

  it('forgets only the batches that end at or before the offset every reader has reached', () => {
    const cache = new TailCache();
    cache.add(1, 0, batch(0, 3));
    cache.add(1, 0, batch(3, 3));
    cache.release(1, 0, 4n);
    assert.equal(cache.read(1, 0, 0n, 10), undefined);
    assert.deepEqual(offsets(cache.read(1, 0, 3n, 10)), [3, 4, 5], 'a batch partly read stays whole');
    cache.release(1, 0, 6n);
    assert.equal(cache.read(1, 0, 3n, 10), undefined);
    assert.equal(cache.end(1, 0), 6n, 'the end of what was written stays known');
  });
});
