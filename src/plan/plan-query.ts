import { appendOnlySource, connectorNames } from '../connectors/registry.ts';
import type { WindowSpec } from '../exec/window.ts';
import type { BoundExpr } from '../expr/bound.ts';
import type {
  DerivedTable,
  Expression,
  Identifier,
  Query,
  Select,
  SelectItem,
  TableReference as TableAst,
  TableOption,
  WindowTableFunction as WindowAst,
  WithQuery,
} from '../sql/ast.ts';
import type { SqlSource } from '../sql/source.ts';
import { SqlError } from '../sql/sql-error.ts';
import { type DataType, describeType, isTimestamp, T } from '../types/data-type.ts';
import { commonType } from '../types/type-rules.ts';
import { type BindEnvironment, bindExpression, implicitCast } from './bind-expression.ts';
import { distinctRows, identity, makeCalc, uniqueNames } from './build.ts';
import { INSERT_ONLY } from './changelog.ts';
import { LookupHints } from './lookup-hints.ts';
import type { Field, PlanNode } from './nodes.ts';
import { objectName } from './object-name.ts';
import { hasAggregates, planAggregate, sessionNotAggregated } from './plan-aggregate.ts';
import { planCorrelate } from './plan-correlate.ts';
import { isLookupTable, planJoin } from './plan-join.ts';
import { overAggregates, planOver } from './plan-over.ts';
import { planRank, rankedBlock } from './plan-rank.ts';
import { planIntersectExcept, planIntersectExceptAll, planUnion } from './plan-set-operation.ts';
import {
  joinAggregateSubqueryValues,
  joinSubqueryValues,
  planHavingWithSubqueries,
  planWhereWithSubqueries,
  withRewrite,
} from './plan-subquery.ts';
import { planTableScan } from './plan-table.ts';
import { planTemporalTableJoin, planVersionedViewJoin } from './plan-temporal-join.ts';
import type { PlanContext, Relation, WithQueryDefinition } from './relation.ts';
import { Scope } from './scope.ts';
import { StateTtlHints } from './state-ttl-hints.ts';
import { containsSubquery, type Planners, subqueryJoinInputs } from './subquery-conditions.ts';
import { optionsOnView, withDynamicOptions } from './table-hints.ts';
import { windowArguments } from './window-arguments.ts';
import { readsSessionWindow } from './window-columns.ts';

export function planQuery(query: Query, ctx: PlanContext): Relation {
  switch (query.kind) {
    case 'select':
      return planSelect(query, ctx);
    case 'values':
      return planValues(query.rows, query.at, ctx);
    case 'with':
      return planWith(query, ctx);
    case 'setOperation': {
      if (query.operator !== 'UNION') {
        const left = planQuery(query.left, ctx);
        const right = planQuery(query.right, ctx);
        if (query.all) return planIntersectExceptAll(query.operator, left, right, query.at, ctx);
        return distinct(planIntersectExcept(query.operator, left, right, query.at, ctx));
      }
      const union = planUnion(planQuery(query.left, ctx), planQuery(query.right, ctx), query.at, ctx);
      return query.all ? union : distinct(union);
    }
  }
}

