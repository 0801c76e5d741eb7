import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';

/**
 * Flink's Expand (below the aggregate of grouping sets): each change becomes one change per
 * project, each with the change's kind and time, in the order of the projects. Stateless: a
 * retraction expands to the same rows its insert did, so each grouping set's group retracts it.
 */
export class ExpandOperator implements Operator {
  private readonly projects: ((row: Row) => Row)[];

  constructor(projects: readonly (readonly BoundExpr[])[], env: EvalEnv) {
    this.projects = projects.map((project) => {
      const evaluators = project.map((expr) => compileExpression(expr, env));
      const width = evaluators.length;
      return (row: Row) => {
        const out = new Array(width);
        for (let i = 0; i < width; i++) out[i] = (evaluators[i] as Evaluator)(row);
        return out;
      };
    });
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    for (const change of changes) {
      for (const project of this.projects) {
        out.push(
          change.time === undefined
            ? { kind: change.kind, row: project(change.row) }
            : { kind: change.kind, row: project(change.row), time: change.time },
        );
      }
    }
    return out;
  }
}
