import type { BoundExpr, InputRef } from '../expr/bound.ts';
import type { ConditionJoin, Join as JoinAst } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, isRowtime, withNullable, withoutTimeAttribute } from '../types/data-type.ts';
import { bindExpression } from './bind-expression.ts';
import { makeCalc, uniqueNames } from './build.ts';
import type { CatalogTable } from './catalog.ts';
import { formatExpression } from './explain.ts';
import { and, remapResidual, splitCondition, withKeys } from './join-condition.ts';
import type { LookupHintSpec } from './lookup-hints.ts';
import type { Field, PlanNode } from './nodes.ts';
import { type LookupTable, planLookupJoin } from './plan-join.ts';
import { planTableScan } from './plan-table.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * `JOIN t FOR SYSTEM_TIME AS OF left.time ON ...`, as Flink decides it: AS OF a rowtime attribute
 * of the left side is an event-time temporal join of the versioned table `t`; otherwise a lookup
 * join (processing time, a table with a lookup source).
 */
export function planTemporalTableJoin(
  ast: JoinAst,
  left: Relation,
  rightAst: LookupTable,
  table: CatalogTable,
  ctx: PlanContext,
  lookupHint?: LookupHintSpec,
): Relation {
  const time = bindExpression(rightAst.systemTime, left.scope, { source: ctx.source });
  if (!isRowtime(time.type)) return planLookupJoin(ast, left, rightAst, table, ctx, lookupHint);
  if (lookupHint) throw lookupHintNotLookupJoin(ast, rightAst, ctx);
  checkJoinType(ast, ctx);
  if (time.kind !== 'input') throw asOfNotRowtime(rightAst, ctx);
  if (!table.primaryKey || table.primaryKey.length === 0) {
    throw new SqlError(
      'SQL_TEMPORAL_JOIN',
      ctx.source,
      rightAst.at,
      `Temporal Table Join requires primary key in versioned table '${table.name}', but no primary key can be found`,
      'declare PRIMARY KEY (...) NOT ENFORCED on the versioned table',
    );
  }
  if (!table.watermark) {
    throw new SqlError(
      'SQL_TEMPORAL_JOIN',
      ctx.source,
      rightAst.at,
      `Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table '${table.name}', but no row time attribute can be found`,
      'declare WATERMARK FOR <time column> AS ... on the versioned table (or join AS OF a processing-time attribute to look the table up)',
    );
  }
  const rightNode = planTableScan(table);
  const versioned: VersionedSide = {
    node: rightNode,
    primaryKey: table.primaryKey.map((name) => rightNode.fields.findIndex((f) => f.name === name)),
    timeIndex: rightNode.fields.findIndex((f) => f.name === table.watermark?.column),
    name: table.name,
    alias: rightAst.alias?.name ?? table.name,
  };
  return planEventTimeJoin(ast, left, versioned, time, ctx);
}

/** A LOOKUP hint names the right side of an event-time temporal join: it would take no effect. */
function lookupHintNotLookupJoin(ast: JoinAst, rightAst: LookupTable, ctx: PlanContext): SqlError {
  return new SqlError(
    'SQL_INVALID_HINT',
    ctx.source,
    ast.at,
    `the LOOKUP hint names '${rightAst.name.parts.join('.')}', which this query joins by event time, not by lookup`,
    'a LOOKUP hint applies to a lookup join (FOR SYSTEM_TIME AS OF a processing-time attribute); remove it here',
  );
}

/** The versioned side of an event-time temporal join: a table, or a versioned view. */
interface VersionedSide {
  readonly node: PlanNode;
  readonly primaryKey: readonly number[];
  /** Its rowtime attribute, among its fields. */
  readonly timeIndex: number;
  readonly name: string;
  readonly alias: string;
}

/**
 * `JOIN v FOR SYSTEM_TIME AS OF left.rowtime` where `v` is a view: Flink's versioned view, a view
 * whose rows have a unique key (its primary key, as Flink's TemporalJoinRewriteWithUniqueKeyRule
 * infers it: the ROW_NUMBER deduplication of an append-only table keeps one row per PARTITION BY)
 * and a rowtime attribute.
 */
export function planVersionedViewJoin(
  ast: JoinAst,
  left: Relation,
  rightAst: LookupTable,
  view: Relation,
  name: string,
  ctx: PlanContext,
  lookupHint?: LookupHintSpec,
): Relation {
  const time = bindExpression(rightAst.systemTime, left.scope, { source: ctx.source });
  if (!isRowtime(time.type)) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      rightAst.systemTime.at,
      `Processing-time temporal join is not supported yet: '${name}' is a view, which cannot be looked up`,
      'join a view AS OF a rowtime attribute of the left table (an event-time temporal join), or look up a table',
    );
  }
  if (lookupHint) throw lookupHintNotLookupJoin(ast, rightAst, ctx);
  checkJoinType(ast, ctx);
  if (time.kind !== 'input') throw asOfNotRowtime(rightAst, ctx);
  const node = view.node;
  if (!node.uniqueKey || node.uniqueKey.length === 0) {
    throw new SqlError(
      'SQL_TEMPORAL_JOIN',
      ctx.source,
      rightAst.at,
      `Temporal Table Join requires primary key in versioned table, but no primary key can be found: the view '${name}' has no unique key`,
      'make it a versioned view: SELECT ... FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime DESC) AS rn FROM t) WHERE rn = 1',
    );
  }
  const times = node.fields.flatMap((field, i) => (isRowtime(field.type) ? [i] : []));
  if (times.length !== 1) {
    throw new SqlError(
      'SQL_TEMPORAL_JOIN',
      ctx.source,
      rightAst.at,
      `Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but ${times.length === 0 ? 'no row time attribute can be found' : 'several row time attributes are found'} in the view '${name}'`,
      'select the rowtime attribute of the deduplicated table (once) in the view',
    );
  }
  const versioned: VersionedSide = {
    node,
    primaryKey: node.uniqueKey,
    timeIndex: times[0] as number,
    name,
    alias: rightAst.alias?.name ?? name,
  };
  return planEventTimeJoin(ast, left, versioned, time, ctx);
}

