import {
  type DataType,
  describeType,
  isCharacterString,
  isInteger,
  isNumeric,
  isTimestamp,
  T,
} from '../../types/data-type.ts';
import { compileDateFormat, type DateFormat, type DateFormatStyle } from '../../types/date-format.ts';
import { pow10 } from '../../types/decimal.ts';
import {
  dayStart,
  extractField,
  instantToLocal,
  parseDate,
  parseTimestamp,
  type TimeUnit,
  timeOfDay,
} from '../../types/temporal.ts';
import {
  dayOf,
  epochMillis,
  fromEpochMillis,
  fromMicros,
  MICROS_PER_DAY,
  NANOS_PER_DAY,
  nanoOfDay,
  plusMicros,
  type TimeValue,
  timeValue,
  truncateTime,
} from '../../types/time-value.ts';
import type { BindContext, BoundExpr, ScalarFunction } from '../bound.ts';
import type { EvalEnv } from '../eval-env.ts';
import { EvaluationError, type Evaluator, type Value } from '../value.ts';
import { addMonths, dateInRange, inRange } from './calendar-arithmetic.ts';
import { anyNullable, strict } from './definition.ts';

/** Current time truncated to milliseconds, the precision of Flink's clock functions. */
function nowMillis(env: EvalEnv): TimeValue {
  return truncateTime(fromMicros(env.nowMicros()), 3);
}

function niladic(name: string, type: DataType, value: (env: EvalEnv) => Value): ScalarFunction {
  return {
    name,
    signatures: [`${name}()`],
    deterministic: false,
    bind(args, ctx) {
      if (args.length > 0) ctx.fail(`${name} takes no arguments`);
      return { args, type };
    },
    compile: (_args, _call, env) => () => value(env),
  };
}

export const CURRENT_TIMESTAMP = niladic('CURRENT_TIMESTAMP', T.timestampLtz(3, false), nowMillis);
export const NOW = { ...CURRENT_TIMESTAMP, name: 'NOW' };
export const CURRENT_ROW_TIMESTAMP = { ...CURRENT_TIMESTAMP, name: 'CURRENT_ROW_TIMESTAMP' };
export const LOCALTIMESTAMP = niladic('LOCALTIMESTAMP', T.timestamp(3, false), (env) =>
  instantToLocal(env.timeZone, nowMillis(env)),
);
export const CURRENT_DATE = niladic('CURRENT_DATE', T.date(false), (env) =>
  dayOf(instantToLocal(env.timeZone, nowMillis(env))),
);
export const CURRENT_TIME = niladic('CURRENT_TIME', T.time(0, false), (env) =>
  truncateTime(timeOfDay(instantToLocal(env.timeZone, nowMillis(env))), 0),
);
export const LOCALTIME = { ...CURRENT_TIME, name: 'LOCALTIME' };
export const PROCTIME = niladic(
  'PROCTIME',
  { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'PROCTIME' },
  nowMillis,
);

/** The wall-clock time of a DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ value (in the session time zone). */
function localTime(type: DataType, env: EvalEnv): (value: Value) => TimeValue {
  switch (type.kind) {
    case 'DATE':
      return (v) => dayStart(v as number);
    case 'TIMESTAMP_LTZ':
      return (v) => instantToLocal(env.timeZone, v as TimeValue);
    default:
      return (v) => v as TimeValue;
  }
}

function requireTemporal(name: string, arg: BoundExpr | undefined, ctx: BindContext, allowTime = false): BoundExpr {
  if (!arg) ctx.fail(`${name} needs a date or timestamp argument`);
  const ok =
    arg.type.kind === 'NULL' ||
    arg.type.kind === 'DATE' ||
    isTimestamp(arg.type) ||
    (allowTime && arg.type.kind === 'TIME');
  if (!ok) ctx.fail(`${name} needs a DATE or TIMESTAMP argument, got ${describeType(arg.type)}`);
  return arg;
}

