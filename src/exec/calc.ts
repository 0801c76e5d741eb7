import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Evaluator, Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';

/** Projection and filter, change by change: the kind is kept, rows failing the filter are dropped. */
export class CalcOperator implements Operator {
  private readonly project: (row: Row) => Row;
  private readonly filter: Evaluator | undefined;

  constructor(projection: readonly BoundExpr[], condition: BoundExpr | undefined, env: EvalEnv) {
    const evaluators = projection.map((expr) => compileExpression(expr, env));
    const width = evaluators.length;
    this.project = (row) => {
      const out = new Array(width);
      for (let i = 0; i < width; i++) out[i] = (evaluators[i] as Evaluator)(row);
      return out;
    };
    this.filter = condition ? compileExpression(condition, env) : undefined;
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    const filter = this.filter;
    for (const change of changes) {
      if (filter && filter(change.row) !== true) continue;
      out.push({ kind: change.kind, row: this.project(change.row), time: change.time });
    }
    return out;
  }
}
