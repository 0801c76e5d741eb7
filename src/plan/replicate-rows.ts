import type { BoundExpr, ScalarFunction } from '../expr/bound.ts';
import type { Value } from '../expr/value.ts';
import type { DataType } from '../types/data-type.ts';

/**
 * Flink's internal table function $REPLICATE_ROWS$1(n, c1, c2, ...): the row (c1, c2, ...) n
 * times, which INTERSECT ALL and EXCEPT ALL end with (see plan-set-operation.ts). It runs as the
 * Correlate of UNNEST does, as a call whose value is the ARRAY of those rows. Only the planner
 * calls it: it is not in the function registry.
 */
export const REPLICATE_ROWS: ScalarFunction = {
  name: '$REPLICATE_ROWS$1',
  signatures: ['$REPLICATE_ROWS$1(BIGINT, ANY...)'],
  deterministic: true,
  foldable: false,
  bind: (args) => ({ args, type: replicatedType(args.slice(1)) }),
  compile: ([count, ...columns]) => {
    return (row) => {
      const times = Number(count?.(row) ?? 0);
      if (!(times > 0)) return [];
      const replicated: Value[] = columns.map((column) => column(row));
      return new Array(times).fill(replicated);
    };
  },
};

function replicatedType(columns: readonly BoundExpr[]): DataType {
  return {
    kind: 'ARRAY',
    nullable: false,
    element: {
      kind: 'ROW',
      nullable: false,
      fields: columns.map((column, i) => ({ name: `f${i}`, type: column.type })),
    },
  };
}
