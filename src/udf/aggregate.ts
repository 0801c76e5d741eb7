import type { Accumulator, UserDefinedAggregate } from '../exec/accumulators.ts';
import { EvaluationError, type Value } from '../expr/value.ts';
import { functionFailure, resultCheck } from './result-check.ts';
import type { UserAggregateFunction } from './user-function.ts';

/** Heap bytes guessed for a user accumulator, whose size this engine does not measure. */
const WEIGHT = 256;

/** An accumulator as JSON, a bigint as `{"$bigint": "digits"}` (JSON has no bigint). */
function save(accumulator: unknown): string {
  return JSON.stringify(accumulator, (_, value) => (typeof value === 'bigint' ? { $bigint: String(value) } : value));
}

function restore(saved: string): unknown {
  return JSON.parse(saved, (_, value) =>
    value !== null && typeof value === 'object' && typeof value.$bigint === 'string' && Object.keys(value).length === 1
      ? BigInt(value.$bigint)
      : value,
  );
}

/**
 * A user aggregate function as the aggregate operators run accumulators: Flink's contract, the
 * accumulator made by createAccumulator and changed in place by accumulate and retract (or replaced
 * by what they return), its value read by getValue. It is saved in checkpoints and spilled state
 * as JSON, so it must be plain data (objects, arrays, numbers, strings, booleans, null, bigint).
 * `argumentCount` > 1: each value is the ROW (array) of the call's arguments.
 */
export function userAggregate(fn: UserAggregateFunction, argumentCount: number): UserDefinedAggregate {
  const spread = argumentCount > 1;
  const check = resultCheck(fn.name, fn.result);
  const call = (method: (accumulator: unknown, ...args: unknown[]) => unknown, accumulator: unknown, value: Value) => {
    const args = spread ? (value as readonly Value[]) : argumentCount === 0 ? [] : [value];
    try {
      const returned = method(accumulator, ...args);
      return returned === undefined ? accumulator : returned;
    } catch (error) {
      throw functionFailure(fn.name, args, error);
    }
  };
  return {
    name: fn.name,
    accumulator: (saved) => {
      let accumulator = saved === undefined ? fn.createAccumulator() : restore(saved as string);
      return {
        add: (value) => {
          accumulator = call(fn.accumulate, accumulator, value);
        },
        retract: (value) => {
          // The planner refuses an updating input for a function without retract (as Flink does).
          if (!fn.retract) throw new EvaluationError('UDF_NO_RETRACT', `function ${fn.name} has no retract method`);
          accumulator = call(fn.retract, accumulator, value);
        },
        result: () => {
          let value: unknown;
          try {
            value = fn.getValue(accumulator);
          } catch (error) {
            throw functionFailure(`${fn.name}.getValue`, [], error);
          }
          return check(value);
        },
        save: () => save(accumulator),
        weight: () => WEIGHT,
      } satisfies Accumulator;
    },
  };
}
