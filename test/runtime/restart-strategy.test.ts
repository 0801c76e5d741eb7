import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RestartDecision, type RestartStrategy, restartStrategy } from '../../src/runtime/restart-strategy.ts';

const settings = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** The delay of each failure at the given times (ms), or 'fail' where the strategy gives up. */
function delays(strategy: RestartStrategy, times: readonly number[]): (number | 'fail')[] {
  return times.map((t) => {
    const decision: RestartDecision = strategy.onFailure(t);
    return decision.restart ? decision.delayMs : 'fail';
  });
}

describe('restart strategies, as Flink decides them', () => {
  it('none fails at the first failure', () => {
    for (const type of ['none', 'off', 'disable']) {
      assert.deepEqual(delays(restartStrategy(settings({ 'restart-strategy.type': type })), [0]), ['fail']);
    }
  });

  it('with nothing set, or fixed-delay without attempts, restarts without limit after 1 s (Flink with checkpointing)', () => {
    const times = Array.from({ length: 1000 }, (_, i) => i * 10);
    for (const given of [{}, { 'restart-strategy.type': 'fixed-delay' }] as Record<string, string>[]) {
      assert.deepEqual(new Set(delays(restartStrategy(settings(given)), times)), new Set([1000]));
    }
  });

  it('fixed-delay restarts `attempts` times, each after the delay, whenever the failures come', () => {
    const strategy = restartStrategy(
      settings({
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '2',
        'restart-strategy.fixed-delay.delay': '10 s',
      }),
    );
    assert.deepEqual(delays(strategy, [0, 3_600_000, 7_200_000]), [10_000, 10_000, 'fail']);
  });

  it('exponential-delay doubles from the initial backoff up to the maximum (Flink docs example, jitter 0)', () => {
    // Flink's docs: initial-backoff 1 s, backoff-multiplier 2, max-backoff 10 s, jitter-factor 0 →
    // the restarts wait 1 s, 2 s, 4 s, 8 s, then 10 s each.
    const strategy = restartStrategy(
      settings({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.initial-backoff': '1 s',
        'restart-strategy.exponential-delay.backoff-multiplier': '2',
        'restart-strategy.exponential-delay.max-backoff': '10 s',
        'restart-strategy.exponential-delay.jitter-factor': '0',
      }),
    );
    // Each failure comes right after the restart it follows: no reset.
    let now = 1_000_000;
    const seen: (number | 'fail')[] = [];
    for (let i = 0; i < 6; i++) {
      const [delay] = delays(strategy, [now]);
      seen.push(delay as number);
      now += (delay as number) + 100;
    }
    assert.deepEqual(seen, [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('exponential-delay starts again at the initial backoff after reset-backoff-threshold without failure', () => {
    const strategy = restartStrategy(
      settings({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.reset-backoff-threshold': '1 min',
        'restart-strategy.exponential-delay.jitter-factor': '0',
      }),
    );
    // Flink's defaults: initial-backoff 1 s, backoff-multiplier 2.0. The reset needs the threshold
    // plus the current backoff (4 s) since the previous failure.
    assert.deepEqual(delays(strategy, [0, 10, 20]), [1000, 2000, 4000]);
    assert.deepEqual(delays(strategy, [20 + 60_000 + 3_999]), [8000]);
    assert.deepEqual(delays(strategy, [20 + 60_000 + 3_999 + 60_000 + 8000]), [1000]);
  });

  it('exponential-delay fails after attempts-before-reset-backoff failures without a reset', () => {
    const strategy = restartStrategy(
      settings({
        'restart-strategy.type': 'exponential-delay',
        'restart-strategy.exponential-delay.attempts-before-reset-backoff': '2',
        'restart-strategy.exponential-delay.jitter-factor': '0',
      }),
    );
    assert.deepEqual(delays(strategy, [0, 10, 20]), [1000, 2000, 'fail']);
  });

  it('exponential-delay jitters by up to jitter-factor of the backoff, never past max-backoff', () => {
    const jittered = (random: number, max = '5 min') =>
      delays(
        restartStrategy(
          settings({
            'restart-strategy.type': 'exponential-delay',
            'restart-strategy.exponential-delay.initial-backoff': '10 s',
            'restart-strategy.exponential-delay.max-backoff': max,
            'restart-strategy.exponential-delay.jitter-factor': '0.25',
          }),
          () => random,
        ),
        [0],
      )[0];
    // 10 s ± 2.5 s, whole milliseconds.
    assert.equal(jittered(0), 7500);
    assert.equal(jittered(0.999_999_99), 12_500);
    assert.equal(jittered(0.5), 10_000);
    assert.equal(jittered(0.999_999_99, '10 s'), 10_000);
  });

  it('failure-rate fails at the max-failures-per-interval-th failure within the interval', () => {
    // Flink's docs example: 3 failures per 5 min, 10 s delay.
    const strategy = () =>
      restartStrategy(
        settings({
          'restart-strategy.type': 'failure-rate',
          'restart-strategy.failure-rate.max-failures-per-interval': '3',
          'restart-strategy.failure-rate.failure-rate-interval': '5 min',
          'restart-strategy.failure-rate.delay': '10 s',
        }),
      );
    assert.deepEqual(delays(strategy(), [0, 60_000, 120_000]), [10_000, 10_000, 'fail']);
    // Failures spread wider than the interval restart for ever.
    assert.deepEqual(delays(strategy(), [0, 200_000, 300_001, 500_002, 600_003]), Array(5).fill(10_000));
  });

  it("failure-rate's defaults (1 failure per 1 min) fail a job whose first failure is its only one in the interval", () => {
    assert.deepEqual(delays(restartStrategy(settings({ 'restart-strategy.type': 'failure-rate' })), [0]), ['fail']);
  });

  it('refuses unknown strategies, bad values and options of another strategy', () => {
    const refused = (entries: Record<string, string>, message: RegExp) =>
      assert.throws(
        () => restartStrategy(settings(entries)),
        (error: Error & { code?: string }) => error.code === 'BAD_OPTION' && message.test(error.message),
      );
    refused({ 'restart-strategy.type': 'sometimes' }, /'sometimes' is not a restart strategy/);
    refused(
      { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.failure-rate.delay': '1 s' },
      /'restart-strategy.failure-rate.delay' does not apply to restart-strategy.type 'fixed-delay'/,
    );
    refused(
      { 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.backoff-multiplier': '1' },
      /backoff-multiplier '1' is not a number greater than 1/,
    );
    refused(
      { 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.max-backof': '1 s' },
      /does not apply/,
    );
    refused(
      { 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.initial-backoff': '1 h' },
      /initial-backoff '1 h' is longer than max-backoff/,
    );
  });
});
