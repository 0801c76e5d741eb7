import type { SortField } from '../exec/rank.ts';
import { type BoundExpr, inputRef, literal } from '../expr/bound.ts';
import {
  childExpressions,
  type Expression,
  type FunctionCall,
  type Select,
  type TableReference as TableAst,
} from '../sql/ast.ts';
import { SqlError } from '../sql/sql-error.ts';
import { describeType, T, timeAttributeOf } from '../types/data-type.ts';
import { bindExpression } from './bind-expression.ts';
import { identity, makeCalc, uniqueNames } from './build.ts';
import { INSERT_ONLY, RETRACT } from './changelog.ts';
import { updateProducer } from './explain.ts';
import type { Field, PlanNode } from './nodes.ts';
import { objectName } from './object-name.ts';
import { hasAggregates } from './plan-aggregate.ts';
import { resolveWindow } from './plan-over.ts';
import { planWindowRank } from './plan-window-rank.ts';
import { rankStrategy } from './rank-strategy.ts';
import type { PlanContext, Relation } from './relation.ts';
import { Scope } from './scope.ts';

/**
 * A query block in FROM that selects ROW_NUMBER() OVER (...) (a subquery, or a view): filtered by
 * the outer WHERE, Flink plans it as a Top-N (Rank) or a deduplication.
 */
export interface RankedBlock {
  readonly select: Select;
  /** The ROW_NUMBER item: its position among the items, and the call. */
  readonly item: number;
  readonly call: FunctionCall;
  /** The context to plan the block in (a view's own text and the views being expanded). */
  readonly ctx: PlanContext;
  /** The names the block's columns are qualified by (its alias, or the view's name). */
  readonly qualifiers: readonly string[];
  readonly hintName?: string;
}

/** The block `from` reads, when it selects exactly one ROW_NUMBER() OVER as an item of its own. */
export function rankedBlock(from: TableAst, ctx: PlanContext): RankedBlock | undefined {
  if (from.kind === 'derivedTable') {
    const alias = from.alias?.name;
    return ranked(from.query, ctx, alias ? [alias] : [], alias);
  }
  if (from.kind !== 'tableName' || from.systemTime) return undefined;
  const name = objectName(from.name, ctx.source);
  const entry = ctx.catalog.get(name);
  if (entry?.kind !== 'view' || entry.columnNames || ctx.expanding?.has(name)) return undefined;
  const qualifier = from.alias?.name ?? name;
  const viewCtx: PlanContext = {
    catalog: ctx.catalog,
    source: entry.source,
    expanding: new Set([...(ctx.expanding ?? []), name]),
    ...(ctx.settings ? { settings: ctx.settings } : {}),
  };
  return ranked(entry.query, viewCtx, [qualifier], qualifier);
}

function ranked(
  query: Select | { kind: string },
  ctx: PlanContext,
  qualifiers: readonly string[],
  hintName: string | undefined,
): RankedBlock | undefined {
  if (query.kind !== 'select') return undefined;
  const select = query as Select;
  const found = select.items.flatMap((item, i) =>
    item.kind === 'expression' && item.expression.kind === 'call' && item.expression.over
      ? [{ item: i, call: item.expression }]
      : [],
  );
  const only = found[0];
  if (found.length !== 1 || !only || only.call.name !== 'ROW_NUMBER') return undefined;
  return { select, ...only, ctx, qualifiers, ...(hintName !== undefined ? { hintName } : {}) };
}

const RANK_FIELD = 'w0$o0';

/**
 * Plans a ranked block (`input` is its FROM and WHERE, planned) with the outer query's WHERE, as
 * Flink's FlinkLogicalRankRule and its deduplication rule do: the conditions on the rank number
 * give the rank range, the others stay in a Calc above. Top-1 ordered by a time attribute is a
 * Deduplicate; otherwise a Rank, which outputs its rank number only when the outer query reads
 * it (and the range is wider than one rank).
 */
