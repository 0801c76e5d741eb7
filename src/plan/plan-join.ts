import { connectorNames } from '../connectors/registry.ts';
import type { JoinType } from '../exec/join.ts';
import { type BoundExpr, literal } from '../expr/bound.ts';
import type { Expression, Join as JoinAst, TableName, TableReference } from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, T, timeAttributeOf, withNullable } from '../types/data-type.ts';
import { bindExpression } from './bind-expression.ts';
import { makeCalc, uniqueNames } from './build.ts';
import type { CatalogTable } from './catalog.ts';
import { combine, INSERT_ONLY, RETRACT } from './changelog.ts';
import { and, conjuncts, remapResidual, splitCondition, withKeys } from './join-condition.ts';
import type { LookupHintSpec } from './lookup-hints.ts';
import type { Field, PlanNode } from './nodes.ts';
import { planIntervalJoin } from './plan-interval-join.ts';
import { tableReference } from './plan-table.ts';
import { windowJoinKeys } from './plan-window-join.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope, type ScopeField } from './scope.ts';
import type { StateTtlHints } from './state-ttl-hints.ts';

function outerScope(scope: Scope, nullable: boolean): ScopeField[] {
  return scope.fields.map((field) => (nullable ? { ...field, type: withNullable(field.type, true) } : field));
}

/**
 * A regular join on equality: the equality conjuncts of ON become join keys (computed below the
 * join when they are expressions), the rest a residual condition.
 */
export function planJoin(
  ast: JoinAst,
  left: Relation,
  right: Relation,
  ctx: PlanContext,
  hints?: StateTtlHints,
): Relation {
  if (ast.type === 'CROSS') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      ast.at,
      'a streaming join needs an ON condition with an equality between the two sides',
      'write JOIN ... ON left.key = right.key',
    );
  }
  const type: JoinType = ast.type;
  const leftWidth = left.node.fields.length;
  const both = new Scope([...left.scope.fields, ...right.scope.fields]);
  const condition = bindExpression(ast.on, both, { source: ctx.source });
  if (condition.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      ast.on.at,
      `the ON condition must be BOOLEAN, got ${describeType(condition.type)}`,
    );
  }

  const leftNullable = type === 'RIGHT' || type === 'FULL';
  const rightNullable = type === 'LEFT' || type === 'FULL';
  const scope = new Scope([...outerScope(left.scope, leftNullable), ...outerScope(right.scope, rightNullable)]);
  const interval = planIntervalJoin(type, left.node, right.node, condition, ast.at, ctx);
  if (interval) return { node: interval, scope };
  if (splitCondition(condition, leftWidth, right.node.fields.length).leftKeys.length === 0) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      ast.on.at,
      'the ON condition has no equality between a column of each side',
      'a streaming join needs one, e.g. ON o.user_id = u.user_id',
    );
  }
  const leftTtl = hints?.take(left.hintName);
  const rightTtl = hints?.take(right.hintName);
  const node = buildJoin(type, left.node, right.node, condition, ast.at, ctx, {
    ...(leftTtl !== undefined ? { left: leftTtl } : {}),
    ...(rightTtl !== undefined ? { right: rightTtl } : {}),
  });
  return { node, scope };
}

/**
 * The plan of a join of two nodes on `condition` (bound over left ++ right fields, or none: every
 * pair joins): key pairs computed below the join where they are expressions, and dropped again
 * above it. Its fields are left ++ right, or left alone for SEMI and ANTI. Without key pairs all
 * rows share one key, as Flink's joins with a single distribution.
 */
