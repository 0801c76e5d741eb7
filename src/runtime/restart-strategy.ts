import { RivuletError } from '../common/errors.ts';
import { parseDuration } from '../connectors/options.ts';

/** What a restart strategy decides at a failure: start the job again after `delayMs`, or fail it. */
export type RestartDecision = { readonly restart: true; readonly delayMs: number } | { readonly restart: false };

/**
 * Flink's restart strategies (restart-strategy.type): each failure of a job is told to the
 * strategy with the time it happened, which answers whether the job starts again and after how
 * long, as Flink's RestartBackoffTimeStrategy does (notifyFailure, then canRestart and
 * getBackoffTime).
 */
export interface RestartStrategy {
  onFailure(nowMillis: number): RestartDecision;
  /** For the log line of a restart: `restart 2 of 3`, or the strategy's name. */
  describe(restarts: number): string;
}

/** A strategy's decision with the words of its log line (`restart 2 of 3`). */
export interface RestartVerdict {
  readonly decision: RestartDecision;
  readonly described: string;
}

/** The verdict on a failure of a job that is being cancelled or stopped. */
export const NO_RESTART: RestartVerdict = { decision: { restart: false }, described: 'no restart' };

/** Tells `strategy` of a failure at `nowMillis`, after `restarts` restarts so far. */
export function verdictOf(strategy: RestartStrategy, nowMillis: number, restarts: number): RestartVerdict {
  const decision = strategy.onFailure(nowMillis);
  return { decision, described: strategy.describe(decision.restart ? restarts + 1 : restarts) };
}

type Settings = ReadonlyMap<string, string>;

const TYPES: Readonly<Record<string, 'none' | 'fixed-delay' | 'failure-rate' | 'exponential-delay'>> = {
  none: 'none',
  off: 'none',
  disable: 'none',
  'no-restart': 'none',
  'fixed-delay': 'fixed-delay',
  fixeddelay: 'fixed-delay',
  'failure-rate': 'failure-rate',
  failurerate: 'failure-rate',
  'exponential-delay': 'exponential-delay',
  exponentialdelay: 'exponential-delay',
};

/** The options of each strategy, as Flink 1.18 names them (attempts-before-reset-backoff: Flink 1.19). */
const OPTIONS: Readonly<Record<string, readonly string[]>> = {
  none: [],
  'fixed-delay': ['restart-strategy.fixed-delay.attempts', 'restart-strategy.fixed-delay.delay'],
  'failure-rate': [
    'restart-strategy.failure-rate.max-failures-per-interval',
    'restart-strategy.failure-rate.failure-rate-interval',
    'restart-strategy.failure-rate.delay',
  ],
  'exponential-delay': [
    'restart-strategy.exponential-delay.initial-backoff',
    'restart-strategy.exponential-delay.max-backoff',
    'restart-strategy.exponential-delay.backoff-multiplier',
    'restart-strategy.exponential-delay.reset-backoff-threshold',
    'restart-strategy.exponential-delay.jitter-factor',
    'restart-strategy.exponential-delay.attempts-before-reset-backoff',
  ],
};

/**
 * The strategy of a job's `SET 'restart-strategy…'` settings. A job always commits its positions
 * (Flink's checkpointing is always on), so as in Flink the default is fixed-delay without a limit
 * on attempts, 1 s apart. `random` (in [0, 1)) draws the jitter of exponential-delay.
 */
