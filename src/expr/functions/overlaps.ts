import { type DataType, describeType, isTimestamp, T } from '../../types/data-type.ts';
import { compareTimes, MICROS_PER_DAY, plusMicros, type TimeValue, timeValue } from '../../types/time-value.ts';
import type { BoundExpr, ScalarFunction } from '../bound.ts';
import type { Evaluator, Value } from '../value.ts';
import { anyNullable } from './definition.ts';

function isInterval(type: DataType): boolean {
  return type.kind === 'INTERVAL_DAY_TIME' || type.kind === 'INTERVAL_YEAR_MONTH';
}

/**
 * (start1, end1) OVERLAPS (start2, end2), where an end may be an interval after its start. Each
 * period is put in order first; they overlap when each starts no later than the other ends
 * (Flink's generateTemporalOverlaps). NULL when any value is NULL.
 */
export const OVERLAPS: ScalarFunction = {
  name: 'OVERLAPS',
  signatures: ['(DATETIME, DATETIME | INTERVAL) OVERLAPS (DATETIME, DATETIME | INTERVAL)'],
  bind(args, ctx) {
    const [start1, end1, start2, end2] = args as [BoundExpr, BoundExpr, BoundExpr, BoundExpr];
    const kind = start1.type.kind;
    const point = (type: DataType) => type.kind === kind || (isTimestamp(type) && isTimestamp(start1.type));
    if (!(kind === 'DATE' || kind === 'TIME' || isTimestamp(start1.type)))
      ctx.fail(`OVERLAPS needs periods of DATE, TIME or TIMESTAMP, got ${describeType(start1.type)}`);
    for (const end of [end1, end2]) {
      if (!point(end.type) && end.type.kind !== 'INTERVAL_DAY_TIME')
        ctx.fail(
          `a period of OVERLAPS ends with a ${describeType(start1.type)} or a day-time INTERVAL, got ${describeType(end.type)}`,
        );
    }
    if (!point(start2.type))
      ctx.fail(
        `OVERLAPS compares periods of one type, got ${describeType(start1.type)} and ${describeType(start2.type)}`,
      );
    return { args, type: T.boolean(anyNullable(args)) };
  },
  compile(args, call) {
    const [start1, end1, start2, end2] = args as [Evaluator, Evaluator, Evaluator, Evaluator];
    const dates = call.args[0]?.type.kind === 'DATE';
    const asTime = (v: Value): TimeValue => (dates ? timeValue(v as number, 0) : (v as TimeValue));
    const endOf = (type: DataType) =>
      isInterval(type)
        ? (start: TimeValue, v: Value) =>
            plusMicros(start, dates ? Math.trunc((v as number) / MICROS_PER_DAY) * MICROS_PER_DAY : (v as number))
        : (_start: TimeValue, v: Value) => asTime(v);
    const end1Of = endOf(call.args[1]?.type as DataType);
    const end2Of = endOf(call.args[3]?.type as DataType);
    return (row) => {
      const values = [start1(row), end1(row), start2(row), end2(row)];
      if (values.includes(null)) return null;
      const [a, b] = ordered(asTime(values[0] as Value), end1Of(asTime(values[0] as Value), values[1] as Value));
      const [c, d] = ordered(asTime(values[2] as Value), end2Of(asTime(values[2] as Value), values[3] as Value));
      return compareTimes(a, d) <= 0 && compareTimes(c, b) <= 0;
    };
  },
};

function ordered(start: TimeValue, end: TimeValue): [TimeValue, TimeValue] {
  return compareTimes(start, end) <= 0 ? [start, end] : [end, start];
}
