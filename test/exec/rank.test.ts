/**
 * Top-N and deduplication against their SQL meaning: random changelogs go through the operators,
 * their output is applied to a table the way a sink keyed by (partition, rank) or by the row would
 * hold it, and after every batch that table must be what the query means over the rows the input
 * holds then (the top N of each partition by the ORDER BY, computed here by sorting; the first or
 * last row per key). Sort keys are distinct where the meaning of ties would be the operator's own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { AggregateCall } from '../../src/exec/accumulators.ts';
import { GroupAggregateOperator } from '../../src/exec/aggregate.ts';
import type { Change } from '../../src/exec/change.ts';
import { DeduplicateOperator } from '../../src/exec/deduplicate.ts';
import type { Operator } from '../../src/exec/operator.ts';
import { RankOperator, type RankSpec, type RankStrategy } from '../../src/exec/rank.ts';
import type { Row } from '../../src/expr/value.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { T } from '../../src/types/data-type.ts';

const CITIES = ['A', 'B', 'C'];

/** The changes' effect on a sink keyed by (partition, rank): each retraction must match what it holds. */
class RankedTable {
  readonly rows = new Map<string, Row>();
  apply(changes: readonly Change[], partitionOf: (row: Row) => unknown): void {
    for (const change of changes) {
      const rank = change.row.at(-1) as bigint;
      const key = `${String(partitionOf(change.row))}|${rank}`;
      if (change.kind === '-U' || change.kind === '-D') {
        assert.deepEqual(this.rows.get(key), change.row, `retraction of ${key} matches the row held`);
        this.rows.delete(key);
      } else {
        assert.ok(change.kind === '+U' || !this.rows.has(key), `+I of ${key} finds the rank empty`);
        this.rows.set(key, change.row);
      }
    }
  }
}

/** The changes' effect on a table of rows (no rank number): a retraction removes a row it holds. */
class RowTable {
  readonly rows = new Map<string, number>();
  apply(changes: readonly Change[]): void {
    for (const change of changes) {
      const key = JSON.stringify(change.row, (_, v) => (typeof v === 'bigint' ? `${v}` : v));
      const held = this.rows.get(key) ?? 0;
      if (change.kind === '-U' || change.kind === '-D') {
        assert.ok(held > 0, `retraction of ${key} finds it`);
        if (held === 1) this.rows.delete(key);
        else this.rows.set(key, held - 1);
      } else {
        this.rows.set(key, held + 1);
      }
    }
  }
  sorted(): string[] {
    return [...this.rows].flatMap(([key, n]) => Array<string>(n).fill(key)).sort();
  }
}

/** Ranks rankStart..rankEnd (or the city's own end) per city of rows (id, city, amount, ...), by amount DESC. */
function topN(rows: Iterable<Row>, rankStart: number, rankEnd: number | ((city: unknown) => number)): Row[] {
  const byCity = new Map<unknown, Row[]>();
  for (const row of rows) byCity.set(row[1], [...(byCity.get(row[1]) ?? []), row]);
  const out: Row[] = [];
  for (const [city, cityRows] of byCity) {
    const end = typeof rankEnd === 'number' ? rankEnd : rankEnd(city);
    cityRows.sort((a, b) => Number((b[2] as bigint) - (a[2] as bigint)));
    cityRows.forEach((row, i) => {
      if (i + 1 >= rankStart && i + 1 <= end) out.push([...row, BigInt(i + 1)]);
    });
  }
  return out;
}

const rowKey = (row: Row) => JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `${v}` : v));

/**
 * Applies the output to the table a sink holds (keyed by (city, rank) with the rank number, by the
 * row without it) and checks it holds the `expected` ranked rows.
 */
function assertHeld(out: readonly Change[], expected: readonly Row[], table: RankedTable | RowTable, message: string) {
  if (table instanceof RankedTable) {
    table.apply(out, (row) => row[1]);
    assert.deepEqual([...table.rows.values()].map(rowKey).sort(), expected.map(rowKey).sort(), message);
  } else {
    table.apply(out);
    assert.deepEqual(table.sorted(), expected.map((row) => rowKey(row.slice(0, -1))).sort(), message);
  }
}

function spec(strategy: RankStrategy, rankStart: number, rankEnd: number, outputRankNumber: boolean): RankSpec {
  return {
    partitionKeys: [1],
    orderKeys: [{ field: 2, descending: true, nullsFirst: false }],
    rankStart,
    rankEnd,
    outputRankNumber,
    strategy,
  };
}

/** Runs `fn` with every operator call ending with all state spilled to disk, when `spill`. */
function processing(operator: Operator, spill: boolean): (changes: Change[]) => Change[] {
  return (changes) => {
    const out = operator.process(changes, 0);
    if (spill) stateMemory().enforce();
    return out;
  };
}