/** HOUR(ts), YEAR(date), ...: a BIGINT field of the value, as in Flink. */
function field(name: string, unit: TimeUnit, allowTime = false): ScalarFunction {
  return {
    name,
    signatures: [`${name}(${allowTime ? 'TIME | ' : ''}DATE | TIMESTAMP)`],
    bind(args, ctx) {
      if (args.length !== 1) ctx.fail(`${name} takes 1 argument, got ${args.length}`);
      requireTemporal(name, args[0], ctx, allowTime);
      return { args, type: T.bigint(anyNullable(args)) };
    },
    compile(args, call, env) {
      const local = localTime(call.args[0]?.type as DataType, env);
      return strict((value: Value) => BigInt(extractField(unit, local(value))))(args);
    },
  };
}

export const YEAR = field('YEAR', 'YEAR');
export const QUARTER = field('QUARTER', 'QUARTER');
export const MONTH = field('MONTH', 'MONTH');
export const WEEK = field('WEEK', 'WEEK');
export const DAYOFYEAR = field('DAYOFYEAR', 'DOY');
export const DAYOFMONTH = field('DAYOFMONTH', 'DAY');
export const DAYOFWEEK = field('DAYOFWEEK', 'DOW');
export const HOUR = field('HOUR', 'HOUR', true);
export const MINUTE = field('MINUTE', 'MINUTE', true);
export const SECOND = field('SECOND', 'SECOND', true);

/** EXTRACT(unit FROM value): the first argument is the unit as a string literal. */
export const EXTRACT: ScalarFunction = {
  name: 'EXTRACT',
  signatures: ['EXTRACT(unit FROM DATE | TIME | TIMESTAMP)'],
  bind(args, ctx) {
    requireTemporal('EXTRACT', args[1], ctx, true);
    return { args, type: T.bigint(anyNullable(args.slice(1))) };
  },
  compile(args, call, env) {
    const unit = (call.args[0] as { value: Value }).value as TimeUnit;
    const local = localTime(call.args[1]?.type as DataType, env);
    const operand = args[1] as Evaluator;
    return (row) => {
      const value = operand(row);
      return value === null ? null : BigInt(extractField(unit, local(value)));
    };
  },
};

function requireString(name: string, arg: BoundExpr | undefined, position: number, ctx: BindContext): void {
  if (arg && arg.type.kind !== 'NULL' && !isCharacterString(arg.type)) {
    ctx.fail(`argument ${position} of ${name} must be a character string, got ${describeType(arg.type)}`);
  }
}

/** DATE_FORMAT(timestamp | string, format): Java SimpleDateFormat patterns, e.g. 'yyyy-MM-dd HH:mm'. */
export const DATE_FORMAT: ScalarFunction = {
  name: 'DATE_FORMAT',
  signatures: ['DATE_FORMAT(TIMESTAMP, STRING)', 'DATE_FORMAT(STRING, STRING)'],
  bind(args, ctx) {
    if (args.length !== 2) ctx.fail(`DATE_FORMAT takes 2 arguments, got ${args.length}`);
    const [value, format] = args as [BoundExpr, BoundExpr];
    if (
      !(
        value.type.kind === 'NULL' ||
        isTimestamp(value.type) ||
        value.type.kind === 'DATE' ||
        isCharacterString(value.type)
      )
    ) {
      ctx.fail(`DATE_FORMAT needs a TIMESTAMP or a string, got ${describeType(value.type)}`);
    }
    requireString('DATE_FORMAT', format, 2, ctx);
    if (format.kind === 'literal' && typeof format.value === 'string') {
      const style = dateFormatStyleOf(value.type);
      try {
        formatWith(format.value, timeValue(0, 0), style);
      } catch (error) {
        ctx.fail(
          `DATE_FORMAT: ${(error as Error).message}`,
          style === 'java-time'
            ? "a TIMESTAMP is formatted with the letters of java.time's DateTimeFormatter, and has no zone or offset to print (z, Z, X, x, O, V)"
            : "a DATE or a string is formatted with the letters of Java's SimpleDateFormat",
        );
      }
    }
    return { args, type: T.string(anyNullable(args)) };
  },
  compile(args, call, env) {
    const type = call.args[0]?.type as DataType;
    const local = isCharacterString(type)
      ? (v: Value) => parseTimestamp(v as string) ?? invalid(`DATE_FORMAT cannot read '${v}' as a timestamp`)
      : localTime(type, env);
    const style = dateFormatStyleOf(type);
    return strict((value: Value, pattern: string) => formatWith(pattern, local(value), style))(args);
  },
};

