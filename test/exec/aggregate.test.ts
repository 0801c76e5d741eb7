import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateCall } from '../../src/exec/accumulators.ts';
import { GroupAggregateOperator } from '../../src/exec/aggregate.ts';
import { T } from '../../src/types/data-type.ts';
import { c, show } from './changes.ts';

// Input rows: (city STRING, user_id BIGINT, amount DECIMAL(10, 2), quantity INT)
const INPUT = [T.string(), T.bigint(), T.decimal(10, 2), T.int()];
const call = (
  fn: AggregateCall['fn'],
  arg: number | undefined,
  type = T.bigint(),
  distinct = false,
): AggregateCall => ({
  fn,
  args: arg === undefined ? [] : [arg],
  distinct,
  type,
  name: fn,
});

describe('group aggregate with retraction', () => {
  it('emits +I for a new group, -U/+U when its result changes, -D when it empties', () => {
    const agg = new GroupAggregateOperator([0], [call('COUNT', undefined), call('SUM', 2, T.decimal(38, 2))], INPUT);
    assert.deepEqual(show(agg.process([c('+I', '北京', 1001n, 599900n, 1)])), ['+I(北京, 1, 599900)']);
    assert.deepEqual(show(agg.process([c('+I', '北京', 1002n, 100n, 1)])), [
      '-U(北京, 1, 599900)',
      '+U(北京, 2, 600000)',
    ]);
    assert.deepEqual(show(agg.process([c('-D', '北京', 1001n, 599900n, 1), c('-D', '北京', 1002n, 100n, 1)])), [
      '-D(北京, 2, 600000)',
    ]);
  });

  it('moves a row between groups when its key changes (-U in the old group, +U in the new)', () => {
    const agg = new GroupAggregateOperator([0], [call('COUNT', undefined)], INPUT);
    agg.process([c('+I', '北京', 1n, 1n, 1), c('+I', '北京', 2n, 1n, 1), c('+I', '上海', 3n, 1n, 1)]);
    const out = agg.process([c('-U', '北京', 2n, 1n, 1), c('+U', '上海', 2n, 1n, 1)]);
    assert.deepEqual(show(out), ['-U(北京, 2)', '+U(北京, 1)', '-U(上海, 1)', '+U(上海, 2)']);
  });

  it('keeps MIN and MAX right when the current extreme is deleted', () => {
    const agg = new GroupAggregateOperator([0], [call('MIN', 3, T.int()), call('MAX', 3, T.int())], INPUT);
    agg.process([c('+I', 'x', 1n, 0n, 5), c('+I', 'x', 2n, 0n, 9), c('+I', 'x', 3n, 0n, 1), c('+I', 'x', 4n, 0n, 9)]);
    assert.deepEqual(show(agg.process([c('-D', 'x', 3n, 0n, 1)])), ['-U(x, 1, 9)', '+U(x, 5, 9)']);
    assert.deepEqual(show(agg.process([c('-D', 'x', 2n, 0n, 9)])), [], 'another 9 remains: nothing changes');
    assert.deepEqual(show(agg.process([c('-D', 'x', 4n, 0n, 9)])), ['-U(x, 5, 9)', '+U(x, 5, 5)']);
  });

  it('counts distinct values while any copy of them remains', () => {
    const agg = new GroupAggregateOperator([0], [call('COUNT', 1, T.bigint(false), true)], INPUT);
    agg.process([c('+I', 'x', 1001n, 0n, 1), c('+I', 'x', 1001n, 0n, 1), c('+I', 'x', 1002n, 0n, 1)]);
    assert.deepEqual(show(agg.process([c('-D', 'x', 1001n, 0n, 1)])), [], 'user 1001 still has an order');
    assert.deepEqual(show(agg.process([c('-D', 'x', 1001n, 0n, 1)])), ['-U(x, 2)', '+U(x, 1)']);
  });

  it('averages an INT as an INT and a DECIMAL exactly, as Flink types them', () => {
    const agg = new GroupAggregateOperator([0], [call('AVG', 3, T.int()), call('AVG', 2, T.decimal(38, 6))], INPUT);
    const out = agg.process([c('+I', 'x', 1n, 100n, 1), c('+I', 'x', 2n, 200n, 2)]);
    // AVG(1, 2) = 1 by integer division; AVG(1.00, 2.00) = 1.500000
    assert.deepEqual(show(out), ['+I(x, 1, 1500000)']);
  });

  it('ignores a retraction for a group it never saw, and NULLs in SUM', () => {
    const agg = new GroupAggregateOperator([0], [call('SUM', 3, T.int())], INPUT);
    assert.deepEqual(agg.process([c('-D', 'ghost', 1n, 0n, 1)]), []);
    assert.deepEqual(show(agg.process([c('+I', 'x', 1n, 0n, null)])), ['+I(x, NULL)']);
    assert.deepEqual(show(agg.process([c('+I', 'x', 2n, 0n, 4)])), ['-U(x, NULL)', '+U(x, 4)']);
  });

  it('computes a global aggregate as one group', () => {
    const agg = new GroupAggregateOperator([], [call('COUNT', undefined)], INPUT);
    assert.deepEqual(show(agg.process([c('+I', 'a', 1n, 0n, 1), c('+I', 'b', 2n, 0n, 1)])), ['+I(2)']);
  });
});
