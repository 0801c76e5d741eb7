import type { WindowProperty } from '../exec/group-window.ts';
import { WINDOW_PROPERTIES } from '../exec/group-window.ts';
import type { WindowSpec } from '../exec/window.ts';
import type { BoundExpr } from '../expr/bound.ts';
import { childExpressions, type Expression, type FunctionCall, type Select } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, describeType, isTimestamp, T } from '../types/data-type.ts';
import { bindExpression } from './bind-expression.ts';
import type { Field } from './nodes.ts';
import type { PlanContext } from './relation.ts';
import { Scope } from './scope.ts';

type GroupWindowType = 'TUMBLE' | 'HOP' | 'SESSION';

const GROUP_WINDOWS = new Set<string>(['TUMBLE', 'HOP', 'SESSION']);

/** TUMBLE_START and the other auxiliary functions: the window function and the property each reads. */
const AUXILIARY: ReadonlyMap<string, { window: GroupWindowType; property: WindowProperty }> = new Map(
  [...GROUP_WINDOWS].flatMap((window) =>
    WINDOW_PROPERTIES.map(
      (property) => [`${window}_${property.toUpperCase()}`, { window: window as GroupWindowType, property }] as const,
    ),
  ),
);

/** A group window function of GROUP BY, bound: `TUMBLE(ts, INTERVAL '1' MINUTE)`. */
export interface GroupWindow {
  readonly call: FunctionCall;
  readonly type: GroupWindowType;
  /** The time attribute, bound over the aggregate's input. */
  readonly time: BoundExpr;
  readonly timeType: DataType;
  readonly timeKind: 'ROWTIME' | 'PROCTIME';
  /** Microseconds: TUMBLE's size, HOP's size and slide, SESSION's gap (as `size`). */
  readonly size: number;
  readonly slide?: number;
}

const MICROS_PER_MILLI = 1000;

/**
 * The group window function among the GROUP BY expressions, if any (Flink allows one), and the
 * other expressions. Its first argument must be a time attribute, the others positive INTERVAL
 * literals of whole milliseconds.
 */
export function groupWindowOf(
  groupBy: readonly Expression[],
  scope: Scope,
  ctx: PlanContext,
): { window?: GroupWindow; rest: readonly Expression[] } {
  const calls = groupBy.filter(
    (expr): expr is FunctionCall => expr.kind === 'call' && GROUP_WINDOWS.has(expr.name) && !expr.over,
  );
  if (calls.length === 0) return { rest: groupBy };
  if (calls.length > 1) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      (calls[1] as FunctionCall).at,
      'a GROUP BY can have only one group window function',
    );
  }
  const call = calls[0] as FunctionCall;
  const type = call.name as GroupWindowType;
  const expected = type === 'HOP' ? 3 : 2;
  if (call.args.length !== expected || call.distinct || call.star) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      call.at,
      `${type} takes ${type === 'HOP' ? 'a time attribute, a slide and a size' : type === 'TUMBLE' ? 'a time attribute and a size' : 'a time attribute and a gap'}`,
      `${type}(ts, ${type === 'HOP' ? "INTERVAL '1' MINUTE, " : ''}INTERVAL '5' MINUTE)`,
    );
  }
  const env = { source: ctx.source };
  const time = bindExpression(call.args[0] as Expression, scope, env);
  const timeType = time.type;
  if (time.kind !== 'input' || !isTimestamp(timeType) || !timeType.timeAttribute) {
    throw new SqlError(
      'SQL_NOT_TIME_ATTRIBUTE',
      ctx.source,
      (call.args[0] as Expression).at,
      `Window can only be defined on a time attribute column, but is type of ${describeType(timeType)}`,
      'declare a WATERMARK FOR the column (event time) or use a column AS PROCTIME() (processing time)',
    );
  }
  const intervals = call.args.slice(1).map((arg) => {
    const bound = bindExpression(arg, new Scope([]), env);
    const value = bound.kind === 'literal' ? (bound.value as number) : 0;
    if (bound.kind !== 'literal' || bound.type.kind !== 'INTERVAL_DAY_TIME' || value <= 0) {
      throw new SqlError(
        'SQL_INVALID_CALL',
        ctx.source,
        arg.at,
        `${type} needs positive INTERVAL literals such as INTERVAL '1' MINUTE`,
      );
    }
    if (value % MICROS_PER_MILLI !== 0)
      throw new SqlError('SQL_INVALID_CALL', ctx.source, arg.at, 'window sizes must be whole milliseconds');
    return value;
  });
  const window: GroupWindow = {
    call,
    type,
    time,
    timeType,
    timeKind: timeType.timeAttribute,
    size: intervals[intervals.length - 1] as number,
    ...(type === 'HOP' ? { slide: intervals[0] as number } : {}),
  };
  return { window, rest: groupBy.filter((expr) => expr !== call) };
}