export function restartStrategy(settings: Settings, random: () => number = Math.random): RestartStrategy {
  const given = settings.get('restart-strategy.type') ?? settings.get('restart-strategy') ?? 'fixed-delay';
  const type = TYPES[given.toLowerCase()];
  if (type === undefined) {
    throw new RivuletError(
      'BAD_OPTION',
      `restart-strategy.type '${given}' is not a restart strategy`,
      "use 'none', 'fixed-delay', 'failure-rate' or 'exponential-delay'",
    );
  }
  checkKeys(settings, type);
  const option = new StrategyOptions(settings);
  switch (type) {
    case 'none':
      return { onFailure: () => ({ restart: false }), describe: () => 'no restart' };
    case 'fixed-delay':
      return new FixedDelay(
        option.count('restart-strategy.fixed-delay.attempts', Number.POSITIVE_INFINITY, 0),
        option.duration('restart-strategy.fixed-delay.delay', '1 s'),
      );
    case 'failure-rate':
      return new FailureRate(
        option.count('restart-strategy.failure-rate.max-failures-per-interval', 1, 1),
        option.duration('restart-strategy.failure-rate.failure-rate-interval', '1 min', 1),
        option.duration('restart-strategy.failure-rate.delay', '1 s'),
      );
    case 'exponential-delay': {
      const initial = option.duration('restart-strategy.exponential-delay.initial-backoff', '1 s', 1);
      const max = option.duration('restart-strategy.exponential-delay.max-backoff', '5 min', 1);
      if (initial > max)
        throw option.invalid('restart-strategy.exponential-delay.initial-backoff', 'is longer than max-backoff');
      return new ExponentialDelay(
        {
          initialMs: initial,
          maxMs: max,
          multiplier: option.number(
            'restart-strategy.exponential-delay.backoff-multiplier',
            2,
            (n) => n > 1,
            'a number greater than 1',
          ),
          resetThresholdMs: option.duration('restart-strategy.exponential-delay.reset-backoff-threshold', '1 h', 1),
          jitter: option.number(
            'restart-strategy.exponential-delay.jitter-factor',
            0.1,
            (n) => n >= 0 && n <= 1,
            'a number from 0 to 1',
          ),
          attemptsBeforeReset: option.count(
            'restart-strategy.exponential-delay.attempts-before-reset-backoff',
            Number.POSITIVE_INFINITY,
            1,
          ),
        },
        random,
      );
    }
  }
}

/** A `restart-strategy.*` key that no strategy has, or another strategy's, would be ignored: refused. */
function checkKeys(settings: Settings, type: string): void {
  const valid = new Set(['restart-strategy', 'restart-strategy.type', ...(OPTIONS[type] ?? [])]);
  for (const key of settings.keys()) {
    if (!key.startsWith('restart-strategy') || valid.has(key)) continue;
    throw new RivuletError(
      'BAD_OPTION',
      `'${key}' does not apply to restart-strategy.type '${type}'`,
      valid.size > 2
        ? `the options of '${type}' are ${[...valid].slice(2).join(', ')}`
        : `'${type}' has no options; remove the SET`,
    );
  }
}

/** Reads and checks the options of one strategy, `restart-strategy.<type>.<name>`. */
class StrategyOptions {
  constructor(private readonly settings: Settings) {}

  invalid(key: string, problem: string): RivuletError {
    const example = EXAMPLES[key.slice(key.lastIndexOf('.') + 1)] ?? '1 s';
    return new RivuletError(
      'BAD_OPTION',
      `${key} '${this.settings.get(key)}' ${problem}`,
      `for example SET '${key}' = '${example}';`,
    );
  }

  count(key: string, fallback: number, min: number): number {
    const text = this.settings.get(key);
    if (text === undefined) return fallback;
    if (!/^\s*\d+\s*$/.test(text) || Number(text) < min) throw this.invalid(key, `is not a whole number ≥ ${min}`);
    return Number(text);
  }

  duration(key: string, fallback: string, min = 0): number {
    const millis = parseDuration(this.settings.get(key) ?? fallback);
    if (millis === undefined || millis < min) throw this.invalid(key, `is not a duration of at least ${min} ms`);
    return millis;
  }

  number(key: string, fallback: number, fits: (n: number) => boolean, expected: string): number {
    const text = this.settings.get(key);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !fits(n)) throw this.invalid(key, `is not ${expected}`);
    return n;
  }
}

const EXAMPLES: Readonly<Record<string, string>> = {
  attempts: '3',
  'max-failures-per-interval': '3',
  'backoff-multiplier': '2.0',
  'jitter-factor': '0.1',
  'attempts-before-reset-backoff': '10',
  'failure-rate-interval': '5 min',
  'reset-backoff-threshold': '1 h',
};