function planSelect(select: Select, outer: PlanContext): Relation {
  const ttlHints = select.hints?.flatMap((hint) => (hint.kind === 'stateTtl' ? [hint] : []));
  const lookupHints = select.hints?.flatMap((hint) => (hint.kind === 'lookup' ? [hint] : []));
  const hints = ttlHints && ttlHints.length > 0 ? new StateTtlHints(ttlHints, outer.source) : undefined;
  // The block's own LOOKUP hints: a subquery or view planned below has its own (or none).
  const { lookupHints: _outerLookupHints, ...rest } = outer;
  const ctx: PlanContext =
    lookupHints && lookupHints.length > 0 ? { ...rest, lookupHints: new LookupHints(lookupHints, outer.source) } : rest;
  // A subquery selecting ROW_NUMBER() OVER, filtered here: Top-N or deduplication.
  const ranked = select.from && select.where ? rankedBlock(select.from, ctx) : undefined;
  let from = ranked
    ? planRank(ranked, planFromWhere(ranked.select, ranked.ctx), select, ctx)
    : planFromWhere(select, ctx, hints);
  const inputName = from.hintName;
  let env: BindEnvironment = { source: ctx.source };
  // Scalar subqueries in SELECT: their values joined to every row, after the columns of FROM.
  const visible = from.node.fields.length;
  const values = select.items.flatMap((item) => (item.kind === 'expression' ? [item.expression] : []));
  const grouping = select.groupBy.length > 0 || hasAggregates(select, ctx);
  if (values.some(containsSubquery) && !grouping) {
    const joined = joinSubqueryValues(from, values, true, ctx, PLANNERS);
    from = { ...from, node: joined.node, scope: joined.scope };
    env = { source: ctx.source, rewrite: joined.rewrite };
  }
  if (!grouping && readsSessionWindow(from.node)) throw sessionNotAggregated(select.from?.at ?? select.at, ctx);
  let input = from;
  const overs = overAggregates(select);
  if (grouping && overs.length > 0) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      (overs[0] as { at: number }).at,
      'OVER aggregates in a query with GROUP BY or aggregates are not supported',
      'aggregate in a subquery and compute the OVER aggregate in the query around it (Flink runs it only over an insert-only input)',
    );
  }
  if (grouping) {
    const aggregate = planAggregate(select, from, ctx, hints);
    input = aggregate.relation;
    env = aggregate.env;
  } else if (overs.length > 0) {
    const over = planOver(select, from, overs, ctx);
    input = over.relation;
    env = over.env;
  }
  if (!grouping && select.having) {
    throw new SqlError('SQL_SYNTAX', ctx.source, select.having.at, 'HAVING needs GROUP BY or an aggregate');
  }
  if (select.having && containsSubquery(select.having)) {
    input = planHavingWithSubqueries(select.having, input, env, from.scope, ctx, PLANNERS);
  } else if (select.having) {
    const condition = bindExpression(select.having, input.scope, env);
    if (condition.type.kind !== 'BOOLEAN')
      throw new SqlError('SQL_TYPE_MISMATCH', ctx.source, select.having.at, 'HAVING needs a BOOLEAN condition');
    input = {
      node: makeCalc(
        input.node,
        identity(input.node),
        input.node.fields.map((f) => f.name),
        condition,
      ),
      scope: input.scope,
    };
  }

  if (grouping && values.some(containsSubquery)) {
    const joined = joinAggregateSubqueryValues(input, values, env, from.scope, ctx, PLANNERS);
    input = { node: joined.node, scope: joined.scope };
    env = withRewrite(env, joined.rewrite);
  }
  const projection: BoundExpr[] = [];
  const names: string[] = [];
  for (const [position, item] of select.items.entries())
    expandItem(item, position, input, grouping, env, ctx, projection, names, visible);
  const output = uniqueNames(names);
  const node = makeCalc(input.node, projection, output);
  const relation: Relation = { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers: [] }))) };
  const grouped = grouping;
  const planned = select.distinct ? distinct(relation, grouped ? undefined : hints, inputName) : relation;
  hints?.check(subqueryJoinInputs(select));
  ctx.lookupHints?.check();
  return planned;
}

/** A query block's FROM (its joins taking their STATE_TTL from the block's `hints`) and WHERE. */
function planFromWhere(select: Select, ctx: PlanContext, hints?: StateTtlHints): Relation {
  const from = select.from ? planFrom(select.from, ctx, hints) : planValues([[]], select.at, ctx);
  if (!select.where) return from;
  if (containsSubquery(select.where)) return planWhereWithSubqueries(select.where, from, ctx, PLANNERS);
  const condition = bindExpression(select.where, from.scope, { source: ctx.source });
  if (condition.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      select.where.at,
      `WHERE needs a BOOLEAN condition, got ${describeType(condition.type)}`,
    );
  }
  return {
    node: makeCalc(
      from.node,
      identity(from.node),
      from.node.fields.map((f) => f.name),
      condition,
    ),
    scope: from.scope,
    ...(from.hintName !== undefined ? { hintName: from.hintName } : {}),
  };
}

