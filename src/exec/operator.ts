import type { Change } from './change.ts';

/**
 * An operator turns batches of input changes into output changes, keeping its own state. Inputs
 * are numbered (a join has 0 = left and 1 = right). Operators are synchronous; I/O belongs to
 * sources and sinks.
 *
 * Time reaches operators through the optional hooks below. Watermarks and processing time are
 * whole milliseconds since 1970, as in Flink (exact as numbers over the whole range of TIMESTAMP,
 * whose values are TimeValues, see src/expr/value.ts); the graph gives an operator the minimum of
 * the watermarks of all its inputs, and forwards it downstream after the changes `onWatermark`
 * returns. An operator without `onWatermark` only forwards it.
 */
export interface Operator {
  process(changes: readonly Change[], input: number): Change[];
  /** Event time: the watermark of the operator's inputs advanced; returns what that completes. */
  onWatermark?(watermark: number): Change[];
  /**
   * The watermark the operator sends downstream when its inputs' watermark is `watermark` (after
   * `onWatermark`); the same without this hook. An event-time interval join holds it back.
   */
  outputWatermark?(watermark: number): number;
  /** Processing time: the wall clock reads `now` (milliseconds since the epoch). */
  onProcessingTime?(now: number): Change[];
  /**
   * For an operator that generates watermarks (the WatermarkAssigner): its watermark after the
   * rows processed so far, undefined before the first. Watermarks from upstream stop there.
   */
  generatedWatermark?(): number | undefined;
  /** Gives back what the operator's state holds outside the heap (spill files). */
  close?(): void;
}

/**
 * The latest processing-time timer the clock `now` fires: Flink's timer service fires a timer at t
 * once the clock has passed it (1 ms after t, "to align the semantics with watermark"), so a
 * window whose timer is at end - 1 fires when the clock reaches its end.
 */
export function timersDueAt(now: number): number {
  return now - 1;
}

export function isAccumulate(kind: Change['kind']): boolean {
  return kind === '+I' || kind === '+U';
}
