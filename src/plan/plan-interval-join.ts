import type { IntervalBounds } from '../exec/interval-join.ts';
import type { BoundExpr } from '../expr/bound.ts';
import { SqlError } from '../sql/sql-error.ts';
import { isTimestamp, withNullable } from '../types/data-type.ts';
import { makeCalc, uniqueNames } from './build.ts';
import { INSERT_ONLY } from './changelog.ts';
import { updateProducer } from './explain.ts';
import { and, remapResidual, splitCondition, withKeys } from './join-condition.ts';
import type { Field, PlanNode } from './nodes.ts';
import type { PlanContext } from './relation.ts';

/** A time attribute of one side plus a constant (ms): `o.ts - INTERVAL '1' HOUR`. */
interface TimeTerm {
  readonly side: 'left' | 'right';
  /** The time attribute's field within its side. */
  readonly index: number;
  readonly kind: 'ROWTIME' | 'PROCTIME';
  readonly offset: number;
}

/** `expr` as a time attribute of one side ± constant intervals, or undefined. */
function timeTerm(expr: BoundExpr, leftWidth: number): TimeTerm | undefined {
  // A rowtime compared with a PROCTIME() is cast to TIMESTAMP_LTZ: still the time attribute.
  if (expr.kind === 'cast' && expr.implicit) return timeTerm(expr.operand, leftWidth);
  if (expr.kind === 'input') {
    if (!isTimestamp(expr.type) || !expr.type.timeAttribute) return undefined;
    const side = expr.index < leftWidth ? 'left' : 'right';
    const index = side === 'left' ? expr.index : expr.index - leftWidth;
    return { side, index, kind: expr.type.timeAttribute, offset: 0 };
  }
  if (expr.kind !== 'call' || (expr.name !== 'DATETIME_PLUS' && expr.name !== 'DATETIME_MINUS')) return undefined;
  const [a, b] = expr.args as [BoundExpr, BoundExpr];
  const interval = (e: BoundExpr) =>
    e.kind === 'literal' && e.type.kind === 'INTERVAL_DAY_TIME' && e.value !== null
      ? Number(e.value) / 1000
      : undefined;
  const sign = expr.name === 'DATETIME_PLUS' ? 1 : -1;
  const bOffset = interval(b);
  if (bOffset !== undefined) {
    const term = timeTerm(a, leftWidth);
    return term && { ...term, offset: term.offset + sign * bOffset };
  }
  const aOffset = interval(a);
  if (aOffset !== undefined && sign === 1) {
    const term = timeTerm(b, leftWidth);
    return term && { ...term, offset: term.offset + aOffset };
  }
  return undefined;
}

const FLIPPED: Readonly<Record<string, string>> = {
  GREATER_THAN: 'LESS_THAN',
  GREATER_THAN_OR_EQUAL: 'LESS_THAN_OR_EQUAL',
  LESS_THAN: 'GREATER_THAN',
  LESS_THAN_OR_EQUAL: 'GREATER_THAN_OR_EQUAL',
};

/** A bound of `left time - right time` a conjunct sets, with the time attributes it compares. */
interface Bound {
  readonly lower: boolean;
  readonly value: number;
  readonly left: TimeTerm;
  readonly right: TimeTerm;
}

function boundOf(part: BoundExpr, leftWidth: number): Bound | undefined {
  if (part.kind !== 'call' || FLIPPED[part.name] === undefined) return undefined;
  const a = timeTerm(part.args[0] as BoundExpr, leftWidth);
  const b = timeTerm(part.args[1] as BoundExpr, leftWidth);
  if (!a || !b || a.side === b.side) return undefined;
  // Written as `left + x <op> right + y`, that is `left - right <op> y - x`.
  const [left, right, op] = a.side === 'left' ? [a, b, part.name] : [b, a, FLIPPED[part.name] as string];
  const difference = right.offset - left.offset;
  switch (op) {
    case 'GREATER_THAN_OR_EQUAL':
      return { lower: true, value: difference, left, right };
    case 'GREATER_THAN':
      return { lower: true, value: difference + 1, left, right };
    case 'LESS_THAN_OR_EQUAL':
      return { lower: false, value: difference, left, right };
    default:
      return { lower: false, value: difference - 1, left, right };
  }
}

const JOIN_TYPES = new Set(['INNER', 'LEFT', 'RIGHT', 'FULL']);