export function planRank(block: RankedBlock, input: Relation, outer: Select, ctx: PlanContext): Relation {
  const inner = block.select;
  const innerCtx = block.ctx;
  const call = block.call;
  const over = resolveWindow(call.over as NonNullable<FunctionCall['over']>, inner, innerCtx);
  if (inner.groupBy.length > 0 || inner.having || inner.distinct || hasAggregates(inner, innerCtx)) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      innerCtx.source,
      call.at,
      'ROW_NUMBER() OVER in a query with GROUP BY, DISTINCT or aggregates is not supported',
      'aggregate in a subquery and rank its rows in the query around it',
    );
  }
  if (call.args.length > 0 || call.distinct || call.star)
    throw new SqlError('SQL_INVALID_CALL', innerCtx.source, call.at, 'ROW_NUMBER takes no arguments');
  if (over.orderBy.length === 0) {
    throw new SqlError(
      'SQL_INVALID_CALL',
      innerCtx.source,
      over.at,
      'ROW_NUMBER needs an ORDER BY in its window',
      'OVER (PARTITION BY ... ORDER BY ...)',
    );
  }

  // PARTITION BY and ORDER BY columns; expressions are computed by a Calc below the rank.
  const extras: BoundExpr[] = [];
  const fieldOf = (bound: BoundExpr): number => {
    if (bound.kind === 'input') return bound.index;
    extras.push(bound);
    return input.node.fields.length + extras.length - 1;
  };
  const keyOf = (expr: Expression): number => fieldOf(bindExpression(expr, input.scope, { source: innerCtx.source }));
  const partitionKeys = over.partitionBy.map(keyOf);
  const orderKeys: SortField[] = over.orderBy.map((order) => ({
    field: keyOf(order.expression),
    descending: order.descending,
    // Flink sorts NULL lowest: first in ascending order, last in descending order.
    nullsFirst: order.nullsFirst ?? !order.descending,
  }));
  // The block's items, with the ROW_NUMBER at `rankAt` (placeholder until the rank is planned).
  const items: { expr?: BoundExpr; name: string }[] = [];
  let rankAt = -1;
  inner.items.forEach((item, position) => {
    if (item.kind === 'star') {
      const qualifier = item.qualifier?.parts.at(-1);
      input.scope.fields.forEach((field, index) => {
        if (qualifier === undefined || field.qualifiers.includes(qualifier))
          items.push({ expr: inputRef(index, field.name, field.type), name: field.name });
      });
      return;
    }
    const name =
      item.alias?.name ??
      (item.expression.kind === 'column' ? (item.expression.parts.at(-1) as string) : `EXPR$${position}`);
    if (position === block.item) {
      rankAt = items.length;
      items.push({ name });
      return;
    }
    items.push({ expr: bindExpression(item.expression, input.scope, { source: innerCtx.source }), name });
  });
  const names = uniqueNames(items.map((item) => item.name));
  const rankName = names[rankAt] as string;
  const rankType = T.bigint(false);

  // The outer WHERE over the block's columns: its rank conditions give the range.
  const blockScope = new Scope(
    items.map((item, i) => ({
      name: names[i] as string,
      type: item.expr?.type ?? rankType,
      qualifiers: block.qualifiers,
    })),
  );
  const where = outer.where as Expression;
  const condition = bindExpression(where, blockScope, { source: ctx.source });
  if (condition.type.kind !== 'BOOLEAN') {
    throw new SqlError(
      'SQL_TYPE_MISMATCH',
      ctx.source,
      where.at,
      `WHERE needs a BOOLEAN condition, got ${describeType(condition.type)}`,
    );
  }
  const { range, remaining } = rankRange(condition, rankAt, where.at, ctx);
  const rankEndField =
    range.kind === 'variable' ? variableRankEnd(items[range.field]?.expr, fieldOf, where.at, ctx) : undefined;
  const rankInput =
    extras.length === 0
      ? input.node
      : makeCalc(
          input.node,
          [...identity(input.node), ...extras],
          uniqueNames([...input.node.fields.map((f) => f.name), ...extras.map((_, i) => `$f${i}`)]),
        );

  const [rankStart, rankEnd] = range.kind === 'constant' ? range.range : [1, 0];
  const constant = range.kind === 'constant' && rankStart === rankEnd;
  const outputRankNumber =
    !constant && (readsColumn(outer, rankName, block.qualifiers) || (remaining ? usesInput(remaining, rankAt) : false));

  const rankNode = planRankNode(
    rankInput,
    partitionKeys,
    orderKeys,
    [rankStart, rankEnd],
    rankEndField,
    outputRankNumber,
    call.at,
    innerCtx,
  );
  const rankValue: BoundExpr = outputRankNumber
    ? inputRef(rankInput.fields.length, RANK_FIELD, rankType)
    : literal(constant ? BigInt(rankStart) : null, constant ? rankType : T.bigint(true));
  const projection = items.map((item) => item.expr ?? rankValue);
  let node = makeCalc(rankNode, projection, names);
  if (remaining) node = makeCalc(node, identity(node), names, remaining);
  return {
    node,
    scope: new Scope(node.fields.map((field) => ({ ...field, qualifiers: block.qualifiers }))),
    ...(block.hintName !== undefined ? { hintName: block.hintName } : {}),
  };
}