function expandItem(
  item: SelectItem,
  position: number,
  input: Relation,
  grouped: boolean,
  env: BindEnvironment,
  ctx: PlanContext,
  projection: BoundExpr[],
  names: string[],
  visible: number,
): void {
  if (item.kind === 'star') {
    if (grouped)
      throw new SqlError('SQL_SYNTAX', ctx.source, item.at, 'SELECT * cannot be used with GROUP BY or aggregates');
    if (item.qualifier && namesColumn(item.qualifier.parts, input)) {
      expandComposite(item, item.qualifier.parts, input, env, projection, names);
      return;
    }
    const qualifier = item.qualifier?.parts[item.qualifier.parts.length - 1];
    let any = false;
    input.scope.fields.forEach((field, index) => {
      if (index >= visible) return;
      if (qualifier !== undefined && !field.qualifiers.includes(qualifier)) return;
      any = true;
      projection.push({ kind: 'input', index, name: field.name, type: field.type });
      names.push(field.name);
    });
    if (!any) throw new SqlError('SQL_UNKNOWN_TABLE', ctx.source, item.at, `no table or alias '${qualifier}' in FROM`);
    return;
  }
  const expr = bindExpression(item.expression, input.scope, env);
  projection.push(expr);
  names.push(
    item.alias?.name ??
      (item.expression.kind === 'column' ? (item.expression.parts.at(-1) as string) : `EXPR$${position}`),
  );
}

/** Whether `parts` (of `parts.*`) name a column (`t.r` or `r`) rather than a table or alias of the FROM clause. */
function namesColumn(parts: readonly string[], input: Relation): boolean {
  const fields = input.scope.fields;
  if (fields.some((field) => field.qualifiers.includes(parts[parts.length - 1] as string))) return false;
  return parts.length > 1 || fields.some((field) => field.name === parts[0]);
}

/**
 * `tableName.compositeType.*` (or `compositeType.*`): one output column per field of the ROW
 * column, named as the field, as Calcite expands the star of a structured column.
 */
function expandComposite(
  item: SelectItem & { kind: 'star' },
  parts: readonly string[],
  input: Relation,
  env: BindEnvironment,
  projection: BoundExpr[],
  names: string[],
): void {
  const composite = bindExpression({ kind: 'column', at: item.at, parts }, input.scope, env);
  const type = composite.type;
  if (type.kind !== 'ROW') {
    throw new SqlError(
      'SQL_INVALID_CALL',
      env.source,
      item.at,
      `'${parts.join('.')}.*' needs a ROW column, but '${parts.join('.')}' is ${describeType(type)}`,
      'write table.* for the columns of a table, or column.* for the fields of a ROW column',
    );
  }
  for (const field of type.fields) {
    projection.push(bindExpression({ kind: 'column', at: item.at, parts: [...parts, field.name] }, input.scope, env));
    names.push(field.name);
  }
}

/** DISTINCT as an aggregate; a STATE_TTL hint of the block may name its input (`inputName`). */
function distinct(relation: Relation, hints?: StateTtlHints, inputName?: string): Relation {
  const ttl = hints?.take(inputName);
  const node: PlanNode = {
    ...distinctRows(relation.node),
    ...(ttl !== undefined && inputName !== undefined ? { stateTtlHint: { input: inputName, ttl } } : {}),
  };
  return { node, scope: relation.scope };
}

