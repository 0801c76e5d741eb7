import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupAggregateOperator } from '../../src/exec/aggregate.ts';
import { JoinOperator } from '../../src/exec/join.ts';
import { NormalizeOperator } from '../../src/exec/normalize.ts';
import type { Operator } from '../../src/exec/operator.ts';
import { UpsertMaterializerOperator } from '../../src/exec/upsert-materializer.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { stateRetention, WriteTimes } from '../../src/state/idle-state.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c } from './changes.ts';

let clock = 0;
const retention = stateRetention(3_600_000, () => clock);
const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => clock * 1000 };

describe('state TTL', () => {
  it('keeps the keys by their last write, oldest first, and sweeps the expired ones from the front', () => {
    const times = new WriteTimes(stateRetention(100, () => 0) as NonNullable<typeof retention>);
    times.written('a', 0);
    times.written('b', 10);
    times.written('a', 20);
    assert.equal(times.expired('b', 109), false);
    assert.equal(times.expired('b', 110), true, 'written at 10, a TTL of 100: gone at 110');
    const swept: string[] = [];
    times.sweep(115, (key) => swept.push(String(key)));
    assert.deepEqual(swept, ['b'], "'a' was written again at 20");
    times.sweep(120, (key) => swept.push(String(key)));
    assert.deepEqual(swept, ['b', 'a']);
    assert.equal(times.expired('a', 1000), false, 'a swept key is forgotten');
  });

  const operators: [string, () => Operator, (i: number) => [ReturnType<typeof c>, number]][] = [
    ['normalize', () => new NormalizeOperator([0], retention), (i) => [c('+I', BigInt(i), 'x'.repeat(50)), 0]],
    [
      'aggregate',
      () =>
        new GroupAggregateOperator(
          [0],
          [{ fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'n' }],
          [T.bigint(false)],
          retention,
        ),
      (i) => [c('+I', BigInt(i)), 0],
    ],
    [
      'join',
      () => new JoinOperator('LEFT', [0], [0], [2, 2], undefined, env, [[0], [0]], [retention, retention]),
      (i) => [c('+I', BigInt(i), 'x'.repeat(50)), i % 2],
    ],
    [
      'upsert materializer',
      () => new UpsertMaterializerOperator([0], undefined, retention),
      (i) => [c('+I', BigInt(i), 'x'.repeat(50)), 0],
    ],
  ];
  for (const [name, make, change] of operators) {
    it(`${name}: gives back the memory of expired state when told the time`, () => {
      clock = 0;
      const memory = stateMemory();
      const before = memory.used;
      const operator = make();
      for (let i = 0; i < 1000; i++) {
        const [one, input] = change(i);
        operator.process([one], input);
      }
      assert.ok(memory.used > before + 1000 * 50, `the state holds the rows (${memory.used - before} bytes)`);
      clock = 3_599_999;
      operator.onProcessingTime?.(clock * 1000);
      assert.ok(memory.used > before + 1000 * 50, 'not before the TTL has passed');
      clock = 3_600_000;
      operator.onProcessingTime?.(clock * 1000);
      assert.equal(memory.used, before, 'all of it after');
      operator.close?.();
    });
  }
});
