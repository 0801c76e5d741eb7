/** Join conditions: their conjuncts, the key pairs and residual they split into, and the key columns a side gets. */
import type { BoundExpr } from '../expr/bound.ts';
import { bindCall } from './bind-expression.ts';
import { identity, makeCalc } from './build.ts';
import type { PlanNode } from './nodes.ts';
import type { PlanContext } from './relation.ts';

/** The conjuncts of an AND tree. */
export function conjuncts(expr: BoundExpr): BoundExpr[] {
  if (expr.kind === 'call' && expr.name === 'AND') return expr.args.flatMap(conjuncts);
  return [expr];
}

export function and(parts: readonly BoundExpr[], at: number, ctx: PlanContext): BoundExpr | undefined {
  return parts.reduce<BoundExpr | undefined>(
    (acc, part) => (acc ? bindCall('AND', [acc, part], at, ctx.source) : part),
    undefined,
  );
}

/** Which input fields an expression reads. */
export function referencedFields(expr: BoundExpr, out: Set<number> = new Set()): Set<number> {
  switch (expr.kind) {
    case 'input':
      out.add(expr.index);
      break;
    case 'cast':
      referencedFields(expr.operand, out);
      break;
    case 'call':
      for (const arg of expr.args) referencedFields(arg, out);
      break;
    case 'literal':
      break;
  }
  return out;
}

/** `expr` with each input reference's index mapped by `to`. */
export function mapInputs(expr: BoundExpr, to: (index: number) => number): BoundExpr {
  switch (expr.kind) {
    case 'input':
      return { ...expr, index: to(expr.index) };
    case 'cast':
      return { ...expr, operand: mapInputs(expr.operand, to) };
    case 'call':
      return { ...expr, args: expr.args.map((arg) => mapInputs(arg, to)) };
    case 'literal':
      return expr;
  }
}

/** Shifts input references by `offset` (to move an expression from the right side to its own input). */
export function shiftInputs(expr: BoundExpr, offset: number): BoundExpr {
  return mapInputs(expr, (index) => index + offset);
}

/** A join condition bound over left ++ right, taken apart into keys and a residual. */
export interface SplitCondition {
  /** Key expressions computed below the join, appended to each side's fields. */
  readonly leftExtra: BoundExpr[];
  readonly rightExtra: BoundExpr[];
  readonly leftKeys: number[];
  readonly rightKeys: number[];
  /** For each key pair: whether NULL matches NULL (IS NOT DISTINCT FROM, a key in Flink too). */
  readonly nullSafe: boolean[];
  /** The other conjuncts, still over left ++ right (without the extra key columns). */
  readonly residual: BoundExpr[];
}

/**
 * The conjuncts `l = r` and `l IS NOT DISTINCT FROM r` with `l` over the left side only and `r`
 * over the right side only become key pairs (an expression is computed below the join); the rest
 * is the residual.
 */
export function splitCondition(condition: BoundExpr, leftWidth: number, rightWidth: number): SplitCondition {
  const split: SplitCondition = {
    leftExtra: [],
    rightExtra: [],
    leftKeys: [],
    rightKeys: [],
    nullSafe: [],
    residual: [],
  };
  const keyOf = (expr: BoundExpr, side: 'left' | 'right'): number => {
    if (side === 'left') {
      if (expr.kind === 'input') return expr.index;
      split.leftExtra.push(expr);
      return leftWidth + split.leftExtra.length - 1;
    }
    const local = shiftInputs(expr, -leftWidth);
    if (local.kind === 'input') return local.index;
    split.rightExtra.push(local);
    return rightWidth + split.rightExtra.length - 1;
  };
  const sideOf = (e: BoundExpr) => {
    const fields = [...referencedFields(e)];
    if (fields.length === 0) return undefined;
    if (fields.every((f) => f < leftWidth)) return 'left';
    if (fields.every((f) => f >= leftWidth)) return 'right';
    return undefined;
  };
  for (const part of conjuncts(condition)) {
    if (part.kind === 'call' && (part.name === 'EQUALS' || part.name === 'IS_NOT_DISTINCT_FROM')) {
      const [a, b] = part.args as [BoundExpr, BoundExpr];
      const sa = sideOf(a);
      const sb = sideOf(b);
      if (sa && sb && sa !== sb) {
        const [l, r] = sa === 'left' ? [a, b] : [b, a];
        split.leftKeys.push(keyOf(l, 'left'));
        split.rightKeys.push(keyOf(r, 'right'));
        split.nullSafe.push(part.name === 'IS_NOT_DISTINCT_FROM');
        continue;
      }
    }
    split.residual.push(part);
  }
  return split;
}

/** A node with key expressions appended as `$key0`, `$key1`, ... (the node itself without any). */
export function withKeys(node: PlanNode, extra: readonly BoundExpr[]): PlanNode {
  if (extra.length === 0) return node;
  return makeCalc(
    node,
    [...identity(node), ...extra],
    [...node.fields.map((f) => f.name), ...extra.map((_, i) => `$key${i}`)],
  );
}

/** Residual conditions were bound over left ++ right; the join's input has extra left key columns in between. */
export function remapResidual(expr: BoundExpr, leftWidth: number, extendedLeftWidth: number): BoundExpr {
  return mapInputs(expr, (index) => (index >= leftWidth ? index + (extendedLeftWidth - leftWidth) : index));
}
