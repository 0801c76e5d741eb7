import {
  handled,
  type OptionSpec,
  opt,
  optionWarning,
  parseDuration,
  parseOptionValue,
} from '../connectors/options.ts';
import { resolveTimeZone } from '../types/temporal.ts';

/** Flink's names of the restart strategies, with their older spellings (src/runtime/restart-strategy.ts). */
const RESTART_STRATEGIES = [
  'fixed-delay',
  'fixeddelay',
  'failure-rate',
  'failurerate',
  'exponential-delay',
  'exponentialdelay',
  'none',
  'off',
  'disable',
  'no-restart',
];

/**
 * The `SET` keys Rivulet knows, declared as connector options are, each with how it is handled
 * (see OptionHandling). A key not listed here is kept, as Flink's SQL client keeps any key, and
 * each job it is in force for prints one warning line that it has no effect.
 */
export const SETTINGS: readonly OptionSpec[] = [
  opt.string('table.local-time-zone', "the session time zone: an IANA id, '+08:00', 'UTC' or 'default'"),
  opt.duration('table.exec.state.ttl', 'how long keyed state of joins and aggregates is kept without being written'),
  opt.boolean(
    'table.dynamic-table-options.enabled',
    "whether OPTIONS table hints may override a table's options for one reference",
    { default: 'true' },
  ),
  opt.duration('execution.checkpointing.interval', 'how often a job commits its output with its positions', {
    handling: handled.met('a job commits after every batch, as soon as its output is ready, so at least this often'),
  }),
  opt.enumOf('execution.checkpointing.mode', ['EXACTLY_ONCE', 'AT_LEAST_ONCE'], 'the checkpoints guarantee', {
    handling: handled.met('commits are exactly once, which meets both modes'),
  }),
  opt.duration('execution.checkpointing.timeout', 'longest time a checkpoint may take', {
    handling: handled.warned('a commit is one transaction of the job, which is not abandoned after a time'),
  }),
  opt.int('parallelism.default', 'parallelism of every operator', {
    handling: handled.met(
      "a job's keyed operators run in this many subtasks, each owning a range of key groups (docs/workers.md); a job with nothing keyed runs as one task",
    ),
  }),
  opt.int(
    'pipeline.max-parallelism',
    'the number of key groups of a parallel job: the most subtasks it can be rescaled to',
    {
      handling: handled.met('the partitions of its exchange topics, one per key group (docs/workers.md)'),
    },
  ),
  opt.string(
    'pipeline.name',
    'the name of the job of the INSERT or statement set that follows (it names its positions)',
  ),
  opt.enumOf('restart-strategy.type', RESTART_STRATEGIES, 'how a failed job is restarted (see docs/operators.md)'),
  opt.enumOf('restart-strategy', RESTART_STRATEGIES, "the older name of 'restart-strategy.type'"),
  opt.int('restart-strategy.fixed-delay.attempts', 'how often a failed job is restarted'),
  opt.duration('restart-strategy.fixed-delay.delay', 'the pause before a restart'),
  opt.int('restart-strategy.failure-rate.max-failures-per-interval', 'failures within the interval that fail the job'),
  opt.duration('restart-strategy.failure-rate.failure-rate-interval', 'the interval failures are counted in'),
  opt.duration('restart-strategy.failure-rate.delay', 'the pause before a restart'),
  opt.duration('restart-strategy.exponential-delay.initial-backoff', 'the pause before the first restart'),
  opt.duration('restart-strategy.exponential-delay.max-backoff', 'the longest pause before a restart'),
  opt.string('restart-strategy.exponential-delay.backoff-multiplier', 'how much longer each next pause is'),
  opt.duration(
    'restart-strategy.exponential-delay.reset-backoff-threshold',
    'a time without failure after which the pause starts again at initial-backoff',
  ),
  opt.string('restart-strategy.exponential-delay.jitter-factor', 'the random share of each pause, from 0 to 1'),
  opt.int(
    'restart-strategy.exponential-delay.attempts-before-reset-backoff',
    'failures without a reset that fail the job',
  ),
];

const BY_KEY = new Map(SETTINGS.map((spec) => [spec.key, spec]));

/** What is wrong with `SET 'key' = 'value'`, with what to do instead; undefined when nothing is. */
export function settingProblem(key: string, value: string): { message: string; hint?: string } | undefined {
  const spec = BY_KEY.get(key);
  if (!spec) return undefined;
  const parsed = parseOptionValue(spec, value);
  if (typeof parsed === 'object') return { message: parsed.error };
  const refused = spec.refused;
  if (refused?.values.some((v) => v.toLowerCase() === value.trim().toLowerCase())) {
    return { message: `'${value}' is not supported: ${refused.why}`, hint: refused.hint };
  }
  if (key === 'table.local-time-zone') {
    try {
      resolveTimeZone(value);
    } catch (error) {
      return { message: (error as Error).message };
    }
  }
  if (
    (key === 'parallelism.default' || key === 'pipeline.max-parallelism') &&
    !(Number(value) >= 1 && Number(value) <= 32768)
  )
    return { message: `'${value}' is not a whole number from 1 to 32768` };
  return undefined;
}

/** One line for each setting in force that has no effect here: printed once per job. */
export function settingWarnings(settings: ReadonlyMap<string, string>): string[] {
  const warnings: string[] = [];
  for (const [key, value] of settings) {
    const spec = BY_KEY.get(key);
    if (!spec) {
      warnings.push(`SET '${key}' has no effect: it is not a setting Rivulet knows`);
      continue;
    }
    const warning = optionWarning(spec, key, value);
    if (warning) warnings.push(`SET ${warning}`);
  }
  return warnings;
}

/** `table.exec.state.ttl` in milliseconds; 0 (the default) keeps state forever. */
export function stateTtlSetting(settings: ReadonlyMap<string, string>): number {
  const value = settings.get('table.exec.state.ttl');
  return value === undefined ? 0 : (parseDuration(value) ?? 0);
}
