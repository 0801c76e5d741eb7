import { RivuletError } from '../common/errors.ts';
import { parseDuration } from '../connectors/options.ts';

/** Flink's fixed-delay restart strategy: how often a failed job starts again, and after what pause. */
export interface RestartStrategy {
  readonly attempts: number;
  readonly delayMs: number;
}

/** The strategy of a job's `SET 'restart-strategy…'` settings; fixed-delay, 3 attempts, 1 s by default. */
export function restartStrategy(settings: ReadonlyMap<string, string>): RestartStrategy {
  const type = settings.get('restart-strategy.type') ?? settings.get('restart-strategy') ?? 'fixed-delay';
  if (['none', 'off', 'disable', 'no-restart'].includes(type)) return { attempts: 0, delayMs: 0 };
  if (type !== 'fixed-delay') {
    throw new RivuletError(
      'NOT_SUPPORTED_YET',
      `restart-strategy.type '${type}' is not supported`,
      "use 'fixed-delay' (with restart-strategy.fixed-delay.attempts and .delay) or 'none'",
    );
  }
  const attempts = Number(settings.get('restart-strategy.fixed-delay.attempts') ?? 3);
  const delay = settings.get('restart-strategy.fixed-delay.delay') ?? '1 s';
  const delayMs = parseDuration(delay);
  if (!Number.isInteger(attempts) || attempts < 0 || delayMs === undefined) {
    throw new RivuletError(
      'BAD_OPTION',
      `restart-strategy.fixed-delay: attempts '${settings.get('restart-strategy.fixed-delay.attempts')}' or delay '${delay}' is not valid`,
      "for example SET 'restart-strategy.fixed-delay.attempts' = '3'; SET 'restart-strategy.fixed-delay.delay' = '1 s';",
    );
  }
  return { attempts, delayMs };
}
