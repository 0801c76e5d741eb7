import type { BoundExpr } from '../expr/bound.ts';
import type { Join as JoinAst } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, isTimestamp, withNullable, withoutTimeAttribute } from '../types/data-type.ts';
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
  if (!(isTimestamp(time.type) && time.type.timeAttribute === 'ROWTIME'))
    return planLookupJoin(ast, left, rightAst, table, ctx, lookupHint);
  if (lookupHint) {
    throw new SqlError(
      'SQL_INVALID_HINT',
      ctx.source,
      ast.at,
      `the LOOKUP hint names '${rightAst.name.parts.join('.')}', which this query joins by event time, not by lookup`,
      'a LOOKUP hint applies to a lookup join (FOR SYSTEM_TIME AS OF a processing-time attribute); remove it here',
    );
  }
  if (ast.type !== 'INNER' && ast.type !== 'LEFT') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      ast.at,
      `a temporal join must be INNER or LEFT, not ${ast.type}`,
      'Flink joins a versioned table only with JOIN or LEFT JOIN',
    );
  }
  if (time.kind !== 'input') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      rightAst.systemTime.at,
      'FOR SYSTEM_TIME AS OF of an event-time temporal join must name the rowtime attribute of the left table',
      'write FOR SYSTEM_TIME AS OF o.rowtime, where o declares WATERMARK FOR rowtime AS ...',
    );
  }
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
  const alias = rightAst.alias?.name ?? table.name;
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
  const primaryKey = table.primaryKey.map((name) => rightNode.fields.findIndex((f) => f.name === name));
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
      `Temporal table's primary key [${table.primaryKey.join(', ')}] must be included in the equivalence condition of temporal join, but current temporal join condition is [${equalities.join(', ')}]`,
      `join on every primary key column of '${table.name}' with =`,
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
  const rightTime = rightNode.fields.findIndex((f) => f.name === table.watermark?.column);
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
