import type { Row } from '../expr/value.ts';
import type { Change } from './change.ts';
import type { Operator } from './operator.ts';
import { keySelector, rowsEqual } from './row-key.ts';

/**
 * ChangelogNormalize: turns upserts by key (+I/+U as "this is the row now", -D as "the key is
 * gone") into a retract stream: +I for a new key, -U/+U with the previous row for a changed one,
 * -D with the full previous row for a delete (a tombstone carries only the key). A repeated
 * identical row changes nothing and emits nothing.
 */
export class NormalizeOperator implements Operator {
  private readonly keyOf: (row: Row) => unknown;
  readonly state = new Map<unknown, Row>();

  constructor(key: readonly number[]) {
    this.keyOf = keySelector(key);
  }

  process(changes: readonly Change[], _input = 0): Change[] {
    const out: Change[] = [];
    for (const change of changes) {
      const key = this.keyOf(change.row);
      const previous = this.state.get(key);
      switch (change.kind) {
        case '+I':
        case '+U':
          if (!previous) {
            out.push({ kind: '+I', row: change.row });
          } else if (!rowsEqual(previous, change.row)) {
            out.push({ kind: '-U', row: previous }, { kind: '+U', row: change.row });
          } else {
            continue;
          }
          this.state.set(key, change.row);
          break;
        case '-D':
          if (previous) {
            out.push({ kind: '-D', row: previous });
            this.state.delete(key);
          }
          break;
        case '-U':
          break; // the +U that follows says everything
      }
    }
    return out;
  }
}