function planRankNode(
  input: PlanNode,
  partitionKeys: readonly number[],
  orderKeys: readonly SortField[],
  [rankStart, rankEnd]: readonly [number, number],
  rankEndField: number | undefined,
  outputRankNumber: boolean,
  at: number,
  ctx: PlanContext,
): PlanNode {
  const windowed = planWindowRank(
    input,
    partitionKeys,
    orderKeys,
    rankEndField === undefined ? [rankStart, rankEnd] : { field: rankEndField },
    outputRankNumber,
    at,
    ctx,
  );
  if (windowed) return windowed;
  const first = orderKeys[0] as SortField;
  const timeType = input.fields[first.field]?.type;
  const timeAttribute = timeType && timeAttributeOf(timeType);
  if (rankEndField === undefined && rankStart === 1 && rankEnd === 1 && orderKeys.length === 1 && timeAttribute) {
    if (input.changelog.kind !== 'insert-only') {
      throw new SqlError(
        'SQL_UPDATES_NOT_SUPPORTED',
        ctx.source,
        at,
        `Deduplicate doesn't support consuming update and delete changes which is produced by node ${updateProducer(input)}`,
        'Flink 1.18 deduplicates on a time attribute only an insert-only input; ORDER BY another column to keep one row per key with a Top-1 Rank instead',
      );
    }
    const keepLastRow = first.descending;
    const rowtime = timeAttribute === 'ROWTIME';
    return {
      kind: 'Deduplicate',
      input,
      spec: { keys: partitionKeys, keepLastRow, rowtime, timeField: first.field },
      fields: input.fields,
      changelog: !keepLastRow && !rowtime ? INSERT_ONLY : RETRACT,
      uniqueKey: partitionKeys,
    };
  }
  const fields: Field[] = outputRankNumber
    ? [...input.fields, { name: RANK_FIELD, type: T.bigint(false) }]
    : [...input.fields];
  // Without the rank number, ranks past an offset change as -U/+U pairs of different rows (Flink's
  // algorithm with row numbers), and a row moving up a rank is added before its old rank is
  // retracted: no key identifies the rows then, so a keyed sink materializes them.
  const uniqueKey =
    rankEndField === undefined && rankStart === 1 && rankEnd === 1
      ? partitionKeys
      : outputRankNumber
        ? [...partitionKeys, input.fields.length]
        : rankStart > 1
          ? undefined
          : input.uniqueKey;
  return {
    kind: 'Rank',
    input,
    spec: {
      partitionKeys,
      orderKeys,
      rankStart,
      rankEnd,
      ...(rankEndField === undefined ? {} : { rankEndField }),
      outputRankNumber,
      strategy: rankStrategy(input, partitionKeys, orderKeys),
    },
    fields,
    changelog: RETRACT,
    ...(uniqueKey ? { uniqueKey } : {}),
  };
}

