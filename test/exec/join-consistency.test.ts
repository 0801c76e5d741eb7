import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { Change } from '../../src/exec/change.ts';
import { JoinOperator, type JoinType } from '../../src/exec/join.ts';
import { rowKey } from '../../src/exec/row-key.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import type { Row, Value } from '../../src/expr/value.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';

const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };

/** A multiset of rows, by value. */
class Bag {
  readonly rows = new Map<string, { row: Row; n: number }>();
  add(row: Row, n = 1): void {
    const key = rowKey(row);
    const entry = this.rows.get(key);
    if (entry) entry.n += n;
    else this.rows.set(key, { row, n });
    if ((this.rows.get(key) as { n: number }).n === 0) this.rows.delete(key);
  }
  remove(row: Row): boolean {
    const entry = this.rows.get(rowKey(row));
    if (!entry) return false;
    this.add(row, -1);
    return true;
  }
  text(): string[] {
    return [...this.rows.values()].map((e) => `${e.n} × ${rowKey(e.row)}`).sort();
  }
}

// Rows: left (id, key, amount), right (id, key, limit). Keys 0..2 and NULL, so buckets grow large.
// SEMI and ANTI: the left rows with (without) a partner, each copy once, as SQL's IN and NOT EXISTS.
function expected(type: JoinType, left: Bag, right: Bag, residual: boolean, nullSafe = false): Bag {
  const out = new Bag();
  const joins = (l: Row, r: Row) =>
    (l[1] !== null || nullSafe) && l[1] === r[1] && (!residual || (l[2] as number) <= (r[2] as number));
  const nulls = [null, null, null];
  for (const l of left.rows.values()) {
    let partners = 0;
    for (const r of right.rows.values()) {
      if (!joins(l.row, r.row)) continue;
      if (type !== 'SEMI' && type !== 'ANTI') out.add([...l.row, ...r.row], l.n * r.n);
      partners += r.n;
    }
    if ((type === 'SEMI' && partners > 0) || (type === 'ANTI' && partners === 0)) out.add(l.row, l.n);
    if (partners === 0 && (type === 'LEFT' || type === 'FULL')) out.add([...l.row, ...nulls], l.n);
  }
  if (type === 'RIGHT' || type === 'FULL') {
    for (const r of right.rows.values()) {
      const partnered = [...left.rows.values()].some((l) => joins(l.row, r.row));
      if (!partnered) out.add([...nulls, ...r.row], r.n);
    }
  }
  return out;
}

function run(type: JoinType, residual: boolean, unique: boolean, seed: number, nullSafe = false): number {
  const next = seededRandom(seed);
  let largest = 0;
  const condition = residual
    ? {
        kind: 'call' as const,
        name: 'LESS_THAN_OR_EQUAL',
        args: [
          { kind: 'input' as const, index: 2, name: 'amount', type: T.int() },
          { kind: 'input' as const, index: 5, name: 'limit', type: T.int() },
        ],
        type: T.boolean(),
      }
    : undefined;
  const join = new JoinOperator(type, [1], [1], [3, 3], condition, env, unique ? [[0], [0]] : [], [], [nullSafe]);
  const inputs = [new Bag(), new Bag()] as const;
  const output = new Bag();
  let nextId = 0;
  for (let step = 0; step < 200; step++) {
    const side = next() < 0.5 ? 0 : 1;
    const bag = inputs[side];
    const batch: Change[] = [];
    const size = 1 + Math.floor(next() * 6);
    for (let i = 0; i < size; i++) {
      const present = [...bag.rows.values()];
      const key = next() < 0.1 ? null : Math.floor(next() * 3);
      if (present.length > 0 && next() < 0.45) {
        const victim = present[Math.floor(next() * present.length)]?.row as Row;
        if (next() < 0.5 || unique) {
          // An update: -U of the stored row, +U of a changed one (same id when rows have a unique key).
          const changed: Value[] = [victim[0] as Value, key, Math.floor(next() * 10)];
          batch.push({ kind: '-U', row: victim }, { kind: '+U', row: changed });
          bag.remove(victim);
          bag.add(changed);
        } else {
          batch.push({ kind: '-D', row: victim });
          bag.remove(victim);
        }
      } else {
        // Without a unique key, ids repeat so that identical rows (copies) occur.
        const id = unique ? nextId++ : Math.floor(next() * 3);
        const row: Value[] = [id, key, Math.floor(next() * 10)];
        batch.push({ kind: next() < 0.5 ? '+I' : '+U', row });
        bag.add(row);
      }
    }
    for (const change of join.process(batch, side)) {
      if (change.kind === '+I' || change.kind === '+U') output.add(change.row);
      else assert.ok(output.remove(change.row), `step ${step}: ${change.kind} of a row not in the output`);
    }
    if (step % 25 === 24) {
      assert.deepEqual(output.text(), expected(type, inputs[0], inputs[1], residual, nullSafe).text(), `step ${step}`);
      largest = Math.max(largest, inputs[0].rows.size, inputs[1].rows.size);
    }
  }
  return largest;
}

describe('regular join: the output changelog always adds up to the join of the inputs', () => {
  for (const type of ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const) {
    for (const residual of [false, true]) {
      for (const unique of [false, true]) {
        it(`${type}${residual ? ' with a residual' : ''}, ${unique ? 'unique keys' : 'duplicate rows'}`, () => {
          let largest = 0;
          for (let seed = 1; seed <= 2; seed++) largest = Math.max(largest, run(type, residual, unique, seed));
          // Buckets (3 join keys) grow past the size at which they are indexed.
          assert.ok(largest > 3 * 16, `only ${largest} distinct rows on a side`);
        });
      }
    }
  }
});

describe('semi and anti joins on a null-safe key (INTERSECT, EXCEPT): NULL matches NULL', () => {
  for (const type of ['SEMI', 'ANTI'] as const) {
    for (const unique of [false, true]) {
      it(`${type}, ${unique ? 'unique keys' : 'duplicate rows'}`, () => {
        for (let seed = 1; seed <= 2; seed++) run(type, false, unique, seed, true);
      });
    }
  }
});
