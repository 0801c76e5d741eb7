import type { AggregateCall } from '../exec/accumulators.ts';
import { type BoundExpr, inputRef } from '../expr/bound.ts';
import { childExpressions, type Expression, type FunctionCall, type Select } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { withoutTimeAttribute } from '../types/data-type.ts';
import { type BindEnvironment, bindExpression } from './bind-expression.ts';
import { makeCalc, uniqueNames } from './build.ts';
import { INSERT_ONLY, RETRACT } from './changelog.ts';
import {
  bindGroupingCall,
  collectGroupingCalls,
  expandGroupingSets,
  GROUPING_FUNCTIONS,
  groupingSetsOf,
  shapeKey,
} from './grouping-sets.ts';
import type { Field, PlanNode, WindowTableFunction } from './nodes.ts';
import { type AddCall, type AggregateOutput, planAggregateCall } from './plan-aggregate-call.ts';
import {
  auxiliaryProperty,
  groupWindowOf,
  groupWindowSpec,
  propertyFields,
  usedProperties,
} from './plan-group-window.ts';
import { planUnion } from './plan-set-operation.ts';
import { checkRetractable, isAggregateCall, userAggregateCall } from './plan-user-aggregate.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';
import type { StateTtlHints } from './state-ttl-hints.ts';
import { readsSessionWindow, type WindowColumn, windowColumnOf } from './window-columns.ts';

/** Aggregate calls in an expression tree (not descending into them). */
function collectAggregates(expr: Expression | undefined, out: FunctionCall[], ctx: PlanContext): void {
  if (!expr) return;
  if (isAggregateCall(expr)) {
    for (const arg of expr.args) {
      const nested: FunctionCall[] = [];
      collectAggregates(arg, nested, ctx);
      if (nested.length > 0) {
        throw new SqlError(
          'SQL_NESTED_AGGREGATE',
          ctx.source,
          (nested[0] as FunctionCall).at,
          'aggregate functions cannot be nested',
        );
      }
    }
    out.push(expr);
    return;
  }
  for (const child of childExpressions(expr)) collectAggregates(child, out, ctx);
}

/** Whether the block aggregates: it calls aggregate functions, or groups by grouping sets (maybe `()`). */
export function hasAggregates(select: Select, ctx: PlanContext): boolean {
  if (select.groupingSets) return true;
  const found: FunctionCall[] = [];
  for (const item of select.items) if (item.kind === 'expression') collectAggregates(item.expression, found, ctx);
  collectAggregates(select.having, found, ctx);
  return found.length > 0;
}

export interface AggregatePlan {
  readonly relation: Relation;
  /** Binds SELECT and HAVING expressions over the aggregate's output. */
  readonly env: BindEnvironment;
}

/**
 * GROUP BY and aggregates: a Calc computes the group keys and aggregate arguments, then a
 * GroupAggregate (or a WindowAggregate when grouping by the window of a window TVF) computes
 * [keys..., aggregates...]. Expressions above it are bound by matching group keys and calls.
 * Grouping sets given more than once are Calcite's union of one aggregate per GROUP_ID() value,
 * each projected to [keys..., aggregates..., grouping functions...].
 */