/** The FROM clause of a query block, whose joins take their STATE_TTL from the block's `hints`. */
function planFrom(ref: TableAst, ctx: PlanContext, hints?: StateTtlHints): Relation {
  switch (ref.kind) {
    case 'tableName': {
      if (ref.systemTime) {
        throw new SqlError(
          'SQL_UNSUPPORTED',
          ctx.source,
          ref.at,
          'FOR SYSTEM_TIME AS OF is only valid on the right side of a JOIN',
        );
      }
      return planNamedTable(ref.name, ref.alias?.name, ref.at, ctx, ref.options);
    }
    case 'derivedTable':
      return planDerived(ref, ctx);
    case 'join': {
      const left = planFrom(ref.left, ctx, hints);
      if (ref.right.kind === 'unnest') return planCorrelate(ref, left, ref.right, ctx);
      if (isLookupTable(ref.right)) {
        const name = objectName(ref.right.name, ctx.source);
        const entry = ctx.catalog.get(name);
        const lookupHint = ctx.lookupHints?.take(name, ref.right.alias?.name);
        if (entry?.kind === 'view') {
          const view = planNamedTable(ref.right.name, ref.right.alias?.name, ref.right.at, ctx, ref.right.options);
          return planVersionedViewJoin(ref, left, ref.right, view, name, ctx, lookupHint);
        }
        if (entry?.kind !== 'table') {
          throw new SqlError(
            'SQL_UNKNOWN_TABLE',
            ctx.source,
            ref.right.at,
            `table '${name}' not found for the lookup join`,
          );
        }
        return planTemporalTableJoin(
          ref,
          left,
          ref.right,
          withDynamicOptions(entry, ref.right.options, ctx),
          ctx,
          lookupHint,
        );
      }
      const right = planFrom(ref.right, ctx, hints);
      for (const [side, planned] of [
        [ref.left, left],
        [ref.right, right],
      ] as const)
        if (readsSessionWindow(planned.node)) throw sessionNotAggregated(side.at, ctx);
      return planJoin(ref, left, right, ctx, hints);
    }
    case 'windowFunction':
      return planWindow(ref, ctx);
    case 'unnest':
      throw new SqlError(
        'SQL_UNSUPPORTED',
        ctx.source,
        ref.at,
        'UNNEST is supported joined to the table whose collection it reads',
        'write FROM t CROSS JOIN UNNEST(t.arr) AS u(x), or LEFT JOIN UNNEST(t.arr) AS u(x) ON TRUE',
      );
  }
}

function planDerived(ref: DerivedTable, ctx: PlanContext): Relation {
  const inner = planQuery(ref.query, ctx);
  const alias = ref.alias?.name;
  return {
    node: inner.node,
    scope: new Scope(inner.node.fields.map((field) => ({ ...field, qualifiers: alias ? [alias] : [] }))),
    ...(alias !== undefined ? { hintName: alias } : {}),
  };
}

function planNamedTable(
  name: { parts: readonly string[]; at: number },
  alias: string | undefined,
  at: number,
  ctx: PlanContext,
  options?: readonly TableOption[],
): Relation {
  const tableName = objectName(name, ctx.source);
  const entry = ctx.catalog.get(tableName);
  const qualifiers = alias ? [alias] : [tableName];
  const withQuery = name.parts.length === 1 ? ctx.withQueries?.get(tableName) : undefined;
  if (withQuery) {
    optionsOnView(tableName, options, ctx);
    const inner = planQuery(withQuery.query, { ...ctx, withQueries: withQuery.withQueries });
    const node = renameColumns(inner.node, withQuery.columnNames, tableName, withQuery.at, ctx.source);
    return { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers }))), hintName: qualifiers[0] };
  }
  if (!entry) {
    const known = ctx.catalog.names();
    throw new SqlError(
      'SQL_UNKNOWN_TABLE',
      ctx.source,
      at,
      `Object '${tableName}' not found`,
      known.length > 0 ? `tables and views: ${known.join(', ')}` : 'create it first with CREATE TABLE',
    );
  }
  if (entry.kind === 'view') {
    if (ctx.expanding?.has(tableName))
      throw new SqlError('SQL_RECURSIVE_VIEW', ctx.source, at, `view '${tableName}' refers to itself`);
    optionsOnView(tableName, options, ctx);
    const inner = planQuery(entry.query, {
      catalog: ctx.catalog,
      source: entry.source,
      expanding: new Set([...(ctx.expanding ?? []), tableName]),
      ...(ctx.settings ? { settings: ctx.settings } : {}),
    });
    let node = inner.node;
    if (entry.columnNames) {
      if (entry.columnNames.length !== node.fields.length) {
        throw new SqlError(
          'SQL_VIEW_COLUMNS',
          entry.source,
          entry.at,
          `view '${tableName}' names ${entry.columnNames.length} columns but its query has ${node.fields.length}`,
        );
      }
      node = makeCalc(node, identity(node), entry.columnNames);
    }
    return { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers }))), hintName: qualifiers[0] };
  }
  const node = planTableScan(withDynamicOptions(entry, options, ctx));
  return { node, scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers }))), hintName: qualifiers[0] };
}

