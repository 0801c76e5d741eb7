import { resolve } from 'node:path';
import { compileExpression } from '../src/expr/compile.ts';
import type { EvalEnv } from '../src/expr/eval-env.ts';
import type { Evaluator, Row } from '../src/expr/value.ts';
import type { Calc, PlanNode } from '../src/plan/nodes.ts';
import { planScriptWithFunctions } from '../src/plan/planner.ts';
import { resolveTimeZone } from '../src/types/temporal.ts';
import { type Measurement, medianMillis } from './harness.ts';

const ROWS = 1_000_000;
const env: EvalEnv = { timeZone: resolveTimeZone('UTC'), nowMicros: () => Date.now() * 1000 };

function calcOf(node: PlanNode): Calc {
  if (node.kind === 'Calc') return node;
  if ('input' in node) return calcOf(node.input);
  throw new Error('no Calc in plan');
}

/** Calls per second of one evaluator over the rows. */
function callsPerSecond(evaluate: Evaluator, rows: readonly Row[]): number {
  let sink = 0;
  const millis = medianMillis(() => {
    for (let i = 0; i < rows.length; i++) if (evaluate(rows[i] as Row) !== null) sink++;
  }, 7);
  if (sink < 0) throw new Error('unreachable');
  return rows.length / (millis / 1000);
}

/**
 * A scalar UDF against the built-in function of the same work, each compiled by the expression
 * compiler from a planned SELECT and called over a million rows: UPPER(name) and a + b.
 */
export async function udfBenchmarks(): Promise<Measurement[]> {
  const script = await planScriptWithFunctions(
    'udf.sql',
    `CREATE FUNCTION shout AS 'udf-functions.ts#shout';
     CREATE FUNCTION plus AS 'udf-functions.ts#plus';
     CREATE TABLE t (name STRING, a INT, b INT) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
     CREATE TABLE o (u1 STRING, u2 STRING, s1 INT, s2 INT) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json');
     INSERT INTO o SELECT UPPER(name), shout(name), a + b, plus(a, b) FROM t;`,
    new Map(),
    {},
    resolve(import.meta.dirname),
  );
  const [upper, shout, builtInPlus, userPlus] = calcOf(script.jobs[0]?.sinks[0] as PlanNode).projection.map((expr) =>
    compileExpression(expr, env),
  ) as [Evaluator, Evaluator, Evaluator, Evaluator];
  const names = ['order', 'iPhone 15', '张三', 'a somewhat longer product name', 'x'];
  const rows: Row[] = Array.from({ length: ROWS }, (_, i) => [names[i % names.length] as string, i, i % 1000]);
  const measurements: Measurement[] = [];
  for (const [what, builtIn, user] of [
    ['UPPER(name)', upper, shout],
    ['a + b', builtInPlus, userPlus],
  ] as const) {
    const builtInRate = callsPerSecond(builtIn, rows);
    const userRate = callsPerSecond(user, rows);
    measurements.push(
      { name: `udf: built-in ${what}`, value: builtInRate, unit: 'calls/s' },
      { name: `udf: TypeScript UDF doing ${what}`, value: userRate, unit: 'calls/s', target: '≥ 1,000,000' },
      {
        name: `udf: cost of the UDF / the built-in, ${what}`,
        value: builtInRate / userRate,
        unit: '×',
        target: '< 2',
      },
    );
  }
  return measurements;
}
