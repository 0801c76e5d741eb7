import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { textArray } from '../../../src/connectors/pg/binary-array.ts';
import type { Value } from '../../../src/expr/value.ts';

/** array_recv's input for a one-dimensional text[]: header, then each element's length and UTF-8 bytes. */
function expected(texts: readonly (string | null)[]): Buffer {
  const header = Buffer.alloc(20);
  header.writeInt32BE(1, 0);
  header.writeInt32BE(texts.includes(null) ? 1 : 0, 4);
  header.writeInt32BE(25, 8);
  header.writeInt32BE(texts.length, 12);
  header.writeInt32BE(1, 16);
  const elements = texts.map((text) => {
    if (text === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  });
  return Buffer.concat([header, ...elements]);
}

describe('a batch column as a binary text[]', () => {
  it('holds each text as its UTF-8 bytes, nulls as length -1', () => {
    const texts = ['', 'PENDING', '图书', '¥10.00', 'emoji \ud83d\ude00', 'lone \ud83d', null, 'x'.repeat(5_000)];
    const column = textArray((value: Value) => (value === null ? null : String(value)));
    assert.deepEqual(column.encode(texts), expected(texts));
    assert.deepEqual(column.encode([]), expected([]));
  });
});
