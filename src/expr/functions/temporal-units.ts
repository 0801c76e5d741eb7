import { type DataType, describeType, isInteger, isTimestamp, T } from '../../types/data-type.ts';
import { civilFromDays, daysFromCivil, instantToLocal, isoDayOfWeek, localToInstant } from '../../types/temporal.ts';
import {
  compareTimes,
  dayOf,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  NANOS_PER_DAY,
  NANOS_PER_MILLI,
  nanoOfDay,
  plusMicros,
  type TimeValue,
  timeValue,
  toNanos,
} from '../../types/time-value.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import type { EvalEnv } from '../eval-env.ts';
import type { Evaluator, Value } from '../value.ts';
import { addMonths, addMonthsToDays, inRange } from './calendar-arithmetic.ts';
import { anyNullable } from './definition.ts';

/**
 * FLOOR/CEIL(timepoint TO unit), TIMESTAMPADD(unit, n, timepoint) and TIMESTAMPDIFF(unit, a, b). The
 * parser writes the unit as the string literal first or last argument, so only Flink's syntax reaches here.
 * A TIMESTAMP_LTZ is rounded, shifted and compared on the wall clock of the session time zone
 * (`table.local-time-zone`), as Flink does.
 */

/** The unit a call was written with (a literal the parser put there). */
function unitOf(arg: BoundExpr | undefined): string {
  return String((arg as { value: Value }).value);
}

const ROUNDING_UNITS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'];

/** The wall-clock value of a TIMESTAMP or TIMESTAMP_LTZ, and the way back. */
function wallClock(type: DataType, env: EvalEnv) {
  const ltz = type.kind === 'TIMESTAMP_LTZ';
  return {
    toLocal: (v: TimeValue) => (ltz ? instantToLocal(env.timeZone, v) : v),
    fromLocal: (v: TimeValue) => (ltz ? localToInstant(env.timeZone, v) : v),
  };
}

/** Start of the unit that holds a wall-clock timestamp; weeks start on Sunday (Calcite's julianDateFloor). */
function floorLocal(unit: string, value: TimeValue): TimeValue {
  const days = dayOf(value);
  const nanos = nanoOfDay(value);
  const micro = (size: number) => timeValue(days, nanos - (nanos % (size * 1000)));
  switch (unit) {
    case 'MILLISECOND':
      return micro(1000);
    case 'SECOND':
      return micro(MICROS_PER_SECOND);
    case 'MINUTE':
      return micro(MICROS_PER_MINUTE);
    case 'HOUR':
      return micro(MICROS_PER_HOUR);
    case 'DAY':
      return timeValue(days, 0);
    case 'WEEK':
      return timeValue(days - (isoDayOfWeek(days) % 7), 0);
  }
  const { year, month } = civilFromDays(days);
  const firstMonth = unit === 'YEAR' ? 1 : unit === 'QUARTER' ? month - ((month - 1) % 3) : month;
  return timeValue(daysFromCivil(year, firstMonth, 1), 0);
}

/** The smallest unit boundary at or after a wall-clock timestamp. */
function ceilLocal(unit: string, value: TimeValue): TimeValue {
  const floor = floorLocal(unit, value);
  if (compareTimes(floor, value) === 0) return floor;
  return addUnits(unit, 1, floor);
}

function rounding(name: 'FLOOR TO' | 'CEIL TO', round: (unit: string, local: TimeValue) => TimeValue): ScalarFunction {
  const syntax = name === 'FLOOR TO' ? 'FLOOR' : 'CEIL';
  return {
    name,
    signatures: [`${syntax}(DATE | TIME | TIMESTAMP TO unit)`],
    bind(args, ctx) {
      const [value, unitArg] = args as [BoundExpr, BoundExpr];
      const unit = unitOf(unitArg);
      const type = value.type;
      if (!(type.kind === 'DATE' || type.kind === 'TIME' || isTimestamp(type)))
        ctx.fail(`${syntax}(... TO ${unit}) needs a DATE, TIME or TIMESTAMP, got ${describeType(type)}`);
      const units = type.kind === 'TIME' ? ['HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'] : ROUNDING_UNITS;
      if (!units.includes(unit))
        ctx.fail(`${syntax} cannot round ${describeType(type)} to ${unit}`, `units: ${units.join(', ')}`);
      const { timeAttribute: _, ...plain } = type as DataType & { timeAttribute?: string };
      return { args, type: plain as DataType };
    },
    compile(args, call, env) {
      const type = call.args[0]?.type as DataType;
      const unit = unitOf(call.args[1]);
      const [operand] = args as [Evaluator];
      const clock = wallClock(type, env);
      const apply =
        type.kind === 'DATE'
          ? (v: Value) => dayOf(round(unit, timeValue(v as number, 0)))
          : type.kind === 'TIME'
            ? (v: Value) => timeValue(0, nanoOfDay(round(unit, v as TimeValue)) % NANOS_PER_DAY)
            : (v: Value) => inRange(clock.fromLocal(round(unit, clock.toLocal(v as TimeValue))), syntax);
      return (row) => {
        const value = operand(row);
        return value === null ? null : apply(value);
      };
    },
  };
}