/** Flink formats a TIMESTAMP with java.time patterns, a DATE or a string with SimpleDateFormat. */
function dateFormatStyleOf(type: DataType): DateFormatStyle {
  return isTimestamp(type) ? 'java-time' : 'simple';
}

function invalid(message: string): never {
  throw new EvaluationError('INVALID_ARGUMENT', message);
}

/** The pattern compiled in the style Flink uses for the caller (see date-format.ts). */
function dateFormat(pattern: string, style: DateFormatStyle): DateFormat {
  try {
    return compileDateFormat(pattern, style);
  } catch (error) {
    throw new EvaluationError('INVALID_FORMAT', (error as Error).message);
  }
}

/** A value formatted with a pattern; a pattern that cannot format it (a zone letter for a TIMESTAMP) fails the record. */
function formatWith(pattern: string, local: TimeValue, style: DateFormatStyle = 'simple'): string {
  const format = dateFormat(pattern, style);
  try {
    return format.format(local);
  } catch (error) {
    throw new EvaluationError('INVALID_FORMAT', (error as Error).message);
  }
}

function parseWith(pattern: string, text: string, style: DateFormatStyle = 'simple'): TimeValue | null {
  return dateFormat(pattern, style).parse(text);
}

/** TO_TIMESTAMP(string[, format]): TIMESTAMP(3); NULL when the text does not match. */
export const TO_TIMESTAMP: ScalarFunction = {
  name: 'TO_TIMESTAMP',
  signatures: ['TO_TIMESTAMP(STRING)', 'TO_TIMESTAMP(STRING, STRING)'],
  bind(args, ctx) {
    if (args.length < 1 || args.length > 2) ctx.fail(`TO_TIMESTAMP takes 1 or 2 arguments, got ${args.length}`);
    for (const [i, arg] of args.entries()) requireString('TO_TIMESTAMP', arg, i + 1, ctx);
    return { args, type: T.timestamp(3, true) };
  },
  compile: (args) =>
    strict((text: string, pattern?: string) => {
      const local =
        pattern === undefined
          ? (parseTimestamp(text) ?? parseWith('yyyy-MM-dd HH:mm:ss', text))
          : parseWith(pattern, text);
      return local === null ? null : truncateTime(local, 3);
    })(args),
};

/** TO_DATE(string[, format]): DATE; NULL when the text does not match. */
export const TO_DATE: ScalarFunction = {
  name: 'TO_DATE',
  signatures: ['TO_DATE(STRING)', 'TO_DATE(STRING, STRING)'],
  bind(args, ctx) {
    if (args.length < 1 || args.length > 2) ctx.fail(`TO_DATE takes 1 or 2 arguments, got ${args.length}`);
    for (const [i, arg] of args.entries()) requireString('TO_DATE', arg, i + 1, ctx);
    return { args, type: T.date(true) };
  },
  compile: (args) =>
    strict((text: string, pattern?: string) => {
      if (pattern === undefined) return parseDate(text);
      const local = parseWith(pattern, text);
      return local === null ? null : dayOf(local);
    })(args),
};

const LONG_MIN = -(2n ** 63n);

