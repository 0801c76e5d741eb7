import type { Change, RowKind } from '../../src/exec/change.ts';
import type { Value } from '../../src/expr/value.ts';

/** Changes written compactly: c('+I', 2001n, 'x') . */
export function c(kind: RowKind, ...row: Value[]): Change {
  return { kind, row };
}

/** Changes as text lines, for readable failures: `+I(2001, 1001, NULL)`. */
export function show(changes: readonly Change[]): string[] {
  return changes.map(
    (change) => `${change.kind}(${change.row.map((v) => (v === null ? 'NULL' : String(v))).join(', ')})`,
  );
}
