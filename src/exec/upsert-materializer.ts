import type { Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector, rowsEqual } from './row-key.ts';

/**
 * Flink's SinkUpsertMaterializer, for a sink keyed differently from its input: per sink key it
 * keeps the rows the input currently holds, so that a retraction of one of them (which the sink
 * could not tell apart by its key) turns into the right upsert or delete.
 */
export class UpsertMaterializerOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  private readonly rows = new Map<unknown, Row[]>();

  constructor(sinkKey: readonly number[]) {
    this.keyOf = keySelector(sinkKey);
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
        list.push(change.row);
        out.push({ kind: list.length === 1 ? '+I' : '+U', row: change.row });
        continue;
      }
      if (!list) continue;
      const index = list.findLastIndex((row) => rowsEqual(row, change.row));
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
