import type { TimeZone } from '../types/temporal.ts';

/** What evaluation needs from the job: the session time zone, the processing-time clock and the operator's watermark. */
export interface EvalEnv {
  readonly timeZone: TimeZone;
  /** The current instant in microseconds since the epoch. */
  nowMicros(): number;
  /** The watermark the evaluating operator last received (ms since the epoch), undefined before the first. */
  currentWatermark?(): number | undefined;
}
