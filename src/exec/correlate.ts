import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/eval-env.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import type { DataType } from '../types/data-type.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';

/** The rows of a collection value: each is the columns UNNEST adds (see plan/plan-correlate.ts). */
type Expand = (collection: Value) => readonly (readonly Value[])[];

function expander(type: DataType, width: number): Expand {
  const nulls: readonly Value[] = new Array(width).fill(null);
  switch (type.kind) {
    case 'ARRAY': {
      if (type.element.kind === 'ROW')
        return (v) => (v as readonly Value[]).map((e) => (e === null ? nulls : (e as Row)));
      return (v) => (v as readonly Value[]).map((e) => [e]);
    }
    case 'MULTISET': {
      const rowElements = type.element.kind === 'ROW';
      return (v) => {
        const rows: (readonly Value[])[] = [];
        for (const [element, count] of v as ReadonlyMap<Value, Value>) {
          const row = rowElements ? (element === null ? nulls : (element as Row)) : [element];
          for (let i = 0; i < (count as number); i++) rows.push(row);
        }
        return rows;
      };
    }
    case 'MAP':
      return (v) => [...(v as ReadonlyMap<Value, Value>)];
    default:
      throw new Error(`UNNEST of ${type.kind}`);
  }
}

/**
 * Flink's Correlate with $UNNEST_ROWS$1: each input change joined to each row of its collection,
 * with the change's own kind, so that a retraction (-U, -D) takes back exactly the rows its
 * insertion gave. Stateless. An input row whose collection is NULL or empty gives nothing, or
 * with LEFT one row of NULLs.
 */
export class CorrelateOperator implements Operator {
  private readonly collection: Evaluator;
  private readonly expand: Expand;
  private readonly empty: readonly Value[] | undefined;

  constructor(collection: BoundExpr, joinType: 'INNER' | 'LEFT', width: number, env: EvalEnv) {
    this.collection = compileExpression(collection, env);
    this.expand = expander(collection.type, width);
    this.empty = joinType === 'LEFT' ? new Array(width).fill(null) : undefined;
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    for (const change of changes) {
      const value = this.collection(change.row);
      const rows = value === null ? [] : this.expand(value);
      if (rows.length === 0) {
        if (this.empty) out.push({ kind: change.kind, row: [...change.row, ...this.empty], time: change.time });
        continue;
      }
      for (const added of rows) out.push({ kind: change.kind, row: [...change.row, ...added], time: change.time });
    }
    return out;
  }
}