export const FLOOR_TO = rounding('FLOOR TO', floorLocal);
export const CEIL_TO = rounding('CEIL TO', ceilLocal);

const SHIFT_MICROS: Readonly<Record<string, number>> = {
  WEEK: 7 * MICROS_PER_DAY,
  DAY: MICROS_PER_DAY,
  HOUR: MICROS_PER_HOUR,
  MINUTE: MICROS_PER_MINUTE,
  SECOND: MICROS_PER_SECOND,
  MILLISECOND: 1000,
  MICROSECOND: 1,
};

/** A wall-clock timestamp moved by whole units; a month past the end of the target month ends at its last day. */
function addUnits(unit: string, amount: number, value: TimeValue): TimeValue {
  const micros = SHIFT_MICROS[unit];
  if (micros !== undefined) return plusMicros(value, amount * micros);
  const months = amount * (unit === 'YEAR' ? 12 : unit === 'QUARTER' ? 3 : 1);
  return addMonths(T.timestamp(9), value, months, `adding ${unit}`);
}

const SHIFT_UNITS = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
];

function requireTimepoint(name: string, arg: BoundExpr, ctx: BindContext): void {
  const type = arg.type;
  if (!(type.kind === 'NULL' || type.kind === 'DATE' || isTimestamp(type)))
    ctx.fail(`${name} needs a DATE or TIMESTAMP, got ${describeType(type)}`);
}

/** TIMESTAMPADD(unit, n, timepoint): a DATE stays a DATE unless moved by a unit of the clock (then TIMESTAMP(0)). */
export const TIMESTAMPADD: ScalarFunction = {
  name: 'TIMESTAMPADD',
  signatures: ['TIMESTAMPADD(unit, INT, DATE | TIMESTAMP)'],
  bind(args, ctx) {
    const [unitArg, amount, timepoint] = args as [BoundExpr, BoundExpr, BoundExpr];
    const unit = unitOf(unitArg);
    if (!SHIFT_UNITS.includes(unit)) ctx.fail(`TIMESTAMPADD cannot add ${unit}`, `units: ${SHIFT_UNITS.join(', ')}`);
    if (!isInteger(amount.type) && amount.type.kind !== 'NULL')
      ctx.fail(`TIMESTAMPADD needs an integer amount, got ${describeType(amount.type)}`);
    requireTimepoint('TIMESTAMPADD', timepoint, ctx);
    const nullable = anyNullable([amount, timepoint]);
    const clockUnit = SHIFT_MICROS[unit] !== undefined && unit !== 'DAY' && unit !== 'WEEK';
    let type: DataType;
    if (timepoint.type.kind === 'DATE') {
      type = clockUnit
        ? T.timestamp(unit === 'MICROSECOND' ? 6 : unit === 'MILLISECOND' ? 3 : 0, nullable)
        : T.date(nullable);
    } else {
      const { timeAttribute: _, ...plain } = timepoint.type as DataType & { timeAttribute?: string };
      type = { ...(plain as DataType), nullable } as DataType;
    }
    return { args, type };
  },
  compile(args, call, env) {
    const unit = unitOf(call.args[0]);
    const source = call.args[2]?.type as DataType;
    const [, amountOf, timepointOf] = args as [Evaluator, Evaluator, Evaluator];
    const clock = wallClock(source, env);
    const toDate = call.type.kind === 'DATE';
    return (row) => {
      const amount = amountOf(row);
      const value = timepointOf(row);
      if (amount === null || value === null) return null;
      const local = source.kind === 'DATE' ? timeValue(value as number, 0) : clock.toLocal(value as TimeValue);
      const moved = addUnits(unit, Number(amount), local);
      if (toDate) return dayOf(inRange(moved, 'TIMESTAMPADD'));
      return inRange(source.kind === 'DATE' ? moved : clock.fromLocal(moved), 'TIMESTAMPADD');
    };
  },
};