/** The window spec of a group window, its time being the aggregate input's field `timeField`. */
export function groupWindowSpec(window: GroupWindow, timeField: number): WindowSpec {
  return {
    type: window.type,
    timeField,
    timeKind: window.timeKind,
    size: window.size,
    ...(window.slide !== undefined ? { slide: window.slide } : {}),
  };
}

/**
 * The shape of expressions without source positions and qualifiers (`t.ts` is `ts`: the group
 * window's column is one of the input's), to compare the arguments of two calls.
 */
function shape(exprs: readonly Expression[]): string {
  return JSON.stringify(exprs, (key, value) => {
    if (key === 'at') return undefined;
    if (key === 'parts' && Array.isArray(value)) return value.at(-1);
    return value;
  });
}

/**
 * The window property an auxiliary function reads (`TUMBLE_START(ts, INTERVAL '1' MINUTE)`), or
 * undefined when `expr` is no auxiliary function. Its window and arguments must be those of the
 * group window, as Flink requires; a rowtime exists only for event time.
 */
export function auxiliaryProperty(
  expr: Expression,
  window: GroupWindow | undefined,
  ctx: PlanContext,
): WindowProperty | undefined {
  if (expr.kind !== 'call') return undefined;
  const auxiliary = AUXILIARY.get(expr.name);
  if (!auxiliary) return undefined;
  if (!window || auxiliary.window !== window.type || shape(expr.args) !== shape(window.call.args)) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      expr.at,
      `Call to auxiliary group function '${expr.name}' must have matching call to group function '${auxiliary.window}' in GROUP BY clause`,
      `GROUP BY ${auxiliary.window}(...) with the same arguments`,
    );
  }
  if (auxiliary.property === 'rowtime' && window.timeKind !== 'ROWTIME') {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      expr.at,
      `${expr.name} needs an event-time window: the window's time attribute is a processing time`,
      `${window.type}_PROCTIME gives the processing time of the window`,
    );
  }
  return auxiliary.property;
}

/** The window properties the SELECT list and HAVING read, in Flink's order. */
export function usedProperties(select: Select, window: GroupWindow, ctx: PlanContext): WindowProperty[] {
  const used = new Set<WindowProperty>();
  const visit = (expr: Expression | undefined): void => {
    if (!expr) return;
    const property = auxiliaryProperty(expr, window, ctx);
    if (property) {
      used.add(property);
      return;
    }
    for (const child of childExpressions(expr)) visit(child);
  };
  for (const item of select.items) if (item.kind === 'expression') visit(item.expression);
  visit(select.having);
  return WINDOW_PROPERTIES.filter((property) => used.has(property));
}

/** The output fields of the window properties (Flink's w$start, w$end, w$rowtime, w$proctime). */
export function propertyFields(properties: readonly WindowProperty[], window: GroupWindow): Field[] {
  return properties.map((property) => propertyField(property, window));
}

function propertyField(property: WindowProperty, window: GroupWindow): Field {
  switch (property) {
    case 'start':
    case 'end':
      return { name: `w$${property}`, type: T.timestamp(3, false) };
    case 'rowtime':
      return {
        name: 'w$rowtime',
        type: {
          kind: window.timeType.kind === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMP',
          precision: 3,
          nullable: false,
          timeAttribute: 'ROWTIME',
        },
      };
    case 'proctime':
      return {
        name: 'w$proctime',
        type: { kind: 'TIMESTAMP_LTZ', precision: 3, nullable: false, timeAttribute: 'PROCTIME' },
      };
  }
}