/** `WITH a AS (...), b AS (...) body`: each query sees the ones before it; the body sees them all. */
function planWith(query: WithQuery, ctx: PlanContext): Relation {
  let withQueries: ReadonlyMap<string, WithQueryDefinition> = ctx.withQueries ?? new Map();
  const named = new Set<string>();
  for (const item of query.items) {
    const name = item.name.name;
    if (named.has(name))
      throw new SqlError(
        'SQL_DUPLICATE_NAME',
        ctx.source,
        item.at,
        `WITH names '${name}' twice`,
        'give each query its own name',
      );
    named.add(name);
    const definition: WithQueryDefinition = {
      query: item.query,
      at: item.at,
      withQueries,
      ...(item.columnNames ? { columnNames: item.columnNames } : {}),
    };
    // Planned here too, so that its errors show even when nothing reads it.
    const planned = planQuery(item.query, { ...ctx, withQueries });
    renameColumns(planned.node, item.columnNames, name, item.at, ctx.source);
    withQueries = new Map([...withQueries, [name, definition]]);
  }
  return planQuery(query.body, { ...ctx, withQueries });
}

/** A WITH query's node with the column names its definition gives (`WITH t (a, b) AS ...`). */
function renameColumns(
  node: PlanNode,
  columnNames: readonly Identifier[] | undefined,
  name: string,
  at: number,
  source: SqlSource,
): PlanNode {
  if (!columnNames) return node;
  if (columnNames.length !== node.fields.length) {
    throw new SqlError(
      'SQL_VIEW_COLUMNS',
      source,
      at,
      `'${name}' names ${columnNames.length} columns but its query has ${node.fields.length}`,
    );
  }
  return makeCalc(
    node,
    identity(node),
    columnNames.map((column) => column.name),
  );
}

const PLANNERS: Planners = { query: planQuery, from: (ref, ctx) => planFrom(ref, ctx) };

const MICROS_PER_MILLI = 1000;

