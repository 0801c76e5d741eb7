import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pack, unpack } from '../../src/state/packed-row.ts';
import { SpillableMap, type StateCodec } from '../../src/state/spillable-map.ts';
import { StateMemory } from '../../src/state/state-memory.ts';

const dir = mkdtempSync(join(tmpdir(), 'rivulet-state-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const text: StateCodec<string> = {
  bytes: (value) => value.length + 100,
  encode: (value) => pack([value]),
  decode: (packed) => unpack(packed)[0] as string,
};

function rowText(i: number): string {
  return `row ${i} ${'x'.repeat(i % 50)} 订单`;
}

describe('SpillableMap', () => {
  it('keeps every entry while most of them are on disk, within the budget', () => {
    const memory = new StateMemory(20_000, join(dir, 'budget'));
    const map = new SpillableMap(text, memory);
    for (let i = 0; i < 2000; i++) {
      map.set(i, rowText(i));
      memory.enforce();
    }
    assert.ok(memory.used <= 20_000, `used ${memory.used}`);
    assert.ok(map.spilledKeys > 1500, `spilled ${map.spilledKeys}`);
    assert.equal(map.size, 2000);
    for (let i = 0; i < 2000; i++) assert.equal(map.get(i), rowText(i));
    assert.equal(map.get(2000), undefined);
    assert.equal(map.spilledKeys, 0, 'every key read is in memory again');
    assert.ok(memory.restoredEntries >= 1500);
    map.close();
  });

  it('counts what is in memory exactly through sets, growth, deletes and spills', () => {
    const memory = new StateMemory(5_000, join(dir, 'accounting'));
    const map = new SpillableMap(text, memory);
    const held = new Map<number, string>();
    for (let i = 0; i < 500; i++) {
      const key = i % 170;
      if (i % 7 === 0) {
        map.delete(key);
        held.delete(key);
      } else {
        map.set(key, rowText(i));
        held.set(key, rowText(i));
      }
      memory.enforce();
    }
    for (const [key, value] of held) assert.equal(map.get(key), value);
    let expected = 0;
    for (const value of held.values()) expected += text.bytes(value);
    assert.equal(map.residentBytes, expected);
    assert.equal(memory.used, expected);
    assert.equal(map.size, held.size);
    map.close();
    assert.equal(memory.used, 0);
  });

  it('rewrites a spill file that is mostly dead records, and deletes it on close', () => {
    const memory = new StateMemory(0, join(dir, 'compact'));
    const map = new SpillableMap(text, memory, 10_000);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100; i++) map.set(i, `${rowText(i)} round ${round}`);
      memory.enforce();
    }
    const files = readdirSync(join(dir, 'compact'));
    assert.equal(files.length, 1);
    // 20 rounds of 100 records without rewriting would take over 150 kB.
    const size = statSync(join(dir, 'compact', files[0] as string)).size;
    assert.ok(size < 3 * 100 * 80, `file of ${size} bytes`);
    for (let i = 0; i < 100; i++) assert.equal(map.get(i), `${rowText(i)} round 19`);
    map.close();
    assert.deepEqual(readdirSync(join(dir, 'compact')), []);
  });

  it('spills the largest states first', () => {
    const memory = new StateMemory(10_000, join(dir, 'largest'));
    const small = new SpillableMap(text, memory);
    const large = new SpillableMap(text, memory);
    for (let i = 0; i < 20; i++) small.set(i, rowText(i));
    for (let i = 0; i < 200; i++) large.set(i, rowText(i));
    memory.enforce();
    assert.equal(small.spilledKeys, 0);
    assert.ok(large.spilledKeys > 0);
    assert.deepEqual(memory.spilled().keys, large.spilledKeys);
    small.close();
    large.close();
  });
});
