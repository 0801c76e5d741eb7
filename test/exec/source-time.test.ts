import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupAggregateOperator } from '../../src/exec/aggregate.ts';
import { CalcOperator } from '../../src/exec/calc.ts';
import type { Change, RowKind } from '../../src/exec/change.ts';
import { JoinOperator } from '../../src/exec/join.ts';
import { NormalizeOperator } from '../../src/exec/normalize.ts';
import { UpsertMaterializerOperator } from '../../src/exec/upsert-materializer.ts';
import { inputRef } from '../../src/expr/bound.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import type { Value } from '../../src/expr/value.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';

const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

/** A change committed at the source at `time` (ms). */
const at = (time: number, kind: RowKind, ...row: Value[]): Change => ({ kind, row, time });
const times = (changes: readonly Change[]) => changes.map((change) => `${change.kind}@${change.time}`);

describe('source commit time of each change through the operators', () => {
  it('calc and normalize keep the time of the change they pass on', () => {
    const calc = new CalcOperator([inputRef(0, 'id', T.bigint())], undefined, env);
    assert.deepEqual(times(calc.process([at(10, '+I', 1n), at(20, '+I', 2n)])), ['+I@10', '+I@20']);
    const normalize = new NormalizeOperator([0]);
    normalize.process([at(10, '+I', 1n, 'a')]);
    assert.deepEqual(times(normalize.process([at(30, '+U', 1n, 'b')])), ['-U@30', '+U@30']);
  });

  it('a join gives every pair and retraction the time of the change that caused it', () => {
    const join = new JoinOperator('LEFT', [1], [0], [2, 2], undefined, env);
    join.process([at(10, '+I', 2001n, 1001n), at(11, '+I', 2002n, 1001n)], 0);
    // The late user fixes both orders: the retractions of the padded rows and the pairs are its doing.
    assert.deepEqual(times(join.process([at(50, '+I', 1001n, '张三')], 1)), ['-D@50', '-D@50', '+I@50', '+I@50']);
  });

  it("a group's result carries the newest time of the batch's changes to that group", () => {
    const count = { fn: 'COUNT', args: [], distinct: false, type: T.bigint(), name: 'c' } as const;
    const agg = new GroupAggregateOperator([0], [count], [T.string()]);
    agg.process([at(10, '+I', '北京')]);
    const out = agg.process([at(40, '+I', '北京'), at(20, '+I', '上海'), at(30, '+I', '北京')]);
    assert.deepEqual(
      out.map((change) => `${change.kind}(${change.row[0]})@${change.time}`),
      ['-U(北京)@40', '+U(北京)@40', '+I(上海)@20'],
    );
  });

  it('the upsert materializer keeps the time of the change it turns into an upsert or delete', () => {
    const materializer = new UpsertMaterializerOperator([0]);
    materializer.process([at(10, '+I', 1n, 'a'), at(20, '+I', 1n, 'b')]);
    assert.deepEqual(times(materializer.process([at(60, '-D', 1n, 'b')])), ['+U@60']);
  });
});
