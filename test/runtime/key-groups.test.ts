import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionForKey } from '../../src/log/partitioner.ts';
import {
  defaultMaxParallelism,
  keyGroupOf,
  keyGroupRange,
  subtaskOfKeyGroup,
} from '../../src/runtime/parallel/key-groups.ts';

/**
 * Expected numbers worked out by hand from the formulas of Flink 1.18's KeyGroupRangeAssignment
 * (flink-runtime, org.apache.flink.runtime.state):
 *   computeKeyGroupRangeForOperatorIndex: start = (i·maxP + p − 1) / p, end = ((i + 1)·maxP − 1) / p
 *   computeOperatorIndexForKeyGroup:      keyGroup · p / maxP
 *   computeDefaultMaxParallelism:         min(max(roundUpToPowerOfTwo(p + p / 2), 128), 32768)
 * (Java integer division throughout).
 */
describe("Flink's key-group ranges", () => {
  it('divide 128 key groups over 2, 3 and 5 subtasks as Flink does', () => {
    const ranges = (maxP: number, p: number) =>
      Array.from({ length: p }, (_, i) => {
        const { start, end } = keyGroupRange(maxP, p, i);
        return `${start}-${end}`;
      });
    assert.deepEqual(ranges(128, 1), ['0-127']);
    assert.deepEqual(ranges(128, 2), ['0-63', '64-127']);
    // (0+2)/3 = 0, 127/3 = 42; (128+2)/3 = 43, 255/3 = 85; (256+2)/3 = 86, 383/3 = 127.
    assert.deepEqual(ranges(128, 3), ['0-42', '43-85', '86-127']);
    // start: 4/5=0, 132/5=26, 260/5=52, 388/5=77, 516/5=103; end: 127/5=25, 255/5=51, 383/5=76, 511/5=102, 639/5=127.
    assert.deepEqual(ranges(128, 5), ['0-25', '26-51', '52-76', '77-102', '103-127']);
    // maxP 10, p 4: start 3/4=0, 13/4=3, 23/4=5, 33/4=8; end 9/4=2, 19/4=4, 29/4=7, 39/4=9.
    assert.deepEqual(ranges(10, 4), ['0-2', '3-4', '5-7', '8-9']);
  });

  it('route each key group to the subtask whose range holds it', () => {
    // 42·3/128 = 0, 43·3/128 = 1, 85·3/128 = 1, 86·3/128 = 2.
    assert.deepEqual(
      [42, 43, 85, 86].map((g) => subtaskOfKeyGroup(128, 3, g)),
      [0, 1, 1, 2],
    );
    for (const [maxP, p] of [
      [128, 2],
      [128, 3],
      [128, 7],
      [256, 100],
      [10, 4],
      [5, 5],
    ] as const) {
      for (let g = 0; g < maxP; g++) {
        const i = subtaskOfKeyGroup(maxP, p, g);
        const { start, end } = keyGroupRange(maxP, p, i);
        assert.ok(start <= g && g <= end, `maxP ${maxP}, p ${p}: key group ${g} in subtask ${i} (${start}-${end})`);
      }
    }
  });

  it('default the max parallelism as Flink does', () => {
    // 1 → 1 → 128; 85 + 42 = 127 → 128; 86 + 43 = 129 → 256; 200 + 100 = 300 → 512; 30000 → 65536 → 32768.
    assert.deepEqual([1, 2, 85, 86, 200, 30000].map(defaultMaxParallelism), [128, 128, 128, 256, 512, 32768]);
  });

  it('refuse a parallelism above the max parallelism', () => {
    assert.throws(() => keyGroupRange(4, 5, 0), { code: 'PARALLELISM_INVALID' });
    assert.throws(() => keyGroupRange(128, 0, 0), { code: 'PARALLELISM_INVALID' });
  });

  it("give a key the partition the log's murmur2 partitioner gives it among maxP partitions", () => {
    for (const key of ['a', '{"user_id":7}', 'number1\u0001']) {
      const bytes = Buffer.from(key);
      assert.equal(keyGroupOf(bytes, 128), partitionForKey(bytes, 128));
    }
  });
});
