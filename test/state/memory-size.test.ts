import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMemorySize } from '../../src/state/memory-size.ts';

describe('memory sizes (Flink MemorySize syntax)', () => {
  it('reads bytes and binary units, with or without a space', () => {
    assert.equal(parseMemorySize('4096'), 4096);
    assert.equal(parseMemorySize('64kb'), 64 * 1024);
    assert.equal(parseMemorySize('512 mb'), 512 * 1024 ** 2);
    assert.equal(parseMemorySize('2G'), 2 * 1024 ** 3);
    assert.equal(parseMemorySize('1 tib'), 1024 ** 4);
  });

  it('rejects what is not a size', () => {
    for (const text of ['', 'mb', '12xb', '-1mb', '1.5gb']) assert.equal(parseMemorySize(text), undefined, text);
  });
});
