import { appendOnlySource, connectorNames } from '../connectors/registry.ts';
import type { AggregateCall } from '../exec/accumulators.ts';
import type { OverSpec } from '../exec/over-aggregate.ts';
import { type BoundExpr, inputRef } from '../expr/bound.ts';
import {
  childExpressions,
  type Expression,
  type FrameBound,
  type FunctionCall,
  type Select,
  type WindowSpecification,
} from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, isTimestamp, T, withNullable, withoutTimeAttribute } from '../types/data-type.ts';
import { commonType } from '../types/type-rules.ts';
import { type BindEnvironment, bindExpression, implicitCast } from './bind-expression.ts';
import { identity, makeCalc, uniqueNames } from './build.ts';
import { AGGREGATE_FUNCTIONS } from './built-in-functions.ts';
import { INSERT_ONLY } from './changelog.ts';
import { updateProducer } from './explain.ts';
import { shapeKey } from './grouping-sets.ts';
import type { Field, PlanNode } from './nodes.ts';
import { aggregateType } from './plan-aggregate-call.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';

/** Aggregates of a window, and LAG, which Flink 1.18 streams as an aggregate (its LagAggFunction). */
function isOverAggregate(name: string): boolean {
  return AGGREGATE_FUNCTIONS.has(name) || name === 'LAG';
}

/** The OVER aggregates (`SUM(x) OVER w`, `LAG(x) OVER w`) of a query block's SELECT list, in order. */
export function overAggregates(select: Select): FunctionCall[] {
  const found: FunctionCall[] = [];
  const visit = (expr: Expression): void => {
    if (expr.kind === 'call' && expr.over && isOverAggregate(expr.name)) {
      found.push(expr);
      return;
    }
    childExpressions(expr).forEach(visit);
  };
  for (const item of select.items) if (item.kind === 'expression') visit(item.expression);
  return found;
}

/** The window `OVER w` names in the block's WINDOW clause, or the window written in place. */
export function resolveWindow(over: WindowSpecification, select: Select, ctx: PlanContext): WindowSpecification {
  const name = over.name;
  if (!name) return over;
  const named = select.windows?.find((w) => w.name.name === name.name);
  if (!named) {
    throw new SqlError(
      'SQL_UNKNOWN_WINDOW',
      ctx.source,
      name.at,
      `Window '${name.name}' not found`,
      select.windows?.length
        ? `windows of this query: ${select.windows.map((w) => w.name.name).join(', ')}`
        : 'define it after HAVING: WINDOW w AS (PARTITION BY ... ORDER BY ...)',
    );
  }
  return named.window;
}

const NAME = (i: number) => `w0$o${i}`;
const MICROS_PER_MILLI = 1000;

/**
 * Plans the OVER aggregates of a query block as Flink does: one OverAggregate over the block's
 * FROM and WHERE (with a Calc below for computed partition keys and arguments), whose output is
 * the input's columns followed by the aggregates (identical calls computed once). Flink 1.18 runs
 * only windows ordered ascending by one time attribute, from a bounded or unbounded PRECEDING to
 * the CURRENT ROW, all aggregates of a block over the same window, on an insert-only input; the
 * rest are its errors. The returned environment binds each OVER call to its aggregate's column.
 */