export function buildJoin(
  type: JoinType,
  left: PlanNode,
  right: PlanNode,
  condition: BoundExpr | undefined,
  at: number,
  ctx: PlanContext,
  ttl: { readonly left?: string; readonly right?: string } = {},
): PlanNode {
  const leftWidth = left.fields.length;
  const { leftExtra, rightExtra, leftKeys, rightKeys, nullSafe, residual } = condition
    ? splitCondition(condition, leftWidth, right.fields.length)
    : splitCondition(literal(true, T.boolean(false)), leftWidth, right.fields.length);
  const leftInput = withKeys(left, leftExtra);
  const rightInput = withKeys(right, rightExtra);
  const filtering = type === 'SEMI' || type === 'ANTI';

  const leftNullable = type === 'RIGHT' || type === 'FULL';
  const rightNullable = type === 'LEFT' || type === 'FULL';
  const fieldsOf = (node: PlanNode, nullable: boolean) =>
    node.fields.map((f) => (nullable ? { ...f, type: withNullable(f.type, true) } : f));
  const names = uniqueNames([...leftInput.fields, ...rightInput.fields].map((f) => f.name));
  const fields: Field[] = filtering
    ? [...leftInput.fields]
    : [...fieldsOf(leftInput, leftNullable), ...fieldsOf(rightInput, rightNullable)].map((f, i) => ({
        ...f,
        name: names[i] as string,
      }));

  const covers = (node: PlanNode, keys: number[]) => node.uniqueKey?.every((k) => keys.includes(k)) === true;
  const leftUniqueByKey = covers(leftInput, leftKeys);
  const rightUniqueByKey = covers(rightInput, rightKeys);
  const rightOffset = leftInput.fields.length;
  let uniqueKey: number[] | undefined;
  if (filtering) uniqueKey = leftInput.uniqueKey ? [...leftInput.uniqueKey] : undefined;
  else if (rightUniqueByKey && leftInput.uniqueKey && type !== 'RIGHT' && type !== 'FULL')
    uniqueKey = [...leftInput.uniqueKey];
  else if (leftUniqueByKey && rightInput.uniqueKey && type !== 'LEFT' && type !== 'FULL')
    uniqueKey = rightInput.uniqueKey.map((k) => k + rightOffset);
  else if (leftInput.uniqueKey && rightInput.uniqueKey && type === 'INNER')
    uniqueKey = [...leftInput.uniqueKey, ...rightInput.uniqueKey.map((k) => k + rightOffset)];

  const residualExpr = and(
    residual
      .filter((part) => !(part.kind === 'literal' && part.value === true))
      .map((part) => remapResidual(part, leftWidth, leftInput.fields.length)),
    at,
    ctx,
  );
  // Flink: inner and semi joins forward their inputs' kinds of change; the others may retract.
  const changelog = type === 'INNER' || type === 'SEMI' ? combine(leftInput.changelog, rightInput.changelog) : RETRACT;
  const windowed = windowJoinKeys(leftInput, rightInput, leftKeys, rightKeys, nullSafe, at, ctx);
  const join: PlanNode = windowed
    ? {
        kind: 'WindowJoin',
        type,
        left: leftInput,
        right: rightInput,
        ...windowed,
        fields,
        changelog: INSERT_ONLY,
        ...(residualExpr ? { residual: residualExpr } : {}),
      }
    : {
        kind: 'Join',
        type,
        left: leftInput,
        right: rightInput,
        leftKeys,
        rightKeys,
        ...(nullSafe.some(Boolean) ? { nullSafe } : {}),
        leftUniqueByKey,
        rightUniqueByKey,
        fields,
        changelog,
        ...(uniqueKey ? { uniqueKey } : {}),
        ...(residualExpr ? { residual: residualExpr } : {}),
        ...(ttl.left !== undefined || ttl.right !== undefined ? { stateTtlHints: ttl } : {}),
      };
  if (leftExtra.length === 0 && rightExtra.length === 0) return join;
  // Drop the computed key columns again.
  const keep: BoundExpr[] = [];
  fields.forEach((field, index) => {
    const isLeftExtra = index >= leftWidth && index < leftInput.fields.length;
    const isRightExtra = index >= leftInput.fields.length + right.fields.length;
    if (!isLeftExtra && !isRightExtra) keep.push({ kind: 'input', index, name: field.name, type: field.type });
  });
  return makeCalc(
    join,
    keep,
    keep.map((k) => (k as { name: string }).name),
  );
}

/** The right side of a lookup join: a table read FOR SYSTEM_TIME AS OF a time. */
export type LookupTable = TableName & { readonly systemTime: Expression };

export function isLookupTable(ref: TableReference): ref is LookupTable {
  return ref.kind === 'tableName' && ref.systemTime !== undefined;
}

/**
 * `JOIN t FOR SYSTEM_TIME AS OF left.proc_time ON ...`: a lookup into a table whose connector has a
 * lookup source, keyed by the equality conditions on the table's columns.
 */
