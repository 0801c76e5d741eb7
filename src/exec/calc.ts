import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import { EvaluationError, type Evaluator, type Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';

/**
 * Projection and filter, change by change: the kind is kept, rows failing the filter are dropped.
 * With `setAside` (a Calc right after a source whose table has a dead-letter topic), a change on
 * which an expression fails is dropped when `setAside` takes its record; otherwise it fails the job.
 */
export class CalcOperator implements Operator {
  private readonly project: (row: Row) => Row;
  private readonly filter: Evaluator | undefined;

  constructor(
    projection: readonly BoundExpr[],
    condition: BoundExpr | undefined,
    env: EvalEnv,
    private readonly setAside?: (change: Change, error: EvaluationError) => boolean,
  ) {
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
    if (this.setAside) return this.processSettingAside(changes, this.setAside);
    const out: Change[] = [];
    const filter = this.filter;
    for (const change of changes) {
      if (filter && filter(change.row) !== true) continue;
      out.push({ kind: change.kind, row: this.project(change.row), time: change.time });
    }
    return out;
  }

  private processSettingAside(
    changes: readonly Change[],
    setAside: (change: Change, error: EvaluationError) => boolean,
  ): Change[] {
    const out: Change[] = [];
    const filter = this.filter;
    for (const change of changes) {
      try {
        if (filter && filter(change.row) !== true) continue;
        out.push({ kind: change.kind, row: this.project(change.row), time: change.time });
      } catch (error) {
        if (!(error instanceof EvaluationError) || !setAside(change, error)) throw error;
      }
    }
    return out;
  }
}
