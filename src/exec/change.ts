import type { Row } from '../expr/value.ts';

/** Flink's row kinds: insert, update-before (retract), update-after, delete. */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/** One change of a changelog stream. */
export interface Change {
  readonly kind: RowKind;
  readonly row: Row;
}
