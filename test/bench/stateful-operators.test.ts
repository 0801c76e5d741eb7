import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runScenario, timedNode } from '../../bench/stateful-operators.ts';
import { CHECK_KEYS, CHECK_ROWS, SCENARIOS } from '../../bench/stateful-scenarios.ts';

/**
 * The stateful benchmark group on a small input (CHECK_ROWS rows per table over CHECK_KEYS keys):
 * each line times the operator it names, which emits the rows its scenario's `check` works out
 * from the data and Flink's semantics.
 */
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

describe('the stateful operator benchmarks', () => {
  for (const scenario of SCENARIOS) {
    const { node, rows, why } = scenario.check;
    it(`${scenario.name}: builds ${node} from the SQL and emits ${rows} rows`, () => {
      assert.equal(describeNode(timedNode(scenario)), node);
      const result = runScenario(scenario, CHECK_KEYS, CHECK_ROWS);
      assert.equal(result.rowsOut, rows, why);
      assert.ok(result.peakStateBytes > 0, 'the operator kept state');
    });
  }
});