function withBudget<T>(spill: boolean, fn: () => T): T {
  const memory = stateMemory();
  const limit = memory.limit;
  if (spill) memory.configure(0);
  try {
    return fn();
  } finally {
    memory.configure(limit);
  }
}

describe('Top-N of a changelog (RetractStrategy) against the top N of the rows held', () => {
  for (const [rankStart, rankEnd, withNumber] of [
    [1, 3, true],
    [1, 3, false],
    [2, 4, true],
    [2, 4, false],
    [1, 1, false],
  ] as const) {
    for (const spill of [false, true]) {
      it(`ranks ${rankStart}..${rankEnd}, ${withNumber ? 'with' : 'without'} the rank number${spill ? ', state spilled' : ''}`, () =>
        withBudget(spill, () => {
          const random = seededRandom(rankStart * 100 + rankEnd * 10 + (withNumber ? 1 : 0));
          const operator = new RankOperator(spec({ kind: 'Retract' }, rankStart, rankEnd, withNumber));
          const run = processing(operator, spill);
          const live = new Map<number, Row>();
          const used = new Set<bigint>();
          const amount = () => {
            let value: bigint;
            do value = BigInt(Math.floor(random() * 100_000));
            while (used.has(value));
            used.add(value);
            return value;
          };
          const ranked = new RankedTable();
          const plain = new RowTable();
          let nextId = 1;
          for (let batch = 0; batch < 150; batch++) {
            const changes: Change[] = [];
            for (let n = Math.floor(random() * 6); n >= 0; n--) {
              const ids = [...live.keys()];
              const pick = random();
              if (ids.length === 0 || pick < 0.45) {
                const row: Row = [BigInt(nextId), CITIES[Math.floor(random() * CITIES.length)] as string, amount()];
                live.set(nextId++, row);
                changes.push({ kind: '+I', row });
              } else {
                const id = ids[Math.floor(random() * ids.length)] as number;
                const old = live.get(id) as Row;
                if (pick < 0.75) {
                  const row: Row = [
                    old[0] ?? null,
                    random() < 0.3 ? (CITIES[0] as string) : (old[1] ?? null),
                    amount(),
                  ];
                  live.set(id, row);
                  changes.push({ kind: '-U', row: old }, { kind: '+U', row });
                } else {
                  live.delete(id);
                  changes.push({ kind: '-D', row: old });
                }
              }
            }
            const out = run(changes);
            const expected = topN(live.values(), rankStart, rankEnd);
            assertHeld(out, expected, withNumber ? ranked : plain, `after batch ${batch}`);
          }
          operator.close();
        }));
    }
  }
});

describe('Top-N with a rank end read from a column (VariableRankRange), partitions mixed in every batch', () => {
  for (const strategy of [{ kind: 'AppendFast' }, { kind: 'Retract' }] as const) {
    for (const withNumber of [true, false]) {
      it(`${strategy.kind}: each city keeps the rank end of its first row, ${withNumber ? 'with' : 'without'} the rank number`, () => {
        const random = seededRandom(strategy.kind === 'Retract' ? 21 : 22);
        const operator = new RankOperator({ ...spec(strategy, 1, 0, withNumber), rankEndField: 3 });
        const live = new Map<number, Row>();
        const firstEnd = new Map<unknown, number>();
        const ranked = new RankedTable();
        const plain = new RowTable();
        let nextId = 1;
        for (let batch = 0; batch < 120; batch++) {
          const changes: Change[] = [];
          for (let n = 1 + Math.floor(random() * 6); n > 0; n--) {
            const ids = [...live.keys()];
            if (strategy.kind === 'Retract' && ids.length > 0 && random() < 0.3) {
              const id = ids[Math.floor(random() * ids.length)] as number;
              changes.push({ kind: '-D', row: live.get(id) as Row });
              live.delete(id);
              continue;
            }
            const city = CITIES[Math.floor(random() * CITIES.length)] as string;
            const end = 1 + Math.floor(random() * 4);
            if (!firstEnd.has(city)) firstEnd.set(city, end);
            const row: Row = [BigInt(nextId), city, BigInt((nextId * 7919) % 100_003), end];
            live.set(nextId++, row);
            changes.push({ kind: '+I', row });
          }
          const out = operator.process(changes, 0);
          const expected = topN(live.values(), 1, (city) => firstEnd.get(city) as number);
          assertHeld(out, expected, withNumber ? ranked : plain, `after batch ${batch}`);
        }
        operator.close();
      });
    }
  }
});

