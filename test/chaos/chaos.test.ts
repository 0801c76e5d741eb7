/**
 * The short version of `npm run chaos`: each fault once, on a short seeded workload, with both
 * pipelines' sink tables compared with plain SQL over the final source tables (PostgreSQL as the
 * oracle). CHAOS_SEED=<n> repeats a run's workload and fault offsets (not where a fault falls
 * among the changes, which depends on the machine's speed).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { totalDifferences } from '../../scripts/chaos/compare.ts';
import { runScenario } from '../../scripts/chaos/run-scenario.ts';
import { SCENARIOS } from '../../scripts/chaos/scenarios.ts';

const SEED = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(2 ** 31);

describe('chaos, short: each fault once while both pipelines run', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, { timeout: 600_000 }, async (t) => {
      const lines: string[] = [];
      const result = await runScenario(scenario, SEED, {
        // One worker, as `rivulet up` by default; two where one of them is killed.
        workers: scenario.name === 'kill-worker' ? 2 : 1,
        seconds: 10,
        faults: 1,
        outageMs: 5000,
        pauseMs: 5,
        settleMs: 90_000,
        probeTimeoutMs: 60_000,
        log: (line) => lines.push(line),
        signal: t.signal,
      });
      t.diagnostic(`seed ${SEED} (rerun with CHAOS_SEED=${SEED}): ${result.changes} changes`);
      for (const line of lines) t.diagnostic(line);
      const report = [
        ...result.problems,
        ...result.differences.flatMap((difference) => difference.examples),
        `engine output:\n${result.engineLog}`,
      ].join('\n');
      assert.ok(result.changes > 0, 'the workload made changes');
      assert.equal(result.recoverySeconds.length, 1, report);
      assert.deepEqual(result.problems, [], report);
      assert.equal(totalDifferences(result.differences), 0, report);
      assert.ok(result.workloadWindows > 0, 'windows of the workload were closed and compared');
      for (const difference of result.differences)
        assert.ok(difference.rows > 0, `${difference.table} has rows to compare`);
    });
  }
});
