import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario, timedNode } from '../../bench/stateful-operators.ts';
import { SCENARIOS } from '../../bench/stateful-scenarios.ts';

/**
 * The stateful benchmark group on a small input: 4 batches of 1000 rows per table over 1000 keys,
 * so each key has one row per batch and the event time moves one minute per batch. The counts
 * below follow from the scenarios' data and the operators' Flink semantics (worked out by hand,
 * not recorded from a run); they show each line times the operator it names, doing its work.
 */
const KEYS = 1000;
const ROWS = 4000;

const EXPECTED: Record<string, { readonly node: string; readonly rows?: number; readonly why: string }> = {
  'Top-N AppendFast': { node: 'Rank AppendFast', why: 'the same rows as Top-N Retract (checked below)' },
  'Top-N UpdateFast': {
    node: 'Rank UpdateFast',
    rows: 3000,
    why: 'each user clicks 4 urls once: the first 3 enter the top 3 (+I); the 4th ties and stays out',
  },
  'Top-N Retract': { node: 'Rank Retract', why: 'the same rows as Top-N AppendFast' },
  'deduplicate keep first': { node: 'Deduplicate', rows: 1000, why: 'one +I per key; later rows are later' },
  'deduplicate keep last': { node: 'Deduplicate', rows: 7000, why: '+I per key, then -U/+U for its 3 later rows' },
  'window aggregate TUMBLE': {
    node: 'WindowAggregate TUMBLE',
    rows: 3000,
    why: 'the watermark (last time - 1 s) passes the first 3 one-minute windows, each with 1000 keys',
  },
  'window aggregate SESSION': { node: 'WindowAggregate SESSION', why: 'between the TUMBLE count and one per row' },
  'window Top-N': { node: 'WindowRank TUMBLE', rows: 3000, why: 'one row per key in each of the 3 fired windows' },
  'window deduplicate': { node: 'WindowDeduplicate TUMBLE', rows: 3000, why: 'one row per key per fired window' },
  'window join': { node: 'WindowJoin', rows: 3000, why: 'one pair per key per fired window' },
  'OVER aggregate ROWS': {
    node: 'OverAggregate',
    rows: 3983,
    why: 'rows at or before the watermark 238.94 s: row i is at i × 60 ms, so rows 0..3982',
  },
  'OVER aggregate RANGE': { node: 'OverAggregate', rows: 3983, why: 'as ROWS' },
  'interval join': {
    node: 'IntervalJoin',
    rows: 4000,
    why: 'shipment i is 1 s after order i; rows of a key are 60 s apart, beyond ±10 s',
  },
  'event-time temporal join': {
    node: 'TemporalJoin',
    rows: 3999,
    why: 'every order but the last, 1 ms after the rates watermark, is emitted with its rate',
  },
  'semi join': { node: 'Join SEMI', rows: 2000, why: 'orders of the even users (the gold vips)' },
  'anti join': {
    node: 'Join ANTI',
    rows: 3000,
    why: 'the 2000 orders of odd users; the 500 of even users in the first batch, and their -D when banned',
  },
  'grouping sets': {
    node: 'Expand',
    rows: 14007,
    why: '(city, category) and (city): +I then -U/+U on each of 3 later batches, 1000 groups each; () once per batch',
  },
  INTERSECT: { node: 'Join SEMI', rows: 500, why: 'b holds the even values of a' },
  EXCEPT: { node: 'Join ANTI', rows: 1500, why: "the 500 odd values; the 500 even ones come and go (b's first batch)" },
};

function describeNode(node: ReturnType<typeof timedNode>): string {
  switch (node.kind) {
    case 'Rank':
      return `Rank ${node.spec.strategy.kind}`;
    case 'WindowAggregate':
    case 'WindowRank':
    case 'WindowDeduplicate':
      return `${node.kind} ${node.window.type}`;
    case 'Join':
      return node.type === 'SEMI' || node.type === 'ANTI' ? `Join ${node.type}` : 'Join';
    default:
      return node.kind;
  }
}

function expectation(name: string) {
  const key = Object.keys(EXPECTED).find((prefix) => name.startsWith(prefix));
  assert.ok(key, `no expectation for '${name}'`);
  return EXPECTED[key] as (typeof EXPECTED)[string];
}

describe('the stateful operator benchmarks', () => {
  const rowsOut = new Map<string, number>();
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: builds its operator from the SQL and emits the expected rows`, () => {
      const expected = expectation(scenario.name);
      assert.equal(describeNode(timedNode(scenario)), expected.node);
      const result = runScenario(scenario, KEYS, ROWS);
      rowsOut.set(scenario.name.split(' (')[0] as string, result.rowsOut);
      if (expected.rows !== undefined) assert.equal(result.rowsOut, expected.rows, expected.why);
      assert.ok(result.peakStateBytes > 0, 'the operator kept state');
    });
  }

  it('Top-N AppendFast and Retract give the same rows on the same input', () => {
    assert.ok((rowsOut.get('Top-N AppendFast') ?? 0) > 3000);
    assert.equal(rowsOut.get('Top-N AppendFast'), rowsOut.get('Top-N Retract'));
  });

  it('SESSION windows emit more than the tumbling windows and at most one per row', () => {
    const session = rowsOut.get('window aggregate SESSION gap 30 s') ?? 0;
    assert.ok(session > 3000 && session < 4000, `${session}`);
  });
});