/**
 * The plan of a join whose condition bounds the time attributes of both sides against each other
 * from below and above (`b.ts BETWEEN a.ts - INTERVAL '1' HOUR AND a.ts + INTERVAL '10' MINUTE`, or
 * with `>=`, `>`, `<=`, `<`), as Flink's IntervalJoin; undefined for any other join. The equality
 * conjuncts are its keys; the first lower and upper bound on the same two time attributes are its
 * window bounds; other conjuncts stay a residual condition.
 */
export function planIntervalJoin(
  type: string,
  left: PlanNode,
  right: PlanNode,
  condition: BoundExpr,
  at: number,
  ctx: PlanContext,
): PlanNode | undefined {
  if (!JOIN_TYPES.has(type)) return undefined;
  const leftWidth = left.fields.length;
  const split = splitCondition(condition, leftWidth, right.fields.length);
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  const rest: BoundExpr[] = [];
  for (const part of split.residual) {
    const bound = boundOf(part, leftWidth);
    const first = lower ?? upper;
    const fits =
      bound && (!first || (first.left.index === bound.left.index && first.right.index === bound.right.index));
    if (bound && fits && bound.lower && !lower) lower = bound;
    else if (bound && fits && !bound.lower && !upper) upper = bound;
    else rest.push(part);
  }
  if (!lower || !upper) return undefined;
  if (lower.left.kind !== lower.right.kind) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      'an interval join needs two event-time or two processing-time attributes, not one of each',
      'bound a rowtime attribute by a rowtime attribute (or PROCTIME() by PROCTIME())',
    );
  }
  if (lower.value > upper.value) {
    throw new SqlError(
      'SQL_UNSUPPORTED',
      ctx.source,
      at,
      `the time interval of this join is empty (left time - right time between ${lower.value} and ${upper.value} ms)`,
      'swap the bounds: the lower one must not be above the upper one',
    );
  }
  for (const input of [left, right]) {
    if (input.changelog.kind !== 'insert-only') {
      throw new SqlError(
        'SQL_UPDATES_NOT_SUPPORTED',
        ctx.source,
        at,
        `IntervalJoin doesn't support consuming update and delete changes which is produced by node ${updateProducer(input)}`,
        'an interval join reads append-only inputs; join a changelog with a regular join without the time bounds',
      );
    }
  }
  const leftInput = withKeys(left, split.leftExtra);
  const rightInput = withKeys(right, split.rightExtra);
  const joinType = type as 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  const leftNullable = joinType === 'RIGHT' || joinType === 'FULL';
  const rightNullable = joinType === 'LEFT' || joinType === 'FULL';
  const names = uniqueNames([...leftInput.fields, ...rightInput.fields].map((f) => f.name));
  const fields: Field[] = [
    ...leftInput.fields.map((f) => (leftNullable ? { ...f, type: withNullable(f.type, true) } : f)),
    ...rightInput.fields.map((f) => (rightNullable ? { ...f, type: withNullable(f.type, true) } : f)),
  ].map((f, i) => ({ ...f, name: names[i] as string }));
  const remap = (expr: BoundExpr) => remapResidual(expr, leftWidth, leftInput.fields.length);
  const residual = and(rest.map(remap), at, ctx);
  const bounds: IntervalBounds = {
    rowtime: lower.left.kind === 'ROWTIME',
    leftLowerBound: lower.value,
    leftUpperBound: upper.value,
    leftTimeIndex: lower.left.index,
    rightTimeIndex: lower.right.index,
  };
  const join: PlanNode = {
    kind: 'IntervalJoin',
    type: joinType,
    left: leftInput,
    right: rightInput,
    leftKeys: split.leftKeys,
    rightKeys: split.rightKeys,
    bounds,
    condition: remap(condition),
    ...(residual ? { residual } : {}),
    fields,
    changelog: INSERT_ONLY,
  };
  if (split.leftExtra.length === 0 && split.rightExtra.length === 0) return join;
  // Drop the computed key columns again.
  const keep: BoundExpr[] = [];
  fields.forEach((field, index) => {
    const leftExtra = index >= leftWidth && index < leftInput.fields.length;
    const rightExtra = index >= leftInput.fields.length + right.fields.length;
    if (!leftExtra && !rightExtra) keep.push({ kind: 'input', index, name: field.name, type: field.type });
  });
  return makeCalc(
    join,
    keep,
    keep.map((k) => (k as { name: string }).name),
  );
}
