/**
 * Session windows against their meaning: rows of random keys and times arrive in random order, in
 * random batches, and the watermark trails the largest time by more than any row is out of order
 * (so no row is late). Every session emitted must be one of those the rows make when sorted by
 * time per key, chained while the next row is at most one gap later (Flink's sessions: a row's
 * window [t, t + gap) merges with a session it overlaps or touches), with their count and sum, and
 * a session is emitted only once the watermark has passed its end. Also with all state spilled
 * to disk after every operator call.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../scripts/chaos/seeded-random.ts';
import type { AggregateCall } from '../../src/exec/accumulators.ts';
import type { Change } from '../../src/exec/change.ts';
import { SessionWindowAggregateOperator } from '../../src/exec/session-window.ts';
import type { EvalEnv } from '../../src/expr/eval-env.ts';
import { stateMemory } from '../../src/state/state-memory.ts';
import { T } from '../../src/types/data-type.ts';
import { resolveTimeZone } from '../../src/types/temporal.ts';
import { epochMillis, fromEpochMillis, type TimeValue } from '../../src/types/time-value.ts';

const GAP = 60_000;
const DELAY = 600_000;
const ENV: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => 0 };
const CALLS: AggregateCall[] = [
  { fn: 'COUNT', args: [], distinct: false, type: T.bigint(false), name: 'n' },
  { fn: 'SUM', args: [1], distinct: false, type: T.bigint(true), name: 'total' },
];

/** The sessions of rows (key, amount, millis): per key by time, chained while at most GAP apart. */
function expectedSessions(rows: readonly [string, bigint, number][]): string[] {
  const byKey = new Map<string, [bigint, number][]>();
  for (const [key, amount, time] of rows) byKey.set(key, [...(byKey.get(key) ?? []), [amount, time]]);
  const sessions: string[] = [];
  for (const [key, list] of byKey) {
    list.sort((a, b) => a[1] - b[1]);
    let start = (list[0] as [bigint, number])[1];
    let last = start;
    let n = 0;
    let total = 0n;
    for (const [amount, time] of list) {
      if (time - last > GAP) {
        sessions.push(`${key} [${start}, ${last + GAP}) n=${n} total=${total}`);
        start = time;
        n = 0;
        total = 0n;
      }
      last = time;
      n++;
      total += amount;
    }
    sessions.push(`${key} [${start}, ${last + GAP}) n=${n} total=${total}`);
  }
  return sessions.sort();
}

function run(seed: number, spill: boolean): void {
  const random = seededRandom(seed);
  const operator = new SessionWindowAggregateOperator(
    {
      partitionKeys: [0],
      gap: GAP,
      calls: CALLS,
      layout: { kind: 'properties', properties: ['start', 'end'] },
    },
    [T.string(), T.bigint(), T.timestamp(3)],
    { kind: 'ROWTIME', zone: undefined },
    ENV,
    (row) => epochMillis(row[2] as TimeValue),
  );
  const rows: [string, bigint, number][] = [];
  for (let i = 0; i < 300; i++) {
    const key = ['a', 'b', 'c'][Math.floor(random() * 3)] as string;
    rows.push([key, BigInt(1 + Math.floor(random() * 100)), 1_000 * Math.floor(random() * 7_200)]);
  }
  // Sorted by time, each row moved by less than DELAY / 2 earlier or later: the watermark stays
  // below every row still to come, so none is late and no session fires before a row it takes.
  const arrival = rows
    .map((row) => ({ row, at: row[2] + (random() - 0.5) * (DELAY - 4_000) }))
    .sort((a, b) => a.at - b.at)
    .map((a) => a.row);
  const emitted: string[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  const memory = stateMemory();
  const limit = memory.limit;
  if (spill) memory.configure(0);
  try {
    for (let i = 0; i < arrival.length; ) {
      const size = 1 + Math.floor(random() * 20);
      const batch = arrival.slice(i, i + size);
      i += size;
      const changes: Change[] = batch.map(([key, amount, time]) => ({
        kind: '+I',
        row: [key, amount, fromEpochMillis(time)],
      }));
      assert.deepEqual(operator.process(changes, 0), []);
      if (spill) memory.enforce();
      watermark = Math.max(watermark, ...batch.map((r) => r[2] - DELAY));
      const out = operator.onWatermark(watermark);
      if (spill) memory.enforce();
      for (const change of out) {
        const [key, n, total, start, end] = change.row as [string, bigint, bigint, TimeValue, TimeValue];
        const endMillis = epochMillis(end);
        assert.ok(endMillis - 1 <= watermark, 'a session fires once the watermark passes its end');
        emitted.push(`${key} [${epochMillis(start)}, ${endMillis}) n=${n} total=${total}`);
      }
    }
    for (const change of operator.onWatermark(Number.MAX_SAFE_INTEGER)) {
      const [key, n, total, start, end] = change.row as [string, bigint, bigint, TimeValue, TimeValue];
      emitted.push(`${key} [${epochMillis(start)}, ${epochMillis(end)}) n=${n} total=${total}`);
    }
  } finally {
    operator.close();
    if (spill) memory.configure(limit);
  }
  assert.equal(operator.numLateRecordsDropped, 0);
  assert.deepEqual(emitted.sort(), expectedSessions(rows));
}

describe('session windows against the sessions of the rows', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`merges out-of-order rows into the right sessions (seed ${seed})`, () => run(seed, false));
  }
  it('gives the same sessions with all state spilled to disk', () => run(6, true));
});