const DIFF_MICROS: Readonly<Record<string, bigint>> = {
  WEEK: 7n * 86_400_000_000_000n,
  DAY: 86_400_000_000_000n,
  HOUR: 3_600_000_000_000n,
  MINUTE: 60_000_000_000n,
  SECOND: 1_000_000_000n,
  MILLISECOND: 1_000_000n,
  MICROSECOND: 1000n,
};

/**
 * Whole months from a day `from` to a later-or-earlier day `to`: the most months that, added to the earlier
 * day (ending at a shorter month's last day), do not pass the later one (Flink's DateTimeUtils.subtractMonths).
 */
function monthsBetweenDays(from: number, to: number): number {
  if (to < from) return -monthsBetweenDays(to, from);
  // No month is longer than 31 days, so this estimate never overshoots.
  let months = Math.trunc((to - from) / 31);
  while (addMonthsToDays(from, months) < to && addMonthsToDays(from, months + 1) <= to) months++;
  return months;
}

/**
 * Whole months from a to b. As in Flink's DateTimeUtils.subtractMonths(long, long), the time of day (to the
 * millisecond) takes a month off only when a moved by the months lands on b's very day at a later time.
 */
function monthsBetween(a: TimeValue, b: TimeValue): number {
  const fromDay = dayOf(a);
  const toDay = dayOf(b);
  const months = monthsBetweenDays(fromDay, toDay);
  const millisOfDay = (v: TimeValue) => Math.floor(nanoOfDay(v) / NANOS_PER_MILLI);
  if (addMonthsToDays(fromDay, months) === toDay && millisOfDay(b) < millisOfDay(a)) return months - 1;
  return months;
}

/** TIMESTAMPDIFF(unit, a, b): the signed number of whole units from a to b, an INT. */
export const TIMESTAMPDIFF: ScalarFunction = {
  name: 'TIMESTAMPDIFF',
  signatures: ['TIMESTAMPDIFF(unit, DATE | TIMESTAMP, DATE | TIMESTAMP)'],
  bind(args, ctx) {
    const [unitArg, a, b] = args as [BoundExpr, BoundExpr, BoundExpr];
    const unit = unitOf(unitArg);
    if (!SHIFT_UNITS.includes(unit)) ctx.fail(`TIMESTAMPDIFF cannot count ${unit}`, `units: ${SHIFT_UNITS.join(', ')}`);
    requireTimepoint('TIMESTAMPDIFF', a, ctx);
    requireTimepoint('TIMESTAMPDIFF', b, ctx);
    return { args, type: T.int(anyNullable([a, b])) };
  },
  compile(args, call, env) {
    const unit = unitOf(call.args[0]);
    const [, aOf, bOf] = args as [Evaluator, Evaluator, Evaluator];
    const local = (type: DataType) => {
      const clock = wallClock(type, env);
      return type.kind === 'DATE'
        ? (v: Value) => timeValue(v as number, 0)
        : (v: Value) => clock.toLocal(v as TimeValue);
    };
    const aLocal = local(call.args[1]?.type as DataType);
    const bLocal = local(call.args[2]?.type as DataType);
    const per = DIFF_MICROS[unit];
    const divisor = unit === 'YEAR' ? 12 : unit === 'QUARTER' ? 3 : 1;
    return (row) => {
      const a = aOf(row);
      const b = bOf(row);
      if (a === null || b === null) return null;
      const from = aLocal(a);
      const to = bLocal(b);
      // BigInt division truncates toward zero, as Java's long division in Flink does.
      const count =
        per !== undefined ? Number((toNanos(to) - toNanos(from)) / per) : Math.trunc(monthsBetween(from, to) / divisor);
      return count | 0;
    };
  },
};
