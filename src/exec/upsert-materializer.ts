import type { Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector, rowsEqual } from './row-key.ts';

/**
 * Flink's SinkUpsertMaterializer, for a sink keyed differently from its input: per sink key it
 * keeps the rows the input currently holds, in arrival order, so that a retraction of one of them
 * (which the sink could not tell apart by its key) turns into the right upsert or delete. The last
 * row is the one the sink shows. A retraction removes the first stored row equal to it: equal in
 * the input's upsert key when the input has one (a new row for that key then replaces the stored
 * one in place), in every column otherwise.
 */
export class UpsertMaterializerOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly same: (a: Row, b: Row) => boolean;
  private readonly byUpsertKey: boolean;
  private readonly rows = new Map<unknown, Row[]>();

  constructor(sinkKey: readonly number[], upsertKey?: readonly number[]) {
    this.keyOf = keySelector(sinkKey);
    this.byUpsertKey = upsertKey !== undefined && upsertKey.length > 0;
    if (this.byUpsertKey) {
      const upsertKeyOf = keySelector(upsertKey as readonly number[]);
      this.same = (a, b) => upsertKeyOf(a) === upsertKeyOf(b);
    } else {
      this.same = rowsEqual;
    }
  }

  private indexOf(list: readonly Row[], row: Row): number {
    for (let i = 0; i < list.length; i++) if (this.same(list[i] as Row, row)) return i;
    return -1;
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    for (const change of changes) {
      const key = this.keyOf(change.row);
      let list = this.rows.get(key);
      if (change.kind === '+I' || change.kind === '+U') {
        if (!list) {
          list = [];
          this.rows.set(key, list);
        }
        const kind = list.length === 0 ? '+I' : '+U';
        const index = this.byUpsertKey ? this.indexOf(list, change.row) : -1;
        if (index < 0) list.push(change.row);
        else list[index] = change.row;
        out.push({ kind, row: change.row });
        continue;
      }
      if (!list) continue;
      const index = this.indexOf(list, change.row);
      if (index < 0) continue;
      const wasCurrent = index === list.length - 1;
      list.splice(index, 1);
      if (list.length === 0) {
        this.rows.delete(key);
        out.push({ kind: '-D', row: change.row });
      } else if (wasCurrent) {
        out.push({ kind: '+U', row: list[list.length - 1] as Row });
      }
    }
    return out;
  }
}