describe('Top-N of an append-only input (AppendFastStrategy)', () => {
  for (const withNumber of [true, false]) {
    it(`keeps the top 3 of every city ${withNumber ? 'with' : 'without'} the rank number`, () => {
      const random = seededRandom(withNumber ? 7 : 8);
      const operator = new RankOperator(spec({ kind: 'AppendFast' }, 1, 3, withNumber));
      const rows: Row[] = [];
      const ranked = new RankedTable();
      const plain = new RowTable();
      for (let i = 0; i < 400; i++) {
        const row: Row = [BigInt(i), CITIES[Math.floor(random() * CITIES.length)] as string, BigInt((i * 7919) % 1000)];
        rows.push(row);
        const out = operator.process([{ kind: '+I', row }], 0);
        const expected = topN(rows, 1, 3);
        if (withNumber) {
          ranked.apply(out, (r) => r[1]);
          assert.deepEqual([...ranked.rows.values()].map(rowKey).sort(), expected.map(rowKey).sort());
        } else {
          plain.apply(out);
          assert.deepEqual(plain.sorted(), expected.map((r) => rowKey(r.slice(0, 3))).sort());
        }
      }
      operator.close();
    });
  }
});

describe('Top-N of counts (UpdateFastStrategy)', () => {
  it('holds the N highest counts of every user as the aggregate raises them', () => {
    const random = seededRandom(11);
    const count: AggregateCall = { fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'cnt' };
    const aggregate = new GroupAggregateOperator([0, 1], [count], [T.bigint(), T.string()]);
    const rank = new RankOperator({
      partitionKeys: [0],
      orderKeys: [{ field: 2, descending: true, nullsFirst: false }],
      rankStart: 1,
      rankEnd: 3,
      outputRankNumber: true,
      strategy: { kind: 'UpdateFast', rowKey: [0, 1] },
    });
    const counts = new Map<string, number>();
    const ranked = new RankedTable();
    for (let batch = 0; batch < 300; batch++) {
      const clicks: Change[] = [];
      for (let n = Math.floor(random() * 4); n >= 0; n--) {
        const user = BigInt(Math.floor(random() * 3));
        const url = `u${Math.floor(random() * 8)}`;
        clicks.push({ kind: '+I', row: [user, url] });
        counts.set(`${user}|${url}`, (counts.get(`${user}|${url}`) ?? 0) + 1);
      }
      ranked.apply(rank.process(aggregate.process(clicks, 0), 0), (row) => row[0]);
      for (const user of [0n, 1n, 2n]) {
        const expected = [...counts]
          .filter(([key]) => key.startsWith(`${user}|`))
          .map(([, n]) => n)
          .sort((a, b) => b - a)
          .slice(0, 3);
        const held = [...ranked.rows.values()]
          .filter((row) => row[0] === user)
          .sort((a, b) => Number((a[3] as bigint) - (b[3] as bigint)));
        assert.deepEqual(
          held.map((row) => Number(row[2])),
          expected,
          `counts of user ${user} after batch ${batch}, by rank`,
        );
        for (const row of held) assert.equal(counts.get(`${row[0]}|${row[1]}`), Number(row[2]), 'a row has its count');
      }
    }
    rank.close();
    aggregate.close();
  });
});

describe('deduplication against the first or last row of each key', () => {
  for (const [keepLastRow, rowtime] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`keeps the ${keepLastRow ? 'last' : 'first'} row on ${rowtime ? 'event' : 'processing'} time`, () => {
      const random = seededRandom((keepLastRow ? 2 : 0) + (rowtime ? 1 : 0));
      const operator = new DeduplicateOperator({ keys: [1], keepLastRow, rowtime, timeField: 2 });
      const table = new Map<unknown, Row>();
      const arrived: Row[] = [];
      for (let i = 0; i < 300; i++) {
        // Rowtimes in ms as TimeValues (µs): out of order and with ties.
        const row: Row = [
          BigInt(i),
          CITIES[Math.floor(random() * CITIES.length)] as string,
          Math.floor(random() * 20) * 1000,
        ];
        arrived.push(row);
        for (const change of operator.process([{ kind: '+I', row }], 0)) {
          if (change.kind === '-U' || change.kind === '-D') {
            assert.deepEqual(table.get(change.row[1]), change.row);
            table.delete(change.row[1]);
          } else {
            assert.ok(change.kind === '+U' || !table.has(change.row[1]));
            table.set(change.row[1], change.row);
          }
        }
        for (const city of CITIES) {
          const rows = arrived.filter((r) => r[1] === city);
          if (rows.length === 0) continue;
          let expected = rows[0] as Row;
          for (const r of rows) {
            const t = r[2] as number;
            const e = expected[2] as number;
            // Processing time is the arrival order; of equal rowtimes the last row stays for
            // LastRow and the first for FirstRow (Flink's RowTimeDeduplicateFunction).
            if (!rowtime ? keepLastRow : keepLastRow ? t >= e : t < e) expected = r;
          }
          assert.deepEqual(table.get(city), expected, `${city} after row ${i}`);
        }
      }
      operator.close();
    });
  }
});
