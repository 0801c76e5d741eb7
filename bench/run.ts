import { dashboardBenchmarks } from './dashboard.ts';
import { flinkBenchmarks } from './flink.ts';
import { formatBenchmarks } from './formats.ts';
import { type Measurement, report } from './harness.ts';
import { kafkaLogBenchmarks, postgresLogBenchmarks } from './log.ts';
import { operatorBenchmarks } from './operators.ts';
import { fullPipelineBenchmarks } from './pipeline.ts';
import { sqlBenchmarks } from './sql.ts';
import { statefulOperatorBenchmarks } from './stateful-operators.ts';
import { udfBenchmarks } from './udf.ts';
import { workerBenchmarks } from './workers.ts';

/** `--workers N` (repeatable): the pool sizes the pipeline group compares (default 1 and 2). */
const args = process.argv.slice(2);
const workerCounts: number[] = [];
for (let i = args.indexOf('--workers'); i !== -1; i = args.indexOf('--workers')) {
  const count = Number(args[i + 1]);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write(`--workers must be a whole number above 0, got '${args[i + 1] ?? ''}'\n`);
    process.exit(1);
  }
  workerCounts.push(count);
  args.splice(i, 2);
}

const GROUPS: Record<string, () => Promise<Measurement[]> | Measurement[]> = {
  sql: sqlBenchmarks,
  operators: operatorBenchmarks,
  stateful: statefulOperatorBenchmarks,
  formats: formatBenchmarks,
  'postgres-log': postgresLogBenchmarks,
  'kafka-log': kafkaLogBenchmarks,
  pipeline: () => fullPipelineBenchmarks(workerCounts.length > 0 ? workerCounts : [1, 2]),
  udf: udfBenchmarks,
  dashboard: dashboardBenchmarks,
  workers: workerBenchmarks,
  flink: flinkBenchmarks,
};

/**
 * The groups that run only when named: flink starts Apache Flink and Kafka brokers (Java and Maven
 * needed) and takes several minutes.
 */
const ON_REQUEST = new Set(['flink']);

/**
 * Every benchmark of the project in one table; `npm run bench -- pipeline sql` runs only those
 * groups, `npm run bench -- pipeline --workers 1 --workers 2` the pipeline with those pool sizes.
 */
const chosen = args;
const unknown = chosen.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark group ${unknown.join(', ')}; the groups are: ${Object.keys(GROUPS).join(', ')}\n`,
  );
  process.exit(1);
}
const measurements: Measurement[] = [];
for (const [name, run] of Object.entries(GROUPS)) {
  if (chosen.includes(name) || (chosen.length === 0 && !ON_REQUEST.has(name))) measurements.push(...(await run()));
}
report(measurements);
