import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProjection } from '../src/expr/compile.ts';
import type { EvalEnv } from '../src/expr/eval-env.ts';
import type { Calc, PlanNode } from '../src/plan/nodes.ts';
import { planScript } from '../src/plan/planner.ts';
import { parseTimestamp, resolveTimeZone } from '../src/types/temporal.ts';
import { type Measurement, medianMillis } from './harness.ts';

const EXAMPLES = 'examples/ecommerce';
const env: EvalEnv = { timeZone: resolveTimeZone('Asia/Shanghai'), nowMicros: () => Date.now() * 1000 };

function firstCalc(node: PlanNode): Calc {
  if (node.kind === 'Calc') return node;
  if ('input' in node) return firstCalc(node.input);
  throw new Error('no Calc in plan');
}

/** Parse + plan time of the example pipeline files, and expression throughput. */
export function sqlBenchmarks(): Measurement[] {
  const files = readdirSync(EXAMPLES)
    .filter((f) => /^\d_.*\.sql$/.test(f))
    .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') }));
  const planAll = () => {
    for (const file of files) planScript(file.name, file.text, new Map(), {});
  };
  const planMillis = medianMillis(planAll, 9);

  // A simple projection: SELECT order_id, quantity + 1, product_name FROM ... over 1M rows.
  const simple = planScript(
    's.sql',
    `CREATE TABLE t (order_id BIGINT, quantity INT, product_name STRING) WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'json');
     CREATE TABLE o (order_id BIGINT, q INT, product_name STRING) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json');
     INSERT INTO o SELECT order_id, quantity + 1, product_name FROM t WHERE quantity > 0;`,
    new Map(),
    {},
  );
  const simpleCalc = firstCalc(simple.jobs[0]?.sinks[0] as PlanNode);
  const project = compileProjection(simpleCalc.projection, env);
  const filter = simpleCalc.condition ? compileProjection([simpleCalc.condition], env) : undefined;
  const rows = Array.from({ length: 1000 }, (_, i) => [BigInt(2000 + i), (i % 5) + 1, `product ${i}`]);
  const simpleRuns = 1000;
  const simpleMillis = medianMillis(() => {
    for (let r = 0; r < simpleRuns; r++) {
      for (const row of rows) if (!filter || filter(row)[0] === true) project(row);
    }
  }, 5);

  // The DWD layer's cleansing projection (CASE, CONCAT, CAST, DATE_FORMAT, HOUR, ...).
  const dwd = planScript('2.sql', readFileSync(join(EXAMPLES, '2_dwd_layer.sql'), 'utf8'), new Map(), {});
  const dwdCalc = firstCalc(dwd.jobs[0]?.sinks[0] as PlanNode);
  const dwdProject = compileProjection(dwdCalc.projection, env);
  const dwdFilter = dwdCalc.condition ? compileProjection([dwdCalc.condition], env) : undefined;
  const time = parseTimestamp('2025-07-11 17:25:55.145') as number;
  const orders = Array.from({ length: 1000 }, (_, i) => [
    BigInt(2000 + i),
    BigInt(1001 + (i % 5)),
    ` product ${i} `,
    ['电子产品', '服装鞋帽', '图书'][i % 3] ?? null,
    1 + (i % 3),
    599900n,
    599900n * BigInt(1 + (i % 3)),
    ['PENDING', 'SHIPPED', 'COMPLETED'][i % 3] ?? null,
    time + i * 1000,
    time + i * 1000,
  ]);
  const dwdRuns = 200;
  const dwdMillis = medianMillis(() => {
    for (let r = 0; r < dwdRuns; r++) {
      for (const row of orders) if (!dwdFilter || dwdFilter(row)[0] === true) dwdProject(row);
    }
  }, 5);

  return [
    {
      name: `sql: parse + plan the ${files.length} example files (warm)`,
      value: planMillis,
      unit: 'ms',
      target: '< 50 ms',
    },
    {
      name: 'expr: simple projection + filter',
      value: (rows.length * simpleRuns) / (simpleMillis / 1000),
      unit: 'rows/s',
      target: '>= 2,000,000 rows/s per core',
    },
    {
      name: 'expr: DWD cleansing projection (16 columns)',
      value: (orders.length * dwdRuns) / (dwdMillis / 1000),
      unit: 'rows/s',
    },
  ];
}