export function planLookupJoin(
  ast: JoinAst,
  left: Relation,
  rightAst: LookupTable,
  table: CatalogTable,
  ctx: PlanContext,
  lookupHint?: LookupHintSpec,
): Relation {
  if (ast.type !== 'INNER' && ast.type !== 'LEFT') {
    throw new SqlError('SQL_UNSUPPORTED', ctx.source, ast.at, `a lookup join must be INNER or LEFT, not ${ast.type}`);
  }
  if (!table.connector.factory.lookup) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      rightAst.at,
      `table '${table.name}' (connector '${table.connector.factory.identifier}') cannot be looked up; FOR SYSTEM_TIME AS OF needs a lookup source such as ${connectorNames((f) => f.lookup !== undefined)}`,
      'an event-time temporal join (FOR SYSTEM_TIME AS OF a rowtime attribute of the left table) joins a versioned table, one with a PRIMARY KEY and a WATERMARK; processing-time temporal joins of other tables are not supported (nor in Flink)',
    );
  }
  const time = bindExpression(rightAst.systemTime, left.scope, { source: ctx.source });
  if (timeAttributeOf(time.type) !== 'PROCTIME') {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      rightAst.systemTime.at,
      'FOR SYSTEM_TIME AS OF of a lookup join must name a processing-time attribute of the left table',
      'declare one on the left table: proc_time AS PROCTIME()',
    );
  }
  const columns = table.columns.filter((column) => column.kind === 'physical');
  const lookupFields: Field[] = columns.map((column) => ({ name: column.name, type: column.type }));
  const alias = rightAst.alias?.name ?? table.name;
  const rightScope = lookupFields.map((field) => ({ ...field, qualifiers: [alias] }));
  const leftWidth = left.node.fields.length;
  const both = new Scope([...left.scope.fields, ...rightScope]);
  const condition = bindExpression(ast.on, both, { source: ctx.source });
  const keys: { input: number; lookup: number }[] = [];
  const residual: BoundExpr[] = [];
  for (const part of conjuncts(condition)) {
    if (part.kind === 'call' && part.name === 'EQUALS') {
      const [a, b] = part.args as [BoundExpr, BoundExpr];
      const pair = a.kind === 'input' && b.kind === 'input' ? ([a.index, b.index] as const) : undefined;
      if (pair) {
        const [x, y] = pair;
        if (x < leftWidth && y >= leftWidth) {
          keys.push({ input: x, lookup: y - leftWidth });
          continue;
        }
        if (y < leftWidth && x >= leftWidth) {
          keys.push({ input: y, lookup: x - leftWidth });
          continue;
        }
      }
    }
    residual.push(part);
  }
  if (keys.length === 0) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      ast.on.at,
      `a lookup join needs an equality between a left column and a column of '${table.name}'`,
    );
  }
  const names = uniqueNames([...left.node.fields, ...lookupFields].map((f) => f.name));
  const nullable = ast.type === 'LEFT';
  const fields = [
    ...left.node.fields,
    ...lookupFields.map((f) => (nullable ? { ...f, type: withNullable(f.type, true) } : f)),
  ].map((f, i) => ({
    ...f,
    name: names[i] as string,
  }));
  const residualExpr = and(residual, ast.at, ctx);
  const pkCovered = table.primaryKey?.every((name) => keys.some((key) => columns[key.lookup]?.name === name)) ?? false;
  const node: PlanNode = {
    kind: 'LookupJoin',
    type: ast.type,
    input: left.node,
    table: tableReference(table),
    lookupFields,
    keys,
    fields,
    changelog: left.node.changelog.kind === 'insert-only' ? INSERT_ONLY : left.node.changelog,
    ...(pkCovered && left.node.uniqueKey ? { uniqueKey: left.node.uniqueKey } : {}),
    ...(residualExpr ? { residual: residualExpr } : {}),
    ...(lookupHint ? { lookupHint } : {}),
  };
  return {
    node,
    scope: new Scope([
      ...left.scope.fields,
      ...rightScope.map((f) => (nullable ? { ...f, type: withNullable(f.type, true) } : f)),
    ]),
  };
}
