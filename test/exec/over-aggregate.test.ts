/**
 * OVER aggregates on event time against their SQL meaning: random rows (out of order, never
 * behind the watermark, ties included) and random watermarks go through the operator; every row
 * must come out once, after the watermark reached it, with the aggregates over its window as the
 * definition gives them over all the rows of its partition (sorted by time, then arrival): the
 * row and the n before it (ROWS), the rows from n ms before its time to its time (RANGE), or every
 * row up to it. Also with all state spilled to disk after every call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { AggregateCall } from '../../src/exec/accumulators.ts';
import type { Change } from '../../src/exec/change.ts';
import { OverAggregateOperator, type OverSpec } from '../../src/exec/over-aggregate.ts';
import type { Row } from '../../src/expr/value.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { T } from '../../src/types/data-type.ts';

const KEYS = ['A', 'B', 'C'];
const env = { timeZone: undefined as never, nowMicros: () => 0 };
/** Rows: [id, key, value, time (µs)]. */
const TYPES = [T.int(false), T.string(false), T.int(true), T.timestamp(3, false)];
const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [2], distinct: false, type: T.int(true), name: 'w0$o0' },
  { fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'w0$o1' },
  { fn: 'MIN', args: [2], distinct: false, type: T.int(true), name: 'w0$o2' },
  { fn: 'MAX', args: [2], distinct: false, type: T.int(true), name: 'w0$o3' },
];

/** The aggregates over `window` as SQL defines them. */
function aggregates(window: readonly Row[]): unknown[] {
  const values = window.map((row) => row[2] as number | null).filter((v): v is number => v !== null);
  return [
    values.length === 0 ? null : values.reduce((a, b) => a + b, 0),
    BigInt(window.length),
    values.length === 0 ? null : Math.min(...values),
    values.length === 0 ? null : Math.max(...values),
  ];
}

/** The window of `row` among all rows of its partition (sorted by time, then arrival). */
function windowOf(spec: Pick<OverSpec, 'unit' | 'preceding'>, partition: readonly Row[], row: Row): Row[] {
  const time = (r: Row) => (r[3] as number) / 1000;
  const at = partition.indexOf(row);
  if (spec.unit === 'ROWS')
    return partition.slice(spec.preceding === undefined ? 0 : Math.max(0, at - spec.preceding), at + 1);
  return partition.filter(
    (r) => time(r) <= time(row) && (spec.preceding === undefined || time(row) - time(r) <= spec.preceding),
  );
}

function run(frame: Pick<OverSpec, 'unit' | 'preceding'>, seed: number, spill: boolean): void {
  const random = seededRandom(seed);
  const spec: OverSpec = { partitionKeys: [1], timeField: 3, timeKind: 'ROWTIME', ...frame, calls: CALLS };
  const operator = new OverAggregateOperator(spec, TYPES, env);
  const memory = stateMemory();
  const limit = memory.limit;
  if (spill) memory.configure(0);
  try {
    const all: Row[] = [];
    const emitted = new Map<number, Row>();
    let watermark = 0;
    let id = 0;
    const check = (out: readonly Change[]) => {
      for (const change of out) {
        assert.equal(change.kind, '+I');
        const rowId = change.row[0] as number;
        assert.ok(!emitted.has(rowId), `row ${rowId} is emitted once`);
        emitted.set(rowId, change.row);
        assert.ok((change.row[3] as number) / 1000 <= watermark, `row ${rowId} waits for the watermark`);
      }
    };
    for (let batch = 0; batch < 60; batch++) {
      const changes: Change[] = [];
      const count = Math.floor(random() * 6);
      for (let i = 0; i < count; i++) {
        // Ahead of the watermark by up to 40 s, in whole seconds so that times repeat.
        const time = watermark + 1000 * (1 + Math.floor(random() * 40));
        const value = random() < 0.1 ? null : Math.floor(random() * 100);
        const row: Row = [id++, KEYS[Math.floor(random() * KEYS.length)] as string, value, time * 1000];
        all.push(row);
        changes.push({ kind: '+I', row });
      }
      check(operator.process(changes, 0));
      if (spill) memory.enforce();
      if (random() < 0.5) {
        watermark += Math.floor(random() * 30_000);
        check(operator.onWatermark(watermark));
        if (spill) memory.enforce();
      }
    }
    watermark += 100_000;
    check(operator.onWatermark(watermark));
    assert.equal(emitted.size, all.length, 'every row came out');
    for (const key of KEYS) {
      const partition = all
        .filter((row) => row[1] === key)
        .sort((a, b) => (a[3] as number) - (b[3] as number) || (a[0] as number) - (b[0] as number));
      for (const row of partition) {
        const out = emitted.get(row[0] as number) as Row;
        assert.deepEqual(out.slice(4), aggregates(windowOf(frame, partition, row)), `the window of row ${row[0]}`);
      }
    }
    if (frame.unit === 'RANGE' && frame.preceding !== undefined)
      assert.equal(operator.partitions, 0, 'the cleanup timers cleared every partition');
  } finally {
    operator.close();
    memory.configure(limit);
  }
}

describe('OVER aggregates on event time against the definition of their windows', () => {
  const frames: Pick<OverSpec, 'unit' | 'preceding'>[] = [
    { unit: 'ROWS', preceding: 2 },
    { unit: 'ROWS', preceding: 0 },
    { unit: 'ROWS' },
    { unit: 'RANGE', preceding: 10_000 },
    { unit: 'RANGE', preceding: 0 },
    { unit: 'RANGE' },
  ];
  for (const frame of frames) {
    const name = `${frame.unit} ${frame.preceding ?? 'UNBOUNDED'} PRECEDING`;
    it(name, () => {
      for (let seed = 1; seed <= 20; seed++) run(frame, seed, false);
    });
    it(`${name}, with all state spilled to disk`, () => {
      for (let seed = 1; seed <= 5; seed++) run(frame, seed, true);
    });
  }
});
