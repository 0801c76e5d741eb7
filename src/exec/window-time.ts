import { localMillisToInstant, type TimeZone } from '../types/temporal.ts';

const HOUR = 3_600_000;

export interface WindowTime {
  /** Event time (a rowtime column) or processing time (the clock of the job). */
  readonly kind: 'ROWTIME' | 'PROCTIME';
  /**
   * For a TIMESTAMP_LTZ time attribute (every processing-time one): the session time zone, in whose
   * wall clock windows are aligned. Undefined for TIMESTAMP, whose values already are wall clock.
   */
  readonly zone: TimeZone | undefined;
}

/**
 * The instant at which a window ending at wall-clock time `local` (in `zone`) is complete, as
 * Flink's TimeWindowUtil.toEpochMillsForTimer: a time skipped by a daylight-saving gap fires at the
 * first instant after the gap, a time that occurs twice fires at its second occurrence. Milliseconds.
 */
export function timerInstant(zone: TimeZone, local: number): number {
  const t1 = localMillisToInstant(zone, local);
  const t2 = localMillisToInstant(zone, local + HOUR);
  if (t1 === t2) return t1 - (((t1 % HOUR) + HOUR) % HOUR);
  if (t2 - t1 > HOUR) return t1 + HOUR;
  return t1;
}