export function planAggregate(select: Select, from: Relation, ctx: PlanContext, hints?: StateTtlHints): AggregatePlan {
  const env: BindEnvironment = { source: ctx.source };
  const calls: FunctionCall[] = [];
  for (const item of select.items) if (item.kind === 'expression') collectAggregates(item.expression, calls, ctx);
  collectAggregates(select.having, calls, ctx);

  const projection: BoundExpr[] = [];
  const slot = (expr: BoundExpr): number => {
    const key = JSON.stringify(expr, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const existing = projection.findIndex(
      (p) => JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) === key,
    );
    if (existing >= 0) return existing;
    projection.push(expr);
    return projection.length - 1;
  };
  const groupingSets = groupingSetsOf(select, ctx);
  // GROUP BY TUMBLE(ts, ...), HOP(...) or SESSION(...): a legacy group window aggregate.
  const { window: groupWindow, rest: groupBy } = groupWindowOf(
    groupingSets?.expressions ?? select.groupBy,
    from.scope,
    ctx,
  );
  const groupKeys = groupBy.map((expr) => {
    if (expr.kind === 'literal' && expr.type === 'number') {
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        expr.at,
        'GROUP BY a position is not supported',
        'name the column or repeat the expression',
      );
    }
    return slot(bindExpression(expr, from.scope, env));
  });
  const groupShapes = groupBy.map(shapeKey);
  if (new Set(groupKeys).size !== groupKeys.length) {
    throw new SqlError(
      'SQL_DUPLICATE_GROUP_KEY',
      ctx.source,
      groupBy[0]?.at ?? select.at,
      'GROUP BY lists the same expression twice',
    );
  }

  const callShapes: string[] = [];
  const outputs: AggregateOutput[] = [];
  const aggregateCalls: AggregateCall[] = [];
  const callKeys: string[] = [];
  const addCall: AddCall = (fn, args, distinct, filter, type) => {
    const argSlots = args.map(slot);
    const filterSlot = filter ? slot(filter) : undefined;
    const key = `${fn}|${distinct}|${argSlots.join(',')}|${filterSlot ?? ''}`;
    const existing = callKeys.indexOf(key);
    if (existing >= 0) return existing;
    callKeys.push(key);
    aggregateCalls.push({
      fn,
      args: argSlots,
      distinct,
      ...(filterSlot === undefined ? {} : { filter: filterSlot }),
      type,
      name: `EXPR$${aggregateCalls.length}`,
    });
    return aggregateCalls.length - 1;
  };
  for (const call of calls) {
    const shape = shapeKey(call);
    if (callShapes.includes(shape)) continue;
    callShapes.push(shape);
    const user = userAggregateCall(call, from.scope, env, ctx);
    if (user) {
      if (call.filter) {
        throw new SqlError(
          'SQL_UNSUPPORTED',
          ctx.source,
          call.filter.at,
          `FILTER on the user-defined aggregate ${call.name} is not supported yet`,
          'filter the rows in a subquery, or test the condition inside accumulate',
        );
      }
      const index = aggregateCalls.length;
      callKeys.push(`USER_DEFINED|${shape}`);
      aggregateCalls.push({
        fn: 'USER_DEFINED',
        args: user.arg ? [slot(user.arg)] : [],
        distinct: call.distinct,
        type: user.type,
        name: `EXPR$${index}`,
        userDefined: user.userDefined,
      });
      outputs.push((ref) => ref(index));
      continue;
    }
    outputs.push(planAggregateCall(call, (expr) => bindExpression(expr, from.scope, env), addCall, ctx));
  }

  const timeSlot = groupWindow ? slot(groupWindow.time) : undefined;
  const properties = groupWindow ? usedProperties(select, groupWindow, ctx) : [];
  const inputNames = projection.map((expr, i) => (expr.kind === 'input' ? expr.name : `$f${i}`));
  const preCalc = makeCalc(from.node, projection, inputNames);
  checkRetractable(aggregateCalls, calls, preCalc, ctx);
  // Grouping sets: an Expand below the aggregate, its expand id `$e` the last group key (Flink's
  // DecomposeGroupingSetsRule); a single set of every key is a plain GROUP BY.
  const branches = groupingSets?.branches ?? [[groupKeys.map((_, k) => k)]];
  const expandedInputs = branches.map((sets) =>
    sets.length > 1 || (sets[0] as readonly number[]).length < groupKeys.length
      ? expandGroupingSets(preCalc, groupKeys, sets, aggregateCalls)
      : undefined,
  );
  // A window aggregate when every branch groups by window_start and window_end through its Expand,
  // that is when every grouping set keeps them; otherwise Flink plans a regular aggregate.
  const branchWindows = groupWindow
    ? []
    : expandedInputs.map((expanded) => windowOf(expanded?.node ?? preCalc, expanded?.groupKeys ?? groupKeys));
  const window = branchWindows.every((w) => w !== undefined) ? branchWindows[0] : undefined;
  if (!window && !groupWindow && readsSessionWindow(from.node)) throw sessionNotAggregated(select.at, ctx);
  if (groupingSets && (groupWindow || window?.spec.type === 'SESSION')) {
    const what = groupWindow ? 'a legacy group window aggregate (GROUP BY TUMBLE(...))' : 'a SESSION window aggregate';
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      select.groupingSets?.[0]?.at ?? select.at,
      `GROUPING SETS, ROLLUP and CUBE of ${what} are not supported`,
      'as in Flink 1.18: put them beside window_start, window_end of a TUMBLE, HOP or CUMULATE window TVF',
    );
  }
  // STATE_TTL applies to group aggregates; a window aggregate's state ends with its window.
  const ttl = window || groupWindow ? undefined : hints?.take(from.hintName);
  const aggregateOf = (branch: number) => {
    const sets = branches[branch] as readonly (readonly number[])[];
    const expanded = expandedInputs[branch];
    const aggregateInput = expanded?.node ?? preCalc;
    const aggregateKeys = expanded?.groupKeys ?? groupKeys;
    const keyFields: Field[] = aggregateKeys.map((k) => aggregateInput.fields[k] as Field);
    const fields: Field[] = [
      ...keyFields.map((f) => ({ ...f, type: withoutTimeAttribute(f.type) })),
      ...aggregateCalls.map((c) => ({ name: c.name, type: c.type })),
      ...(groupWindow ? propertyFields(properties, groupWindow) : []),
    ];
    const calls = expanded?.calls ?? aggregateCalls;
    const node: PlanNode = groupWindow
      ? {
          kind: 'GroupWindowAggregate',
          input: preCalc,
          window: groupWindowSpec(groupWindow, timeSlot as number),
          groupKeys,
          calls: aggregateCalls,
          properties,
          fields,
          changelog: INSERT_ONLY,
        }
      : window
        ? {
            kind: 'WindowAggregate',
            input: aggregateInput,
            window: window.spec,
            groupKeys: aggregateKeys,
            windowEndKey: window.endKey,
            windowStartKey: window.startKey,
            ...(window.timeKey !== undefined ? { windowTimeKey: window.timeKey } : {}),
            calls,
            fields,
            changelog: INSERT_ONLY,
          }
        : {
            kind: 'GroupAggregate',
            input: aggregateInput,
            groupKeys: aggregateKeys,
            calls,
            fields,
            changelog: RETRACT,
            uniqueKey: aggregateKeys.map((_, i) => i),
            ...(ttl !== undefined && from.hintName !== undefined
              ? { stateTtlHint: { input: from.hintName, ttl } }
              : {}),
          };
    const grouping = { sets, width: groupKeys.length, expandIdField: expanded ? groupKeys.length : undefined };
    return { node, fields, callOffset: aggregateKeys.length, grouping };
  };
  const groupingCall = (call: FunctionCall, grouping: ReturnType<typeof aggregateOf>['grouping'], groupId: number) =>
    bindGroupingCall(call, (arg) => groupShapes.indexOf(shapeKey(arg)), { ...grouping, groupId }, ctx);
  const single = branches.length === 1 ? aggregateOf(0) : undefined;
  const groupingCalls = single ? [] : collectGroupingCalls(select);
  const { node, fields, callOffset } =
    single ??
    unionAll(
      branches.map((_, groupId) => {
        const branch = aggregateOf(groupId);
        const read = (index: number): BoundExpr =>
          inputRef(index, (branch.fields[index] as Field).name, (branch.fields[index] as Field).type);
        const projection = [
          ...groupKeys.map((_, k) => read(k)),
          ...aggregateCalls.map((_, c) => read(branch.callOffset + c)),
          ...groupingCalls.map((call) => groupingCall(call, branch.grouping, groupId)),
        ];
        const names = uniqueNames([
          ...groupKeys.map((_, k) => (branch.fields[k] as Field).name),
          ...aggregateCalls.map((call) => call.name),
          ...groupingCalls.map((_, i) => `$g${i}`),
        ]);
        return { node: makeCalc(branch.node, projection, names), scope: new Scope([]) };
      }),
      groupKeys.length,
      select.at,
      ctx,
    );
  const windowType = groupWindow?.type ?? window?.spec.type;
  const json = aggregateCalls.find((c) => c.fn.startsWith('JSON_'));
  if (json && (windowType === 'HOP' || windowType === 'SESSION')) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      select.at,
      `${json.fn.startsWith('JSON_OBJECTAGG') ? 'JSON_OBJECTAGG' : 'JSON_ARRAYAGG'} is not supported in ${windowType} windows`,
      'Flink 1.18 computes JSON aggregates in GROUP BY and in TUMBLE or CUMULATE window aggregates',
    );
  }
  const hop = window?.spec.type === 'HOP' ? window.spec : undefined;
  if (hop && hop.size % (hop.slide as number) !== 0) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      groupBy[0]?.at ?? select.at,
      `HOP table function based aggregate requires size must be an integral multiple of slide, but got size ${hop.size / 1000} ms and slide ${(hop.slide as number) / 1000} ms`,
      'choose a size that is a whole number of slides',
    );
  }
  if (window?.spec.type === 'SESSION') checkSessionKeys(window.spec, projection, groupKeys, select, from, ctx);
  if ((window || groupWindow) && from.node.changelog.kind !== 'insert-only') {
    throw new SqlError(
      'SQL_UPDATES_NOT_SUPPORTED',
      ctx.source,
      select.at,
      "a window aggregate doesn't support consuming update and delete changes",
      "read the input as an append-only table, or use a GROUP BY on a time bucket (e.g. DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm')) which handles updates",
    );
  }

  const output = new Scope(fields.map((field) => ({ ...field, qualifiers: [] })));
  const aggregateEnv: BindEnvironment = {
    source: ctx.source,
    rewrite(expr) {
      const property = groupWindow ? auxiliaryProperty(expr, groupWindow, ctx) : undefined;
      if (property) {
        const index = groupKeys.length + aggregateCalls.length + properties.indexOf(property);
        const field = fields[index] as Field;
        return { kind: 'input', index, name: field.name, type: field.type };
      }
      if (expr.kind === 'call' && GROUPING_FUNCTIONS.has(expr.name) && !expr.over) {
        if (single) return groupingCall(expr, single.grouping, 0);
        const call = groupingCalls.findIndex((c) => shapeKey(c) === shapeKey(expr));
        // collectGroupingCalls visits every expression bound here (SELECT and HAVING).
        if (call < 0) throw new Error(`${expr.name} at offset ${expr.at} was not collected with the grouping calls`);
        const index = groupKeys.length + aggregateCalls.length + call;
        const field = fields[index] as Field;
        return { kind: 'input', index, name: field.name, type: field.type };
      }
      const groupIndex = groupShapes.indexOf(shapeKey(expr));
      if (groupIndex >= 0)
        return {
          kind: 'input',
          index: groupIndex,
          name: (fields[groupIndex] as Field).name,
          type: (fields[groupIndex] as Field).type,
        };
      if (isAggregateCall(expr)) {
        const output = outputs[callShapes.indexOf(shapeKey(expr))] as AggregateOutput;
        return output((call) => {
          const index = callOffset + call;
          const field = fields[index] as Field;
          return { kind: 'input', index, name: field.name, type: field.type };
        });
      }
      if (expr.kind === 'column') {
        const bound = bindExpression(expr, from.scope, env);
        const key = groupKeys.findIndex((k) => {
          const p = projection[k];
          return p?.kind === 'input' && bound.kind === 'input' && p.index === bound.index;
        });
        if (key >= 0)
          return { kind: 'input', index: key, name: (fields[key] as Field).name, type: (fields[key] as Field).type };
        throw new SqlError(
          'SQL_NOT_GROUPED',
          ctx.source,
          expr.at,
          `Expression '${expr.parts.join('.')}' is not being grouped`,
          'add it to GROUP BY or wrap it in an aggregate function',
        );
      }
      return undefined;
    },
  };
  return { relation: { node, scope: output }, env: aggregateEnv };
}

