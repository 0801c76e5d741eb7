import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LookupJoinOperator } from '../../src/exec/lookup-join.ts';
import { rowKey } from '../../src/exec/row-key.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import type { Value } from '../../src/expr/value.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { c, show } from './changes.ts';

/** The clock of the cache, moved by the tests (ms). */
let clock = 0;
const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => clock * 1000 };
const same = (value: Value) => value;
const NO_CACHE = {
  partial: false,
  maxRows: Number.POSITIVE_INFINITY,
  expireAfterWriteMs: Number.POSITIVE_INFINITY,
  expireAfterAccessMs: Number.POSITIVE_INFINITY,
  cacheMissingKey: true,
};

/** orders(order_id, user_id) LEFT JOIN users(user_id, name) FOR SYSTEM_TIME AS OF … */
const join = (type: 'INNER' | 'LEFT' = 'LEFT', cache = NO_CACHE) =>
  new LookupJoinOperator(type, [1], [same], 2, undefined, env, cache);
const found = (...rows: [bigint, string][]) => new Map(rows.map((row) => [rowKey([row[0]]), [row]]));

describe('lookup join operator', () => {
  it('stops a batch at the first key it has to look up, and resumes it in order', () => {
    const op = join();
    assert.deepEqual(op.process([c('+I', 1n, 1001n), c('+I', 2n, 1002n), c('-D', 1n, 1001n)]), []);
    assert.equal(op.waiting, true);
    assert.deepEqual(op.missingKeys(), [[1001n], [1002n]]);
    op.fill([[1001n], [1002n]], found([1001n, '张三']));
    assert.deepEqual(show(op.resume()), [
      '+I(1, 1001, 1001, 张三)',
      '+I(2, 1002, NULL, NULL)',
      '-D(1, 1001, 1001, 张三)',
    ]);
    assert.equal(op.waiting, false);
  });

  it('drops unmatched rows in an INNER join, never looks up a NULL key, and forgets keys without a cache', () => {
    const op = join('INNER');
    assert.deepEqual(op.process([c('+I', 3n, null)]), []);
    assert.equal(op.waiting, false, 'a NULL key matches nothing and needs no lookup');
    op.process([c('+I', 4n, 1009n)]);
    op.fill(op.missingKeys(), found());
    assert.deepEqual(op.resume(), []);
    op.endBatch();
    op.process([c('+I', 5n, 1009n)]);
    assert.deepEqual(op.missingKeys(), [[1009n]], 'without a cache the next batch looks up again');
  });

  it('keeps looked-up keys across batches with a partial cache, up to its size', () => {
    const op = join('LEFT', { ...NO_CACHE, partial: true, maxRows: 1 });
    op.process([c('+I', 1n, 1001n)]);
    op.fill(op.missingKeys(), found([1001n, '张三']));
    op.resume();
    op.endBatch();
    assert.deepEqual(show(op.process([c('+I', 2n, 1001n)])), ['+I(2, 1001, 1001, 张三)']);
    op.process([c('+I', 3n, 1002n)]);
    op.fill(op.missingKeys(), found([1002n, '李四']));
    op.resume();
    op.endBatch();
    op.process([c('+I', 4n, 1001n)]);
    assert.deepEqual(op.missingKeys(), [[1001n]], 'the oldest key left the full cache');
  });

  /** Looks up what `op` is waiting for in `table`, and goes on. */
  const answer = (op: LookupJoinOperator, ...rows: [bigint, string][]) => {
    op.fill(op.missingKeys(), found(...rows));
    const out = show(op.resume());
    op.endBatch();
    return out;
  };

  it('reads a cached key again once it was loaded longer ago than expire-after-write', () => {
    clock = 0;
    const op = join('LEFT', { ...NO_CACHE, partial: true, expireAfterWriteMs: 60_000 });
    op.process([c('+I', 1n, 1001n)]);
    answer(op, [1001n, '张三']);
    clock = 60_000;
    assert.deepEqual(show(op.process([c('+I', 2n, 1001n)])), ['+I(2, 1001, 1001, 张三)'], 'still fresh at 60 s');
    clock = 60_001;
    op.process([c('+I', 3n, 1001n)]);
    assert.deepEqual(op.missingKeys(), [[1001n]], 'loaded more than 60 s ago, even though used since');
  });

  it('reads a cached key again once no row used it for longer than expire-after-access', () => {
    clock = 0;
    const op = join('LEFT', { ...NO_CACHE, partial: true, expireAfterAccessMs: 60_000 });
    op.process([c('+I', 1n, 1001n)]);
    answer(op, [1001n, '张三']);
    for (const [at, id] of [
      [50_000, 2n],
      [100_000, 3n],
      [160_000, 4n],
    ] as const) {
      clock = at;
      assert.deepEqual(show(op.process([c('+I', id, 1001n)])), [`+I(${id}, 1001, 1001, 张三)`], `used again at ${at}`);
    }
    clock = 220_001;
    op.process([c('+I', 5n, 1001n)]);
    assert.deepEqual(op.missingKeys(), [[1001n]], 'unused for more than 60 s');
    assert.deepEqual(answer(op, [1001n, '李四']), ['+I(5, 1001, 1001, 李四)']);
  });
});