/**
 * The field of the rank's input that holds a variable rank end (computed below the rank when the
 * block computes it). Flink's TopN functions read it as a BIGINT, INTEGER or SMALLINT.
 */
function variableRankEnd(
  expr: BoundExpr | undefined,
  fieldOf: (expr: BoundExpr) => number,
  at: number,
  ctx: PlanContext,
): number {
  const kind = expr?.type.kind;
  if (!expr || (kind !== 'BIGINT' && kind !== 'INT' && kind !== 'SMALLINT')) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      `variable rank index column must be long, short or int type, while input type is ${expr ? describeType(expr.type) : 'the rank number'}`,
      'CAST the rank end column to INT or BIGINT in the query that ranks',
    );
  }
  return fieldOf(expr);
}

type Bound =
  | { kind: 'lower' | 'upper'; value: number }
  | { kind: 'both'; value: number }
  | { kind: 'column'; field: number }
  | { kind: 'none' };

/** A rank range: constant bounds, or Flink's VariableRankRange (a column of the block as the end). */
type RankRange = { kind: 'constant'; range: [number, number] } | { kind: 'variable'; field: number };

const FLIPPED: Readonly<Record<string, string>> = {
  LESS_THAN: 'GREATER_THAN',
  LESS_THAN_OR_EQUAL: 'GREATER_THAN_OR_EQUAL',
  GREATER_THAN: 'LESS_THAN',
  GREATER_THAN_OR_EQUAL: 'LESS_THAN_OR_EQUAL',
  EQUALS: 'EQUALS',
};

/**
 * The rank range of a condition on the rank column (at `rankField`), as Flink's RankUtil reads
 * it: its conjuncts that compare the rank column alone with a constant (`rn <= 10`, `10 >= rn`,
 * `rn = 1`, `rn < 5`, and BETWEEN as a lower and an upper bound), and the other conjuncts. A
 * single conjunct bounding the rank from above by a column (`rn <= n`, and as RankUtil reads it,
 * `rn < n` and `rn = n` too) is a variable range ending at that column.
 */
function rankRange(
  condition: BoundExpr,
  rankField: number,
  at: number,
  ctx: PlanContext,
): { range: RankRange; remaining?: BoundExpr } {
  const conjuncts: BoundExpr[] = [];
  const split = (expr: BoundExpr) => {
    if (expr.kind === 'call' && expr.name === 'AND') expr.args.forEach(split);
    else conjuncts.push(expr);
  };
  split(condition);
  const bounds: Bound[] = [];
  const others: BoundExpr[] = [];
  for (const conjunct of conjuncts) {
    const bound = limitBound(conjunct, rankField);
    if (bound) bounds.push(bound);
    else others.push(conjunct);
  }
  const [a, b] = bounds;
  let range: RankRange | undefined;
  const constant = (start: number, end: number): RankRange => ({ kind: 'constant', range: [start, end] });
  if (bounds.length === 1 && a?.kind === 'upper') range = constant(1, a.value);
  else if (bounds.length === 1 && a?.kind === 'both') range = constant(a.value, a.value);
  else if (bounds.length === 1 && a?.kind === 'column') range = { kind: 'variable', field: a.field };
  else if (bounds.length === 2 && a?.kind === 'lower' && b?.kind === 'upper') range = constant(a.value, b.value);
  else if (bounds.length === 2 && a?.kind === 'upper' && b?.kind === 'lower') range = constant(b.value, a.value);
  if (!range) {
    const onlyStart = bounds.length === 1 && a?.kind === 'lower';
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      onlyStart
        ? 'Rank end is not specified. Currently rank only support TopN, which means the rank end must be specified.'
        : 'this filter gives the ROW_NUMBER no rank range: Flink runs ROW_NUMBER() OVER only as a Top-N or deduplication',
      'filter the rank column against constants (rn <= N, rn < N, rn = N, rn BETWEEN a AND b, or rn >= a AND rn <= b), or alone against a column: rn <= col (rn = col needs a BIGINT col)',
    );
  }
  const remaining = others.reduce<BoundExpr | undefined>(
    (all, next) =>
      all ? { kind: 'call', name: 'AND', args: [all, next], type: { kind: 'BOOLEAN', nullable: true } } : next,
    undefined,
  );
  return { range, ...(remaining ? { remaining } : {}) };
}

