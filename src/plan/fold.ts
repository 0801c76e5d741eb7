import { type BoundExpr, literal } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import { lookupFunction } from '../expr/functions/registry.ts';
import type { DataType } from '../types/data-type.ts';
import { resolveTimeZone } from '../types/temporal.ts';

const FOLD_ENV: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

function dependsOnTimeZone(type: DataType): boolean {
  return type.kind === 'TIMESTAMP_LTZ';
}

/**
 * Evaluates a call or cast whose arguments are all literals once, at planning time (Flink's
 * constant reduction). Left as it is when the value depends on the clock or the session time
 * zone, or when evaluating it fails (the error then belongs to the record that reaches it).
 */
export function foldConstants(expr: BoundExpr): BoundExpr {
  if (expr.kind === 'cast') {
    if (expr.operand.kind !== 'literal' || dependsOnTimeZone(expr.type) || dependsOnTimeZone(expr.operand.type))
      return expr;
  } else if (expr.kind === 'call') {
    const fn = expr.fn ?? lookupFunction(expr.name);
    if (
      !fn ||
      fn.deterministic === false ||
      fn.foldable === false ||
      fn.zoned ||
      expr.args.some((arg) => arg.kind !== 'literal' || dependsOnTimeZone(arg.type))
    )
      return expr;
    if (dependsOnTimeZone(expr.type)) return expr;
  } else {
    return expr;
  }
  try {
    return literal(compileExpression(expr, FOLD_ENV)([]), expr.type);
  } catch {
    return expr;
  }
}