/** UNIX_TIMESTAMP(): now in seconds; UNIX_TIMESTAMP(string[, format]): that local time in seconds. */
export const UNIX_TIMESTAMP: ScalarFunction = {
  name: 'UNIX_TIMESTAMP',
  signatures: ['UNIX_TIMESTAMP()', 'UNIX_TIMESTAMP(STRING)', 'UNIX_TIMESTAMP(STRING, STRING)'],
  deterministic: false,
  zoned: true,
  bind(args, ctx) {
    if (args.length > 2) ctx.fail(`UNIX_TIMESTAMP takes 0 to 2 arguments, got ${args.length}`);
    for (const [i, arg] of args.entries()) requireString('UNIX_TIMESTAMP', arg, i + 1, ctx);
    return { args, type: T.bigint(args.length > 0) };
  },
  compile(args, _call, env) {
    if (args.length === 0) return () => BigInt(Math.floor(env.nowMicros() / 1_000_000));
    return strict((text: string, pattern?: string) => {
      // An offset written in the text counts; otherwise the text is a wall-clock time of the session zone.
      const instant = dateFormat(pattern ?? 'yyyy-MM-dd HH:mm:ss', 'simple').parseInstant(text, env.timeZone);
      // Text that does not parse gives Long.MIN_VALUE, as Flink documents (not NULL).
      return instant === null ? LONG_MIN : BigInt(Math.floor(epochMillis(instant) / 1000));
    })(args);
  },
};

/** FROM_UNIXTIME(seconds[, format]): the local time of an epoch second as text. */
export const FROM_UNIXTIME: ScalarFunction = {
  name: 'FROM_UNIXTIME',
  signatures: ['FROM_UNIXTIME(NUMERIC)', 'FROM_UNIXTIME(NUMERIC, STRING)'],
  zoned: true,
  bind(args, ctx) {
    if (args.length < 1 || args.length > 2) ctx.fail(`FROM_UNIXTIME takes 1 or 2 arguments, got ${args.length}`);
    const [seconds] = args as [BoundExpr];
    if (!isInteger(seconds.type) && seconds.type.kind !== 'NULL')
      ctx.fail(`FROM_UNIXTIME needs an integer number of seconds, got ${describeType(seconds.type)}`);
    requireString('FROM_UNIXTIME', args[1], 2, ctx);
    return { args, type: T.string(anyNullable(args)) };
  },
  compile: (args, _call, env) =>
    strict((seconds: number | bigint, pattern?: string) =>
      formatWith(pattern ?? 'yyyy-MM-dd HH:mm:ss', instantToLocal(env.timeZone, fromEpochSeconds(seconds))),
    )(args),
};

/** TO_TIMESTAMP_LTZ(epoch, precision): precision 0 reads seconds, 3 milliseconds. */
export const TO_TIMESTAMP_LTZ: ScalarFunction = {
  name: 'TO_TIMESTAMP_LTZ',
  signatures: ['TO_TIMESTAMP_LTZ(NUMERIC, 0 | 3)'],
  bind(args, ctx) {
    if (args.length !== 2) ctx.fail(`TO_TIMESTAMP_LTZ takes 2 arguments, got ${args.length}`);
    const [epoch, precision] = args as [BoundExpr, BoundExpr];
    if (!isNumeric(epoch.type) && epoch.type.kind !== 'NULL')
      ctx.fail(`TO_TIMESTAMP_LTZ needs a numeric epoch, got ${describeType(epoch.type)}`);
    const p = precision.kind === 'literal' ? Number(precision.value) : Number.NaN;
    if (p !== 0 && p !== 3)
      ctx.fail('the precision of TO_TIMESTAMP_LTZ must be the literal 0 (seconds) or 3 (milliseconds)');
    return { args, type: T.timestampLtz(3, anyNullable(args.slice(0, 1))) };
  },
  compile(args, call) {
    const epochType = call.args[0]?.type as DataType;
    const seconds = Number((call.args[1] as { value: Value }).value) === 0;
    // As Flink's DateTimeUtils.toTimestampData: a DECIMAL is cut to whole seconds (precision 0) or whole
    // milliseconds (3), rounding toward zero; a DOUBLE of seconds keeps its milliseconds, cut toward zero as
    // Java's (long) cast does.
    let toMillis: (v: Value) => number;
    if (epochType.kind === 'DECIMAL') {
      const unit = pow10(epochType.scale);
      toMillis = (v) => Number(((v as bigint) / unit) * (seconds ? 1000n : 1n));
    } else {
      toMillis = seconds ? (v) => Math.trunc(Number(v) * 1000) : (v) => Math.trunc(Number(v));
    }
    const [epoch] = args as [Evaluator];
    return (row) => {
      const value = epoch(row);
      if (value === null) return null;
      return inRange(fromEpochMillis(toMillis(value)), 'TO_TIMESTAMP_LTZ');
    };
  },
};