/** The bound a conjunct puts on the rank, undefined when it is not a comparison of the rank alone. */
function limitBound(expr: BoundExpr, rankField: number): Bound | undefined {
  if (expr.kind !== 'call' || !(expr.name in FLIPPED) || expr.args.length !== 2) return undefined;
  const [left, right] = expr.args as [BoundExpr, BoundExpr];
  const isRank = (e: BoundExpr) => e.kind === 'input' && e.index === rankField;
  let name = expr.name;
  let other: BoundExpr;
  if (isRank(left) && !usesInput(right, rankField)) other = right;
  else if (isRank(right) && !usesInput(left, rankField)) {
    other = left;
    name = FLIPPED[name] as string;
  } else return undefined;
  // A column, maybe widened to the rank's BIGINT for the comparison. As Flink's RankUtil, `rn < col`
  // and `rn = col` end the rank at col too (the comparison is dropped, so rows up to rank col pass).
  // Calcite widens a narrower column for `=` only (a CAST, which RankUtil does not take for a
  // column): `rn = col` is a rank end for a BIGINT col alone.
  const widened = other.kind === 'cast' && other.operand.kind === 'input';
  const column = other.kind === 'cast' && widened ? other.operand : other;
  if (column.kind === 'input') {
    const upper = name === 'LESS_THAN' || name === 'LESS_THAN_OR_EQUAL' || (name === 'EQUALS' && !widened);
    return upper ? { kind: 'column', field: column.index } : { kind: 'none' };
  }
  const value = constantInteger(other);
  if (value === undefined) return { kind: 'none' };
  switch (name) {
    case 'LESS_THAN':
      return { kind: 'upper', value: value - 1 };
    case 'LESS_THAN_OR_EQUAL':
      return { kind: 'upper', value };
    case 'GREATER_THAN':
      return { kind: 'lower', value: value + 1 };
    case 'GREATER_THAN_OR_EQUAL':
      return { kind: 'lower', value };
    default:
      return { kind: 'both', value };
  }
}

function constantInteger(expr: BoundExpr): number | undefined {
  const value = expr.kind === 'cast' ? constantInteger(expr.operand) : expr.kind === 'literal' ? expr.value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function usesInput(expr: BoundExpr, index: number): boolean {
  switch (expr.kind) {
    case 'input':
      return expr.index === index;
    case 'literal':
      return false;
    case 'cast':
      return usesInput(expr.operand, index);
    case 'call':
      return expr.args.some((arg) => usesInput(arg, index));
  }
}

/** Whether the outer query reads the column `name` of the block (by name, or through a `*`). */
function readsColumn(outer: Select, name: string, qualifiers: readonly string[]): boolean {
  const mentions = (expr: Expression | undefined): boolean => {
    if (!expr) return false;
    if (expr.kind === 'column' && expr.parts.at(-1) === name) return true;
    if (expr.kind === 'call' && expr.over) {
      if (expr.over.partitionBy.some(mentions) || expr.over.orderBy.some((o) => mentions(o.expression))) return true;
    }
    return childExpressions(expr).some(mentions);
  };
  return (
    outer.items.some((item) =>
      item.kind === 'star'
        ? item.qualifier === undefined || qualifiers.includes(item.qualifier.parts.at(-1) as string)
        : mentions(item.expression),
    ) ||
    outer.groupBy.some(mentions) ||
    mentions(outer.having)
  );
}
