import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommittedTail, type Segment, type TailRecord } from '../../src/log/kafka/committed-tail.ts';

const records = (n: number): TailRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: 0, decoded: undefined }));

function segment(base: bigint, count: number, writer: string, endsTransaction = true): Segment {
  return { base, records: records(count), writer, endsTransaction };
}

describe("the kafka log's committed tail", () => {
  it('gives the segment that starts at the position, and the one right after its own commit marker', () => {
    const tail = new CommittedTail();
    tail.add('t', 0, segment(10n, 3, 'job-a')); // 10-12, marker at 13
    tail.add('t', 0, segment(14n, 2, 'job-a')); // 14-15, marker at 16
    assert.equal(tail.next('t', 0, 10n)?.base, 10n);
    assert.equal(tail.next('t', 0, 13n)?.base, 14n, 'offset 13 is job-a’s marker');
    assert.equal(tail.next('t', 0, 14n)?.base, 14n);
    assert.equal(tail.next('t', 0, 16n), undefined, 'nothing committed after 15 yet');
    assert.equal(tail.next('t', 0, 11n), undefined, 'a position inside a segment is fetched');
    assert.equal(tail.next('t', 1, 10n), undefined, 'another partition');
    assert.equal(tail.next('u', 0, 10n), undefined, 'another topic');
  });

  it('leaves a gap to the broker: another writer, a batch that does not end its transaction, more than one offset', () => {
    const tail = new CommittedTail();
    tail.add('t', 0, segment(0n, 2, 'job-a')); // 0-1, marker at 2
    tail.add('t', 0, segment(3n, 1, 'job-b')); // offset 2 may be job-b's record: job-a's marker can come later
    assert.equal(tail.next('t', 0, 2n), undefined);
    tail.add('t', 0, segment(10n, 2, 'job-c', false)); // 10-11, its transaction goes on
    tail.add('t', 0, segment(13n, 1, 'job-c')); // offset 12 is not a marker of job-c
    assert.equal(tail.next('t', 0, 12n), undefined);
    tail.add('t', 0, segment(20n, 1, 'job-d')); // 20, marker at 21
    tail.add('t', 0, segment(23n, 1, 'job-d')); // 22 is something else: an aborted transaction, say
    assert.equal(tail.next('t', 0, 21n), undefined);
    assert.equal(tail.next('t', 0, 22n), undefined);
    assert.equal(tail.hasBeyond('t', 0, 22n), true);
    assert.equal(tail.hasBeyond('t', 0, 24n), false);
  });

  it('gives the row of a record a reader fetched, and forgets what every reader has taken', () => {
    const tail = new CommittedTail();
    const rows = (base: number, n: number) =>
      records(n).map((record, i) => ({ ...record, decoded: { format: {}, row: [base + i] } }));
    tail.add('t', 0, { base: 0n, records: rows(0, 3), writer: 'job', endsTransaction: true });
    tail.add('t', 0, { base: 4n, records: rows(4, 2), writer: 'job', endsTransaction: true });
    assert.deepEqual(tail.row('t', 0, 1n)?.row, [1]);
    assert.deepEqual(tail.row('t', 0, 5n)?.row, [5]);
    assert.equal(tail.row('t', 0, 3n), undefined, 'the commit marker has no row');
    assert.equal(tail.row('t', 0, 6n), undefined);
    tail.dropBefore('t', 0, 4n);
    assert.equal(tail.row('t', 0, 1n), undefined);
    assert.equal(tail.next('t', 0, 4n)?.base, 4n);
    // A segment that ends where the readers are stays: its marker leads to the writer's next one.
    tail.dropBefore('t', 0, 6n);
    tail.add('t', 0, { base: 7n, records: rows(7, 1), writer: 'job', endsTransaction: true });
    assert.equal(tail.next('t', 0, 6n)?.base, 7n);
    tail.dropBefore('t', 0, 8n);
    assert.equal(tail.row('t', 0, 5n), undefined);
  });

  it('keeps segments in offset order whatever order their transactions commit in', () => {
    const tail = new CommittedTail();
    tail.add('t', 0, segment(5n, 1, 'job-b'));
    tail.add('t', 0, segment(0n, 5, 'job-a', false));
    assert.equal(tail.next('t', 0, 0n)?.base, 0n);
    assert.equal(tail.next('t', 0, 5n)?.base, 5n);
  });
});