/** TIMESTAMP/DATE ± INTERVAL, and TIMESTAMP - TIMESTAMP is not offered (use TIMESTAMPDIFF). */
function datetimeArithmetic(name: string, sign: 1 | -1): ScalarFunction {
  return {
    name,
    signatures: [`DATETIME ${sign > 0 ? '+' : '-'} INTERVAL`],
    bind(args, ctx) {
      let [left, right] = args as [BoundExpr, BoundExpr];
      if (sign > 0 && (left.type.kind === 'INTERVAL_DAY_TIME' || left.type.kind === 'INTERVAL_YEAR_MONTH'))
        [left, right] = [right, left];
      const interval = right.type.kind === 'INTERVAL_DAY_TIME' || right.type.kind === 'INTERVAL_YEAR_MONTH';
      if (!interval || !(left.type.kind === 'DATE' || left.type.kind === 'TIME' || isTimestamp(left.type))) {
        ctx.fail(
          `cannot apply '${sign > 0 ? '+' : '-'}' to ${describeType(left.type)} and ${describeType(right.type)}`,
          'add or subtract an INTERVAL to a DATE, TIME or TIMESTAMP',
        );
      }
      const { timeAttribute: _, ...type } = left.type as DataType & { timeAttribute?: string };
      return { args: [left, right], type: { ...(type as DataType), nullable: anyNullable(args) } as DataType };
    },
    compile(args, call) {
      const left = call.args[0]?.type as DataType;
      const months = call.args[1]?.type.kind === 'INTERVAL_YEAR_MONTH';
      const what = `${describeType(left)} ${sign > 0 ? '+' : '-'} INTERVAL`;
      return strict((value: number | TimeValue, amount: number) => {
        if (months) return addMonths(left, value, sign * amount, what);
        if (left.kind === 'DATE')
          return dateInRange((value as number) + Math.trunc((sign * amount) / MICROS_PER_DAY), what);
        if (left.kind === 'TIME') {
          const ofDay =
            (((nanoOfDay(value) + ((sign * amount) % MICROS_PER_DAY) * 1000) % NANOS_PER_DAY) + NANOS_PER_DAY) %
            NANOS_PER_DAY;
          return timeValue(0, ofDay);
        }
        return inRange(plusMicros(value, sign * amount), what);
      })(args);
    },
  };
}

/** An instant of a number of seconds since the epoch (FROM_UNIXTIME's argument). */
function fromEpochSeconds(seconds: number | bigint): TimeValue {
  return fromEpochMillis(Number(seconds) * 1000);
}

export const DATETIME_PLUS = datetimeArithmetic('DATETIME_PLUS', 1);
export const DATETIME_MINUS = datetimeArithmetic('DATETIME_MINUS', -1);

export { CONVERT_TZ } from './convert-tz.ts';
export { OVERLAPS } from './overlaps.ts';
export { CEIL_TO, FLOOR_TO, TIMESTAMPADD, TIMESTAMPDIFF } from './temporal-units.ts';