export function planOver(
  select: Select,
  from: Relation,
  calls: readonly FunctionCall[],
  ctx: PlanContext,
): { relation: Relation; env: BindEnvironment } {
  const first = calls[0] as FunctionCall;
  const window = resolveWindow(first.over as WindowSpecification, select, ctx);
  const windowShape = shapeKey({ ...window, at: 0, name: undefined } as unknown as Expression);
  for (const call of calls.slice(1)) {
    const other = resolveWindow(call.over as WindowSpecification, select, ctx);
    if (shapeKey({ ...other, at: 0, name: undefined } as unknown as Expression) !== windowShape) {
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        (call.over as WindowSpecification).at,
        'All aggregates must be computed on the same window.',
        'Flink 1.18 computes the OVER aggregates of one query over one window: compute the others in a subquery',
      );
    }
  }

  // Flink's changelog inference fails before the checks of its OverAggregate's translation.
  if (from.node.changelog.kind !== 'insert-only') {
    throw new SqlError(
      'SQL_UPDATES_NOT_SUPPORTED',
      ctx.source,
      first.at,
      `OverAggregate doesn't support consuming update and delete changes which is produced by node ${updateProducer(from.node)}`,
      `Flink 1.18 computes OVER aggregates only over an insert-only input: read the table with an append-only connector such as ${connectorNames(appendOnlySource)}`,
    );
  }

  // Partition keys, the time attribute and aggregate arguments; expressions computed by a Calc below.
  const bindEnv: BindEnvironment = { source: ctx.source };
  const extras: BoundExpr[] = [];
  const width = from.node.fields.length;
  const slot = (bound: BoundExpr): number => {
    if (bound.kind === 'input') return bound.index;
    const key = JSON.stringify(bound, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const existing = extras.findIndex(
      (e) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) === key,
    );
    if (existing >= 0) return width + existing;
    extras.push(bound);
    return width + extras.length - 1;
  };
  const bind = (expr: Expression) => bindExpression(expr, from.scope, bindEnv);
  const partitionKeys = window.partitionBy.map((expr) => slot(bind(expr)));
  const order = window.orderBy;
  if (order.length !== 1) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      order[1]?.at ?? window.at,
      'The window can only be ordered by a single time column.',
      'ORDER BY the time attribute alone: a column with a WATERMARK (event time) or AS PROCTIME() (processing time)',
    );
  }
  const orderItem = order[0] as NonNullable<(typeof order)[0]>;
  if (orderItem.descending) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      orderItem.at,
      'The window can only be ordered in ASCENDING mode.',
      'OVER windows on a stream are ordered by time as it passes: remove DESC',
    );
  }
  const timeBound = bind(orderItem.expression);
  const timeType = timeBound.type;
  if (!isTimestamp(timeType) || !timeType.timeAttribute) {
    throw new SqlError(
      'SQL_NOT_TIME_ATTRIBUTE',
      ctx.source,
      orderItem.at,
      "OVER windows' ordering in stream mode must be defined on a time attribute.",
      `${describeType(timeType)} is not one: declare a WATERMARK FOR the column (event time) or use a column AS PROCTIME() (processing time)`,
    );
  }
  const timeField = slot(timeBound);
  const frame = windowFrame(window, ctx);

  const aggregateCalls: AggregateCall[] = [];
  const callKeys: string[] = [];
  const callIndex = new Map<string, number>();
  for (const call of calls) {
    const shape = shapeKey({ ...call, over: undefined } as Expression);
    if (callIndex.has(shape)) continue;
    if (call.name === 'LAG') {
      callIndex.set(shape, aggregateCalls.length);
      callKeys.push(`LAG|${aggregateCalls.length}`);
      aggregateCalls.push(planLag(call, frame, bind, slot, NAME(aggregateCalls.length), ctx));
      continue;
    }
    if (call.args.length > 1)
      throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, `${call.name} takes one argument`);
    if (call.filter) {
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        call.filter.at,
        'FILTER is not supported on an OVER aggregate',
        'filter the rows in a subquery, or aggregate a CASE WHEN condition THEN x END (NULLs are ignored)',
      );
    }
    if (call.name === 'COUNT' && !call.star && call.args.length === 0)
      throw new SqlError('SQL_INVALID_CALL', ctx.source, call.at, 'COUNT needs an argument or *');
    const arg = call.args[0] ? bind(call.args[0]) : undefined;
    const { fn, type } = aggregateType(call, arg?.type, ctx);
    const args = arg ? [slot(arg)] : [];
    const key = `${fn}|${call.distinct}|${args.join(',')}`;
    const same = callKeys.indexOf(key);
    if (same >= 0) {
      callIndex.set(shape, same);
      continue;
    }
    callKeys.push(key);
    callIndex.set(shape, aggregateCalls.length);
    aggregateCalls.push({ fn, args, distinct: call.distinct, type, name: NAME(aggregateCalls.length) });
  }

  const input =
    extras.length === 0
      ? from.node
      : makeCalc(
          from.node,
          [...identity(from.node), ...extras],
          uniqueNames([...from.node.fields.map((f) => f.name), ...extras.map((_, i) => `$f${width + i}`)]),
        );
  const spec: OverSpec = {
    partitionKeys,
    timeField,
    timeKind: timeType.timeAttribute,
    ...frame,
    calls: aggregateCalls,
  };
  const fields: Field[] = [...input.fields, ...aggregateCalls.map((c) => ({ name: c.name, type: c.type }))];
  const node: PlanNode = {
    kind: 'OverAggregate',
    input,
    spec,
    fields,
    changelog: INSERT_ONLY,
    ...(input.uniqueKey ? { uniqueKey: input.uniqueKey } : {}),
  };
  const scope = new Scope(
    fields.map((field, i) => ({ ...field, qualifiers: i < width ? (from.scope.fields[i]?.qualifiers ?? []) : [] })),
  );
  const aggregateBase = input.fields.length;
  const env: BindEnvironment = {
    source: ctx.source,
    rewrite(expr) {
      if (expr.kind !== 'call' || !expr.over || !isOverAggregate(expr.name)) return undefined;
      const index = callIndex.get(shapeKey({ ...expr, over: undefined } as Expression));
      if (index === undefined) return undefined;
      const call = aggregateCalls[index] as AggregateCall;
      return inputRef(aggregateBase + index, call.name, call.type);
    },
  };
  return { relation: { node, scope, ...(from.hintName !== undefined ? { hintName: from.hintName } : {}) }, env };
}

/**
 * LAG(value [, offset [, default]]) OVER an unbounded window, as Flink 1.18 streams it: the offset
 * an INT (1 by default), the default of the value's type; the result the value's type, NULL where
 * no row is that far back and no default is given. Flink refuses it where rows are retracted from
 * the window (bounded frames) and refuses LEAD on a stream.
 */