function planWindow(ref: WindowAst, ctx: PlanContext): Relation {
  const input =
    ref.input.kind === 'tableName'
      ? planNamedTable(ref.input.name, undefined, ref.input.at, ctx)
      : planDerived(ref.input, ctx);
  const timeField = input.scope.resolve([ref.timeColumn.name], ctx.source, ref.timeColumn.at);
  const timeType = input.node.fields[timeField]?.type as DataType;
  if (!isTimestamp(timeType) || !timeType.timeAttribute) {
    throw new SqlError(
      'SQL_NOT_TIME_ATTRIBUTE',
      ctx.source,
      ref.timeColumn.at,
      `The window function requires the timecol is a time attribute type, but is ${describeType(timeType)}.`,
      'declare a WATERMARK FOR the column (event time) or use a column AS PROCTIME() (processing time)',
    );
  }
  if (input.node.changelog.kind !== 'insert-only') {
    throw new SqlError(
      'SQL_UPDATES_NOT_SUPPORTED',
      ctx.source,
      ref.at,
      `${ref.window} window doesn't support consuming update and delete changes`,
      `read the table with an append-only connector such as ${connectorNames(appendOnlySource)}, or group by a time bucket with GROUP BY instead`,
    );
  }
  const { sizes, offset } = windowArguments(ref, ctx);
  const partitionKeys = (ref.partitionBy ?? []).map((column) =>
    input.scope.resolve([column.name], ctx.source, column.at),
  );
  const intervals = sizes.map((interval) => {
    const bound = bindExpression(interval, new Scope([]), { source: ctx.source });
    if (bound.kind !== 'literal' || bound.type.kind !== 'INTERVAL_DAY_TIME' || (bound.value as number) <= 0) {
      throw new SqlError(
        'SQL_INVALID_CALL',
        ctx.source,
        interval.at,
        `${ref.window} needs positive INTERVAL literals such as INTERVAL '1' MINUTE`,
      );
    }
    return bound.value as number;
  });
  const size = intervals[intervals.length - 1] as number;
  const slide = intervals.length === 2 ? (intervals[0] as number) : undefined;
  if (slide !== undefined && (ref.window === 'CUMULATE' ? size % slide !== 0 : false)) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      ctx.source,
      ref.at,
      'CUMULATE needs a size that is a whole multiple of the step',
    );
  }
  if (size % MICROS_PER_MILLI !== 0)
    throw new SqlError('SQL_INVALID_CALL', ctx.source, ref.at, 'window sizes must be whole milliseconds');
  const window: WindowSpec = {
    type: ref.window,
    timeField,
    timeKind: timeType.timeAttribute,
    size,
    ...(slide !== undefined ? { slide } : {}),
    ...(offset !== undefined ? { offset } : {}),
    ...(ref.window === 'SESSION' ? { partitionKeys } : {}),
  };
  const ltz = timeType.kind === 'TIMESTAMP_LTZ';
  const fields: Field[] = [
    ...input.node.fields,
    { name: 'window_start', type: T.timestamp(3, false) },
    { name: 'window_end', type: T.timestamp(3, false) },
    {
      name: 'window_time',
      type: {
        kind: ltz ? 'TIMESTAMP_LTZ' : 'TIMESTAMP',
        precision: 3,
        nullable: false,
        timeAttribute: timeType.timeAttribute,
      },
    },
  ];
  const node: PlanNode = { kind: 'WindowTableFunction', input: input.node, window, fields, changelog: INSERT_ONLY };
  const alias = ref.alias?.name;
  return {
    node,
    scope: new Scope(
      fields.map((field, i) => ({
        ...field,
        qualifiers:
          i < input.scope.fields.length
            ? [...(input.scope.fields[i]?.qualifiers ?? []), ...(alias ? [alias] : [])]
            : alias
              ? [alias]
              : [],
      })),
    ),
  };
}

function planValues(rows: readonly (readonly Expression[])[], at: number, ctx: PlanContext): Relation {
  const empty = new Scope([]);
  const bound = rows.map((row) => row.map((expr) => bindExpression(expr, empty, { source: ctx.source })));
  const width = bound[0]?.length ?? 0;
  if (bound.some((row) => row.length !== width))
    throw new SqlError('SQL_SYNTAX', ctx.source, at, 'VALUES rows must all have the same number of columns');
  const types: DataType[] = [];
  for (let column = 0; column < width; column++) {
    const type = commonType(bound.map((row) => (row[column] as BoundExpr).type));
    if (!type)
      throw new SqlError('SQL_TYPE_MISMATCH', ctx.source, at, `column ${column + 1} of VALUES has incompatible types`);
    types.push(type.kind === 'NULL' ? T.null() : type);
  }
  const castRows = bound.map((row) =>
    row.map((expr, i) => (types[i]?.kind === 'NULL' ? expr : implicitCast(expr, types[i] as DataType))),
  );
  const fields = types.map((type, i) => ({ name: `EXPR$${i}`, type }));
  const node: PlanNode = { kind: 'Values', rows: castRows, fields, changelog: INSERT_ONLY };
  return { node, scope: new Scope(fields.map((field) => ({ ...field, qualifiers: [] }))) };
}
