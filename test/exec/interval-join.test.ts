import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalJoinOperator, type IntervalJoinSpec } from '../../src/exec/interval-join.ts';
import { TimerQueue } from '../../src/exec/timer-queue.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { fromEpochMillis } from '../../src/types/time-value.ts';
import { c, show } from './changes.ts';

const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };
const SECOND = 1000;

// Rows (id BIGINT, t TIMESTAMP(3)) on both sides, joined on id.
const spec = (rowtime: boolean, lower: number, upper: number, type: IntervalJoinSpec['type'] = 'INNER') =>
  ({
    type,
    leftKeys: [0],
    rightKeys: [0],
    widths: [2, 2],
    bounds: { rowtime, leftLowerBound: lower, leftUpperBound: upper, leftTimeIndex: 1, rightTimeIndex: 1 },
  }) satisfies IntervalJoinSpec;

describe('interval join operator', () => {
  it('holds the event-time watermark back by the larger relative size, as Flink does', () => {
    const join = new IntervalJoinOperator(spec(true, -60 * SECOND, 10 * SECOND), env);
    assert.equal(join.outputWatermark(100 * SECOND), 40 * SECOND);
  });

  it('on processing time, joins rows by the clock when they arrive and expires them as it moves on', () => {
    let now = 1_000_000;
    const join = new IntervalJoinOperator(spec(false, -5 * SECOND, 5 * SECOND, 'LEFT'), env, () => now);
    assert.equal(join.outputWatermark(123), 123, 'processing time holds no watermark back');
    // The row's own time column plays no part: the clock does.
    assert.deepEqual(join.process([c('+I', 1n, null)], 0), []);
    now += 3 * SECOND;
    assert.deepEqual(show(join.process([c('+I', 1n, null)], 1)), ['+I(1, NULL, 1, NULL)']);
    now += 20 * SECOND;
    assert.deepEqual(join.process([c('+I', 1n, null)], 1), [], 'the left row has expired for this right row');
    assert.deepEqual(join.process([c('+I', 2n, null)], 0), []);
    // Left row 2 waits 5 s; its clean-up timer is at +5 s + 5 s (half the interval) + 1 ms, and
    // fires once the clock has passed it.
    assert.deepEqual(join.onProcessingTime(now + 10 * SECOND + 1), []);
    assert.deepEqual(show(join.onProcessingTime(now + 10 * SECOND + 2)), ['+I(2, NULL, NULL, NULL)']);
    assert.equal(join.keysHeld, 0, 'every row has expired');
  });

  it('on processing time, skips rows re-read after a restart', () => {
    const join = new IntervalJoinOperator(
      spec(false, -5 * SECOND, 5 * SECOND),
      env,
      () => 0,
      () => true,
    );
    assert.deepEqual(join.process([c('+I', 1n, fromEpochMillis(0))], 0), []);
    assert.equal(join.numReplayedRecordsSkipped, 1);
    assert.equal(join.keysHeld, 0);
  });
});

describe('timer queue', () => {
  it('fires timers in order of time, once per key and time, including those registered while firing', () => {
    const timers = new TimerQueue();
    timers.register(30, 'a');
    timers.register(10, 'b');
    timers.register(10, 'c');
    timers.register(10, 'b');
    timers.register(50, 'd');
    const fired: string[] = [];
    timers.fire(40, (time, key) => {
      fired.push(`${time}:${key}`);
      if (key === 'b') timers.register(20, 'e');
    });
    assert.deepEqual(fired, ['10:b', '10:c', '20:e', '30:a']);
    assert.equal(timers.size, 1);
  });
});