function planLag(
  call: FunctionCall,
  frame: Pick<OverSpec, 'unit' | 'preceding'>,
  bind: (expr: Expression) => BoundExpr,
  slot: (bound: BoundExpr) => number,
  name: string,
  ctx: PlanContext,
): AggregateCall {
  const fail = (message: string, hint: string) => new SqlError('SQL_INVALID_CALL', ctx.source, call.at, message, hint);
  if (call.args.length < 1 || call.args.length > 3 || call.star)
    throw fail(
      'LAG takes a value, an optional offset and an optional default',
      'write LAG(x), LAG(x, 2) or LAG(x, 2, 0)',
    );
  if (call.distinct || call.filter)
    throw fail('DISTINCT and FILTER are not allowed in LAG', 'filter the rows in a subquery');
  if (frame.preceding !== undefined) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      call.at,
      'LAG Function with retraction is not supported in stream mode.',
      'Flink 1.18 streams LAG over an unbounded window only: remove the ROWS/RANGE BETWEEN n PRECEDING frame',
    );
  }
  const [value, offset, fallback] = call.args.map(bind) as [BoundExpr, BoundExpr?, BoundExpr?];
  if (offset && !['TINYINT', 'SMALLINT', 'INT', 'NULL'].includes(offset.type.kind))
    throw fail(
      `the offset of LAG is an INT, got ${describeType(offset.type)}`,
      'write a whole number of rows: LAG(x, 2)',
    );
  let type = withoutTimeAttribute(value.type);
  let args = [value];
  if (fallback) {
    const common = commonType([type, fallback.type]);
    if (!common) {
      throw fail(
        `the default of LAG must have the type of its value: ${describeType(type)} and ${describeType(fallback.type)} have no common type`,
        'CAST the default to the type of the value',
      );
    }
    type = common;
    args = [implicitCast(value, common), implicitCast(offset as BoundExpr, T.int()), implicitCast(fallback, common)];
  } else if (offset) {
    args = [value, implicitCast(offset, T.int())];
    type = withNullable(type, true);
  } else type = withNullable(type, true);
  return { fn: 'LAG', args: args.map(slot), distinct: false, type, name };
}

/** The frame Flink runs: from a bounded or unbounded PRECEDING to the CURRENT ROW (RANGE UNBOUNDED by default). */
function windowFrame(window: WindowSpecification, ctx: PlanContext): Pick<OverSpec, 'unit' | 'preceding'> {
  const frame = window.frame;
  if (!frame) return { unit: 'RANGE' };
  const following = (bound: FrameBound) => bound.kind === 'FOLLOWING' || bound.kind === 'UNBOUNDED FOLLOWING';
  if (
    frame.upper.kind !== 'CURRENT ROW' ||
    (frame.lower.kind !== 'PRECEDING' && frame.lower.kind !== 'UNBOUNDED PRECEDING')
  ) {
    const bound = frame.upper.kind !== 'CURRENT ROW' ? frame.upper : frame.lower;
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      bound.at,
      following(bound) || following(frame.lower)
        ? 'OVER RANGE FOLLOWING windows are not supported yet.'
        : 'OVER windows must end at the CURRENT ROW and start PRECEDING it',
      'Flink runs OVER windows from n (or UNBOUNDED) PRECEDING to CURRENT ROW',
    );
  }
  if (frame.lower.kind === 'UNBOUNDED PRECEDING') return { unit: frame.unit };
  const offset = frame.lower.offset as Expression;
  const bound = bindExpression(offset, new Scope([]), { source: ctx.source });
  if (frame.unit === 'ROWS') {
    const value = bound.kind === 'literal' ? bound.value : undefined;
    const rows = typeof value === 'bigint' ? Number(value) : value;
    const integral = ['TINYINT', 'SMALLINT', 'INT', 'BIGINT'].includes(bound.type.kind);
    if (!integral || typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0) {
      throw new SqlError(
        'SQL_INVALID_CALL',
        ctx.source,
        offset.at,
        'ROWS value must be a non-negative integral constant',
        'ROWS BETWEEN 2 PRECEDING AND CURRENT ROW: the current row and the 2 before it',
      );
    }
    return { unit: 'ROWS', preceding: rows };
  }
  if (bound.kind !== 'literal' || bound.type.kind !== 'INTERVAL_DAY_TIME' || (bound.value as number) < 0) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      offset.at,
      'Data Type mismatch between ORDER BY and RANGE clause',
      "RANGE over a time attribute takes a day-time INTERVAL: RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW",
    );
  }
  const micros = bound.value as number;
  if (micros % MICROS_PER_MILLI !== 0)
    throw new SqlError('SQL_INVALID_CALL', ctx.source, offset.at, 'RANGE intervals must be whole milliseconds');
  return { unit: 'RANGE', preceding: micros / MICROS_PER_MILLI };
}
