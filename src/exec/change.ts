import type { Row } from '../expr/value.ts';
import type { PackedRow } from '../state/packed-row.ts';

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
  /**
   * When the source committed the change this one comes from (ms since the epoch): a postgres-cdc
   * transaction's commit, or the timestamp of a log record (which Rivulet's jobs stamp with it).
   * Operators give each output change the time of the input change that caused it.
   */
  readonly time?: number;
}
