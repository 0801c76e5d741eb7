/**
 * Rivulet's planner takes the LOOKUP (and lookup-table OPTIONS) hints Apache Flink 1.18.1's planner
 * takes and refuses those it refuses: the cases of flink-lookup-hints.txt beside this file, each
 * with the verdict Flink gave when it planned it (`npm run parity:plans`), and the lookup join's
 * retry as Flink's EXPLAIN shows it. A case with a `differs: <why>` line is a deliberate difference:
 * Rivulet's verdict must then not be Flink's. This test does not start Flink.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatError } from '../../src/common/errors.ts';
import { explainPlan } from '../../src/plan/explain.ts';
import { planScript } from '../../src/plan/planner.ts';

const FILE = join(import.meta.dirname, 'flink-lookup-hints.txt');

interface Case {
  readonly name: string;
  readonly line: number;
  readonly statement: string;
  /** Flink's verdict line after `flink:`: `accepted [retry=[...]]` or `refused: <message>`. */
  readonly flink: string;
  readonly differs?: string;
}

function readFile(): { setup: string; cases: Case[] } {
  const lines = readFileSync(FILE, 'utf8').split('\n');
  assert.ok(
    lines.some((line) => line.startsWith('# recorded: Apache Flink 1.18.1')),
    `${FILE} has no '# recorded: Apache Flink 1.18.1' line: run npm run parity:plans`,
  );
  const indented = (from: number): string[] => {
    const block: string[] = [];
    for (let i = from + 1; lines[i]?.startsWith('  '); i++) block.push((lines[i] as string).slice(2));
    return block;
  };
  let setup = '';
  const cases: Case[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith('setup:')) setup = indented(i).join('\n');
    if (!line.startsWith('case:')) return;
    const statement = indented(i);
    const after = lines.slice(i + 1 + statement.length);
    const flink = after[0]?.startsWith('flink:') ? (after[0] as string).slice('flink:'.length).trim() : '';
    assert.ok(flink, `${FILE}:${i + 1}: the case has no flink: line under it (npm run parity:plans)`);
    const differs = after[1]?.startsWith('differs:') ? (after[1] as string).slice('differs:'.length).trim() : undefined;
    cases.push({
      name: line.slice('case:'.length).trim(),
      line: i + 1,
      statement: statement.join('\n'),
      flink,
      ...(differs ? { differs } : {}),
    });
  });
  return { setup, cases };
}

/** Rivulet's verdict in Flink's words: `accepted` with the plan's retry, or `refused: <error>`. */
function rivuletVerdict(script: string): { accepted: boolean; retry?: string; error?: string } {
  try {
    const planned = planScript('flink-lookup-hints.txt', script, new Map(), {});
    const plan = planned.jobs.flatMap((job) => job.sinks.map((sink) => explainPlan(sink))).join('\n');
    const retry = /retry=\[[^\]]*\]/.exec(plan)?.[0];
    return { accepted: true, ...(retry ? { retry } : {}) };
  } catch (error) {
    return { accepted: false, error: formatError(error) };
  }
}

describe("LOOKUP hints: Rivulet's planner against Flink 1.18.1's verdicts", () => {
  const { setup, cases } = readFile();
  for (const c of cases) {
    it(`${c.name}${c.differs ? ' (a documented difference)' : ''}`, () => {
      const rivulet = rivuletVerdict(`${setup}\n${c.statement}`);
      const flinkAccepted = c.flink.startsWith('accepted');
      const where = `flink-lookup-hints.txt:${c.line}: Flink: ${c.flink}; Rivulet: ${rivulet.error ?? `accepted ${rivulet.retry ?? ''}`}`;
      if (c.differs) return assert.notEqual(rivulet.accepted, flinkAccepted, `${where}: the same now: drop 'differs:'`);
      assert.equal(rivulet.accepted, flinkAccepted, where);
      if (flinkAccepted) assert.equal(rivulet.retry, /retry=\[[^\]]*\]/.exec(c.flink)?.[0], where);
    });
  }
});
