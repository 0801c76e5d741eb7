import type { BoundExpr } from '../expr/bound.ts';
import { compileExpression } from '../expr/compile.ts';
import type { EvalEnv } from '../expr/functions/definition.ts';
import type { Evaluator, Row, Value } from '../expr/value.ts';
import type { JoinType } from '../plan/nodes.ts';
import type { Change } from './change.ts';
import { isAccumulate, type Operator } from './operator.ts';
import { keySelector, rowKey } from './row-key.ts';

/** A stored row of one side: how many copies are there, and how many rows of the other side it joins with. */
interface Stored {
  readonly row: Row;
  count: number;
  associations: number;
}

type SideState = Map<unknown, Map<string, Stored>>;

/**
 * A regular join of two changelogs on equal keys, as Flink's streaming join runs it: both sides are
 * kept in state by join key; an accumulating change joins the other side's rows and emits +I, a
 * retracting one emits -D for the same pairs. On an outer side, a row without partner is emitted
 * padded with NULLs, and retracted (-D) as soon as a partner arrives, then emitted again (+I) when
 * the last partner leaves.
 */
export class JoinOperator implements Operator {
  private readonly keys: [(row: Row) => unknown, (row: Row) => unknown];
  private readonly state: [SideState, SideState] = [new Map(), new Map()];
  private readonly outer: [boolean, boolean];
  private readonly residual: Evaluator | undefined;
  private readonly widths: [number, number];

  constructor(
    type: JoinType,
    leftKeys: readonly number[],
    rightKeys: readonly number[],
    widths: [number, number],
    residual: BoundExpr | undefined,
    env: EvalEnv,
  ) {
    this.keys = [keySelector(leftKeys), keySelector(rightKeys)];
    this.outer = [type === 'LEFT' || type === 'FULL', type === 'RIGHT' || type === 'FULL'];
    this.widths = widths;
    this.residual = residual ? compileExpression(residual, env) : undefined;
  }

  private joined(input: Row, other: Row | null, inputSide: number): Row {
    const nulls = (width: number): Value[] => new Array(width).fill(null);
    const otherRow = other ?? nulls(this.widths[1 - inputSide] as number);
    return inputSide === 0 ? [...input, ...otherRow] : [...otherRow, ...input];
  }

  private matches(input: Row, inputSide: number, candidates: Map<string, Stored> | undefined): Stored[] {
    if (!candidates) return [];
    const out: Stored[] = [];
    for (const stored of candidates.values()) {
      if (this.residual && this.residual(this.joined(input, stored.row, inputSide)) !== true) continue;
      out.push(stored);
    }
    return out;
  }

  process(changes: readonly Change[], inputSide: number): Change[] {
    const out: Change[] = [];
    const side = inputSide as 0 | 1;
    const otherSide = (1 - side) as 0 | 1;
    const inputOuter = this.outer[side];
    const otherOuter = this.outer[otherSide];
    for (const change of changes) {
      const key = this.keys[side](change.row);
      if (key === null || (typeof key === 'string' && key.startsWith('\u0000N'))) {
        // A NULL join key matches nothing; an outer row still shows, padded.
        if (inputOuter)
          out.push({ kind: isAccumulate(change.kind) ? '+I' : '-D', row: this.joined(change.row, null, side) });
        continue;
      }
      const associated = this.matches(change.row, side, this.state[otherSide].get(key));
      let rows = this.state[side].get(key);
      const id = rowKey(change.row);
      if (isAccumulate(change.kind)) {
        if (associated.length === 0) {
          if (inputOuter) out.push({ kind: '+I', row: this.joined(change.row, null, side) });
        } else {
          if (otherOuter) {
            for (const other of associated) {
              if (other.associations === 0) out.push({ kind: '-D', row: this.joined(other.row, null, otherSide) });
              other.associations += 1;
            }
          }
          for (const other of associated) {
            for (let i = 0; i < other.count; i++)
              out.push({ kind: '+I', row: this.joined(change.row, other.row, side) });
          }
        }
        if (!rows) {
          rows = new Map();
          this.state[side].set(key, rows);
        }
        const stored = rows.get(id);
        if (stored) stored.count += 1;
        else
          rows.set(id, {
            row: change.row,
            count: 1,
            associations: associated.reduce((sum, other) => sum + other.count, 0),
          });
      } else {
        const stored = rows?.get(id);
        if (!stored) continue; // retracting what was never there (state expired): nothing to undo
        stored.count -= 1;
        if (stored.count === 0) {
          rows?.delete(id);
          if (rows?.size === 0) this.state[side].delete(key);
        }
        if (associated.length === 0) {
          if (inputOuter) out.push({ kind: '-D', row: this.joined(change.row, null, side) });
        } else {
          for (const other of associated) {
            for (let i = 0; i < other.count; i++)
              out.push({ kind: '-D', row: this.joined(change.row, other.row, side) });
          }
          if (otherOuter) {
            for (const other of associated) {
              if (other.associations === 1) out.push({ kind: '+I', row: this.joined(other.row, null, otherSide) });
              other.associations -= 1;
            }
          }
        }
      }
    }
    return out;
  }
}
