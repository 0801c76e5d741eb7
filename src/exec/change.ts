import type { Row } from '../expr/value.ts';
import type { PackedRow } from './packed-row.ts';

/** Flink's row kinds: insert, update-before (retract), update-after, delete. */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/** One change of a changelog stream. */
export interface Change {
  readonly kind: RowKind;
  readonly row: Row;
  /**
   * The row packed, when the operator that emitted the change keeps it so: an operator after it
   * that keeps the row too stores the same string instead of packing its own copy. It describes
   * `row` exactly: a change with another row must not carry it over.
   */
  readonly packed?: PackedRow;
}