/** The branches of repeated grouping sets, one UNION ALL: [keys..., aggregates..., grouping functions...]. */
function unionAll(branches: readonly Relation[], keys: number, at: number, ctx: PlanContext) {
  const union = branches.slice(1).reduce((all, next) => planUnion(all, next, at, ctx), branches[0] as Relation);
  return { node: union.node, fields: union.node.fields, callOffset: keys };
}

/**
 * When both window_start and window_end of a window TVF are group keys of the aggregate's input
 * (the TVF's columns through projections, filters and an Expand that keeps them in every grouping
 * set): the window, and the positions of its columns among the group keys.
 */
function windowOf(input: PlanNode, groupKeys: readonly number[]) {
  let tvf: WindowTableFunction | undefined;
  const keys: Partial<Record<WindowColumn, number>> = {};
  groupKeys.forEach((k, position) => {
    const source = windowColumnOf(input, k, { throughAggregates: false });
    if (!source || (tvf && source.tvf !== tvf) || keys[source.column] !== undefined) return;
    tvf = source.tvf;
    keys[source.column] = position;
  });
  if (!tvf || keys.start === undefined || keys.end === undefined) return undefined;
  return {
    spec: tvf.window,
    endKey: keys.end,
    startKey: keys.start,
    ...(keys.time !== undefined ? { timeKey: keys.time } : {}),
  };
}

/** A SESSION window TVF read other than by a window aggregate: its windows are only known when sessions merge. */
export function sessionNotAggregated(at: number, ctx: PlanContext): SqlError {
  return new SqlError(
    'SQL_UNSUPPORTED',
    ctx.source,
    at,
    'a SESSION window table function is only supported under a window aggregate',
    'GROUP BY window_start, window_end [, the PARTITION BY keys] right over TABLE(SESSION(...))',
  );
}

/** Sessions are kept per group key: the SESSION's PARTITION BY columns must all be group keys. */
function checkSessionKeys(
  spec: WindowTableFunction['window'],
  projection: readonly BoundExpr[],
  groupKeys: readonly number[],
  select: Select,
  from: Relation,
  ctx: PlanContext,
): void {
  for (const field of spec.partitionKeys ?? []) {
    const grouped = groupKeys.some((k) => {
      const p = projection[k];
      return p?.kind === 'input' && p.index === field;
    });
    if (!grouped) {
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        select.groupBy[0]?.at ?? select.at,
        `the SESSION window is partitioned by '${from.node.fields[field]?.name}', which the window aggregate does not group by`,
        'GROUP BY window_start, window_end and every PARTITION BY column of the SESSION',
      );
    }
  }
}