/** fixed-delay: up to `attempts` restarts in the job's life, each after `delayMs`. */
export class FixedDelay implements RestartStrategy {
  private failures = 0;

  constructor(
    readonly attempts: number,
    readonly delayMs: number,
  ) {}

  onFailure(): RestartDecision {
    this.failures++;
    return this.failures <= this.attempts ? { restart: true, delayMs: this.delayMs } : { restart: false };
  }

  describe(restarts: number): string {
    return Number.isFinite(this.attempts) ? `restart ${restarts} of ${this.attempts}` : `restart ${restarts}`;
  }
}

/**
 * failure-rate: restarts after `delayMs` unless this failure is the `maxFailures`-th within
 * `intervalMs` (Flink: a failure joins the last `maxFailures` failures; the job fails when that
 * window is full and its oldest is not older than the interval).
 */
export class FailureRate implements RestartStrategy {
  /** The times of the latest failures, at most `maxFailures`, the oldest first. */
  private readonly failures: number[] = [];

  constructor(
    readonly maxFailures: number,
    readonly intervalMs: number,
    readonly delayMs: number,
  ) {}

  onFailure(nowMillis: number): RestartDecision {
    if (this.failures.length >= this.maxFailures) this.failures.shift();
    this.failures.push(nowMillis);
    const full = this.failures.length >= this.maxFailures;
    if (full && nowMillis - (this.failures[0] as number) <= this.intervalMs) return { restart: false };
    return { restart: true, delayMs: this.delayMs };
  }

  describe(): string {
    return `failure-rate: at most ${this.maxFailures} failures in ${this.intervalMs} ms`;
  }
}

export interface ExponentialDelayOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** A failure this long (plus the current backoff) after the previous one starts again at the initial backoff. */
  readonly resetThresholdMs: number;
  /** The backoff ± up to this share of it, drawn at random. */
  readonly jitter: number;
  /** Failures since the last reset after which the job fails. */
  readonly attemptsBeforeReset: number;
}

/**
 * exponential-delay: the backoff starts at `initialMs` and is multiplied at each failure up to
 * `maxMs`; a failure after a long enough good run resets it. As Flink, the first failure gets
 * the initial backoff, and jitter never takes a delay past `maxMs`.
 */
export class ExponentialDelay implements RestartStrategy {
  private backoffMs: number;
  private lastFailure = Number.NEGATIVE_INFINITY;
  private attempts = 0;

  constructor(
    readonly options: ExponentialDelayOptions,
    private readonly random: () => number,
  ) {
    this.backoffMs = options.initialMs;
  }

  onFailure(nowMillis: number): RestartDecision {
    const { initialMs, maxMs, multiplier, resetThresholdMs, jitter, attemptsBeforeReset } = this.options;
    if (nowMillis - this.lastFailure >= resetThresholdMs + this.backoffMs) {
      this.backoffMs = initialMs;
      this.attempts = 1;
    } else {
      if (this.backoffMs < maxMs) this.backoffMs = Math.floor(this.backoffMs * multiplier);
      this.backoffMs = Math.max(initialMs, Math.min(this.backoffMs, maxMs));
      this.attempts++;
    }
    this.lastFailure = nowMillis;
    if (this.attempts > attemptsBeforeReset) return { restart: false };
    // A whole number of milliseconds in [-offset, offset], as Flink draws it.
    const offset = Math.floor(this.backoffMs * jitter);
    const drawn = offset === 0 ? 0 : Math.floor(this.random() * (2 * offset + 1)) - offset;
    return { restart: true, delayMs: Math.min(this.backoffMs + drawn, maxMs) };
  }

  describe(): string {
    const limit = Number.isFinite(this.options.attemptsBeforeReset) ? ` of ${this.options.attemptsBeforeReset}` : '';
    return `exponential-delay: attempt ${this.attempts}${limit} since the backoff was reset`;
  }
}
