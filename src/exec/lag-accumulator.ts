import { EvaluationError, type Value } from '../expr/value.ts';
import { type PackedRow, pack, unpack } from '../state/packed-row.ts';
import { type Accumulator, FIXED, PER_VALUE } from './accumulator.ts';

/**
 * LAG(value [, offset [, default]]) OVER an unbounded window, as Flink 1.18's streaming
 * LagAggFunction: the window's latest offset + 1 values are kept (NULLs too); the result is the
 * oldest of them once there are offset + 1, else the default (the latest row's; NULL without one).
 * Offset and default come with each row, as Flink's accumulate(acc, value, offset, default) takes
 * them. Flink refuses LAG where rows are retracted (a bounded window), so retract is never called.
 */
export function lag(argCount: number, saved: unknown): Accumulator {
  const [savedOffset, savedDefault, ...savedBuffer] = saved === undefined ? [1, null] : unpack(saved as PackedRow);
  let offset = savedOffset as number;
  let fallback: Value = savedDefault ?? null;
  const buffer: Value[] = savedBuffer;
  return {
    add: (input) => {
      const [value, rowOffset, rowDefault] = argCount === 1 ? [input] : (input as readonly Value[]);
      if (argCount > 1) {
        if (rowOffset === null || rowOffset === undefined)
          throw new EvaluationError('SQL_RUNTIME_ERROR', 'the offset of LAG is NULL');
        if ((rowOffset as number) < 0)
          throw new EvaluationError('SQL_RUNTIME_ERROR', `Offset(${rowOffset}) should be positive.`);
        offset = rowOffset as number;
      }
      if (argCount > 2) fallback = rowDefault ?? null;
      buffer.push(value ?? null);
      while (buffer.length > offset + 1) buffer.shift();
    },
    retract: () => {
      throw new Error('LAG takes no retraction: it runs over unbounded OVER windows only');
    },
    result: () => (buffer.length < offset + 1 ? fallback : (buffer[0] ?? null)),
    save: () => pack([offset, fallback, ...buffer]),
    weight: () => FIXED + PER_VALUE * buffer.length,
  };
}