function asOfNotRowtime(rightAst: LookupTable, ctx: PlanContext): SqlError {
  return new SqlError(
    'SQL_UNSUPPORTED',
    ctx.source,
    rightAst.systemTime.at,
    'FOR SYSTEM_TIME AS OF of an event-time temporal join must name the rowtime attribute of the left table',
    'write FOR SYSTEM_TIME AS OF o.rowtime, where o declares WATERMARK FOR rowtime AS ...',
  );
}

type TemporalJoinAst = ConditionJoin & { readonly type: 'INNER' | 'LEFT' };

function checkJoinType(ast: JoinAst, ctx: PlanContext): asserts ast is TemporalJoinAst {
  if (ast.type !== 'INNER' && ast.type !== 'LEFT') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      ast.at,
      `a temporal join must be INNER or LEFT, not ${ast.type}`,
      'Flink joins a versioned table only with JOIN or LEFT JOIN',
    );
  }
}

function planEventTimeJoin(
  ast: TemporalJoinAst,
  left: Relation,
  versioned: VersionedSide,
  time: InputRef,
  ctx: PlanContext,
): Relation {
  const { node: rightNode, primaryKey, alias } = versioned;
  const rightScope = rightNode.fields.map((field) => ({ ...field, qualifiers: [alias] }));
  const leftNode = left.node;
  const leftWidth = leftNode.fields.length;
  const condition = bindExpression(ast.on, new Scope([...left.scope.fields, ...rightScope]), { source: ctx.source });
  if (condition.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      ast.on.at,
      `the ON condition must be BOOLEAN, got ${describeType(condition.type)}`,
    );
  }
  const split = splitCondition(condition, leftWidth, rightNode.fields.length);
  const both = uniqueNames([...leftNode.fields, ...rightNode.fields].map((f) => f.name)).map((name, i) => ({
    name,
    type: ([...leftNode.fields, ...rightNode.fields][i] as Field).type,
  }));
  const keyText = (at: number, width: number, extra: readonly BoundExpr[], fields: readonly Field[]) =>
    at < width ? (fields[at] as Field).name : formatExpression(extra[at - width] as BoundExpr, fields);
  const equalities = split.leftKeys.map((l, i) => {
    const r = split.rightKeys[i] as number;
    const rightFields = both.slice(leftWidth);
    return `${keyText(l, leftWidth, split.leftExtra, both)}=${keyText(r, rightNode.fields.length, split.rightExtra, rightFields)}`;
  });
  const missing = primaryKey.filter((k) => !split.rightKeys.some((r, j) => r === k && split.nullSafe[j] !== true));
  if (missing.length > 0) {
    throw new SqlError(
      'SQL_TEMPORAL_JOIN',
      ctx.source,
      ast.on.at,
      `Temporal table's primary key [${primaryKey.map((k) => rightNode.fields[k]?.name).join(', ')}] must be included in the equivalence condition of temporal join, but current temporal join condition is [${equalities.join(', ')}]`,
      `join on every primary key column of '${versioned.name}' with =`,
    );
  }
  const leftInput = withKeys(leftNode, split.leftExtra);
  const rightInput = withKeys(rightNode, split.rightExtra);
  const nullable = ast.type === 'LEFT';
  const names = uniqueNames([...leftInput.fields, ...rightInput.fields].map((f) => f.name));
  const fields: Field[] = [
    ...leftInput.fields,
    ...rightInput.fields.map((f) => {
      const type = withoutTimeAttribute(f.type);
      return { ...f, type: nullable ? withNullable(type, true) : type };
    }),
  ].map((f, i) => ({ ...f, name: names[i] as string }));
  const residual = and(
    split.residual.map((part) => remapResidual(part, leftWidth, leftInput.fields.length)),
    ast.at,
    ctx,
  );
  const rightTime = versioned.timeIndex;
  const join: PlanNode = {
    kind: 'TemporalJoin',
    type: ast.type,
    left: leftInput,
    right: rightInput,
    leftKeys: split.leftKeys,
    rightKeys: split.rightKeys,
    rightPrimaryKey: primaryKey,
    leftTimeIndex: time.index,
    rightTimeIndex: rightTime,
    ...(residual ? { residual } : {}),
    fields,
    changelog: leftNode.changelog,
    ...(leftNode.uniqueKey ? { uniqueKey: leftNode.uniqueKey } : {}),
  };
  const scope = new Scope([
    ...left.scope.fields,
    ...rightScope.map((f) => {
      const type = withoutTimeAttribute(f.type);
      return { ...f, type: nullable ? withNullable(type, true) : type };
    }),
  ]);
  if (split.leftExtra.length === 0 && split.rightExtra.length === 0) return { node: join, scope };
  // Drop the computed key columns again.
  const keep: BoundExpr[] = [];
  fields.forEach((field, index) => {
    const leftExtra = index >= leftWidth && index < leftInput.fields.length;
    const rightExtra = index >= leftInput.fields.length + rightNode.fields.length;
    if (!leftExtra && !rightExtra) keep.push({ kind: 'input', index, name: field.name, type: field.type });
  });
  const node = makeCalc(
    join,
    keep,
    keep.map((k) => (k as { name: string }).name),
  );
  return { node, scope };
}
