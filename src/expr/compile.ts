import type { BoundExpr } from './bound.ts';
import { compileCast } from './cast.ts';
import type { EvalEnv } from './eval-env.ts';
import { lookupFunction } from './functions/registry.ts';
import type { Evaluator, Row, Value } from './value.ts';

/** Turns a bound expression into a function of the input row. */
export function compileExpression(expr: BoundExpr, env: EvalEnv): Evaluator {
  switch (expr.kind) {
    case 'input': {
      const index = expr.index;
      return (row) => row[index] ?? null;
    }
    case 'literal': {
      const value = expr.value;
      return () => value;
    }
    case 'cast': {
      const operand = compileExpression(expr.operand, env);
      const convert = compileCast(expr.operand.type, expr.type, env, expr.try, !expr.implicit);
      return (row) => {
        const value = operand(row);
        return value === null ? null : convert(value);
      };
    }
    case 'call': {
      const fn = expr.fn ?? lookupFunction(expr.name);
      if (!fn) throw new Error(`no function ${expr.name}`);
      return fn.compile(
        expr.args.map((arg) => compileExpression(arg, env)),
        expr,
        env,
      );
    }
  }
}

/** Evaluators for several expressions that build a new row from an input row. */
export function compileProjection(exprs: readonly BoundExpr[], env: EvalEnv): (row: Row) => Value[] {
  const evaluators = exprs.map((expr) => compileExpression(expr, env));
  const width = evaluators.length;
  return (row) => {
    const out: Value[] = new Array(width);
    for (let i = 0; i < width; i++) out[i] = (evaluators[i] as Evaluator)(row);
    return out;
  };
}
