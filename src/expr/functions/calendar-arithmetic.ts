import type { DataType } from '../../types/data-type.ts';
import { civilFromDays, dateInFlinkRange, daysFromCivil, daysInMonth } from '../../types/temporal.ts';
import { dayOf, inFlinkRange, nanoOfDay, type TimeValue, timeValue } from '../../types/time-value.ts';
import { EvaluationError } from '../value.ts';

/** A result past 9999-12-31 or before 0000-01-01 fails the record: nothing downstream could read it. */
export function inRange(value: TimeValue, what: string): TimeValue {
  if (inFlinkRange(value)) return value;
  throw new EvaluationError('DATETIME_OUT_OF_RANGE', `${what} gives a time outside 0000-01-01 to 9999-12-31`);
}

export function dateInRange(days: number, what: string): number {
  if (dateInFlinkRange(days)) return days;
  throw new EvaluationError('DATETIME_OUT_OF_RANGE', `${what} gives a date outside 0000-01-01 to 9999-12-31`);
}

/** Months added to a DATE or TIMESTAMP; a day past the end of the target month becomes its last day. */
export function addMonths(type: DataType, value: TimeValue, months: number, what: string): TimeValue {
  const days = type.kind === 'DATE' ? (value as number) : dayOf(value);
  const resultDays = addMonthsToDays(days, months);
  const { year } = civilFromDays(resultDays);
  if (year < 0 || year > 9999)
    throw new EvaluationError('DATETIME_OUT_OF_RANGE', `${what} gives a date outside 0000-01-01 to 9999-12-31`);
  return type.kind === 'DATE' ? resultDays : timeValue(resultDays, nanoOfDay(value));
}

/** A day moved by whole months, ending at the target month's last day when it is shorter. */
export function addMonthsToDays(days: number, months: number): number {
  const { year, month, day } = civilFromDays(days);
  const month0 = month - 1 + months;
  const targetYear = year + Math.floor(month0 / 12);
  const targetMonth = month0 - Math.floor(month0 / 12) * 12 + 1;
  return daysFromCivil(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}
