import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { explainFile } from '../../src/cli/commands/explain.ts';
import { formatError } from '../../src/common/errors.ts';
import { explainPlan } from '../../src/plan/explain.ts';
import { planScript } from '../../src/plan/planner.ts';
import { assertGolden, splitCases } from '../helpers/golden.ts';

const PLANS = 'test/golden/plans';
const EXAMPLES = 'examples/ecommerce';

/** The plan of one script as text, or its error as the CLI prints it. */
function planText(name: string, sql: string): string {
  try {
    const script = planScript(name, sql, new Map(), {});
    const parts = script.jobs.map((job) => `${job.name}\n${job.sinks.map(explainPlan).join('\n\n')}`);
    parts.push(...script.explains);
    return parts.join('\n\n') || '(no jobs)';
  } catch (error) {
    return formatError(error);
  }
}

describe('planner golden files (SQL in, plan out)', () => {
  for (const file of readdirSync(PLANS)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    it(file, () => {
      const { prelude, cases } = splitCases(readFileSync(join(PLANS, file), 'utf8'));
      const out = cases.map((c) => {
        // The case keeps its line numbers: blank lines stand in for the other cases.
        const padding = '\n'.repeat(c.line + 1 - prelude.split('\n').length);
        return `-- case: ${c.name}\n${planText(file, `${prelude}${padding}${c.sql}`)}\n`;
      });
      assertGolden(join(PLANS, file.replace(/\.sql$/, '.plan')), out.join('\n'));
    });
  }
});

describe('example pipeline plans', () => {
  for (const file of readdirSync(EXAMPLES)
    .filter((f) => /^\d_.*\.sql$/.test(f))
    .sort()) {
    it(file, async () => {
      assertGolden(
        join('test/golden/examples', file.replace(/\.sql$/, '.plan')),
        `${await explainFile(join(EXAMPLES, file), new Map())}\n`,
      );
    });
  }
});
